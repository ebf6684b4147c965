import { createRoute, z } from "@hono/zod-openapi";
import { requireAuth, requireRole } from "../../auth/auth.middleware";
import {
	BEARER,
	defaultErrorResponses,
	errorResponses,
	IdParam,
	jsonBody,
	jsonContent,
} from "../../lib/openapi";

export const GanadorPagoSchema = z
	.object({
		id: z.uuid(),
		rifa_id: z.uuid(),
		posicion: z.number().int(),
		monto_ganado: z.number().int().openapi({ description: "Centavos de COP" }),
		estado_pago: z.enum(["pendiente", "pagado", "fallido"]),
		fecha_pago: z.string().nullable(),
		referencia_pago: z.string().nullable(),
	})
	.openapi("GanadorPago");

export const pago = createRoute({
	method: "post",
	path: "/ganadores/{id}/pago",
	operationId: "recordPayout",
	tags: ["admin"],
	summary: "Registrar el pago de un premio hecho por fuera (admin)",
	description:
		"Marca el premio como pagado con la referencia de la transferencia. Repetir con la misma referencia no cambia nada; con otra, 409. Mientras una transferencia automática de la cola está en curso (`procesando_desde` de hace menos de 30 minutos), 409: pagar ahora pagaría dos veces. Pasado ese plazo el intento se da por detenido y se admite el pago manual; verifique antes con el proveedor que la transferencia no salió. Si aun así sale, se registra como pago duplicado (auditoría `ganador.pago_duplicado`, métrica `rifa1122_payouts_duplicate_total`).",
	security: BEARER,
	middleware: [requireAuth, requireRole("admin")],
	request: {
		params: IdParam,
		body: jsonBody(
			z
				.strictObject({ referencia_pago: z.string().trim().min(1).max(255) })
				.openapi("PagoRequest", { example: { referencia_pago: "TRF-2026-000123" } }),
		),
	},
	responses: {
		200: jsonContent(GanadorPagoSchema, "Premio pagado"),
		...errorResponses(400, 401, 403, 404, 409, 415, 422),
		...defaultErrorResponses,
	},
});
