import { t } from "../lib/errors";
import { errorFields, type Logger } from "../lib/logger";
import { alerta, avisoStatement } from "../notificaciones/avisos";
import type { PaymentProvider } from "../payments/provider";
import type { DetallePago } from "../payments/wompi/metodos";
import { comprometido, registrarAbono } from "./abonos";
import { markSold } from "./holds";
import { enqueue } from "./outbox";
import type { D1Statement, RoomError, RoomTx, TransaccionRow } from "./room.types";
import { fail } from "./sales";

/**
 * Abonos paid online (Wompi: Nequi, PSE, card…). The buyer's payment is one provider transaction
 * per abono, whose reference is `<purchase>.<hash of the Idempotency-Key>`: a retry creates no
 * second transaction, and the webhook finds the purchase by it. Until the provider decides, the
 * amount is set aside from what is left to pay, so two payments at once cannot pay more than the
 * price. An approval is recorded as an abono (abonos.ts) only while the plan still waits and its
 * deadline has not passed; one that arrives later is kept as the buyer's credit with the operador
 * and staff are alerted, so the money is never lost. Like any payment decided later, the room's
 * alarm asks the provider until it says, in case its event is lost (consultas.ts does the same for
 * purchases).
 */

export const ABONOS_EN_LINEA_SCHEMA = `
CREATE TABLE IF NOT EXISTS abonos_en_linea (
	referencia TEXT PRIMARY KEY,
	transaccion_id TEXT NOT NULL,
	clave TEXT NOT NULL,
	monto INTEGER NOT NULL CHECK (monto > 0),
	medio TEXT NOT NULL,
	provider_ref TEXT,
	estado TEXT NOT NULL CHECK (estado IN ('iniciando', 'pendiente', 'aprobado', 'fallido', 'tarde')),
	detalle TEXT,
	proxima_consulta INTEGER,
	intentos INTEGER NOT NULL DEFAULT 0,
	consultar_hasta INTEGER NOT NULL,
	creado_en INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS abonos_en_linea_consulta ON abonos_en_linea (proxima_consulta) WHERE proxima_consulta IS NOT NULL;
`;

export type EstadoAbonoEnLinea = "iniciando" | "pendiente" | "aprobado" | "fallido" | "tarde";

interface Fila extends Record<string, SqlStorageValue> {
	referencia: string;
	transaccion_id: string;
	clave: string;
	monto: number;
	medio: string;
	provider_ref: string | null;
	estado: EstadoAbonoEnLinea;
	detalle: string | null;
	proxima_consulta: number | null;
	intentos: number;
	consultar_hasta: number;
}

export interface AbonoEnLinea {
	referencia: string;
	monto: number;
	estado: EstadoAbonoEnLinea;
	detalle: DetallePago | null;
}

/** The reference a provider sees for one abono: stable for one Idempotency-Key. */
export const referenciaAbono = async (transaccionId: string, clave: string): Promise<string> => {
	const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(clave));
	const hex = [...new Uint8Array(digest).slice(0, 8)]
		.map((b) => b.toString(16).padStart(2, "0"))
		.join("");
	return `${transaccionId}.${hex}`;
};

const PATRON_REFERENCIA = /^([0-9a-f-]{36})\.[0-9a-f]{16}$/;

/** The purchase an abono's reference belongs to, or null when it is not an abono's. */
export const compraDeReferencia = (referencia: string): string | null =>
	PATRON_REFERENCIA.exec(referencia)?.[1] ?? null;

/** After the deadline, one more question: a payment made in its last seconds still counts. */
const CONSULTA_FINAL_MS = 60_000;
const BACKOFF_MS = [5_000, 10_000, 20_000, 40_000, 60_000, 120_000, 300_000, 600_000];

const fila = (sql: SqlStorage, referencia: string) =>
	sql.exec<Fila>("SELECT * FROM abonos_en_linea WHERE referencia = ?", referencia).toArray()[0];

const dto = (f: Fila): AbonoEnLinea => ({
	referencia: f.referencia,
	monto: f.monto,
	estado: f.estado,
	detalle: f.detalle ? (JSON.parse(f.detalle) as DetallePago) : null,
});

export const abonosEnLineaDe = (sql: SqlStorage, transaccionId: string): AbonoEnLinea[] =>
	sql
		.exec<Fila>(
			"SELECT * FROM abonos_en_linea WHERE transaccion_id = ? ORDER BY creado_en, referencia",
			transaccionId,
		)
		.toArray()
		.map(dto);

export type InicioAbono =
	| { tipo: "cobrar"; abono: AbonoEnLinea; expiraEn: number }
	| { tipo: "listo"; abono: AbonoEnLinea };

/**
 * Sets the amount aside for a new online abono, or finds the one this key started. `cobrar`: the
 * caller asks the provider (again, if a first attempt lost its answer; the reference keeps it one
 * transaction). `listo`: decided or waiting on the buyer already; nothing to ask.
 */
