import { type SQL, sql } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Database } from "../db/client";
import { type AuditSnapshot, auditLog } from "../db/schema";
import { nowIso } from "../lib/time";

export interface AuditEntry {
	actorId: string | null;
	action: string;
	entity: string;
	entityId: string;
	before?: AuditSnapshot | null;
	after?: AuditSnapshot | null;
	requestId?: string | null;
}

const values = (entry: AuditEntry) => ({
	id: crypto.randomUUID(),
	actorId: entry.actorId,
	action: entry.action,
	entity: entry.entity,
	entityId: entry.entityId,
	before: entry.before ?? null,
	after: entry.after ?? null,
	requestId: entry.requestId ?? null,
	createdAt: nowIso(),
});

/** Returns the insert unexecuted so callers put it in the same `db.batch()` as the change it records. */
export const auditInsert = (db: Database, entry: AuditEntry) =>
	db.insert(auditLog).values(values(entry));

/**
 * An audit insert that only happens while a row of `table` matches `where`. Placed in a batch
 * before an UPDATE guarded by the same condition, the entry is written exactly when the change is.
 */
export const auditInsertIf = (db: Database, entry: AuditEntry, table: SQLiteTable, where: SQL) => {
	const v = values(entry);
	const json = (x: unknown) => (x === null ? null : JSON.stringify(x));
	const col = <T>(value: T, name: string) => sql<T>`${value}`.as(name);
	return db.insert(auditLog).select(
		db
			.select({
				id: col(v.id, "id"),
				actorId: col(v.actorId, "actor_id"),
				action: col(v.action, "action"),
				entity: col(v.entity, "entity"),
				entityId: col(v.entityId, "entity_id"),
				before: col(json(v.before), "before"),
				after: col(json(v.after), "after"),
				requestId: col(v.requestId, "request_id"),
				createdAt: col(v.createdAt, "created_at"),
			})
			.from(table)
			.where(where)
			.limit(1),
	);
};
