import { createRoute, z } from "@hono/zod-openapi";
import { defaultErrorResponses, errorResponses, jsonContent } from "../../lib/openapi";

export const HealthSchema = z
	.object({
		status: z.literal("ok"),
		checks: z.object({ d1: z.literal("ok") }),
	})
	.openapi("Health", { example: { status: "ok", checks: { d1: "ok" } } });

export const healthz = createRoute({
	method: "get",
	path: "/healthz",
	operationId: "healthz",
	tags: ["ops"],
	summary: "Estado del servicio",
	description: "Comprueba que D1 responde (`SELECT 1`). Para balanceadores y monitores de uptime.",
	responses: {
		200: jsonContent(HealthSchema, "El servicio y D1 responden"),
		...errorResponses(503),
		...defaultErrorResponses,
	},
});

export const metrics = createRoute({
	method: "get",
	path: "/metrics",
	operationId: "metrics",
	tags: ["ops"],
	summary: "Métricas en formato de exposición de Prometheus",
	description:
		"Boletas vendidas, recaudo, rifas activas, premios pendientes, fallos de webhooks y reservas vencidas. Requiere `Authorization: Bearer <METRICS_TOKEN>`; responde 404 mientras `METRICS_TOKEN` no esté configurado.",
	security: [{ metricsToken: [] }],
	responses: {
		200: {
			description: "Texto de exposición de Prometheus 0.0.4",
			content: { "text/plain; version=0.0.4": { schema: z.string() } },
		},
		...errorResponses(401, 404),
		...defaultErrorResponses,
	},
});
