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
			.openapi({ example: "188" }),
		fuente: z
			.string()
			.trim()
			.min(1)
			.max(500)
			.optional()
			.openapi({ example: "Acta de sorteo 2830", description: "Cómo lo supo el proveedor" }),
		url: z
			.url({ protocol: /^https?$/ })
			.max(1000)
			.optional()
			.openapi({ description: "Dónde se publicó (evidencia)" }),
	})
	.openapi("ResultadoPush");

export const loteriaWebhook = createRoute({
	method: "post",
	path: "/webhooks/loteria",
	operationId: "loteriaResultWebhook",
	tags: ["webhooks"],
	summary: "Un proveedor de resultados publica el premio mayor (firmado con HMAC)",
	description:
		'Cabecera `X-Signature: t=<unix>,v1=<hex HMAC-SHA256 de "<t>.<cuerpo crudo>">` con `LOTERIA_WEBHOOK_SECRET`; tolerancia de 5 minutos. Firma inválida: 401 y nada cambia. El push es una observación de la fuente `webhook` (si la lotería la admite), con el SHA-256 del cuerpo crudo como evidencia: el resultado se confirma cuando `fuentes_requeridas` fuentes distintas coinciden. El mismo push otra vez no cambia nada; uno anterior al sorteo es un 422; uno que contradice un resultado confirmado es un 409 y no lo cambia.',
	responses: {
		200: jsonContent(
			z.object({
				recibido: z.literal(true),
				nuevo: z.boolean(),
				estado: z.enum(["pendiente", "confirmado", "en_conflicto"]),
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

export const wompiWebhook = createRoute({
	method: "post",
	path: "/webhooks/wompi",
	operationId: "wompiWebhook",
	tags: ["webhooks"],
	summary: "Eventos de Wompi (checksum verificado)",
	description:
		"Recibe `transaction.updated`. El checksum (`signature.checksum` y la cabecera `X-Event-Checksum`) es el SHA-256 de los valores de `signature.properties` leídos en `data`, seguidos de `timestamp` y del secreto de eventos `WOMPI_EVENTS_SECRET`; se compara en tiempo constante. Sin checksum: 400; checksum inválido: 401; en ambos casos nada cambia. `APPROVED` vende los números reservados de la compra cuya `reference` es el id de la transacción (si el monto y la moneda coinciden); `DECLINED`, `ERROR` y `VOIDED` los liberan. Un evento válido de una referencia desconocida responde 200 sin cambiar nada, y cada (transacción, estado) surte efecto una sola vez.",
	responses: {
		200: jsonContent(
			z
				.object({ received: z.literal(true), result: z.string() })
				.openapi("WompiWebhookAck", { example: { received: true, result: "sold" } }),
			"Evento recibido",
		),
		...errorResponses(400, 401, 404),
		...defaultErrorResponses,
	},
});

export const wompiPagosWebhook = createRoute({
	method: "post",
	path: "/webhooks/wompi-pagos",
	operationId: "wompiPayoutsWebhook",
	tags: ["webhooks"],
	summary: "Eventos de pagos a terceros de Wompi: premios (checksum verificado)",
	description:
		"Recibe `transaction.updated` y `payout.updated` del API de pagos a terceros. El checksum (`signature.checksum` y, si viene, la cabecera `X-Event-Checksum`) se calcula como en los eventos de pagos, con el secreto `WOMPI_PAYOUTS_EVENTS_SECRET`, y se compara en tiempo constante. Sin checksum: 400; checksum inválido: 401; en ambos casos nada cambia. El lote o la dispersión se buscan por su id o por la referencia (el id del ganador); si el evento no los liga por campos firmados, su estado se lee del API de Wompi. Aprobada (`APPROVED`, `TOTAL_PAYMENT`): el premio queda pagado una sola vez; fallida (`FAILED`, `REJECTED`…): el premio vuelve a la cola de pagos, que reintenta y termina en la cola de fallidos. Una referencia desconocida responde 200 sin cambiar nada; cada (id, estado) surte efecto una sola vez.",
	responses: {
		200: jsonContent(
			z
				.object({ received: z.literal(true), result: z.string() })
				.openapi("WompiPagosWebhookAck", { example: { received: true, result: "pagado" } }),
			"Evento recibido",
		),
		...errorResponses(400, 401, 404),
		...defaultErrorResponses,
	},
});
