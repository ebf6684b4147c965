import { createRoute, z } from "@hono/zod-openapi";
import { requireAuth, requireRole } from "../../auth/auth.middleware";
import { EsquemaComisionSchema } from "../../cajas/comision";
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
	CuentaOperadorSchema,
	CuentaTransferenciaBody,
} from "../../services/cuentas-transferencia.service";
import { IDEMPOTENCY_KEY } from "../tickets/tickets.schemas";
import {
	AjusteBody,
	CajaDetalleSchema,
	CajaSchema,
	CajasQuery,
	CierreBody,
	MovimientoSchema,
	ResumenSchema,
} from "./cajas.schemas";

const tags = ["cajas"];
const vende = [requireAuth, requireRole("vendedor", "operador", "admin")];
const staff = [requireAuth, requireRole("operador", "admin")];

export const actual = createRoute({
	method: "get",
	path: "/cajas/actual",
	operationId: "getCajaActual",
	tags,
	summary: "Mi caja de hoy (quien vende en persona)",
	description:
		"La caja abierta del día colombiano a la que irá la próxima venta en efectivo de quien llama (se abre si no la hay): ventas, abonos y reembolsos en efectivo, comisión ganada y lo que hay que entregar. Cerrada la de hoy, la próxima es la de mañana.",
	security: BEARER,
	middleware: vende,
	responses: {
		200: jsonContent(CajaSchema, "La caja abierta"),
		...errorResponses(401, 403),
		...defaultErrorResponses,
	},
});

export const resumen = createRoute({
	method: "get",
	path: "/cajas/resumen",
	operationId: "resumenCajas",
	tags,
	summary: "Efectivo por vendedor, rifa y día (reporte del operador)",
	description:
		"Por cada vendedor, rifa y día colombiano de caja: ventas, abonos, reembolsos y ajustes en efectivo (centavos) y las boletas pagadas del todo. Un operador ve sus vendedores; un vendedor, lo suyo; un admin, todo. Hasta 1000 filas, las más recientes primero; filtre por `desde`/`hasta`.",
	security: BEARER,
	middleware: vende,
	request: { query: CajasQuery.pick({ vendedor_id: true, desde: true, hasta: true }) },
	responses: {
		200: jsonContent(z.object({ items: z.array(ResumenSchema) }), "Resumen"),
		...errorResponses(400, 401, 403, 422),
		...defaultErrorResponses,
	},
});

export const listar = createRoute({
	method: "get",
	path: "/cajas",
	operationId: "listCajas",
	tags,
	summary: "Cajas por vendedor y día",
	description:
		"Un vendedor ve las suyas; un operador las de sus vendedores (y las propias); un admin todas. Filtros por vendedor, estado y días colombianos (`desde`/`hasta`, inclusive). Las más recientes primero.",
	security: BEARER,
	middleware: vende,
	request: { query: PageQuery.extend(CajasQuery.shape) },
	responses: {
		200: jsonContent(paginated(CajaSchema, "CajasPage"), "Cajas"),
		...errorResponses(400, 401, 403, 422),
		...defaultErrorResponses,
	},
});

export const detalle = createRoute({
	method: "get",
	path: "/cajas/{id}",
	operationId: "getCaja",
	tags,
	summary: "Una caja con sus movimientos",
	security: BEARER,
	middleware: vende,
	request: { params: IdParam },
	responses: {
		200: jsonContent(CajaDetalleSchema, "La caja"),
		...errorResponses(401, 403, 404, 422),
		...defaultErrorResponses,
	},
});

export const cierre = createRoute({
	method: "post",
	path: "/cajas/{id}/cierre",
	operationId: "closeCaja",
	tags,
	summary: "Cerrar mi caja con lo contado (el vendedor)",
	description:
		"Congela el cuadre y registra `contado`; la diferencia queda como faltante o sobrante. Una caja cerrada no cambia nunca: una venta que llega después va a la siguiente caja, y una corrección es un ajuste en la siguiente. Repetir con el mismo `contado`: 200 sin cambios; con otro: 409.",
	security: BEARER,
	middleware: vende,
	request: { params: IdParam, body: jsonBody(CierreBody) },
	responses: {
		200: jsonContent(CajaSchema, "Caja cerrada"),
		...errorResponses(400, 401, 403, 404, 409, 415, 422),
		...defaultErrorResponses,
	},
});

