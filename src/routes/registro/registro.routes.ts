import { createRoute, z } from "@hono/zod-openapi";
import { requireAuth } from "../../auth/auth.middleware";
import {
	BEARER,
	defaultErrorResponses,
	errorResponses,
	IdParam,
	jsonContent,
	PageQuery,
	paginated,
} from "../../lib/openapi";

const tags = ["registro"];

const Jws = z.string().openapi({ description: "JWS compacto firmado con EdDSA (Ed25519)" });

export const registro = createRoute({
	method: "get",
	path: "/rifas/{id}/registro",
	operationId: "getRegistroRifa",
	tags,
	summary: "El registro de la rifa: cada venta y cada anulación firmadas, en orden (público)",
	description:
		"Solo se agrega, nunca se reescribe. Las hojas del árbol de Merkle (RFC 9162) son los bytes UTF-8 de cada entrada. Ver docs/verificacion.md.",
	request: { params: IdParam, query: PageQuery },
	responses: {
		200: jsonContent(paginated(Jws, "RegistroPage"), "Entradas del registro"),
		...errorResponses(404, 422),
		...defaultErrorResponses,
	},
});

export const SelloSchema = z
	.object({
		sello: Jws,
		tamano: z.number().int().openapi({ description: "Entradas del árbol sellado" }),
		raiz: z.string().openapi({ description: "Cabeza del árbol (hex)" }),
		vendidos: z.number().int().openapi({ description: "Boletas vendidas y no anuladas" }),
		sellado_en: z.string(),
	})
	.openapi("Sello");

export const sello = createRoute({
	method: "get",
	path: "/rifas/{id}/sello",
	operationId: "getSelloRifa",
	tags,
	summary: "El sello del registro, hecho al terminar la venta (público)",
	description: "404 mientras la rifa no se ha sellado.",
	request: { params: IdParam },
	responses: {
		200: jsonContent(SelloSchema, "Sello"),
		...errorResponses(404, 422),
		...defaultErrorResponses,
	},
});

export const recibo = createRoute({
	method: "get",
	path: "/tickets/{id}/recibo",
	operationId: "getReciboTicket",
	tags,
	summary: "El recibo firmado de una boleta vendida (dueño, staff)",
	security: BEARER,
	middleware: [requireAuth],
	request: { params: IdParam },
	responses: {
		200: jsonContent(z.object({ recibo: Jws }).openapi("Recibo"), "Recibo"),
		...errorResponses(401, 403, 404, 422),
		...defaultErrorResponses,
	},
});

export const PruebaSchema = z
	.object({
		seq: z.number().int(),
		tamano: z.number().int(),
		ruta: z.array(z.string()).openapi({ description: "Ruta de auditoría RFC 9162 (hex)" }),
		raiz: z.string(),
		sellada: z.boolean().openapi({ description: "Si el árbol es el sellado o el actual" }),
	})
	.openapi("PruebaInclusion");

export const prueba = createRoute({
	method: "get",
	path: "/tickets/{id}/prueba",
	operationId: "getPruebaTicket",
	tags,
	summary:
		"Prueba de inclusión del recibo en el árbol sellado, o en el actual antes del sello (dueño, staff)",
	security: BEARER,
	middleware: [requireAuth],
	request: { params: IdParam },
	responses: {
		200: jsonContent(PruebaSchema, "Prueba de inclusión"),
		...errorResponses(401, 403, 404, 422),
		...defaultErrorResponses,
	},
});

export const acta = createRoute({
	method: "get",
	path: "/rifas/{id}/acta",
	operationId: "getActaRifa",
	tags,
	summary: "El acta de sorteo firmada de una rifa liquidada (público)",
	description:
		"JWS (typ `rifa1122-acta`) con la rifa, su sello, el resultado confirmado con cada fuente y su evidencia, los ganadores con el SHA-256 de sus recibos, los premios y su desglose. 404 mientras la rifa no esté resuelta.",
	request: { params: IdParam },
	responses: {
		200: jsonContent(z.object({ acta: Jws }).openapi("Acta"), "Acta firmada"),
		...errorResponses(404, 409, 422, 503),
		...defaultErrorResponses,
	},
});

export const actaPdf = createRoute({
	method: "get",
	path: "/rifas/{id}/acta.pdf",
	operationId: "getActaRifaPdf",
	tags,
	summary: "El acta de sorteo en PDF, para imprimir (público)",
	request: { params: IdParam },
	responses: {
		200: {
			description: "Acta de sorteo de una página, en español, con el enlace de verificación",
			content: { "application/pdf": { schema: z.string().openapi({ format: "binary" }) } },
		},
		...errorResponses(404, 409, 422, 503),
		...defaultErrorResponses,
	},
});
