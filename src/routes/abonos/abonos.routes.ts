import { createRoute, z } from "@hono/zod-openapi";
import { requireAuth } from "../../auth/auth.middleware";
import {
	BEARER,
	defaultErrorResponses,
	errorResponses,
	IdParam,
	jsonBody,
	jsonContent,
} from "../../lib/openapi";
import { AbonoSchema, IDEMPOTENCY_KEY } from "../tickets/tickets.schemas";

export const AbonoResultadoSchema = z
	.object({
		transaccion_id: z.uuid(),
		estado: z.enum(["abonado", "vendido"]),
		pagado: z.int(),
		pendiente: z.int(),
		total: z.int(),
	})
	.openapi("AbonoRegistrado");

export const abonar = createRoute({
	method: "post",
	path: "/tickets/{id}/abonos",
	operationId: "addAbono",
	tags: ["tickets"],
	summary: "Abonar a una boleta que se paga por abonos",
	description:
		"Suma un pago a la compra de la boleta (todas sus boletas): en efectivo lo recibe en persona un vendedor, operador o admin de la rifa; `sandbox`, el comprador mismo (solo en desarrollo). Cuando lo pagado llega al precio, los números quedan vendidos, con su recibo, y entran al sello. Más de lo que falta: 422. Compra ya pagada o vencida: 409. Con Idempotency-Key: un reintento no abona dos veces.",
	security: BEARER,
	middleware: [requireAuth],
	request: {
		params: IdParam,
		headers: z.object({ "idempotency-key": IDEMPOTENCY_KEY }),
		body: jsonBody(AbonoSchema),
	},
	responses: {
		201: jsonContent(AbonoResultadoSchema, "Abono registrado"),
		...errorResponses(400, 401, 403, 404, 409, 415, 422),
		...defaultErrorResponses,
	},
});
