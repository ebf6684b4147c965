import { createRoute } from "@hono/zod-openapi";
import { requireAuth, requireRole, STAFF } from "../../auth/auth.middleware";
import { BEARER, defaultErrorResponses, errorResponses, jsonContent } from "../../lib/openapi";
import {
	IngresosQuery,
	IngresosSchema,
	MAX_DIAS_REPORTE,
	ParticipacionQuery,
	ParticipacionSchema,
} from "./reportes.schemas";

const tags = ["reportes"];
const staff = [requireAuth, requireRole(...STAFF)];

export const ingresos = createRoute({
	method: "get",
	path: "/admin/reportes/ingresos",
	operationId: "getReporteIngresos",
	tags,
	summary: "Ingresos, premios y reembolsos de un periodo (admin/operador)",
	description: `Totales, por día y por categoría, de \`desde\` a \`hasta\` (ambos incluidos, como máximo ${MAX_DIAS_REPORTE} días). Los días son de Colombia (America/Bogota, UTC−5, sin horario de verano): una venta del 2026-01-06T04:30Z cuenta el 2026-01-05. Cada monto va en centavos de COP (entero) y como texto es-CO. Ventas por fecha de compra; reembolsos por fecha del reembolso; rake y premios causados por fecha de liquidación; premios pagados por fecha de pago. \`neto\` = ventas_brutas − reembolsos − premios_causados. Un operador ve solo las rifas que creó.`,
	security: BEARER,
	middleware: staff,
	request: { query: IngresosQuery },
	responses: {
		200: jsonContent(IngresosSchema, "Reporte de ingresos"),
		...errorResponses(401, 403, 422),
		...defaultErrorResponses,
	},
});

export const participacion = createRoute({
	method: "get",
	path: "/admin/reportes/participacion",
	operationId: "getReporteParticipacion",
	tags,
	summary: "Participación en una rifa: números, compradores, ventas por día (admin/operador)",
	description:
		"Vendidos, reservados y libres salen del objeto de la rifa (la autoridad sobre sus números, la única que conoce las reservas); compradores y ventas por día, de las boletas vendidas. Los días son de Colombia (America/Bogota, UTC−5). Un operador ve solo las rifas que creó.",
	security: BEARER,
	middleware: staff,
	request: { query: ParticipacionQuery },
	responses: {
		200: jsonContent(ParticipacionSchema, "Reporte de participación"),
		...errorResponses(401, 403, 404, 422),
		...defaultErrorResponses,
	},
});
