import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { auditLog } from "../db/schema";
import { nowIso } from "../lib/time";

export interface AuditEntry {
	actorId: string | null;
	action: string;
	entity: string;
	entityId: string;
	before?: unknown;
	after?: unknown;
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
 * An audit insert that only happens while `precondition` holds. Placed in a batch before a
 * guarded UPDATE with the same precondition, the entry is written exactly when the change is.
 */
export const auditInsertIf = (db: Database, entry: AuditEntry, precondition: SQL) => {
	const v = values(entry);
	const json = (x: unknown) => (x === null ? null : JSON.stringify(x));
	return db.run(sql`INSERT INTO audit_log (id, actor_id, action, entity, entity_id, before, after, request_id, created_at)
		SELECT ${v.id}, ${v.actorId}, ${v.action}, ${v.entity}, ${v.entityId}, ${json(v.before)}, ${json(v.after)}, ${v.requestId}, ${v.createdAt}
		WHERE ${precondition}`);
};
