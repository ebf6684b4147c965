import type { RoomConfig } from "./room.types";

/**
 * The room's own SQLite schema. `libres` lists the numbers still for sale keyed by the order in
 * which they are handed out; `tomados` the held and sold ones. A number is in exactly one of them.
 */
export const ROOM_SCHEMA = `
CREATE TABLE IF NOT EXISTS config (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS libres (orden INTEGER PRIMARY KEY, numero INTEGER NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS tomados (
	numero INTEGER PRIMARY KEY,
	ticket_id TEXT NOT NULL UNIQUE,
	orden INTEGER NOT NULL,
	estado TEXT NOT NULL CHECK (estado IN ('reservado', 'vendido')),
	user_id TEXT NOT NULL,
	transaccion_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tomados_user ON tomados (user_id);
CREATE INDEX IF NOT EXISTS tomados_transaccion ON tomados (transaccion_id);
CREATE TABLE IF NOT EXISTS transacciones (
	id TEXT PRIMARY KEY,
	user_id TEXT NOT NULL,
	amount INTEGER NOT NULL,
	provider TEXT NOT NULL,
	provider_ref TEXT,
	status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed', 'refunded')),
	numeros TEXT NOT NULL,
	expires_at INTEGER,
	created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS transacciones_ref ON transacciones (provider_ref);
CREATE TABLE IF NOT EXISTS eventos (id TEXT PRIMARY KEY, tipo TEXT NOT NULL, procesado_en INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS transacciones_pending ON transacciones (status, expires_at);
CREATE TABLE IF NOT EXISTS idempotencia (
	actor_id TEXT NOT NULL,
	clave TEXT NOT NULL,
	huella TEXT NOT NULL,
	estado TEXT NOT NULL CHECK (estado IN ('en_curso', 'hecho')),
	respuesta TEXT,
	transaccion_id TEXT,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (actor_id, clave)
);
CREATE INDEX IF NOT EXISTS idempotencia_created ON idempotencia (created_at);
CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, statements TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0);
`;

export interface D1Statement {
	sql: string;
	params: (string | number | null)[];
}

export interface TakenRow extends Record<string, SqlStorageValue> {
	numero: number;
	ticket_id: string;
	orden: number;
	estado: "reservado" | "vendido";
	user_id: string;
	transaccion_id: string;
}

export interface TransaccionRow extends Record<string, SqlStorageValue> {
	id: string;
	user_id: string;
	amount: number;
	provider: string;
	provider_ref: string | null;
	status: "pending" | "succeeded" | "failed" | "refunded";
	/** JSON array of the numbers and ticket ids the purchase took, kept after a release. */
	numeros: string;
	expires_at: number | null;
	created_at: number;
}

export const readConfig = (sql: SqlStorage): RoomConfig | null => {
	const row = sql.exec<{ json: string }>("SELECT json FROM config WHERE id = 1").toArray()[0];
	return row ? (JSON.parse(row.json) as RoomConfig) : null;
};

export const enqueue = (sql: SqlStorage, statements: D1Statement[]) => {
	if (statements.length) {
		sql.exec("INSERT INTO outbox (statements) VALUES (?)", JSON.stringify(statements));
	}
};

/**
 * The audit entry of a refund, written to D1 through the outbox with the refund itself. The outbox
 * may apply a batch twice after a lost acknowledgement, so the entry is keyed by its transaccion.
 */
export const refundAudit = (
	tx: TransaccionRow,
	refund: { providerRef: string | null; reason: string; at: string },
): D1Statement => ({
	sql: `INSERT INTO audit_log (id, actor_id, action, entity, entity_id, before, after, request_id, created_at)
		SELECT ?, NULL, 'transaccion.reembolsada', 'transaccion', ?, ?, ?, NULL, ?
		WHERE NOT EXISTS (SELECT 1 FROM audit_log WHERE entity = 'transaccion' AND entity_id = ? AND action = 'transaccion.reembolsada')`,
	params: [
		crypto.randomUUID(),
		tx.id,
		JSON.stringify({ status: tx.status, monto: tx.amount, proveedor: tx.provider }),
		JSON.stringify({
			status: "refunded",
			monto: tx.amount,
			proveedor: tx.provider,
			referencia_reembolso: refund.providerRef,
			motivo: refund.reason,
			usuario_id: tx.user_id,
		}),
		refund.at,
		tx.id,
	],
});

