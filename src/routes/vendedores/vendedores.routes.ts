import { createRoute } from "@hono/zod-openapi";
import { requireAuth, requireRole, STAFF } from "../../auth/auth.middleware";
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
import { VendedorBody, VendedoresQuery, VendedorSchema } from "./vendedores.schemas";

const tags = ["vendedores"];
const staff = [requireAuth, requireRole(...STAFF)];

export const crear = createRoute({
	method: "post",
	path: "/vendedores",
	operationId: "createVendedor",
	tags,
	summary: "Crear un vendedor (operador o admin)",
	description:
		"Un usuario con rol `vendedor` que pertenece a un operador: vende en persona (efectivo, clientes sin cuenta) solo en las rifas de ese operador, y ve solo sus ventas y su caja. Un operador crea los suyos; un admin indica `operador_id`. Correo ya usado: 409.",
	security: BEARER,
	middleware: staff,
	request: { body: jsonBody(VendedorBody) },
	responses: {
		201: jsonContent(VendedorSchema, "Vendedor creado"),
		...errorResponses(400, 401, 403, 409, 415, 422),
		...defaultErrorResponses,
	},
});

export const listar = createRoute({
	method: "get",
	path: "/vendedores",
	operationId: "listVendedores",
	tags,
	summary: "Los vendedores de un operador (operador o admin)",
	description:
		"Un operador ve los suyos; un admin, todos o los de `operador_id`. Los más recientes primero.",
	security: BEARER,
	middleware: staff,
	request: { query: PageQuery.extend(VendedoresQuery.shape) },
	responses: {
		200: jsonContent(paginated(VendedorSchema, "VendedoresPage"), "Vendedores"),
		...errorResponses(400, 401, 403, 422),
		...defaultErrorResponses,
	},
});

export const desactivar = createRoute({
	method: "post",
	path: "/vendedores/{id}/desactivacion",
	operationId: "deactivateVendedor",
	tags,
	summary: "Desactivar un vendedor (su operador o un admin)",
	description:
		"Deja de poder iniciar sesión y su token deja de valer en el acto; una venta que ya estaba en curso termina o no, pero nunca a medias. Sus cajas quedan como estaban para cerrarlas y confirmarlas. Repetir no cambia nada.",
	security: BEARER,
	middleware: staff,
	request: { params: IdParam },
	responses: {
		200: jsonContent(VendedorSchema, "Vendedor desactivado"),
		...errorResponses(401, 403, 404, 422),
		...defaultErrorResponses,
	},
});