export const confirmacion = createRoute({
	method: "post",
	path: "/cajas/{id}/confirmacion",
	operationId: "confirmCaja",
	tags,
	summary: "Confirmar que recibí la caja (el operador)",
	description: "Solo una caja cerrada; repetir no cambia nada. Abierta: 409.",
	security: BEARER,
	middleware: staff,
	request: { params: IdParam },
	responses: {
		200: jsonContent(CajaSchema, "Caja confirmada"),
		...errorResponses(401, 403, 404, 409, 422),
		...defaultErrorResponses,
	},
});

export const ajuste = createRoute({
	method: "post",
	path: "/cajas/ajustes",
	operationId: "adjustCaja",
	tags,
	summary: "Corregir con un ajuste en la caja abierta de un vendedor (su operador o un admin)",
	description:
		"Un monto (positivo: el vendedor debe más; negativo: menos) con su motivo, en la caja abierta del vendedor; auditado. Con Idempotency-Key: repetir no suma dos veces.",
	security: BEARER,
	middleware: staff,
	request: {
		headers: z.object({ "idempotency-key": IDEMPOTENCY_KEY }),
		body: jsonBody(AjusteBody),
	},
	responses: {
		201: jsonContent(MovimientoSchema, "Ajuste registrado"),
		...errorResponses(400, 401, 403, 415, 422),
		...defaultErrorResponses,
	},
});

export const verComision = createRoute({
	method: "get",
	path: "/operadores/{id}/comision",
	operationId: "getComision",
	tags,
	summary: "El esquema de comisión de un operador",
	description:
		"El operador mismo, sus vendedores o un admin. Sin esquema: `null` (no hay comisión).",
	security: BEARER,
	middleware: vende,
	request: { params: IdParam },
	responses: {
		200: jsonContent(z.object({ esquema: EsquemaComisionSchema.nullable() }), "Esquema"),
		...errorResponses(401, 403, 422),
		...defaultErrorResponses,
	},
});

export const fijarComision = createRoute({
	method: "put",
	path: "/operadores/{id}/comision",
	operationId: "putComision",
	tags,
	summary: "Fijar la comisión por boleta pagada de los vendedores de un operador",
	description:
		"`tramos`: la tarifa del tramo al que llega el conteo de boletas pagadas del vendedor en la rifa, para todas sus boletas (retroactiva; el último tramo sin `hasta`); `porcentaje`: puntos básicos del precio, redondeado hacia abajo al centavo. Vale para lo que se cuadre desde ahora; las cajas cerradas conservan su comisión. Auditado.",
	security: BEARER,
	middleware: staff,
	request: { params: IdParam, body: jsonBody(z.object({ esquema: EsquemaComisionSchema })) },
	responses: {
		200: jsonContent(z.object({ esquema: EsquemaComisionSchema }), "Esquema fijado"),
		...errorResponses(400, 401, 403, 415, 422),
		...defaultErrorResponses,
	},
});

export const verCuentaTransferencia = createRoute({
	method: "get",
	path: "/operadores/{id}/cuenta-transferencia",
	operationId: "getCuentaTransferencia",
	tags,
	summary: "La cuenta a la que transfieren los compradores de un operador",
	description:
		"El operador mismo o un admin. Sin cuenta: `null`, y sus rifas no aceptan compras por transferencia.",
	security: BEARER,
	middleware: staff,
	request: { params: IdParam },
	responses: {
		200: jsonContent(z.object({ cuenta: CuentaOperadorSchema.nullable() }), "Cuenta"),
		...errorResponses(401, 403, 404, 422),
		...defaultErrorResponses,
	},
});

export const fijarCuentaTransferencia = createRoute({
	method: "put",
	path: "/operadores/{id}/cuenta-transferencia",
	operationId: "putCuentaTransferencia",
	tags,
	summary: "Fijar la cuenta a la que transfieren los compradores de un operador",
	description:
		"El operador mismo o un admin; auditado. Banco, tipo (`ahorros`, `corriente`, `deposito_electronico` como Nequi o Daviplata), número (6 a 20 dígitos; espacios y guiones se quitan), titular, y opcionales el documento del titular y una llave Bre-B de la misma cuenta (celular, cédula o código de comercio, correo o alias @…). Se muestra en `GET /rifas/{id}` de cada rifa del operador como `cuenta_transferencia`.",
	security: BEARER,
	middleware: staff,
	request: { params: IdParam, body: jsonBody(CuentaTransferenciaBody) },
	responses: {
		200: jsonContent(z.object({ cuenta: CuentaOperadorSchema }), "Cuenta fijada"),
		...errorResponses(400, 401, 403, 404, 415, 422),
		...defaultErrorResponses,
	},
});
