import { sentenciasMovimiento } from "../cajas/movimientos";
import { COUNTER, eventStatement } from "../lib/metrics";
import { abonosDe, pagado } from "./abonos";
import { abonosEnLineaDe } from "./abonos-en-linea";
import { destinoDeAbonos } from "./abonos-vencidos";
import { avisarCompra, avisarReservaExpirada, avisoAbonosVencidos } from "./avisos";
import { cerrarRegistro, cierre, ventaVencida } from "./cierre";
import { detallePago } from "./consultas";
import { markSoldNumbers, release, take } from "./numeros";
import { enqueue, mirror } from "./outbox";
import { appendVentas } from "./registro";
import type {
	D1Statement,
	EstadoTransaccion,
	PaymentMethod,
	PurchasedNumber,
	RoomTx,
	TransaccionRow,
} from "./room.types";

/**
 * A purchase's numbers between taken and settled: held numbers become sold or go back on sale,
 * each change mirrored to D1 through the outbox; holds expire, and all of them end with sales.
 */

const iso = (ms: number) => new Date(ms).toISOString();

export const transaccion = (sql: SqlStorage, id: string): TransaccionRow =>
	sql.exec<TransaccionRow>("SELECT * FROM transacciones WHERE id = ?", id).one();

/** A purchase as its buyer may see it: where its payment stands, its numbers, its hold's end. */
export const estadoTransaccion = (sql: SqlStorage, id: string): EstadoTransaccion | null => {
	const row = sql.exec<TransaccionRow>("SELECT * FROM transacciones WHERE id = ?", id).toArray()[0];
	if (!row) return null;
	return {
		id: row.id,
		userId: row.user_id,
		status: row.status,
		amount: row.amount,
		provider: row.provider as PaymentMethod,
		numeros: JSON.parse(row.numeros) as PurchasedNumber[],
		expiresAt: row.status === "pending" && row.expires_at !== null ? iso(row.expires_at) : null,
		pago: detallePago(sql, row.id),
		vendedorId: row.vendedor_id ?? null,
		abonos:
			row.provider === "abonos"
				? {
						pagado: pagado(sql, row.id),
						lista: abonosDe(sql, row.id).map((a) => ({
							monto: a.monto,
							medio: a.medio,
							en: iso(a.creado_en),
						})),
						en_linea: abonosEnLineaDe(sql, row.id),
					}
				: null,
	};
};

/** Cash taken in person is owed by the seller's box of the day, written with the sale. */
const efectivoEnCaja = (row: TransaccionRow, rifaId: string): D1Statement[] => {
	if (row.provider !== "efectivo" || !row.vendedor_id) return [];
	const at = iso(Date.now());
	const movimiento = {
		id: `venta:${row.id}`,
		tipo: "venta" as const,
		vendedorId: row.vendedor_id,
		monto: row.amount,
		boletas: (JSON.parse(row.numeros) as PurchasedNumber[]).length,
		rifaId,
		transaccionId: row.id,
		ocurridoEn: at,
	};
	return sentenciasMovimiento(movimiento, at);
};

/** Held numbers become sold. */
export const markSold = (tx: RoomTx, transaccionId: string, providerRef: string | null): void => {
	const numeros = markSoldNumbers(tx.sql, transaccionId);
	tx.sql.exec(
		"UPDATE transacciones SET status = 'succeeded', provider_ref = coalesce(?, provider_ref), expires_at = NULL WHERE id = ?",
		providerRef,
		transaccionId,
	);
	const row = transaccion(tx.sql, transaccionId);
	mirror(tx, transaccionId, { tickets: true, extra: efectivoEnCaja(row, tx.config.rifaId) });
	appendVentas(tx, transaccionId);
	avisarCompra(tx, row);
	tx.emit({ type: "vendidos", numeros });
};

