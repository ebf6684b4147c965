import { alerta, avisoStatement } from "../notificaciones/avisos";
import { avisarReembolso } from "./avisos";
import { frozenSince } from "./config";
import { markFailed, markSold, retake, salesOver, transaccion } from "./holds";
import { takenOf } from "./numeros";
import { enqueue, mirror, refundAudit, ticketsAnnulled } from "./outbox";
import { reembolsoManual } from "./reembolso-manual";
import { appendAnulaciones } from "./registro";
import type { PaymentEventResult, ProviderEvent, RoomTx, TransaccionRow } from "./room.types";
import { readFlag, writeFlag } from "./sala";

const iso = (ms: number) => new Date(ms).toISOString();

const seen = (sql: SqlStorage, eventId: string): boolean =>
	sql.exec("SELECT 1 FROM eventos WHERE id = ?", eventId).toArray().length > 0;

const markSeen = (sql: SqlStorage, event: ProviderEvent): void => {
	sql.exec(
		"INSERT OR IGNORE INTO eventos (id, tipo, procesado_en) VALUES (?, ?, ?)",
		event.id,
		event.type,
		Date.now(),
	);
};

const findTransaccion = (sql: SqlStorage, event: ProviderEvent): TransaccionRow | undefined =>
	sql
		.exec<TransaccionRow>(
			"SELECT * FROM transacciones WHERE id = ? OR (provider_ref IS NOT NULL AND provider_ref = ?) LIMIT 1",
			event.transaccionId ?? "",
			event.providerRef,
		)
		.toArray()[0];

export type SucceededStep = PaymentEventResult | { refund: TransaccionRow };

/** From here on nothing takes these numbers back for this purchase: the money goes back. */
const refundLate = (tx: RoomTx, row: TransaccionRow, event: ProviderEvent): SucceededStep => {
	if (readFlag(tx.sql, refundFlag(row.id)) === null) {
		const pending: PendingRefund = { transaccionId: row.id, event };
		writeFlag(tx.sql, refundFlag(row.id), JSON.stringify(pending));
	}
	return { refund: row };
};

/** A late payment being refunded: from the moment it is decided until the provider confirms. */
export interface PendingRefund {
	transaccionId: string;
	event: ProviderEvent;
}

const refundFlag = (transaccionId: string) => `reembolso:${transaccionId}`;

export const pendingRefunds = (sql: SqlStorage): PendingRefund[] =>
	sql
		.exec<{ valor: string }>("SELECT valor FROM sala WHERE clave LIKE 'reembolso:%'")
		.toArray()
		.map((r) => JSON.parse(r.valor) as PendingRefund);

/** The numbers it pays for still cost what was charged: the price did not change since. */
const samePrice = (tx: RoomTx, row: TransaccionRow) =>
	row.amount === tx.config.precio * (JSON.parse(row.numeros) as unknown[]).length;

/**
 * A payment for one of this rifa's purchases went through. Pending: the held numbers are sold.
 * Already released (hold expired, or an earlier attempt failed): the numbers are taken back if the
 * rifa still sells and every one is still free; otherwise the caller refunds the money. Each event
 * id takes effect once.
 */
export const paymentSucceeded = (tx: RoomTx, event: ProviderEvent): SucceededStep => {
	if (seen(tx.sql, event.id)) return "duplicate";
	const row = findTransaccion(tx.sql, event);
	if (!row) return "unknown";
	// A plan in instalments is sold by its abonos alone (abonos.ts), never by a provider's event.
	if (row.provider === "abonos") {
		markSeen(tx.sql, event);
		return "ignored";
	}
	if (
		(event.amount !== undefined && event.amount !== row.amount) ||
		(event.currency !== undefined && event.currency !== "COP")
	) {
		markSeen(tx.sql, event);
		montoDistinto(tx, row, event);
		return "amount_mismatch";
	}
	dejarDeConsultar(tx.sql, row.id);
	if (row.status === "succeeded" || row.status === "refunded") {
		markSeen(tx.sql, event);
		return "ignored";
	}
	if (row.status === "pending" && salesOver(tx)) {
		// The hold was taken while the rifa sold, but the money arrived after sales ended: the
		// numbers cannot be sold now, so they go back and so does the money.
		markFailed(tx, row.id, event.providerRef);
		return refundLate(tx, { ...row, status: "failed" }, event);
	}
	if (row.status === "failed") {
		const refundPending = readFlag(tx.sql, refundFlag(row.id)) !== null;
		const refund =
			refundPending ||
			salesOver(tx) ||
			frozenSince(tx.sql) !== null ||
			!samePrice(tx, row) ||
			!retake(tx, row);
		if (refund) return refundLate(tx, row, event);
	}
	markSold(tx, row.id, event.providerRef);
	markSeen(tx.sql, event);
	return "sold";
};