/** Moves numbers from `libres` to `tomados` as held for a purchase. */
export const take = (
	sql: SqlStorage,
	transaccionId: string,
	userId: string,
	numbers: { numero: number; orden: number; ticket_id: string }[],
) => {
	for (const n of numbers) {
		sql.exec("DELETE FROM libres WHERE orden = ?", n.orden);
		sql.exec(
			"INSERT INTO tomados (numero, ticket_id, orden, estado, user_id, transaccion_id) VALUES (?, ?, ?, 'reservado', ?, ?)",
			n.numero,
			n.ticket_id,
			n.orden,
			userId,
			transaccionId,
		);
	}
};

/** Puts numbers back on sale at their original position in the assignment order. */
export const release = (sql: SqlStorage, transaccionId: string): number[] => {
	const rows = sql
		.exec<TakenRow>("SELECT * FROM tomados WHERE transaccion_id = ?", transaccionId)
		.toArray();
	for (const r of rows) {
		sql.exec("INSERT INTO libres (orden, numero) VALUES (?, ?)", r.orden, r.numero);
	}
	sql.exec("DELETE FROM tomados WHERE transaccion_id = ?", transaccionId);
	return rows.map((r) => r.numero).sort((a, b) => a - b);
};

const TICKET_COLUMNS =
	"(id, rifa_id, usuario_id, numero, comprado_en, estado, precio, transaccion_id, creado_en, actualizado_en)";
/** D1 allows 100 bound parameters per statement: 10 columns, so 9 rows at a time. */
const TICKETS_PER_STATEMENT = 9;

/**
 * D1 mirrors of the room's rows. Each is an upsert of the whole current row, so applying an
 * outbox entry twice, or after a later one, leaves D1 equal to the room. A conflict on anything
 * but the id (another ticket for the same number) still fails loudly: that is D1's backstop.
 */
export const transaccionUpsert = (
	sql: SqlStorage,
	rifaId: string,
	id: string,
	at: string,
): D1Statement => {
	const tx = sql.exec<TransaccionRow>("SELECT * FROM transacciones WHERE id = ?", id).one();
	return {
		sql: `INSERT INTO transacciones (id, user_id, rifa_id, tipo, amount, currency, provider, provider_ref, status, created_at, updated_at)
			VALUES (?, ?, ?, 'compra', ?, 'COP', ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET status = excluded.status, provider_ref = excluded.provider_ref, updated_at = excluded.updated_at`,
		params: [
			tx.id,
			tx.user_id,
			rifaId,
			tx.amount,
			tx.provider,
			tx.provider_ref,
			tx.status,
			new Date(tx.created_at).toISOString(),
			at,
		],
	};
};

export const ticketUpserts = (
	sql: SqlStorage,
	rifaId: string,
	precio: number,
	transaccionId: string,
	at: string,
): D1Statement[] => {
	const rows = sql
		.exec<TakenRow>("SELECT * FROM tomados WHERE transaccion_id = ? ORDER BY numero", transaccionId)
		.toArray();
	const out: D1Statement[] = [];
	for (let i = 0; i < rows.length; i += TICKETS_PER_STATEMENT) {
		const chunk = rows.slice(i, i + TICKETS_PER_STATEMENT);
		out.push({
			sql: `INSERT INTO tickets ${TICKET_COLUMNS} VALUES ${chunk.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}
				ON CONFLICT (id) DO UPDATE SET estado = excluded.estado, comprado_en = excluded.comprado_en, actualizado_en = excluded.actualizado_en`,
			params: chunk.flatMap((r) => [
				r.ticket_id,
				rifaId,
				r.user_id,
				r.numero,
				r.estado === "vendido" ? at : null,
				r.estado,
				precio,
				r.transaccion_id,
				at,
				at,
			]),
		});
	}
	return out;
};

export const ticketsReleased = (transaccionId: string): D1Statement => ({
	sql: "DELETE FROM tickets WHERE transaccion_id = ? AND estado = 'reservado'",
	params: [transaccionId],
});
