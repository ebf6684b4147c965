import { sentenciasMovimiento } from "../cajas/movimientos";
import { t } from "../lib/errors";
import { avisoAbono } from "./avisos";
import { markSold } from "./holds";
import { enqueue } from "./outbox";
import type {
	D1Statement,
	PurchasedNumber,
	RoomConfig,
	RoomError,
	RoomTx,
	TransaccionRow,
} from "./room.types";
import { fail } from "./sales";

/**
 * Abonos: numbers paid in instalments. The purchase holds its numbers (`abonado`) until the
 * payments reach the price, then sells them like any sale (the ledger gets them then, so only
 * fully paid numbers reach the seal); at the deadline an unpaid plan is released like any hold
 * and what was paid is owed back (holds.ts, `reembolsoDeAbonos`). The room is the authority for
 * what was paid; cash abonos are owed by the seller's box.
 */

export const ABONOS_SCHEMA = `
CREATE TABLE IF NOT EXISTS abonos (
	id TEXT PRIMARY KEY,
	transaccion_id TEXT NOT NULL,
	monto INTEGER NOT NULL CHECK (monto > 0),
	medio TEXT NOT NULL,
	vendedor_id TEXT,
	creado_en INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS abonos_transaccion ON abonos (transaccion_id);
`;

export const MEDIOS_ABONO = ["efectivo", "sandbox", "wompi", "credito"] as const;
export type MedioAbono = (typeof MEDIOS_ABONO)[number];

export interface Abono {
	monto: number;
	medio: MedioAbono;
}

export const pagado = (sql: SqlStorage, transaccionId: string): number =>
	sql
		.exec<{ s: number }>(
			"SELECT coalesce(sum(monto), 0) AS s FROM abonos WHERE transaccion_id = ?",
			transaccionId,
		)
		.one().s;

/** Paid, plus what online payments still being decided set aside (abonos-en-linea.ts). */
export const comprometido = (sql: SqlStorage, transaccionId: string): number =>
	pagado(sql, transaccionId) +
	sql
		.exec<{ s: number }>(
			"SELECT coalesce(sum(monto), 0) AS s FROM abonos_en_linea WHERE transaccion_id = ? AND estado IN ('iniciando', 'pendiente')",
			transaccionId,
		)
		.one().s;

export const abonosDe = (sql: SqlStorage, transaccionId: string) =>
	sql
		.exec<{
			id: string;
			monto: number;
			medio: string;
			vendedor_id: string | null;
			creado_en: number;
		}>("SELECT * FROM abonos WHERE transaccion_id = ? ORDER BY creado_en, id", transaccionId)
		.toArray();

/** When a plan must be paid by: the rule's deadline, never after the end of sales. */
export const fechaLimite = (config: RoomConfig): number => {
	const fin = Date.parse(config.fechaFin);
	const limite = config.reglas.abonos?.fecha_limite;
	return limite ? Math.min(Date.parse(limite), fin) : fin;
};

/** The first abono: the rifa takes abonos, it covers the minimum share, and not more than the price. */
export const reglaPrimerAbono = (
	config: RoomConfig,
	abono: Abono | undefined,
	precio: number,
	vendedorId: string | undefined,
	now: number,
): RoomError | null => {
	const regla = config.reglas.abonos;
	if (!regla)
		return fail(
			"VALIDATION_FAILED",
			t("Esta rifa no recibe abonos.", "This rifa does not take payment in instalments."),
		);
	if (fechaLimite(config) <= now)
		return fail(
			"CONFLICT",
			t(
				"El plazo para abonos de esta rifa ya pasó.",
				"This rifa's deadline for abonos has passed.",
			),
		);
	if (!abono)
		return fail("VALIDATION_FAILED", t("Falta el primer abono.", "The first abono is missing."));
	const minimo = Math.ceil((precio * regla.minimo_bps) / 10_000);
	if (abono.monto < minimo)
		return fail(
			"VALIDATION_FAILED",
			t(
				`El primer abono debe ser de al menos ${minimo} centavos (${regla.minimo_bps / 100} % del precio).`,
				`The first abono must be at least ${minimo} centavos (${regla.minimo_bps / 100} % of the price).`,
			),
		);
	return reglaMonto(abono, precio, 0, vendedorId);
};

/** An abono never pays more than what is left; cash is taken in person. */
const reglaMonto = (
	abono: Abono,
	precio: number,
	yaPagado: number,
	vendedorId: string | undefined,
): RoomError | null => {
	if (abono.monto > precio - yaPagado)
		return fail(
			"VALIDATION_FAILED",
			t(
				`El abono supera lo que falta por pagar (${precio - yaPagado} centavos).`,
				`The abono is more than what is left to pay (${precio - yaPagado} centavos).`,
			),
		);
	if (abono.medio === "efectivo" && !vendedorId)
		return fail(
			"FORBIDDEN",
			t(
				"Un abono en efectivo lo recibe un vendedor, operador o admin en persona.",
				"A cash abono is taken in person by a vendedor, operador or admin.",
			),
		);
	return null;
};

/**
 * Records one abono, once (`id` is stable). `completo` when the payments reach the price: the
 * caller sells the numbers in this same step, and queues `d1` (its audit entry and, in cash, what
 * the seller's box owes) after the purchase's own D1 rows, which they name.
 */
