import { errorFields, type Logger } from "../lib/logger";
import { COUNTER, eventStatement } from "../lib/metrics";
import { alerta, avisoStatement } from "../notificaciones/avisos";
import { takenOf } from "./numeros";
import type { D1Statement, RoomTx, TransaccionRow } from "./room.types";
import { readFlag, writeFlag } from "./sala";

const BATCH_ENTRIES = 50;
/** An entry D1 refuses this many times on its own, while D1 answers otherwise, is set aside. */
const MAX_REFUSALS = 3;
const TICKET_COLUMNS =
	"(id, rifa_id, usuario_id, numero, comprado_en, estado, precio, transaccion_id, creado_en, actualizado_en)";
/** D1 allows 100 bound parameters per statement: 10 columns, so 9 rows at a time. */
const TICKETS_PER_STATEMENT = 9;

const iso = (ms: number) => new Date(ms).toISOString();

export const enqueue = (sql: SqlStorage, statements: D1Statement[]): void => {
	if (statements.length) {
		sql.exec("INSERT INTO outbox (statements) VALUES (?)", JSON.stringify(statements));
	}
};

// --- What the room writes to D1: each an upsert of the whole current row -----------------------

const transaccionUpsert = (sql: SqlStorage, rifaId: string, id: string, at: string) => {
	const tx = sql.exec<TransaccionRow>("SELECT * FROM transacciones WHERE id = ?", id).one();
	return {
		sql: `INSERT INTO transacciones (id, user_id, rifa_id, tipo, amount, currency, provider, provider_ref, status, created_at, updated_at, vendedor_id)
			VALUES (?, ?, ?, 'compra', ?, 'COP', ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET status = excluded.status, provider_ref = excluded.provider_ref, updated_at = excluded.updated_at`,
		params: [
			tx.id,
			tx.user_id,
			rifaId,
			tx.amount,
			tx.provider,
			tx.provider_ref,
			tx.status,
			iso(tx.created_at),
			at,
			tx.vendedor_id ?? null,
		],
	};
};

/** Settlement marks winners in D1 itself; nothing the room sends may turn a winner back. */
const ticketUpserts = (
	sql: SqlStorage,
	rifaId: string,
	precio: number,
	txId: string,
	at: string,
) => {
	const rows = takenOf(sql, txId);
	const out: D1Statement[] = [];
	for (let i = 0; i < rows.length; i += TICKETS_PER_STATEMENT) {
		const chunk = rows.slice(i, i + TICKETS_PER_STATEMENT);
		out.push({
			sql: `INSERT INTO tickets ${TICKET_COLUMNS} VALUES ${chunk.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}
				ON CONFLICT (id) DO UPDATE SET estado = excluded.estado, comprado_en = excluded.comprado_en, actualizado_en = excluded.actualizado_en
				WHERE tickets.estado <> 'ganador'`,
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

/**
 * Queues the D1 rows of one purchase as the room holds them now: the transaccion, and its tickets
 * when they changed (`released`: the held ones are deleted first).
 */
export const mirror = (
	tx: RoomTx,
	transaccionId: string,
	what: { tickets?: boolean; released?: boolean; extra?: D1Statement[]; at?: string },
): void => {
	const at = what.at ?? iso(Date.now());
	enqueue(tx.sql, [
		...(what.released
			? [
					{
						sql: "DELETE FROM tickets WHERE transaccion_id = ? AND estado = 'reservado'",
						params: [transaccionId],
					},
				]
			: []),
		transaccionUpsert(tx.sql, tx.config.rifaId, transaccionId, at),
		...(what.tickets
			? ticketUpserts(tx.sql, tx.config.rifaId, tx.config.precio, transaccionId, at)
			: []),
		...(what.extra ?? []),
	]);
};

export const ticketsAnnulled = (transaccionId: string, at: string): D1Statement => ({
	sql: "UPDATE tickets SET estado = 'anulado', actualizado_en = ? WHERE transaccion_id = ?",
	params: [at, transaccionId],
});

/** The audit entry of a refund, keyed by its transaccion so it is written once. */
export const refundAudit = (
	tx: TransaccionRow,
	refund: { providerRef: string | null; reason: string; at: string; manual?: boolean },
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
			...(refund.manual ? { manual: "pendiente" } : {}),
		}),
		refund.at,
		tx.id,
	],
});

// --- Delivery ---------------------------------------------------------------------------------

/**
 * D1 is written from the room's storage through this outbox, in order and exactly once. Each D1
 * batch ends by moving this storage's mark in `outbox_aplicado` to its last entry, atomically
 * with the entries; the entries are then deleted from the room's storage. When the last outcome is
 * unknown (the object restarted, or a batch failed and may still have committed) the mark is read
 * back from D1 first and what it covers is dropped, so nothing already applied is applied again
 * over newer D1 state. An entry that D1 keeps refusing on its own (a constraint, not an outage) is
 * set aside in `outbox_atascado`, alerted and counted, so it cannot hold back those after it.
 */
export class Outbox {
	private uncertain = true;
	/** Entries up to here go one at a time: a batch with them failed. */
	private aloneThrough = 0;
	private flushing: Promise<boolean> | null = null;
	private readonly emisor: string;