export const iniciarAbonoEnLinea = (
	tx: RoomTx,
	transaccionId: string,
	clave: string,
	referencia: string,
	monto: number,
	medio: string,
	now: number,
): RoomError | InicioAbono => {
	const { sql } = tx;
	const row = sql
		.exec<TransaccionRow>("SELECT * FROM transacciones WHERE id = ?", transaccionId)
		.toArray()[0];
	if (row?.provider !== "abonos" || compraDeReferencia(referencia) !== transaccionId)
		return fail("NOT_FOUND", t("No es una compra por abonos.", "Not a purchase in instalments."));
	const previa = fila(sql, referencia);
	if (previa) {
		if (previa.monto !== monto || previa.medio !== medio) return otraClave();
		return previa.estado === "iniciando"
			? { tipo: "cobrar", abono: dto(previa), expiraEn: previa.consultar_hasta - CONSULTA_FINAL_MS }
			: { tipo: "listo", abono: dto(previa) };
	}
	if (sql.exec("SELECT 1 FROM abonos WHERE id = ?", `${transaccionId}:${clave}`).toArray().length)
		return otraClave();
	if (row.status !== "pending" || row.expires_at === null || row.expires_at <= now)
		return fail(
			"CONFLICT",
			t(
				"Esta compra ya no recibe abonos: se pagó completa o venció su plazo.",
				"This purchase takes no more abonos: it was paid in full or its deadline passed.",
			),
		);
	const libre = row.amount - comprometido(sql, row.id);
	if (monto > libre)
		return fail(
			"VALIDATION_FAILED",
			t(
				`El abono supera lo que falta por pagar (${libre} centavos, descontados los pagos en curso).`,
				`The abono is more than what is left to pay (${libre} centavos, less the payments in progress).`,
			),
		);
	sql.exec(
		`INSERT INTO abonos_en_linea (referencia, transaccion_id, clave, monto, medio, estado, proxima_consulta, consultar_hasta, creado_en)
		VALUES (?, ?, ?, ?, ?, 'iniciando', ?, ?, ?)`,
		referencia,
		row.id,
		clave,
		monto,
		medio,
		now + (BACKOFF_MS[0] ?? 5_000),
		row.expires_at + CONSULTA_FINAL_MS,
		now,
	);
	const nueva = fila(sql, referencia) as Fila;
	return { tipo: "cobrar", abono: dto(nueva), expiraEn: row.expires_at };
};

const otraClave = () =>
	fail(
		"VALIDATION_FAILED",
		t(
			"Esta Idempotency-Key ya se usó con otro abono.",
			"This Idempotency-Key was already used for another abono.",
		),
	);

/** What the provider answered when the transaction was created: waiting on the buyer, or refused. */
export const abonoCobrado = (
	sql: SqlStorage,
	referencia: string,
	r:
		| { estado: "pendiente"; providerRef: string; detalle?: DetallePago }
		| { estado: "fallido"; providerRef: string | null },
): AbonoEnLinea | null => {
	const f = fila(sql, referencia);
	if (!f) return null;
	if (f.estado === "iniciando") {
		sql.exec(
			`UPDATE abonos_en_linea SET estado = ?, provider_ref = coalesce(?, provider_ref), detalle = ?,
			proxima_consulta = CASE WHEN ? = 'fallido' THEN NULL ELSE proxima_consulta END WHERE referencia = ?`,
			r.estado,
			r.providerRef,
			"detalle" in r && r.detalle ? JSON.stringify(r.detalle) : f.detalle,
			r.estado,
			referencia,
		);
	}
	return dto(fila(sql, referencia) as Fila);
};

/** What the provider says of one abono's payment, from its event or from a question. */
export interface DecisionAbono {
	eventoId: string;
	referencia: string;
	providerRef: string;
	estado: "APPROVED" | "DECLINED" | "ERROR" | "VOIDED";
	amount: number;
	currency?: string | undefined;
}

export type ResultadoAbono =
	| "duplicate"
	| "unknown"
	| "ignored"
	| "abonado"
	| "vendido"
	| "fallido"
	| "tarde"
	| "amount_mismatch";

/** Each decision takes effect once (`eventos`), whichever of the event and the question came first. */
export const decidirAbono = (tx: RoomTx, d: DecisionAbono, now: number): ResultadoAbono => {
	const { sql } = tx;
	if (sql.exec("SELECT 1 FROM eventos WHERE id = ?", d.eventoId).toArray().length)
		return "duplicate";
	const f = fila(sql, d.referencia);
	if (!f) return "unknown";
	sql.exec(
		"INSERT OR IGNORE INTO eventos (id, tipo, procesado_en) VALUES (?, ?, ?)",
		d.eventoId,
		`abono.${d.estado}`,
		now,
	);
	if (f.provider_ref !== null && f.provider_ref !== d.providerRef) return "ignored";
	if (f.estado === "aprobado" || f.estado === "tarde" || f.estado === "fallido") return "ignored";
	const cerrar = (estado: EstadoAbonoEnLinea) =>
		sql.exec(
			"UPDATE abonos_en_linea SET estado = ?, provider_ref = ?, proxima_consulta = NULL WHERE referencia = ?",
			estado,
			d.providerRef,
			f.referencia,
		);
	if (d.estado !== "APPROVED") {
		cerrar("fallido");
		return "fallido";
	}
	if (d.amount !== f.monto || (d.currency !== undefined && d.currency !== "COP")) {
		cerrar("fallido");
		enqueue(sql, [alertaAbono(tx, f, d, "pago_monto_distinto")]);
		return "amount_mismatch";
	}
	const row = sql
		.exec<TransaccionRow>("SELECT * FROM transacciones WHERE id = ?", f.transaccion_id)
		.one();
	if (row.status !== "pending" || row.expires_at === null || row.expires_at <= now) {
		cerrar("tarde");
		enqueue(sql, [creditoTarde(tx, row, f, now), alertaAbono(tx, f, d, "abono_tarde")]);
		return "tarde";
	}
	cerrar("aprobado");
	const { completo, d1 } = registrarAbono(
		tx,
		row,
		`${row.id}:${f.clave}`,
		{ monto: f.monto, medio: "wompi" },
		undefined,
		now,
	);
	if (completo) markSold(tx, row.id, null);
	enqueue(sql, d1);
	return completo ? "vendido" : "abonado";
};

