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

const ClavePublicaSchema = z
	.object({
		kty: z.literal("OKP"),
		crv: z.literal("Ed25519"),
		x: z.string().openapi({ description: "La clave pública, 32 bytes en base64url" }),
		kid: z.string().openapi({ description: "El `kid` del encabezado de los JWS que firma" }),
		alg: z.literal("EdDSA"),
		use: z.literal("sig"),
		desde: z.string().openapi({
			description: "Desde cuándo firma: lo que diga ser de antes no es de esta clave",
			example: "2026-12-01T00:00:00.000Z",
		}),
		hasta: z.string().optional().openapi({
			description:
				"En una clave retirada, cuándo dejó de firmar: lo que diga ser de después no es de esta clave",
		}),
	})
	.openapi("ClavePublica");

export const JwksSchema = z
	.object({
		keys: z.array(ClavePublicaSchema).openapi({
			description:
				"La clave actual primero; después las retiradas en rotaciones, que siguen verificando lo que firmaron",
		}),
	})
	.openapi("Jwks", {
		example: {
			keys: [
				{
					kty: "OKP",
					crv: "Ed25519",
					x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
					kid: "recibos-2026-12",
					alg: "EdDSA",
					use: "sig",
					desde: "2026-12-01T00:00:00.000Z",
				},
			],
		},
	});

export const jwks = createRoute({
	method: "get",
	path: "/.well-known/jwks.json",
	operationId: "jwks",
	tags: ["verificacion"],
	summary: "Claves públicas de los recibos firmados (JWKS)",
	description:
		"Claves Ed25519 (RFC 8037) con las que se verifican, sin conexión, los recibos, el registro, el sello y el acta (JWS compactos con `alg: EdDSA` y el `kid` de una de estas claves). Cada clave lleva su vigencia (`desde`, y `hasta` si se retiró): lo que diga ser de fuera de ella no vale. Responde 404 mientras no haya ninguna clave configurada (los recibos firmados están desactivados). Cacheable 5 minutos.",
	responses: {
		200: jsonContent(JwksSchema, "El conjunto de claves públicas (RFC 7517)"),
		...errorResponses(404),
		...defaultErrorResponses,
	},
});
