import { createRoute, z } from "@hono/zod-openapi";
import { requireAuth } from "../../auth/auth.middleware";
import { TICKET_ESTADOS } from "../../db/schema";
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
import { publicReadRateLimit, purchaseRateLimit } from "../../lib/rate-limit";
import {
	AvailabilitySchema,
	BancosPseSchema,
	IDEMPOTENCY_KEY,
	PagosSchema,
	PurchaseBody,
	PurchaseResponse,
	TicketSchema,
	TransaccionSchema,
} from "./tickets.schemas";

const tags = ["tickets"];

const TicketQuery = PageQuery.extend({
	estado: z
		.enum(TICKET_ESTADOS)
		.optional()
		.openapi({ param: { name: "estado", in: "query" } }),
});

export const purchase = createRoute({
	method: "post",
	path: "/rifas/{id}/tickets",
	operationId: "buyTickets",
	tags,
	summary: "Comprar boletas (idempotente)",
	description:
		'Un jugador compra para sí mismo; admin/operador pueden vender a nombre de otro usuario (punto de venta). Repetir la misma Idempotency-Key con los mismos datos devuelve la respuesta original con `Idempotent-Replayed: true`; con otros datos, 422; mientras la primera sigue en curso, 409 con Retry-After.\n\nCon `payment_method: "wompi"` y `wompi: {metodo, acepta_terminos: true, ...}` los números quedan reservados y la respuesta trae `payment.status: "requires_payment"`, la referencia, la transacción de Wompi, `redirect_url` (PSE, Bancolombia) o `efectivo` (corresponsal). Se venden solo cuando Wompi confirma el pago (evento firmado o consulta a su API); un rechazo los libera. Una reserva que terminaría después del cierre de ventas es un 422.',
	security: BEARER,
	middleware: [requireAuth, purchaseRateLimit],
	request: {
		params: IdParam,
		headers: z.object({
			"idempotency-key": IDEMPOTENCY_KEY.optional().openapi({
				param: { name: "idempotency-key", in: "header" },
				example: "op-2025-10-30-abc123",
			}),
		}),
		body: jsonBody(PurchaseBody),
	},
	responses: {
		201: jsonContent(PurchaseResponse, "Boletas vendidas (o reservadas hasta confirmar el pago)"),
		...errorResponses(400, 401, 402, 403, 404, 409, 415, 422, 429, 502),
		...defaultErrorResponses,
	},
});

export const listForRifa = createRoute({
	method: "get",
	path: "/rifas/{id}/tickets",
	operationId: "listRifaTickets",
	tags,
	summary: "Boletas de una rifa (admin/operador: todas; jugador: las suyas)",
	security: BEARER,
	middleware: [requireAuth],
	request: { params: IdParam, query: TicketQuery },
	responses: {
		200: jsonContent(paginated(TicketSchema, "TicketPage"), "Página de boletas"),
		...errorResponses(401, 404, 422),
		...defaultErrorResponses,
	},
});

export const listForUser = createRoute({
	method: "get",
	path: "/users/{id}/tickets",
	operationId: "listUserTickets",
	tags,
	summary: "Boletas de un usuario (él mismo o admin)",
	security: BEARER,
	middleware: [requireAuth],
	request: { params: IdParam, query: TicketQuery },
	responses: {
		200: jsonContent(paginated(TicketSchema, "UserTicketPage"), "Página de boletas"),
		...errorResponses(401, 403, 422),
		...defaultErrorResponses,
	},
});

export const availability = createRoute({
	method: "get",
	path: "/rifas/{id}/disponibilidad",
	operationId: "getRifaAvailability",
	tags,
	summary: "Estado de cada número de la rifa (público, sin datos de compradores)",
	middleware: [publicReadRateLimit],
	request: { params: IdParam },
	responses: {
		200: jsonContent(AvailabilitySchema, "Disponibilidad"),
		...errorResponses(404, 422, 429),
		...defaultErrorResponses,
	},
});

export const pagos = createRoute({
	method: "get",
	path: "/pagos",
	operationId: "getPaymentMethods",
	tags,
	summary: "Métodos de pago habilitados (público)",
	description:
		"Los valores de `payment_method` que acepta una compra aquí: `metodos` los que cobra un proveedor en línea, y `detalle` todos (también `transferencia`, en las rifas cuyo operador tiene cuenta; `efectivo` y `abonos`, solo el personal en persona, `abonos` en las rifas con `reglas.abonos`), con quién los usa y cuándo venden; si Stripe está configurado, su clave publicable para el Payment Element de las páginas; si Wompi lo está, sus medios (Nequi, PSE, Bancolombia, Daviplata, tarjeta, efectivo), su llave pública y los enlaces a los términos y la autorización de datos que el comprador acepta.",
	middleware: [publicReadRateLimit],
	responses: {
		200: jsonContent(PagosSchema, "Métodos de pago"),
		...errorResponses(429),
		...defaultErrorResponses,
	},
});

export const bancosPse = createRoute({
	method: "get",
	path: "/pagos/wompi/bancos",
	operationId: "getPseBanks",
	tags,
	summary: "Bancos de PSE (público)",
	description:
		"Las entidades financieras de PSE según Wompi (`GET /pse/financial_institutions`), para elegir el banco de un pago PSE. 404 mientras Wompi no esté configurado; 502 si Wompi no responde.",
	middleware: [publicReadRateLimit],
	responses: {
		200: jsonContent(BancosPseSchema, "Bancos de PSE"),
		...errorResponses(404, 429, 502),
		...defaultErrorResponses,
	},
});

export const transaccion = createRoute({
	method: "get",
	path: "/rifas/{id}/transacciones/{transaccion_id}",
	operationId: "getTransaccion",
	tags,
	summary: "Cómo va una compra: su pago, sus números, el fin de su reserva (comprador, staff)",
	description:
		"Lo que sabe la rifa (la autoridad de sus números), sin esperar a D1: `pending` mientras la reserva espera el pago; `succeeded` vendida; `failed` si el pago fue rechazado o la reserva venció (los números quedaron libres); `refunded` si el pago llegó tarde y se devolvió. Para el comprador, un admin o el operador de la rifa.",
	security: BEARER,
	middleware: [requireAuth, publicReadRateLimit],
	request: {
		params: IdParam.extend({
			transaccion_id: z.uuid({ error: "Debe ser un UUID" }).openapi({
				param: { name: "transaccion_id", in: "path" },
				example: "3c2b1a09-8f7e-4d6c-9b5a-4e3d2c1b0a98",
			}),
		}),
	},
	responses: {
		200: jsonContent(TransaccionSchema, "La compra"),
		...errorResponses(401, 403, 404, 422, 429),
		...defaultErrorResponses,
	},
});
