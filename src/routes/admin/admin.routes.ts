import { createRoute, z } from "@hono/zod-openapi";
import { requireAuth, requireRole } from "../../auth/auth.middleware";
import {
	BEARER,
	defaultErrorResponses,
	errorResponses,
	jsonContent,
	PageQuery,
	paginated,
} from "../../lib/openapi";

const AuditEntrySchema = z
	.object({
		id: z.uuid(),
		actor_id: z.uuid().nullable().openapi({ description: "null: el sistema (cron)" }),
		action: z.string().openapi({ example: "rifa.cerrada" }),
		entity: z.string().openapi({ example: "rifa" }),
		entity_id: z.string(),
		before: z.unknown().nullable(),
		after: z.unknown().nullable(),
		request_id: z.string().nullable(),
		created_at: z.string(),
	})
	.openapi("AuditEntry");

export const auditoria = createRoute({
	method: "get",
	path: "/admin/auditoria",
	operationId: "listAuditLog",
	tags: ["admin"],
	summary: "Registro de auditoría (admin), el más reciente primero",
	security: BEARER,
	middleware: [requireAuth, requireRole("admin")],
	request: {
		query: PageQuery.extend({
			entity: z
				.enum(["rifa", "user", "ganador", "transaccion", "loteria", "categoria", "resultado"])
				.optional()
				.openapi({ param: { name: "entity", in: "query" } }),
			entity_id: z
				.string()
				.max(64)
				.optional()
				.openapi({ param: { name: "entity_id", in: "query" } }),
		}),
	},
	responses: {
		200: jsonContent(paginated(AuditEntrySchema, "AuditPage"), "Página del registro"),
		...errorResponses(401, 403, 422),
		...defaultErrorResponses,
	},
});
