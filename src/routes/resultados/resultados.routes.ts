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
		'`confirmado` cuando `fuentes_requeridas` fuentes distintas coinciden en número y serie y ninguna discrepa (o dos admins resolvieron un conflicto); `en_conflicto` cuando discrepan: nada se liquida hasta que un admin propone una resolución y otro la confirma; `pendiente` mientras falten fuentes. Ver docs/sorteos.md, "Results from independent sources".',
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
		"Cuenta como la fuente `admin` (si la lotería la admite). Todos los admins juntos son una sola fuente para `fuentes_requeridas`; si dos admins discrepan, el resultado queda `en_conflicto`. Cada admin registra una sola observación por sorteo: la misma otra vez no cambia nada (201), otra distinta es un 409 y la primera se mantiene (un error se corrige con una resolución). Antes del sorteo: 422. Contra un resultado ya confirmado: 409, queda registrada y alerta, el resultado no cambia.",
	security: BEARER,
	middleware: admin,
	request: { params: SorteoParams, body: jsonBody(ObservacionBody) },
	responses: {
		201: jsonContent(EstadoResultadoSchema, "Observación registrada"),
		...errorResponses(400, 401, 403, 404, 409, 415, 422),
		...defaultErrorResponses,
	},
});

const Motivo = z.string().trim().min(10).max(2000).openapi({
	example:
		"El acta de sorteo 4778 publicada por la Lotería de Cundinamarca da 9727/235; la otra nota citaba un sorteo anterior.",
});

const EvidenciaOficial = z
	.strictObject({
		url: z
			.url({ protocol: /^https$/, error: "URL https del documento oficial" })
			.max(1000)
			.openapi({ example: "https://www.loteriadecundinamarca.com.co/actas/4778.pdf" }),
		sha256: z
			.string()
			.regex(/^[0-9a-f]{64}$/, "SHA-256 en hexadecimal (minúsculas)")
			.openapi({
				description: "SHA-256 del documento oficial tal como se descargó",
				example: "3b1f6c0e9d8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c",
			}),
	})
	.openapi("EvidenciaOficial", {
		description: "El documento oficial de la lotería (acta, resolución) en que se apoya",
	});

export const PropuestaResolucionBody = z
	.strictObject({
		numero: Numero,
		serie: Serie,
		motivo: Motivo,
		evidencia: EvidenciaOficial.optional().openapi({
			description:
				"Obligatoria si ninguna observación del sorteo reportó ese número y serie (422 `evidencia_requerida`)",
		}),
	})
	.openapi("PropuestaResolucionBody", {
		example: {
			numero: "9727",
			serie: "235",
			motivo:
				"El acta de sorteo 4778 publicada por la Lotería de Cundinamarca da 9727/235; la otra nota citaba un sorteo anterior.",
			evidencia: {
				url: "https://www.loteriadecundinamarca.com.co/actas/4778.pdf",
				sha256: "3b1f6c0e9d8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c",
			},
		},
	});

const PROPUESTA_EJEMPLO = {
	id: "7d3c2b1a-0f9e-4d8c-b7a6-5f4e3d2c1b0a",
	loteria_id: "4c1d2e3f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
	fecha: "2025-11-24",
	numero: "9727",
	serie: "235",
	motivo:
		"El acta de sorteo 4778 publicada por la Lotería de Cundinamarca da 9727/235; la otra nota citaba un sorteo anterior.",
	evidencia: {
		url: "https://www.loteriadecundinamarca.com.co/actas/4778.pdf",
		sha256: "3b1f6c0e9d8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c",
	},
	propuesta_por: "0b6f7c9e-3f5a-4d8e-9a41-7c2d1e5f8a90",
	creada_en: "2025-11-25T13:05:00.000Z",
	estado: "propuesta" as const,
};

export const PropuestaResolucionSchema = z
	.object({
		id: z.uuid(),
		loteria_id: z.uuid(),
		fecha: z.string(),
		numero: z.string(),
		serie: z.string(),
		motivo: z.string(),
		evidencia: z.object({ url: z.string(), sha256: z.string() }).nullable(),
		propuesta_por: z.uuid().openapi({ description: "El admin que la propuso" }),
		creada_en: z.string(),
		estado: z.enum(["propuesta", "confirmada", "sin_efecto"]).openapi({
			description:
				"`propuesta` mientras el sorteo no tenga resultado; `confirmada` si otro admin la confirmó; `sin_efecto` si se confirmó otra",
		}),
		confirmada_por: z.uuid().nullable().optional().openapi({ description: "Solo si `confirmada`" }),
		confirmada_en: z.string().optional().openapi({ description: "Solo si `confirmada`" }),
	})
	.openapi("PropuestaResolucion", { example: PROPUESTA_EJEMPLO });

export const PropuestasResolucionSchema = z
	.object({ items: z.array(PropuestaResolucionSchema) })
	.openapi("PropuestasResolucion", { example: { items: [PROPUESTA_EJEMPLO] } });

