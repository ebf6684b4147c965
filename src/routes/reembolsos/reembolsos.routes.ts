import { createRoute } from "@hono/zod-openapi";
import { requireAuth, requireRole } from "../../auth/auth.middleware";
import {
	BEARER,
	defaultErrorResponses,
	errorResponses,
	IdParam,
	jsonBody,
	jsonContent,
} from "../../lib/openapi";
import {
	EntregaEfectivoBody,
	ReembolsoSchema,
	ReembolsosPage,
	ReembolsosQuery,
} from "./reembolsos.schemas";

const tags = ["cajas"];
const staff = [requireAuth, requireRole("vendedor", "operador", "admin")];

export const listar = createRoute({
	method: "get",
	path: "/reembolsos",
	operationId: "listRefundsForStaff",
	tags,
	summary: "Reembolsos manuales que me tocan (personal), los más antiguos primero",
	description:
		"Un admin ve todos; un operador, los de sus rifas; un vendedor, los de las compras que vendió. Los de `proveedor` `efectivo` o `abonos` se pueden devolver en persona (`POST /reembolsos/{id}/entrega-efectivo`).",
	security: BEARER,
	middleware: staff,
	request: { query: ReembolsosQuery },
	responses: {
		200: jsonContent(ReembolsosPage, "Página de reembolsos"),
		...errorResponses(401, 403, 422),
		...defaultErrorResponses,
	},
});

export const entregaEfectivo = createRoute({
	method: "post",
	path: "/reembolsos/{id}/entrega-efectivo",
	operationId: "handCashRefund",
	tags,
	summary: "Registrar que devolví en efectivo, en persona, un reembolso",
	description:
		"Quien vende en la rifa (un vendedor de su operador, el operador o un admin) devolvió el dinero en persona: el reembolso queda hecho con la referencia `efectivo:<su id>`, una sola vez, auditado, se avisa al comprador y el efectivo sale de la caja abierta de quien llama (movimiento `reembolso:<id>`, negativo), todo en un mismo paso. Solo para compras pagadas en persona (`efectivo`, `abonos`; otras: 422, la transferencia la registra un admin). Repetir quien ya lo entregó: 200 con el mismo reembolso; si ya se devolvió de otra forma: 409.",
	security: BEARER,
	middleware: staff,
	request: { params: IdParam, body: jsonBody(EntregaEfectivoBody) },
	responses: {
		200: jsonContent(ReembolsoSchema, "Reembolso devuelto en efectivo"),
		...errorResponses(400, 401, 403, 404, 409, 415, 422),
		...defaultErrorResponses,
	},
});
