import { createRoute, z } from "@hono/zod-openapi";
import { requireAuth } from "../../auth/auth.middleware";
import { COMPROBANTE_TIPOS } from "../../db/schema";
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
import { purchaseRateLimit } from "../../lib/rate-limit";
import { proofUpload } from "./comprobantes.middleware";
import {
	ComprobanteForm,
	ComprobanteRevisadoSchema,
	ComprobanteSchema,
	ComprobanteSubidoSchema,
	ComprobantesQuery,
	RechazoBody,
	TransaccionParams,
} from "./comprobantes.schemas";

const tags = ["comprobantes"];

export const subir = createRoute({
	method: "post",
	path: "/rifas/{id}/transacciones/{transaccion_id}/comprobante",
	operationId: "uploadComprobante",
	tags,
	summary: "Subir el comprobante de una compra por transferencia (comprador o staff de la rifa)",
	description:
		"Para una compra con `payment_method: transferencia` que aún espera su pago: la captura o el PDF de la transferencia (Nequi, banco), con la referencia del banco, el monto en centavos y el banco. El comprobante no es el pago: el operador de la rifa lo revisa contra el banco. Mientras tanto los números quedan reservados hasta `fecha_fin` (`expires_at`). El tipo del archivo se lee de sus bytes (JPEG, PNG, WebP o PDF; otro: 422); más de 5 MB: 413. El mismo archivo o la misma referencia del mismo banco (sin importar mayúsculas, espacios ni guiones) ya presentados para cualquier compra: 409; también si la compra ya tiene comprobante, no es por transferencia o ya no espera su pago. Un monto distinto del de la compra se acepta con `monto_coincide: false`. Lo suben el comprador o quien puede vender en la rifa; cuenta en el límite de compras por usuario (429).",
	security: BEARER,
	middleware: [requireAuth, purchaseRateLimit, proofUpload],
	request: {
		params: TransaccionParams,
		body: {
			required: true,
			content: {
				"multipart/form-data": {
					schema: ComprobanteForm,
					encoding: { archivo: { contentType: COMPROBANTE_TIPOS.join(", ") } },
				},
			},
		},
	},
	responses: {
		201: jsonContent(ComprobanteSubidoSchema, "Comprobante recibido, pendiente de revisión"),
		...errorResponses(400, 401, 403, 404, 409, 415, 422, 429),
		...defaultErrorResponses,
	},
});

export const listar = createRoute({
	method: "get",
	path: "/comprobantes",
	operationId: "listComprobantes",
	tags,
	summary: "La cola de comprobantes por revisar (operador de la rifa o admin)",
	description:
		"Un operador ve los de sus rifas; un admin, todos. Filtra por `estado` (`pendiente` para la cola) y `rifa_id`. Los más antiguos primero, con el valor de la compra, el monto del comprobante y si coinciden.",
	security: BEARER,
	middleware: [requireAuth],
	request: { query: PageQuery.extend(ComprobantesQuery.shape) },
	responses: {
		200: jsonContent(paginated(ComprobanteSchema, "ComprobantesPage"), "Comprobantes"),
		...errorResponses(401, 403, 404, 422),
		...defaultErrorResponses,
	},
});

export const ver = createRoute({
	method: "get",
	path: "/comprobantes/{id}",
	operationId: "getComprobante",
	tags,
	summary: "Un comprobante (comprador, quien lo subió, operador de la rifa, admin)",
	description: "Su estado y, si fue rechazado, el motivo.",
	security: BEARER,
	middleware: [requireAuth],
	request: { params: IdParam },
	responses: {
		200: jsonContent(ComprobanteSchema, "El comprobante"),
		...errorResponses(401, 403, 404, 422),
		...defaultErrorResponses,
	},
});

export const archivo = createRoute({
	method: "get",
	path: "/comprobantes/{id}/archivo",
	operationId: "getComprobanteArchivo",
	tags,
	summary: "El archivo de un comprobante (comprador, quien lo subió, operador de la rifa, admin)",
	description:
		"La imagen o el PDF tal como se subió, con su tipo leído de los bytes, `Cache-Control: private, no-store` y `X-Content-Type-Options: nosniff`.",
	security: BEARER,
	middleware: [requireAuth],
	request: { params: IdParam },
	responses: {
		200: {
			description: "El archivo del comprobante",
			content: Object.fromEntries(
				COMPROBANTE_TIPOS.map((tipo) => [
					tipo,
					{ schema: z.string().openapi({ format: "binary" }) },
				]),
			),
		},
		...errorResponses(401, 403, 404, 422),
		...defaultErrorResponses,
	},
});

export const aprobar = createRoute({
	method: "post",
	path: "/comprobantes/{id}/aprobacion",
	operationId: "approveComprobante",
	tags,
	summary:
		"Aprobar un comprobante: la transferencia está en el banco (operador de la rifa o admin)",
	description:
		"Apruébelo solo después de ver el dinero en la cuenta: la rifa vende los números de la compra (con su recibo). Si la reserva ya había terminado, los toma de nuevo si siguen libres; si no, el dinero queda por devolver (reembolsos). Aprobar otra vez responde 200 con el mismo estado; aprobar uno rechazado, 409. Un vendedor no aprueba.",
	security: BEARER,
	middleware: [requireAuth],
	request: { params: IdParam },
	responses: {
		200: jsonContent(ComprobanteRevisadoSchema, "Comprobante aprobado"),
		...errorResponses(401, 403, 404, 409, 422),
		...defaultErrorResponses,
	},
});

export const rechazar = createRoute({
	method: "post",
	path: "/comprobantes/{id}/rechazo",
	operationId: "rejectComprobante",
	tags,
	summary: "Rechazar un comprobante (operador de la rifa o admin)",
	description:
		"La transferencia no está en el banco, o no como dice el comprobante: los números vuelven a la venta y se avisa al comprador; el motivo queda en el comprobante. Rechazar otra vez responde 200 con el mismo estado; rechazar uno aprobado, 409.",
	security: BEARER,
	middleware: [requireAuth],
	request: { params: IdParam, body: jsonBody(RechazoBody) },
	responses: {
		200: jsonContent(ComprobanteRevisadoSchema, "Comprobante rechazado"),
		...errorResponses(400, 401, 403, 404, 409, 415, 422),
		...defaultErrorResponses,
	},
});