export const ResolucionParams = SorteoParams.extend({
	propuesta_id: z.uuid({ error: "Debe ser un UUID" }).openapi({
		param: { name: "propuesta_id", in: "path" },
		example: PROPUESTA_EJEMPLO.id,
	}),
});

export const ResolucionConfirmadaSchema = EstadoResultadoSchema.extend({
	rifas_resueltas: z.array(z.uuid()),
	rifas_por_reintentar: z.array(z.uuid()).openapi({
		description: "Rifas del sorteo que no se pudieron liquidar ahora; el cron las reintenta",
	}),
}).openapi("ResolucionConfirmada", {
	example: {
		loteria_id: "4c1d2e3f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
		fecha: "2025-11-24",
		instante: "2025-11-25T03:30:00.000Z",
		estado: "confirmado",
		numero: "9727",
		serie: "235",
		fuente: "resolucion",
		motivo: PROPUESTA_EJEMPLO.motivo,
		fuentes_requeridas: 2,
		observaciones: [
			{
				fuente: "webhook",
				numero: "9727",
				serie: "235",
				observado_en: "2025-11-25T03:45:10.000Z",
				evidencia: {
					url: null,
					sha256: "9f2c5d0e6b1f4c1a0e3b7d2a8c9e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e",
				},
			},
			{
				fuente: "admin",
				numero: "4801",
				serie: "009",
				observado_en: "2025-11-25T04:02:00.000Z",
				evidencia: { url: "https://www.noticiascaracol.com/economia/", sha256: null },
			},
		],
		rifas_resueltas: ["5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b"],
		rifas_por_reintentar: [],
	},
});

export const postResolucion = createRoute({
	method: "post",
	path: "/loterias/{id}/resultados/{fecha}/resolucion",
	operationId: "proponerResolucionResultado",
	tags,
	summary: "Un admin propone el resultado de un sorteo en conflicto (admin, auditado)",
	description:
		"Primer paso de la resolución: no decide nada. Solo para un resultado `en_conflicto` (409 si no lo está o ya está confirmado). El número y la serie deben ser los de alguna observación del sorteo, o la propuesta debe traer `evidencia` (URL https y SHA-256 del documento oficial): si no, 422 `evidencia_requerida`. Queda registrada, auditada y se alerta a todos los admins. El mismo admin proponiendo el mismo número y serie otra vez recibe su primera propuesta (200). Otro admin la confirma con `POST …/resolucion/{propuesta_id}/confirmacion`.",
	security: BEARER,
	middleware: admin,
	request: { params: SorteoParams, body: jsonBody(PropuestaResolucionBody) },
	responses: {
		201: jsonContent(
			PropuestaResolucionSchema,
			"Propuesta registrada; espera la confirmación de otro admin",
		),
		200: jsonContent(PropuestaResolucionSchema, "La misma propuesta de este admin, ya registrada"),
		...errorResponses(400, 401, 403, 404, 409, 415, 422),
		...defaultErrorResponses,
	},
});

export const getPropuestas = createRoute({
	method: "get",
	path: "/loterias/{id}/resultados/{fecha}/resolucion",
	operationId: "listPropuestasResolucion",
	tags,
	summary: "Propuestas de resolución de un sorteo (admin)",
	description:
		"Todas las propuestas del sorteo, la más antigua primero, con su estado: `propuesta`, `confirmada` o `sin_efecto` (se confirmó otra).",
	security: BEARER,
	middleware: admin,
	request: { params: SorteoParams },
	responses: {
		200: jsonContent(PropuestasResolucionSchema, "Propuestas del sorteo"),
		...errorResponses(401, 403, 404, 422),
		...defaultErrorResponses,
	},
});

export const postConfirmacion = createRoute({
	method: "post",
	path: "/loterias/{id}/resultados/{fecha}/resolucion/{propuesta_id}/confirmacion",
	operationId: "confirmarResolucionResultado",
	tags,
	summary: "Otro admin confirma una propuesta de resolución (admin, auditado)",
	description:
		"Segundo paso, sin cuerpo: un admin distinto del que propuso confirma esa propuesta. Solo entonces se escribe el resultado (`fuente: resolucion`, con los dos admins, el motivo y la evidencia) y se liquidan las rifas cerradas del sorteo; las demás propuestas quedan `sin_efecto`. Quien propuso no puede confirmar su propia propuesta (403). Una segunda confirmación, o una confirmación cuando el sorteo ya tiene resultado, es un 409 y no escribe nada; de dos confirmaciones simultáneas solo una escribe el resultado.",
	security: BEARER,
	middleware: admin,
	request: { params: ResolucionParams },
	responses: {
		200: jsonContent(ResolucionConfirmadaSchema, "Resultado confirmado por dos admins"),
		...errorResponses(401, 403, 404, 409, 422),
		...defaultErrorResponses,
	},
});