/** The late payment above was refunded by its provider; once, whichever event asked for it. */
export const lateRefunded = (
	tx: RoomTx,
	event: ProviderEvent,
	transaccionId: string,
	refundRef: string | null,
	manual = false,
): void => {
	writeFlag(tx.sql, refundFlag(transaccionId), null);
	const row = transaccion(tx.sql, transaccionId);
	markSeen(tx.sql, event);
	if (row.status !== "failed") return;
	tx.sql.exec(
		"UPDATE transacciones SET status = 'refunded', provider_ref = ? WHERE id = ?",
		event.providerRef,
		row.id,
	);
	avisarReembolso(tx, row, "numeros_no_disponibles", manual);
	const at = iso(Date.now());
	mirror(tx, row.id, {
		extra: [
			...(manual
				? [reembolsoManual(tx.sql, tx.config.rifaId, row, "numeros_no_disponibles", at)]
				: []),
			refundAudit(row, { providerRef: refundRef, reason: "numeros_no_disponibles", at, manual }),
		],
	});
};

/** A payment attempt failed: held numbers go back on sale. A later success is handled above. */
export const paymentFailed = (tx: RoomTx, event: ProviderEvent): PaymentEventResult => {
	if (seen(tx.sql, event.id)) return "duplicate";
	const row = findTransaccion(tx.sql, event);
	if (!row) return "unknown";
	markSeen(tx.sql, event);
	dejarDeConsultar(tx.sql, row.id);
	if (row.status !== "pending") return "ignored";
	markFailed(tx, row.id, event.providerRef);
	return "released";
};

export const paidPurchases = (sql: SqlStorage): TransaccionRow[] =>
	sql.exec<TransaccionRow>("SELECT * FROM transacciones WHERE status = 'succeeded'").toArray();

/**
 * A cancelled rifa's purchase was refunded by its provider: it becomes `refunded` and its tickets
 * `anulado`, with the refund's audit entry. False if it was no longer paid (refunded meanwhile).
 */
export const cancellationRefunded = (
	tx: RoomTx,
	id: string,
	refundRef: string | null,
	manual = false,
): boolean => {
	const current = transaccion(tx.sql, id);
	if (current.status !== "succeeded") return false;
	tx.sql.exec("UPDATE transacciones SET status = 'refunded' WHERE id = ?", id);
	mirror(tx, id, {});
	avisarReembolso(tx, current, "rifa_cancelada", manual);
	appendAnulaciones(
		tx,
		takenOf(tx.sql, id).map((r) => r.ticket_id),
		"rifa_cancelada",
	);
	const at = iso(Date.now());
	enqueue(tx.sql, [
		ticketsAnnulled(id, at),
		...(manual ? [reembolsoManual(tx.sql, tx.config.rifaId, current, "rifa_cancelada", at)] : []),
		refundAudit(current, { providerRef: refundRef, reason: "rifa_cancelada", at, manual }),
	]);
	return true;
};

/** The provider said the payment is final: nothing more to ask it (consultas.ts). */
const dejarDeConsultar = (sql: SqlStorage, id: string) =>
	sql.exec("UPDATE pagos SET proxima_consulta = NULL WHERE transaccion_id = ?", id);

/**
 * The provider reports a payment of another amount or currency than the purchase's: it sells
 * nothing (the hold runs out as any other) and staff are alerted, since money may have to go back.
 */
const montoDistinto = (tx: RoomTx, row: TransaccionRow, event: ProviderEvent) => {
	enqueue(tx.sql, [
		avisoStatement(
			alerta(
				`${row.id}:${event.providerRef}`,
				{
					clase: "pago_monto_distinto",
					detalle: {
						transaccion_id: row.id,
						referencia_proveedor: event.providerRef,
						monto_esperado: row.amount,
						monto_recibido: event.amount ?? null,
						moneda: event.currency ?? null,
					},
				},
				tx.config.rifaId,
			),
		),
	]);
};
