import { createRoute, z } from "@hono/zod-openapi";
import { optionalAuth, requireAuth, requireRole, STAFF } from "../../auth/auth.middleware";
import { ReglasSchema } from "../../domain/reglas";
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
import {
	CancelarBody,
	RifaCreateBody,
	RifaDetalleSchema,
	RifaPatchBody,
	RifaSchema,
} from "../../services/rifas.dto";
import { RifaFilters } from "./rifas.schemas";

const tags = ["rifas"];
const staff = [requireAuth, requireRole(...STAFF)];

export const list = createRoute({
	method: "get",
	path: "/rifas",
	operationId: "listRifas",
	tags,
	summary: "Listar rifas (público), con filtros",
	request: { query: PageQuery.extend(RifaFilters.shape) },
	responses: {
		200: jsonContent(paginated(RifaSchema, "RifaPage"), "Página de rifas"),
		...errorResponses(422),
		...defaultErrorResponses,
	},
});

export const create = createRoute({
	method: "post",
	path: "/rifas",
	operationId: "createRifa",
	tags,
	summary: "Crear una rifa (admin/operador); nace `pendiente`",
	security: BEARER,
	middleware: staff,
	request: { body: jsonBody(RifaCreateBody) },
	responses: {
		201: jsonContent(RifaSchema, "Rifa creada"),
		...errorResponses(400, 401, 403, 415, 422),
		...defaultErrorResponses,
	},
});

export const get = createRoute({
	method: "get",
	path: "/rifas/{id}",
	operationId: "getRifa",
	tags,
	summary: "Ver una rifa (público), con la cuenta para pagarla por transferencia",
	request: { params: IdParam },
	responses: {
		200: jsonContent(RifaDetalleSchema, "Rifa"),
		...errorResponses(404, 422),
		...defaultErrorResponses,
	},
});

export const patch = createRoute({
	method: "patch",
	path: "/rifas/{id}",
	operationId: "updateRifa",
	tags,
	summary: "Modificar una rifa o cambiar su estado (admin, u operador que la creó)",
	description:
		"Los campos estructurales (categoría, lotería, total_boletas, numero_ganadores, reglas, fecha_sorteo, premio_garantizado) quedan fijos cuando hay números reservados o vendidos. Desde que la venta termina (pasó `fecha_fin`, la rifa ya no está pendiente ni activa, o su registro se selló) ningún campo cambia: 409 con `code: rifa_sellada` por campo; antes, `fecha_fin` puede moverse mientras la venta cierre `MINUTOS_CIERRE_ANTES_SORTEO` antes del sorteo. `premio_garantizado: true` solo lo pone un admin (403). Transiciones: pendiente→activa|cancelada, activa→cerrada|cancelada, cerrada→cancelada; las demás dan 409.",
	security: BEARER,
	middleware: staff,
	request: { params: IdParam, body: jsonBody(RifaPatchBody) },
	responses: {
		200: jsonContent(RifaSchema, "Rifa modificada"),
		...errorResponses(400, 401, 403, 404, 409, 415, 422),
		...defaultErrorResponses,
	},
});

export const cerrar = createRoute({
	method: "post",
	path: "/rifas/{id}/cerrar",
	operationId: "closeRifa",
	tags,
	summary: "Cerrar la venta ahora (admin, u operador que la creó)",
	description:
		"Detiene la venta en el objeto de la rifa y libera las reservas sin pagar. Cerrar una rifa ya cerrada no cambia nada. Si el sorteo ya ocurrió, la liquida enseguida (responde `resuelta`); si la liquidación falla, responde 200 con la rifa `cerrada` y el cron la reintenta.",
	security: BEARER,
	middleware: staff,
	request: { params: IdParam },
	responses: {
		200: jsonContent(RifaSchema, "Rifa cerrada"),
		...errorResponses(401, 403, 404, 409, 422),
		...defaultErrorResponses,
	},
});

const ResultadosSchema = z
	.object({
		rifa_id: z.uuid(),
		estado: z.string(),
		resultado: z
			.object({
				numero: z.string(),
				serie: z.string().nullable(),
				fecha: z.string(),
				fuente: z.string(),
			})
			.nullable()
			.openapi({
				example: { numero: "3649", serie: "188", fecha: "2026-01-15", fuente: "mock:bogota" },
			}),
		ganadores: z.array(
			z.object({
				ticket_id: z.uuid(),
				numero: z.number().int(),
				posicion: z.number().int(),
				monto_ganado: z.number().int().openapi({ description: "Centavos de COP" }),
				estado_pago: z.enum(["pendiente", "pagado", "fallido"]),
				fecha_pago: z.string().nullable(),
				por_cercania: z.boolean(),
				usuario_id: z
					.uuid()
					.optional()
					.openapi({ description: "Solo para admin o el propio ganador" }),
			}),
		),
		desglose: z.record(z.string(), z.unknown()).nullable(),
	})
	.openapi("Resultados");

