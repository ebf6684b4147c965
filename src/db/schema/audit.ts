import { index, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** The state of an audited entity (whole or the fields that matter) before or after a change. */
export type AuditSnapshot = Record<string, unknown>;

export const auditLog = sqliteTable(
	"audit_log",
	{
		id: text("id").primaryKey(),
		actorId: text("actor_id"),
		action: text("action").notNull(),
		entity: text("entity").notNull(),
		entityId: text("entity_id").notNull(),
		before: text("before", { mode: "json" }).$type<AuditSnapshot>(),
		after: text("after", { mode: "json" }).$type<AuditSnapshot>(),
		requestId: text("request_id"),
		createdAt: text("created_at").notNull(),
	},
	(t) => [
		index("audit_log_entity_idx").on(t.entity, t.entityId, t.createdAt),
		index("audit_log_created_idx").on(t.createdAt),
		index("audit_log_actor_idx").on(t.actorId),
	],
);
