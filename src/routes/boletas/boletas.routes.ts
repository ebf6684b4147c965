import { createRoute, z } from "@hono/zod-openapi";
import { requireAuth } from "../../auth/auth.middleware";
import { BEARER, defaultErrorResponses, errorResponses, IdParam } from "../../lib/openapi";
import { publicReadRateLimit } from "../../lib/rate-limit";
import { FORMATOS_BOLETA } from "../../services/boleta-pdf";

const BoletaQuery = z.object({
	formato: z
		.enum(FORMATOS_BOLETA)
		.default("termica")
		.openapi({
			param: { name: "formato", in: "query" },
			description:
				"`termica`: una boleta para impresora térmica de 58 mm (48 mm impresos, página tan larga como su contenido). `a4`: las boletas de toda la compra de la boleta, ocho por hoja A4, con líneas de corte.",
			example: "termica",
		}),
});

export const boletaPdf = createRoute({
	method: "get",
	path: "/tickets/{id}/boleta.pdf",
	operationId: "getBoletaPdf",
	tags: ["tickets"],
	summary: "La boleta impresa de una boleta vendida, en PDF (comprador, vendedor, operador, admin)",
	description:
		"Lo que el vendedor entrega al comprador: la rifa, el número como la rifa lo imprime, el valor, el premio que promete, la lotería y la fecha y hora del sorteo en Colombia, el operador, el comprador, el hash corto del recibo firmado (12 primeros hex de su SHA-256) y un código QR de `/verificar#recibo=<jws>`. La leen el comprador, quien la vendió (`vendedor_id` de su transacción), el operador de la rifa y los admins. Solo una boleta vendida (o ganadora) tiene boleta impresa: otra es un 409. Responde con `ETag` y, a un `If-None-Match` igual, 304.",
	security: BEARER,
	middleware: [requireAuth, publicReadRateLimit],
	request: { params: IdParam, query: BoletaQuery },
	responses: {
		200: {
			description: "La boleta (o las boletas de la compra) en PDF, para imprimir",
			content: { "application/pdf": { schema: z.string().openapi({ format: "binary" }) } },
		},
		304: { description: "El PDF no cambió desde el `ETag` dado en `If-None-Match`" },
		...errorResponses(401, 403, 404, 409, 422, 429),
		...defaultErrorResponses,
	},
});
