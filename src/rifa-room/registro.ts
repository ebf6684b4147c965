import type { RoomTx } from "./room.types";

/**
 * The rifa's ledger: every sale and every annulment, in the order they happen, append-only. The
 * synchronous half lives here: an entry and its `seq` are written in the same storage transaction
 * as the sale or refund it records, so no sale exists without its entry. Signing is async
 * (WebCrypto), so an entry is signed just after its step commits (`firmas.ts`); both the buyer's
 * pseudonym (HMAC) and the Ed25519 signature are deterministic, so signing again after a crash
 * yields the very same JWS.
 */

export type EntradaRow = {
	seq: number;
	tipo: "venta" | "anulacion";
	ticket_id: string;
	/** JSON of `DatosVenta` or `DatosAnulacion`. */
	datos: string;
	jws: string | null;
};

export interface DatosVenta {
	numero: number;
	precio: number;
	user_id: string;
	vendido_en: string;
	definicion_sha256: string;
}

export interface DatosAnulacion {
	anula: number;
	motivo: string;
	anulado_en: string;
}

const append = (tx: RoomTx, tipo: EntradaRow["tipo"], ticketId: string, datos: object) => {
	tx.sql.exec(
		`INSERT INTO registro (seq, tipo, ticket_id, datos)
		SELECT coalesce(max(seq) + 1, 0), ?, ?, ? FROM registro`,
		tipo,
		ticketId,
		JSON.stringify(datos),
	);
};

/** A purchase's numbers were just sold (`at`, now): one entry per ticket, in number order. */
export const appendVentas = (
	tx: RoomTx,
	transaccionId: string,
	at = new Date().toISOString(),
): void => {
	const rows = tx.sql
		.exec<{ ticket_id: string; numero: number; user_id: string }>(
			`SELECT t.ticket_id, t.numero, t.user_id FROM tomados t
			WHERE t.transaccion_id = ? AND t.estado = 'vendido'
			AND NOT EXISTS (SELECT 1 FROM registro r WHERE r.tipo = 'venta' AND r.ticket_id = t.ticket_id)
			ORDER BY t.numero`,
			transaccionId,
		)
		.toArray();
	const definicion = tx.config.definicionSha256;
	// The room loads its definition before it sells (RifaRoom.ensureConfig): never a receipt without it.
	if (!definicion) throw new Error("the rifa's definition is not stored yet");
	for (const r of rows) {
		const datos: DatosVenta = {
			numero: r.numero,
			precio: tx.config.precio,
			user_id: r.user_id,
			vendido_en: at,
			definicion_sha256: definicion,
		};
		append(tx, "venta", r.ticket_id, datos);
	}
};

/** A purchase's sold tickets were annulled (refunded); each sale entry gets its annulment, once. */
export const appendAnulaciones = (tx: RoomTx, ticketIds: string[], motivo: string): void => {
	const at = new Date().toISOString();
	for (const ticketId of ticketIds) {
		const venta = tx.sql
			.exec<{ seq: number }>(
				`SELECT seq FROM registro WHERE tipo = 'venta' AND ticket_id = ?
				AND NOT EXISTS (SELECT 1 FROM registro WHERE tipo = 'anulacion' AND ticket_id = ?)`,
				ticketId,
				ticketId,
			)
			.toArray()[0];
		if (!venta) continue;
		const datos: DatosAnulacion = { anula: venta.seq, motivo, anulado_en: at };
		append(tx, "anulacion", ticketId, datos);
	}
};

export const entradas = (sql: SqlStorage, desde = 0, hasta = Number.MAX_SAFE_INTEGER) =>
	sql
		.exec<EntradaRow>(
			"SELECT * FROM registro WHERE seq >= ? AND seq < ? ORDER BY seq",
			desde,
			hasta,
		)
		.toArray();

export const tamano = (sql: SqlStorage): number =>
	sql.exec<{ n: number }>("SELECT count(*) AS n FROM registro").one().n;

export const sinFirmar = (sql: SqlStorage) =>
	sql.exec<EntradaRow>("SELECT * FROM registro WHERE jws IS NULL ORDER BY seq").toArray();

export const guardarFirma = (sql: SqlStorage, seq: number, jws: string) => {
	sql.exec("UPDATE registro SET jws = ? WHERE seq = ? AND jws IS NULL", jws, seq);
};

export const ventaDe = (sql: SqlStorage, ticketId: string) =>
	sql
		.exec<EntradaRow>("SELECT * FROM registro WHERE tipo = 'venta' AND ticket_id = ?", ticketId)
		.toArray()[0] ?? null;
