import { createRoute, z } from "@hono/zod-openapi";
import { requireAuth, requireRole } from "../../auth/auth.middleware";
import { FUENTES } from "../../db/schema";
import {
	BEARER,
	defaultErrorResponses,
	errorResponses,
	jsonBody,
	jsonContent,
} from "../../lib/openapi";
import { FechaColombia } from "../loterias/loterias.schemas";

const tags = ["resultados"];
const admin = [requireAuth, requireRole("admin")];

export const SorteoParams = z.object({
	id: z.uuid().openapi({ param: { name: "id", in: "path" } }),
	fecha: FechaColombia.openapi({ param: { name: "fecha", in: "path" }, example: "2025-11-24" }),
});

const Numero = z
	.string()
	.regex(/^\d{4}$/, "4 dígitos")
	.openapi({ example: "9727" });
const Serie = z
	.string()
	.regex(/^\d{3}$/, "3 dígitos")
	.openapi({ example: "235" });

const ObservacionSchema = z
	.object({
		fuente: z.enum(FUENTES),
		numero: z.string(),
		serie: z.string(),
		observado_en: z.string(),
		evidencia: z.object({ url: z.string().nullable(), sha256: z.string().nullable() }),
	})
	.openapi("ObservacionResultado");

export const EstadoResultadoSchema = z
	.object({
		loteria_id: z.uuid(),
		fecha: z.string(),
		instante: z.string().nullable().openapi({ description: "Instante del sorteo (UTC)" }),
		estado: z.enum(["pendiente", "confirmado", "en_conflicto"]),
		numero: z.string().optional(),
		serie: z.string().nullable().optional(),
		fuente: z
			.string()
			.optional()
			.openapi({ description: "`quorum:` y las fuentes que coincidieron, o `resolucion`" }),
		motivo: z.string().nullable().optional(),
		fuentes_requeridas: z.number().int(),
		observaciones: z.array(ObservacionSchema),
	})
	.openapi("EstadoResultado", {
		example: {
			loteria_id: "4c1d2e3f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
			fecha: "2025-11-24",
			instante: "2025-11-25T03:30:00.000Z",
			estado: "en_conflicto",
			fuentes_requeridas: 2,
			observaciones: [
				{
					fuente: "resultadosloterias",
					numero: "9727",
					serie: "235",
					observado_en: "2025-11-25T03:45:10.000Z",
					evidencia: {
						url: "https://api-resultadosloterias.com/api/results/2025-11-24",
						sha256: "9f2c5d0e6b1f4c1a0e3b7d2a8c9e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e",
					},
				},
				{
					fuente: "webhook",
					numero: "4801",
					serie: "009",
					observado_en: "2025-11-25T04:02:00.000Z",
					evidencia: {
						url: null,
						sha256: "1b4f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f",
					},
				},
			],
		},
	});

export const getResultado = createRoute({
	method: "get",
	path: "/loterias/{id}/resultados/{fecha}",
	operationId: "getResultadoSorteo",
	tags,
	summary: "Resultado de un sorteo y lo que dijo cada fuente (público)",
	description:
		'`confirmado` cuando `fuentes_requeridas` fuentes distintas coinciden en número y serie y ninguna discrepa (o un admin resolvió un conflicto); `en_conflicto` cuando discrepan: nada se liquida hasta que un admin lo resuelve; `pendiente` mientras falten fuentes. Ver docs/sorteos.md, "Fuentes".',
	request: { params: SorteoParams },
	responses: {
		200: jsonContent(EstadoResultadoSchema, "Estado del resultado"),
		...errorResponses(404, 422),
		...defaultErrorResponses,
	},
});

export const ObservacionBody = z
	.strictObject({
		numero: Numero,
		serie: Serie,
		evidencia: z.strictObject({
			url: z.url({ protocol: /^https?$/ }).max(1000),
			sha256: z
				.string()
				.regex(/^[0-9a-f]{64}$/, "SHA-256 en hexadecimal (minúsculas)")
				.optional()
				.openapi({ description: "SHA-256 del documento o página consultada" }),
		}),
	})
	.openapi("ObservacionAdmin", {
		example: {
			numero: "4801",
			serie: "009",
			evidencia: { url: "https://www.loteriadecundinamarca.com.co/resultados" },
		},
	});

export const postObservacion = createRoute({
	method: "post",
	path: "/loterias/{id}/resultados/{fecha}",
	operationId: "createObservacionResultado",
	tags,
	summary: "Un admin registra lo que publicó la lotería (admin)",
	description:
		"Cuenta como la fuente `admin` (si la lotería la admite); dos admins distintos son dos fuentes. Antes del sorteo: 422. Contra un resultado ya confirmado: 409, queda registrada y alerta, el resultado no cambia.",
	security: BEARER,
	middleware: admin,
	request: { params: SorteoParams, body: jsonBody(ObservacionBody) },
	responses: {
		201: jsonContent(EstadoResultadoSchema, "Observación registrada"),
		...errorResponses(400, 401, 403, 404, 409, 415, 422),
		...defaultErrorResponses,
	},
});

export const ResolucionBody = z
	.strictObject({
		numero: Numero,
		serie: Serie,
		motivo: z.string().trim().min(10).max(2000).openapi({
			example:
				"El acta de sorteo 4778 publicada por la Lotería de Cundinamarca da 9727/235; la otra nota citaba un sorteo anterior.",
		}),
	})
	.openapi("ResolucionResultado");

export const postResolucion = createRoute({
	method: "post",
	path: "/loterias/{id}/resultados/{fecha}/resolucion",
	operationId: "resolverResultado",
	tags,
	summary: "Un admin resuelve un resultado en conflicto (admin, auditado)",
	description:
		"Solo un resultado `en_conflicto` se resuelve, una vez; las rifas cerradas de ese sorteo se liquidan a continuación. 409 si no está en conflicto.",
	security: BEARER,
	middleware: admin,
	request: { params: SorteoParams, body: jsonBody(ResolucionBody) },
	responses: {
		200: jsonContent(
			EstadoResultadoSchema.extend({
				rifas_resueltas: z.array(z.uuid()),
				rifas_por_reintentar: z.array(z.uuid()),
			}),
			"Resultado resuelto",
		),
		...errorResponses(400, 401, 403, 404, 409, 415, 422),
		...defaultErrorResponses,
	},
});
