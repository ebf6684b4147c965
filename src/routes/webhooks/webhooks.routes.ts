import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, jsonContent } from "../../lib/openapi";

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
		...errorResponses(400),
	},
});
