import { createRoute, z } from "@hono/zod-openapi";
import { requireAuth } from "../../auth/auth.middleware";
import { ReglasSchema } from "../../domain/reglas";
import {
	BEARER,
	defaultErrorResponses,
	errorResponses,
	IdParam,
	jsonContent,
	PageQuery,
	paginated,
} from "../../lib/openapi";
import { publicReadRateLimit } from "../../lib/rate-limit";

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
	middleware: [publicReadRateLimit],
	request: { params: IdParam, query: PageQuery },
	responses: {
		200: jsonContent(paginated(Jws, "RegistroPage"), "Entradas del registro"),
		...errorResponses(404, 422, 429),
		...defaultErrorResponses,
	},
});

export const DefinicionSchema = z
	.object({
		v: z.literal(1),
		rifa_id: z.string(),
		categoria_id: z.string(),
		loteria: z.object({
			id: z.string(),
			fuentes: z.array(z.string()),
			fuentes_requeridas: z.number().int(),
		}),
		fecha_sorteo: z.string(),
		total_boletas: z.number().int(),
		valor_boleta: z.number().int(),
		numero_ganadores: z.number().int(),
		reglas: ReglasSchema,
		promesa: z.object({
			rake_bps: z.number().int(),
			fondo_premios: z.number().int().nullable(),
			premio_por_ganador: z.number().int().nullable(),
		}),
		premio_garantizado: z.boolean(),
	})
	.openapi("DefinicionSellada", {
		description:
			"Lo que decide quién gana qué, fijo desde el primer número tomado: el sorteo (lotería, fuentes que deben coincidir, instante), los números, el precio, las reglas y la promesa de dinero de la categoría. Su SHA-256 sobre el JSON canónico (claves ordenadas, sin espacios) está en cada recibo.",
	});

export const SelloSchema = z
	.object({
		sello: Jws,
		tamano: z.number().int().openapi({ description: "Entradas del árbol sellado" }),
		raiz: z.string().openapi({ description: "Cabeza del árbol (hex)" }),
		vendidos: z.number().int().openapi({ description: "Boletas vendidas y no anuladas" }),
		sellado_en: z.string(),
		definicion_sha256: z
			.string()
			.openapi({ description: "SHA-256 (hex) de la definición sellada: el mismo de cada recibo" }),
		definicion: DefinicionSchema,
	})
	.openapi("Sello");

export const sello = createRoute({
	method: "get",
	path: "/rifas/{id}/sello",
	operationId: "getSelloRifa",
	tags,
	summary: "El sello del registro y de las reglas, hecho al terminar la venta (público)",
	description:
		"El JWS firma el tamaño y la raíz del registro al terminar la venta y la definición de la rifa (reglas, precio, sorteo, promesa). Desde el sello la rifa no vende nada más ni cambia su definición. 404 mientras la rifa no se ha sellado.",
	middleware: [publicReadRateLimit],
	request: { params: IdParam },
	responses: {
		200: jsonContent(SelloSchema, "Sello"),
		...errorResponses(404, 422, 429),
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
		"Prueba de inclusión del recibo en el árbol sellado, o en el actual antes del sello (público)",
	description:
		"El registro es público, así que la prueba también: O(log n) hashes de los subárboles completos que la rifa guarda. 404 para una boleta no vendida o vendida fuera del registro sellado.",
	middleware: [publicReadRateLimit],
	request: { params: IdParam },
	responses: {
		200: jsonContent(PruebaSchema, "Prueba de inclusión"),
		...errorResponses(404, 422, 429),
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
		"JWS (typ `rifa1122-acta`) con la definición sellada, el sello, el sorteo (y su movimiento, si la lotería lo movió), el resultado con cada observación de cada fuente y la resolución de dos admins si la hubo, los acumulados recibidos, los ganadores con su recibo y su ruta en el árbol sellado, y el desglose. Se hace una vez por liquidación y se guarda: responde con `ETag` y, a un `If-None-Match` igual, 304. 404 mientras la rifa no esté resuelta.",
	middleware: [publicReadRateLimit],
	request: { params: IdParam },
	responses: {
		200: jsonContent(z.object({ acta: Jws }).openapi("Acta"), "Acta firmada"),
		304: { description: "El acta no cambió desde el `ETag` dado en `If-None-Match`" },
		...errorResponses(404, 409, 422, 429, 503),
		...defaultErrorResponses,
	},
});

export const actaPdf = createRoute({
	method: "get",
	path: "/rifas/{id}/acta.pdf",
	operationId: "getActaRifaPdf",
	tags,
	summary: "El acta de sorteo en PDF, para imprimir (público)",
	description:
		"Se hace una vez por liquidación y se guarda: responde con `ETag` y, a un `If-None-Match` igual, 304.",
	middleware: [publicReadRateLimit],
	request: { params: IdParam },
	responses: {
		200: {
			description: "Acta de sorteo en español, con el enlace de verificación y su código QR",
			content: { "application/pdf": { schema: z.string().openapi({ format: "binary" }) } },
		},
		304: { description: "El PDF no cambió desde el `ETag` dado en `If-None-Match`" },
		...errorResponses(404, 409, 422, 429, 503),
		...defaultErrorResponses,
	},
});
