import { createRoute } from "@hono/zod-openapi";
import { requireAuth, requireRole, STAFF } from "../../auth/auth.middleware";
import {
	BEARER,
	errorResponses,
	IdParam,
	jsonBody,
	jsonContent,
	PageQuery,
	paginated,
} from "../../lib/openapi";
import { RifaCreateBody, RifaFilters, RifaPatchBody, RifaSchema } from "./rifas.schemas";

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
	},
});

export const get = createRoute({
	method: "get",
	path: "/rifas/{id}",
	operationId: "getRifa",
	tags,
	summary: "Ver una rifa (público)",
	request: { params: IdParam },
	responses: {
		200: jsonContent(RifaSchema, "Rifa"),
		...errorResponses(404, 422),
	},
});

export const patch = createRoute({
	method: "patch",
	path: "/rifas/{id}",
	operationId: "updateRifa",
	tags,
	summary: "Modificar una rifa o cambiar su estado (admin, u operador que la creó)",
	description:
		"Los campos estructurales (categoría, lotería, total_boletas, numero_ganadores, reglas, fecha_sorteo) quedan fijos cuando hay números reservados o vendidos. Transiciones: pendiente→activa|cancelada, activa→cerrada|cancelada, cerrada→cancelada; las demás dan 409.",
	security: BEARER,
	middleware: staff,
	request: { params: IdParam, body: jsonBody(RifaPatchBody) },
	responses: {
		200: jsonContent(RifaSchema, "Rifa modificada"),
		...errorResponses(400, 401, 403, 404, 409, 415, 422),
	},
});

export const cerrar = createRoute({
	method: "post",
	path: "/rifas/{id}/cerrar",
	operationId: "closeRifa",
	tags,
	summary: "Cerrar la venta ahora (admin, u operador que la creó)",
	description:
		"Detiene la venta en el objeto de la rifa y libera las reservas sin pagar. Cerrar una rifa ya cerrada no cambia nada.",
	security: BEARER,
	middleware: staff,
	request: { params: IdParam },
	responses: {
		200: jsonContent(RifaSchema, "Rifa cerrada"),
		...errorResponses(401, 403, 404, 409, 422),
	},
});