	constructor(
		private readonly sql: SqlStorage,
		private readonly db: D1Database,
		private readonly rifaId: () => string,
		private readonly log: () => Logger,
	) {
		let emisor = readFlag(sql, "emisor");
		if (!emisor) {
			emisor = crypto.randomUUID();
			writeFlag(sql, "emisor", emisor);
		}
		this.emisor = emisor;
	}

	pending(): number {
		return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox").one().n;
	}

	stuck(): number {
		return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox_atascado").one().n;
	}

	/** Applies what is pending; single-flight. True when nothing is left to apply. */
	async flush(): Promise<boolean> {
		while (this.flushing) await this.flushing;
		const run = this.flushOnce().finally(() => {
			this.flushing = null;
		});
		this.flushing = run;
		return run;
	}

	private async flushOnce(): Promise<boolean> {
		for (;;) {
			const limit = this.firstSeq() <= this.aloneThrough ? 1 : BATCH_ENTRIES;
			const entries = this.sql
				.exec<{ seq: number; statements: string; attempts: number }>(
					"SELECT seq, statements, attempts FROM outbox ORDER BY seq LIMIT ?",
					limit,
				)
				.toArray();
			if (!entries.length) {
				this.uncertain = false;
				return true;
			}
			if (this.uncertain) {
				try {
					const mark = await this.db
						.prepare("SELECT seq FROM outbox_aplicado WHERE emisor = ?")
						.bind(this.emisor)
						.first<{ seq: number }>();
					this.sql.exec("DELETE FROM outbox WHERE seq <= ?", mark?.seq ?? 0);
					this.uncertain = false;
				} catch (err) {
					this.log().error("outbox: D1 unreachable; the alarm will retry", {
						error: errorFields(err),
					});
					return false;
				}
				continue;
			}
			const [first] = entries;
			if (first && entries.length === 1 && first.attempts >= MAX_REFUSALS) {
				this.setAside(first.seq, first.statements, "rechazada por D1");
				continue;
			}
			const last = entries.at(-1)?.seq ?? 0;
			const statements = [
				...entries.flatMap((e) => JSON.parse(e.statements) as D1Statement[]),
				this.markStatement(last),
			];
			try {
				const results = await this.db.batch(
					statements.map((s) => this.db.prepare(s.sql).bind(...s.params)),
				);
				this.log().debug("outbox flushed", {
					entries: entries.length,
					statements: statements.length,
					d1_rows_read: results.reduce((n, r) => n + (r.meta.rows_read ?? 0), 0),
					d1_rows_written: results.reduce((n, r) => n + (r.meta.rows_written ?? 0), 0),
				});
			} catch (err) {
				this.uncertain = true;
				const refused = isRefusal(err);
				// Only an entry refused on its own counts: in a batch, the others may be blameless.
				if (refused && entries.length > 1) this.aloneThrough = last;
				else if (refused)
					this.sql.exec("UPDATE outbox SET attempts = attempts + 1 WHERE seq = ?", last);
				this.log()[refused ? "error" : "warn"]("outbox flush failed; the alarm will retry", {
					entries: entries.length,
					first_seq: first?.seq,
					error: errorFields(err),
				});
				return false;
			}
			this.sql.exec("DELETE FROM outbox WHERE seq <= ?", last);
		}
	}

	private firstSeq(): number {
		return (
			this.sql.exec<{ s: number | null }>("SELECT min(seq) AS s FROM outbox").one().s ??
			Number.POSITIVE_INFINITY
		);
	}

	private markStatement(seq: number): D1Statement {
		return {
			sql: `INSERT INTO outbox_aplicado (emisor, rifa_id, seq, actualizado_en) VALUES (?, ?, ?, ?)
				ON CONFLICT (emisor) DO UPDATE SET seq = max(outbox_aplicado.seq, excluded.seq), actualizado_en = excluded.actualizado_en`,
			params: [this.emisor, this.rifaId(), seq, iso(Date.now())],
		};
	}

	private setAside(seq: number, statements: string, error: string): void {
		this.sql.exec(
			"INSERT OR REPLACE INTO outbox_atascado (seq, statements, error, apartado_en) VALUES (?, ?, ?, ?)",
			seq,
			statements,
			error,
			Date.now(),
		);
		this.sql.exec("DELETE FROM outbox WHERE seq = ?", seq);
		enqueue(this.sql, [
			eventStatement(COUNTER.outboxStuck, `${this.emisor}:${seq}`),
			avisoStatement(
				alerta(
					`${this.emisor}:${seq}`,
					{ clase: "outbox_atascado", detalle: { rifa_id: this.rifaId(), seq, error } },
					this.rifaId(),
				),
			),
		]);
		this.log().error("outbox entry set aside: D1 keeps refusing it", {
			alerta: "outbox_atascado",
			seq,
			statements,
		});
	}
}

/** D1 refused the statements themselves (a constraint, a bad value), as opposed to an outage. */
const isRefusal = (err: unknown) =>
	/constraint failed|SQLITE_CONSTRAINT|datatype mismatch|too many SQL variables/i.test(
		err instanceof Error ? `${err.message} ${String(err.cause ?? "")}` : String(err),
	);
