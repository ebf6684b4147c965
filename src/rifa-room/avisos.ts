import { errorFields, type Logger } from "../lib/logger";
import { avisoStatement, enLotes } from "../notificaciones/avisos";
import type { MensajeDe, MotivoReembolso, NotificacionMensaje } from "../notificaciones/tipos";
import type { D1Statement, PurchasedNumber, RoomTx, TransaccionRow } from "./room.types";

/**
 * What the room tells buyers (a purchase, a hold, its expiry, a refund) is written in the same
 * storage transaction as the change, then sent to the notifications queue once the D1 writes
 * before it have landed, and deleted. A crash in between sends it again: the consumer records one
 * notification per event and recipient, so the repeat sends nothing.
 */
const avisar = (tx: RoomTx, mensaje: NotificacionMensaje) =>
	tx.sql.exec("INSERT INTO avisos (mensaje) VALUES (?)", JSON.stringify(mensaje));

const numerosDe = (row: TransaccionRow) =>
	(JSON.parse(row.numeros) as PurchasedNumber[]).map((n) => n.numero).sort((a, b) => a - b);

const base = <T extends NotificacionMensaje["tipo"]>(tx: RoomTx, tipo: T, row: TransaccionRow) => ({
	evento: `${tipo}:${row.id}`,
	tipo,
	usuario_id: row.user_id,
	rifa_id: tx.config.rifaId,
});

export const avisarCompra = (tx: RoomTx, row: TransaccionRow) =>
	avisar(tx, {
		...base(tx, "compra", row),
		datos: { transaccion_id: row.id, numeros: numerosDe(row), monto: row.amount },
	} satisfies MensajeDe<"compra">);

export const avisarReserva = (tx: RoomTx, row: TransaccionRow) => {
	if (row.expires_at === null) return;
	avisar(tx, {
		...base(tx, "reserva", row),
		datos: {
			transaccion_id: row.id,
			numeros: numerosDe(row),
			monto: row.amount,
			expira_en: new Date(row.expires_at).toISOString(),
		},
	} satisfies MensajeDe<"reserva">);
};

export const avisarReservaExpirada = (tx: RoomTx, row: TransaccionRow) =>
	avisar(tx, {
		...base(tx, "reserva_expirada", row),
		datos: { transaccion_id: row.id, numeros: numerosDe(row) },
	} satisfies MensajeDe<"reserva_expirada">);

/** `manual`: no provider returns this money by itself; an admin will transfer it. */
export const avisarReembolso = (
	tx: RoomTx,
	row: TransaccionRow,
	motivo: MotivoReembolso,
	manual = false,
) =>
	avisar(tx, {
		...base(tx, "reembolso", row),
		datos: {
			transaccion_id: row.id,
			monto: row.amount,
			motivo,
			...(manual ? { manual: "pendiente" as const } : {}),
			...(manual && row.provider === "efectivo" ? { efectivo: true } : {}),
		},
	} satisfies MensajeDe<"reembolso">);

/**
 * An abono received, as D1 events for the outbox: queued with the abono's own D1 rows, so the
 * message goes out only once they landed (dispatched by the cron, or by the request that made it).
 * Keyed by the abono: a repeated outbox entry writes one event, and the consumer sends it once.
 */
export const avisoAbono = (
	tx: RoomTx,
	row: TransaccionRow,
	a: {
		abonoId: string;
		monto: number;
		medio: string;
		pagado: number;
		total: number;
		fechaLimite: number;
	},
): D1Statement[] => [
	avisoStatement({
		id: `abono:${a.abonoId}`,
		tipo: "abono",
		rifaId: tx.config.rifaId,
		datos: {
			usuario_id: row.user_id,
			transaccion_id: row.id,
			abono_id: a.abonoId,
			numeros: numerosDe(row),
			monto: a.monto,
			medio: a.medio,
			pagado: a.pagado,
			pendiente: Math.max(a.total - a.pagado, 0),
			total: a.total,
			fecha_limite: new Date(a.fechaLimite).toISOString(),
		},
	}),
];

/** A plan released unpaid, and where what was paid went; keyed by the purchase, like the above. */
export const avisoAbonosVencidos = (
	tx: RoomTx,
	row: TransaccionRow,
	a: { monto: number; destino: "reembolso" | "credito" },
): D1Statement[] => [
	avisoStatement({
		id: `abonos_vencidos:${row.id}`,
		tipo: "abonos_vencidos",
		rifaId: tx.config.rifaId,
		datos: {
			usuario_id: row.user_id,
			transaccion_id: row.id,
			numeros: numerosDe(row),
			monto: a.monto,
			destino: a.destino,
		},
	}),
];

export const avisosPendientes = (sql: SqlStorage): number =>
	sql.exec<{ n: number }>("SELECT count(*) AS n FROM avisos").one().n;

/** Sends what is waiting, oldest first; throws (and keeps the rest) when the queue refuses. */
export const despacharAvisos = async (sql: SqlStorage, queue: Queue): Promise<void> => {
	for (;;) {
		const rows = sql
			.exec<{ seq: number; mensaje: string }>(
				"SELECT seq, mensaje FROM avisos ORDER BY seq LIMIT 100",
			)
			.toArray();
		if (!rows.length) return;
		const [lote = []] = enLotes(rows);
		await queue.sendBatch(
			lote.map((r) => ({
				body: JSON.parse(r.mensaje) as NotificacionMensaje,
				contentType: "json",
			})),
		);
		sql.exec("DELETE FROM avisos WHERE seq <= ?", lote.at(-1)?.seq ?? 0);
	}
};

/** The same, for the room's flush: false (the alarm retries) when the queue refuses. */
export const encolarAvisos = async (
	sql: SqlStorage,
	queue: Queue,
	log: Logger,
): Promise<boolean> => {
	try {
		await despacharAvisos(sql, queue);
		return true;
	} catch (err) {
		log.warn("notifications not queued; the alarm retries", { error: errorFields(err) });
		return false;
	}
};