export const registrarAbono = (
	tx: RoomTx,
	row: TransaccionRow,
	id: string,
	abono: Abono,
	vendedorId: string | undefined,
	now: number,
): { completo: boolean; d1: D1Statement[] } => {
	const { sql } = tx;
	const nuevo = sql.exec("SELECT 1 FROM abonos WHERE id = ?", id).toArray().length === 0;
	if (nuevo) {
		sql.exec(
			"INSERT INTO abonos (id, transaccion_id, monto, medio, vendedor_id, creado_en) VALUES (?, ?, ?, ?, ?, ?)",
			id,
			row.id,
			abono.monto,
			abono.medio,
			vendedorId ?? null,
			now,
		);
	}
	const yaPagado = pagado(sql, row.id);
	const completo = yaPagado >= row.amount;
	const at = new Date(now).toISOString();
	if (!nuevo) return { completo, d1: [] };
	const avisos = avisoAbono(tx, row, {
		abonoId: id,
		monto: abono.monto,
		medio: abono.medio,
		pagado: yaPagado,
		total: row.amount,
		fechaLimite: fechaLimite(tx.config),
	});
	const auditoria = auditoriaAbono(row, id, abono, vendedorId ?? null, completo, at);
	if (abono.medio !== "efectivo" || !vendedorId) return { completo, d1: [auditoria, ...avisos] };
	const movimiento = {
		id: `abono:${id}`,
		tipo: "abono" as const,
		vendedorId,
		monto: abono.monto,
		boletas: completo ? (JSON.parse(row.numeros) as PurchasedNumber[]).length : 0,
		rifaId: tx.config.rifaId,
		transaccionId: row.id,
		ocurridoEn: at,
	};
	return { completo, d1: [auditoria, ...sentenciasMovimiento(movimiento, at), ...avisos] };
};

/** One audit entry per abono, keyed by it: a repeated outbox entry writes nothing. */
const auditoriaAbono = (
	row: TransaccionRow,
	id: string,
	abono: Abono,
	vendedorId: string | null,
	completo: boolean,
	at: string,
): D1Statement => ({
	sql: `INSERT OR IGNORE INTO audit_log (id, actor_id, action, entity, entity_id, before, after, request_id, created_at)
		VALUES (?, ?, 'abono.registrado', 'transaccion', ?, NULL, ?, NULL, ?)`,
	params: [
		`abono:${id}`,
		vendedorId ?? row.user_id,
		row.id,
		JSON.stringify({ monto: abono.monto, medio: abono.medio, completo, usuario_id: row.user_id }),
		at,
	],
});

/** A later abono to a plan still waiting: the same checks, and never after the deadline. */
export const abonar = (
	tx: RoomTx,
	transaccionId: string,
	clave: string,
	abono: Abono,
	vendedorId: string | undefined,
	now: number,
): RoomError | { estado: "abonado" | "vendido"; pagado: number; total: number } => {
	const { sql } = tx;
	const row = sql
		.exec<TransaccionRow>("SELECT * FROM transacciones WHERE id = ?", transaccionId)
		.toArray()[0];
	if (row?.provider !== "abonos")
		return fail("NOT_FOUND", t("No es una compra por abonos.", "Not a purchase in instalments."));
	const id = `${transaccionId}:${clave}`;
	const previo = sql
		.exec<{ monto: number; medio: string }>("SELECT monto, medio FROM abonos WHERE id = ?", id)
		.toArray()[0];
	if (previo) {
		if (previo.monto !== abono.monto || previo.medio !== abono.medio)
			return fail(
				"VALIDATION_FAILED",
				t(
					"Esta Idempotency-Key ya se usó con otro abono.",
					"This Idempotency-Key was already used for another abono.",
				),
			);
		return {
			estado: row.status === "succeeded" ? "vendido" : "abonado",
			pagado: pagado(sql, row.id),
			total: row.amount,
		};
	}
	if (abono.medio === "credito" && anulado(sql, id))
		return fail(
			"CONFLICT",
			t(
				"Este abono con crédito se anuló y su crédito se devolvió: use otra Idempotency-Key.",
				"This abono paid with credit was annulled and its credit given back: use another Idempotency-Key.",
			),
		);
	if (row.status !== "pending" || (row.expires_at !== null && row.expires_at <= now))
		return fail(
			"CONFLICT",
			t(
				"Esta compra ya no recibe abonos: se pagó completa o venció su plazo.",
				"This purchase takes no more abonos: it was paid in full or its deadline passed.",
			),
		);
	const malo = reglaMonto(abono, row.amount, comprometido(sql, row.id), vendedorId);
	if (malo) return malo;
	const { completo, d1 } = registrarAbono(tx, row, id, abono, vendedorId, now);
	if (completo) markSold(tx, row.id, null);
	enqueue(sql, d1);
	return {
		estado: completo ? "vendido" : "abonado",
		pagado: pagado(sql, row.id),
		total: row.amount,
	};
};

const anulado = (sql: SqlStorage, id: string) =>
	sql.exec("SELECT 1 FROM eventos WHERE id = ?", `credito-anulado:${id}`).toArray().length > 0;

/**
 * A credit use whose abono never reached the room (services/creditos.service.ts): `registrado` if
 * it did after all; otherwise the id is annulled here, so no retry can record it, and the caller
 * gives the credit back.
 */
export const anularAbonoConCredito = (sql: SqlStorage, id: string): "registrado" | "anulado" => {
	if (sql.exec("SELECT 1 FROM abonos WHERE id = ?", id).toArray().length) return "registrado";
	sql.exec(
		"INSERT OR IGNORE INTO eventos (id, tipo, procesado_en) VALUES (?, 'credito.anulado', ?)",
		`credito-anulado:${id}`,
		Date.now(),
	);
	return "anulado";
};
