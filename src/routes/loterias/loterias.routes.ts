import { createRoute } from "@hono/zod-openapi";
import { catalogRoutes } from "../../lib/catalog-routes";
import { defaultErrorResponses, errorResponses, IdParam, jsonContent } from "../../lib/openapi";
import {
	LoteriaCreateBody,
	LoteriaPatchBody,
	LoteriaQuery,
	LoteriaSchema,
	MAX_RANGO_SORTEOS_DIAS,
	SorteosQuery,
	SorteosSchema,
} from "./loterias.schemas";

export const { list, create, get, patch, remove } = catalogRoutes({
	resource: "loterias",
	name: "Loteria",
	item: LoteriaSchema,
	create: LoteriaCreateBody,
	patch: LoteriaPatchBody,
	query: LoteriaQuery,
	// A loteria is shared by every operador's rifas: its calendar and results sources are the admins'.
	writers: ["admin"],
	patchDescription:
		"Mientras alguna rifa de la lotería esté pendiente, activa o cerrada, sus fuentes de resultados (`meta`, `fuentes`, `fuentes_requeridas`) no cambian (409), y su horario (`frecuencia`, `dia_sorteo`, `hora_sorteo`, `movimientos`) solo mueve el sorteo de esas rifas cuando la lotería lo movió de verdad: el sorteo conserva su fecha nominal, aún no ha ocurrido y la venta de cada rifa cierra `MINUTOS_CIERRE_ANTES_SORTEO` antes del nuevo instante; entonces las rifas lo siguen (su `fecha_sorteo` cambia, auditado como `rifa.sorteo_movido`). Si no, 409 con las rifas afectadas y `code` `sorteo_movido`, `sorteo_realizado` o `cierre_tardio`. Un movimiento para una fecha que ninguna rifa usa se acepta. Cada cambio queda en la auditoría con el antes y el después.",
});

export const sorteos = createRoute({
	method: "get",
	path: "/loterias/{id}/sorteos",
	operationId: "listSorteosLoteria",
	tags: ["loterias"],
	summary: "Calendario de sorteos de una lotería (público)",
	description: `Los sorteos cuya fecha de Colombia está entre \`desde\` y \`hasta\` (incluidas, a lo sumo ${MAX_RANGO_SORTEOS_DIAS} días): el horario de la lotería, corrido al siguiente día hábil (ni domingo ni festivo) cuando cae en festivo, salvo que la lotería haya publicado otro movimiento. Ver docs/sorteos.md, "Calendario".`,
	request: { params: IdParam, query: SorteosQuery },
	responses: {
		200: jsonContent(SorteosSchema, "Sorteos en orden"),
		...errorResponses(404, 422),
		...defaultErrorResponses,
	},
});