export const resultados = createRoute({
	method: "get",
	path: "/rifas/{id}/resultados",
	operationId: "getRifaResults",
	tags,
	summary: "Resultado de la lotería, ganadores y desglose del premio (público)",
	description:
		"Sin identidad de los compradores, salvo para un admin o para el propio ganador (con token).",
	middleware: [optionalAuth],
	request: { params: IdParam },
	responses: {
		200: jsonContent(ResultadosSchema, "Resultados"),
		...errorResponses(401, 404, 422),
		...defaultErrorResponses,
	},
});

const ReglasPremioPatch = z
	.strictObject({
		base_premio: ReglasSchema.shape.base_premio.unwrap().optional(),
		reparto_bps: ReglasSchema.shape.reparto_bps.unwrap().optional(),
		numero_no_vendido: ReglasSchema.shape.numero_no_vendido.unwrap().optional(),
	})
	.openapi({
		description:
			"Ya no se aceptan: las reglas quedaron selladas con la rifa (409 `reglas_selladas`).",
		deprecated: true,
	});

export const RecalcularBody = z
	.strictObject({
		motivo: z
			.string()
			.trim()
			.min(3, "Explique el motivo del recálculo")
			.max(500)
			.openapi({ description: "Queda en la auditoría" }),
		reglas: ReglasPremioPatch.optional(),
	})
	.openapi("Recalcular", {
		example: { motivo: "La liquidación guardada no sigue las reglas selladas" },
	});

export const recalcular = createRoute({
	method: "post",
	path: "/rifas/{id}/recalcular",
	operationId: "recalculateRifa",
	tags,
	summary: "Recalcular los premios de una rifa resuelta (admin)",
	description:
		"Vuelve a calcular ganadores y montos con el resultado guardado, la definición sellada (reglas, precio y promesa de la categoría) y las boletas del registro sellado, como la liquidación: repara una liquidación guardada que no las siga. Las reglas quedaron selladas al terminar la venta: enviar `reglas` da 409 con `code: reglas_selladas`. Si nada cambia no escribe nada (`cambios: false`). 409 si ya salió el pago de algún premio, o si cambia el acumulado y la rifa que lo recibió (`desglose.acumula_a`) ya se liquidó.",
	security: BEARER,
	middleware: [requireAuth, requireRole("admin")],
	request: { params: IdParam, body: jsonBody(RecalcularBody) },
	responses: {
		200: jsonContent(
			ResultadosSchema.extend({ cambios: z.boolean() }).openapi("Recalculo"),
			"Resultados tras el recálculo",
		),
		...errorResponses(400, 401, 403, 404, 409, 415, 422, 503),
		...defaultErrorResponses,
	},
});

export const cancelar = createRoute({
	method: "post",
	path: "/rifas/{id}/cancelar",
	operationId: "cancelRifa",
	tags,
	summary: "Cancelar la rifa y reembolsar a cada comprador (admin, u operador que la creó)",
	description:
		'Igual que `PATCH {"estado": "cancelada"}`: detiene la venta, libera reservas y reembolsa cada compra pagada por su proveedor; los reembolsos que fallen se reintentan. Antes de `fecha_fin` la cancela su operador o un admin; desde `fecha_fin` solo un admin, con `motivo`, y solo mientras no exista ninguna observación del resultado de su sorteo (409). Desde el instante del sorteo (`fecha_sorteo`) nadie la cancela: 409 con `code: sorteo_realizado`, aunque aún no se haya registrado el resultado (la lotería lo publica al sortear). El acumulado asignado a la rifa pasa a la siguiente de la categoría por `fecha_sorteo` (o queda sin asignar en la categoría).',
	security: BEARER,
	middleware: staff,
	request: {
		params: IdParam,
		body: { ...jsonBody(CancelarBody), required: false },
	},
	responses: {
		200: jsonContent(RifaSchema, "Rifa cancelada"),
		...errorResponses(400, 401, 403, 404, 409, 415, 422),
		...defaultErrorResponses,
	},
});