/** Held numbers go back on sale and the purchase is failed (declined, abandoned or expired). */
export const markFailed = (tx: RoomTx, transaccionId: string, providerRef: string | null): void => {
	const numeros = release(tx.sql, transaccionId);
	tx.sql.exec(
		"UPDATE transacciones SET status = 'failed', provider_ref = coalesce(?, provider_ref), expires_at = NULL WHERE id = ?",
		providerRef,
		transaccionId,
	);
	const row = transaccion(tx.sql, transaccionId);
	const at = iso(Date.now());
	const abonos = destinoDeAbonos(tx.sql, tx.config, row, at);
	mirror(tx, transaccionId, {
		released: true,
		extra: [
			...abonos.statements,
			...(abonos.monto > 0 ? avisoAbonosVencidos(tx, row, abonos) : []),
		],
	});
	if (numeros.length) tx.emit({ type: "liberados", numeros });
};

/** Takes a released purchase's numbers back, if every one is still free. */
export const retake = (tx: RoomTx, row: TransaccionRow): boolean =>
	take(tx.sql, row.id, row.user_id, JSON.parse(row.numeros) as PurchasedNumber[]);

/**
 * Sales are over: the ledger is closed, or the definition the room holds says so (not on sale, or
 * at or after `fecha_fin`), whatever D1 has told the room since.
 */
export const salesOver = (tx: RoomTx, now = Date.now()) =>
	cierre(tx.sql) !== null || tx.config.estado !== "activa" || ventaVencida(tx.config, now);

/**
 * Ends sales at `at`, once: the ledger is closed for the seal, and holds still waiting for payment
 * go back (a payment that arrives later is refunded, never sold).
 */
export const endSales = (tx: RoomTx, at: number): void => {
	if (cierre(tx.sql)) return;
	cerrarRegistro(tx.sql, iso(at));
	const pending = tx.sql
		.exec<{ id: string }>("SELECT id FROM transacciones WHERE status = 'pending'")
		.toArray();
	for (const { id } of pending) {
		markFailed(tx, id, null);
		avisarVencida(tx, id);
	}
};

/** The buyer hears of a hold that ran out; a plan with abonos paid hears `abonos_vencidos` instead. */
const avisarVencida = (tx: RoomTx, id: string) => {
	const row = transaccion(tx.sql, id);
	if (row.provider !== "abonos" || pagado(tx.sql, id) === 0) avisarReservaExpirada(tx, row);
};

/**
 * A purchase waiting for a review (a transfer's proof) is held until `hasta`, never past the end
 * of sales and never shorter than it was. Null when it is no longer waiting.
 */
export const extenderReserva = (tx: RoomTx, id: string, hasta: number): string | null => {
	const row = tx.sql
		.exec<TransaccionRow>("SELECT * FROM transacciones WHERE id = ? AND status = 'pending'", id)
		.toArray()[0];
	if (!row || salesOver(tx)) return null;
	const fin = Math.min(hasta, Date.parse(tx.config.fechaFin));
	const nuevo = Math.max(row.expires_at ?? 0, fin);
	tx.sql.exec("UPDATE transacciones SET expires_at = ? WHERE id = ?", nuevo, id);
	return iso(nuevo);
};

/**
 * Holds whose time ran out go back on sale, except those whose provider call is still running in
 * this instance (`charging`): that call's answer settles them.
 */
export const expireHolds = (tx: RoomTx, now: number, charging: ReadonlySet<string>): void => {
	const { sql } = tx;
	const due = sql
		.exec<{ id: string }>(
			"SELECT id FROM transacciones WHERE status = 'pending' AND expires_at <= ?",
			now,
		)
		.toArray()
		.filter(({ id }) => !charging.has(id));
	for (const { id } of due) {
		markFailed(tx, id, null);
		avisarVencida(tx, id);
		// A purchase cut off mid-way (the object restarted) must not block its key forever.
		sql.exec("DELETE FROM idempotencia WHERE transaccion_id = ? AND estado = 'en_curso'", id);
	}
	enqueue(
		sql,
		due.map(({ id }) => eventStatement(COUNTER.holdExpired, id)),
	);
};

export const nextHoldExpiry = (sql: SqlStorage): number | null =>
	sql
		.exec<{ t: number | null }>(
			"SELECT min(expires_at) AS t FROM transacciones WHERE status = 'pending'",
		)
		.one().t;
