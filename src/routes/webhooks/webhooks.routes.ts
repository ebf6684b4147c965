import { createRoute, z } from "@hono/zod-openapi";
import { defaultErrorResponses, errorResponses, jsonContent } from "../../lib/openapi";

export const stripeWebhook = createRoute({
	method: "post",
	path: "/webhooks/stripe",
	operationId: "stripeWebhook",
	tags: ["webhooks"],
	summary: "Eventos de Stripe (firma verificada sobre el cuerpo crudo)",
	description:
		"Recibe `payment_intent.succeeded`, `payment_intent.payment_failed` y `charge.failed`. La firma `Stripe-Signature` se verifica con `STRIPE_WEBHOOK_SECRET` sobre el cuerpo sin modificar; sin firma válida responde 400 y no cambia nada. Cada evento surte efecto una sola vez.",
	request: {
		headers: z.object({
			"stripe-signature": z
				.string()
				.optional()
				.openapi({ param: { name: "stripe-signature", in: "header" } }),
		}),
	},
	responses: {
		200: jsonContent(
			z
				.object({ received: z.literal(true), result: z.string() })
				.openapi("WebhookAck", { example: { received: true, result: "sold" } }),
			"Evento recibido",
		),
		...errorResponses(400, 404),
		...defaultErrorResponses,
	},
});

export const ResultadoPush = z
	.strictObject({
		loteria_id: z.uuid(),
		fecha: z.iso.date().openapi({ example: "2026-01-15" }),
		numero: z
			.string()
			.regex(/^\d{4}$/, "4 dígitos")
			.openapi({ example: "3649" }),
		serie: z
			.string()
			.regex(/^\d{3}$/, "3 dígitos")
			.nullable()
			.openapi({ example: "188" }),
		fuente: z.string().trim().min(1).max(500).openapi({ example: "Acta de sorteo 2830" }),
	})
	.openapi("ResultadoPush");

export const loteriaWebhook = createRoute({
	method: "post",
	path: "/webhooks/loteria",
	operationId: "loteriaResultWebhook",
	tags: ["webhooks"],
	summary: "Un proveedor de resultados publica el premio mayor (firmado con HMAC)",
	description:
		'Cabecera `X-Signature: t=<unix>,v1=<hex HMAC-SHA256 de "<t>.<cuerpo crudo>">` con `LOTERIA_WEBHOOK_SECRET`; tolerancia de 5 minutos. Firma inválida: 401 y nada cambia. El mismo resultado otra vez no cambia nada; uno distinto para la misma lotería y fecha es un 409, nunca se sobrescribe.',
	responses: {
		200: jsonContent(
			z.object({
				recibido: z.literal(true),
				nuevo: z.boolean(),
				rifas_resueltas: z.array(z.uuid()),
				rifas_por_reintentar: z.array(z.uuid()).openapi({
					description:
						"Rifas cerradas de ese sorteo que no se pudieron liquidar ahora; siguen cerradas y el cron las reintenta",
				}),
			}),
			"Resultado registrado",
		),
		...errorResponses(400, 401, 404, 409, 422),
		...defaultErrorResponses,
	},
});
