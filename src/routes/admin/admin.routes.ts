import { createRoute, z } from "@hono/zod-openapi";
import { requireAuth, requireRole } from "../../auth/auth.middleware";
import {
	BEARER,
	defaultErrorResponses,
	errorResponses,
	IdParam,
	jsonBody,
	jsonContent,
	PageQuery,
	paginated,
} from "../../lib/openapi";
import { ReembolsoSchema, ReembolsosPage, ReembolsosQuery } from "../reembolsos/reembolsos.schemas";

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

export const reembolsos = createRoute({
	method: "get",
	path: "/admin/reembolsos",
	operationId: "listManualRefunds",
	tags: ["admin"],
	summary: "Reembolsos manuales (admin), los más antiguos primero",
	description:
		"Dinero que hay que devolver por transferencia porque el medio de pago no tiene devolución por API (Nequi, PSE, transferencias y efectivo en Wompi): comprador, monto, medio y referencia de Wompi. Se crean al cancelar una rifa o al llegar un pago tarde, una vez por compra.",
	security: BEARER,
	middleware: [requireAuth, requireRole("admin")],
	request: { query: ReembolsosQuery },
	responses: {
		200: jsonContent(ReembolsosPage, "Página de reembolsos"),
		...errorResponses(401, 403, 422),
		...defaultErrorResponses,
	},
});

export const registrarReembolso = createRoute({
	method: "post",
	path: "/admin/reembolsos/{id}",
	operationId: "recordManualRefund",
	tags: ["admin"],
	summary: "Registrar la transferencia de un reembolso manual (admin)",
	description:
		"Marca el reembolso como hecho con la referencia de la transferencia, una sola vez: queda en la auditoría y se avisa al comprador. La misma referencia otra vez responde 200 con el reembolso registrado; otra referencia, 409.",
	security: BEARER,
	middleware: [requireAuth, requireRole("admin")],
	request: {
		params: IdParam,
		body: jsonBody(
			z
				.strictObject({
					referencia: z.string().trim().min(3).max(100).openapi({ example: "NEQUI-M12345678" }),
					nota: z.string().trim().max(500).optional(),
				})
				.openapi("RegistroReembolso"),
		),
	},
	responses: {
		200: jsonContent(ReembolsoSchema, "Reembolso registrado"),
		...errorResponses(400, 401, 403, 404, 409, 415, 422),
		...defaultErrorResponses,
	},
});