/** A payment approved after its plan stopped waiting: the buyer keeps it as credit. */
const creditoTarde = (tx: RoomTx, row: TransaccionRow, f: Fila, now: number): D1Statement => ({
	sql: `INSERT INTO creditos (id, usuario_id, operador_id, monto, origen, rifa_id, transaccion_id, creado_en)
		SELECT ?, ?, r.creado_por, ?, 'abono_tarde', r.id, ?, ? FROM rifas r WHERE r.id = ? AND r.creado_por IS NOT NULL
		ON CONFLICT (id) DO NOTHING`,
	params: [
		`abono-tarde:${f.referencia}`,
		row.user_id,
		f.monto,
		row.id,
		new Date(now).toISOString(),
		tx.config.rifaId,
	],
});

const alertaAbono = (
	tx: RoomTx,
	f: Fila,
	d: DecisionAbono,
	clase: "pago_monto_distinto" | "abono_tarde",
): D1Statement =>
	avisoStatement(
		alerta(
			`${f.referencia}:${d.providerRef}`,
			{
				clase,
				detalle: {
					transaccion_id: f.transaccion_id,
					referencia: f.referencia,
					referencia_proveedor: d.providerRef,
					monto_esperado: f.monto,
					monto_recibido: d.amount,
				},
			},
			tx.config.rifaId,
		),
	);

export const proximaConsultaAbono = (sql: SqlStorage): number | null =>
	sql
		.exec<{ t: number | null }>(
			"SELECT min(proxima_consulta) AS t FROM abonos_en_linea WHERE proxima_consulta IS NOT NULL",
		)
		.one().t;

export interface ConsultaAbonosRoom {
	sql: SqlStorage;
	payments(method: "wompi"): PaymentProvider;
	decidir(d: DecisionAbono): ResultadoAbono;
	log(): Logger;
}

/**
 * Asks the provider about every online abono due by `now`; false when one could not be asked. A
 * payment never created (its answer was lost and the provider has no transaction by its
 * reference) stops setting its amount aside once the deadline's last question has passed.
 */
export const consultarAbonos = async (room: ConsultaAbonosRoom, now: number): Promise<boolean> => {
	const { sql } = room;
	const due = sql
		.exec<Fila>(
			"SELECT * FROM abonos_en_linea WHERE proxima_consulta IS NOT NULL AND proxima_consulta <= ? ORDER BY proxima_consulta LIMIT 50",
			now,
		)
		.toArray();
	let ok = true;
	for (const f of due) {
		const reprogramar = (detalle?: DetallePago) => {
			const espera = BACKOFF_MS[Math.min(f.intentos, BACKOFF_MS.length - 1)] ?? 600_000;
			const siguiente = now >= f.consultar_hasta ? null : Math.min(now + espera, f.consultar_hasta);
			sql.exec(
				`UPDATE abonos_en_linea SET proxima_consulta = ?, intentos = intentos + 1, detalle = coalesce(?, detalle),
				estado = CASE WHEN ? IS NULL AND estado = 'iniciando' THEN 'fallido' ELSE estado END WHERE referencia = ?`,
				siguiente,
				detalle ? JSON.stringify(detalle) : null,
				siguiente,
				f.referencia,
			);
		};
		try {
			const consulta = await room.payments("wompi").consultar?.(f.provider_ref ?? "", f.referencia);
			if (!consulta || consulta.reference !== f.referencia || consulta.estado === "PENDING") {
				reprogramar(consulta?.detalle);
				continue;
			}
			room.decidir({
				eventoId: `wompi:${consulta.providerRef}:${consulta.estado}`,
				referencia: f.referencia,
				providerRef: consulta.providerRef,
				estado: consulta.estado,
				amount: consulta.amount,
				currency: consulta.currency,
			});
		} catch (err) {
			ok = false;
			room.log().warn("abono payment status not read; asking again later", {
				referencia: f.referencia,
				error: errorFields(err),
			});
			reprogramar();
		}
	}
	return ok;
};
