import { eq } from "drizzle-orm";
import type { Context } from "hono";
import { rifas } from "../../db/schema";
import { forbidden, notFound, RIFA, t } from "../../lib/errors";
import type { AppBindings, AppRouteHandler } from "../../lib/types";
import {
	ingresos,
	type Montos,
	participacion,
	ZONA_HORARIA,
} from "../../services/reportes.service";
import type {
	ingresos as ingresosRoute,
	participacion as participacionRoute,
} from "./reportes.routes";
import { dinero, porcentaje } from "./reportes.schemas";

const montos = (m: Montos) => ({
	ventas_brutas: dinero(m.ventas_brutas),
	reembolsos: dinero(m.reembolsos),
	rake: dinero(m.rake),
	premios_causados: dinero(m.premios_causados),
	premios_pagados: dinero(m.premios_pagados),
	premios_por_pagar: dinero(m.premios_por_pagar),
	neto: dinero(m.neto),
});

/** With LOG_LEVEL=debug, what each report cost in D1's billing unit. */
const logRowsRead = (c: Context<AppBindings>, reporte: string, rowsRead: number) =>
	c.var.logger.debug("reporte", { reporte, d1_rows_read: rowsRead });

export const ingresosHandler: AppRouteHandler<typeof ingresosRoute> = async (c) => {
	const { desde, hasta } = c.req.valid("query");
	const me = c.var.user;
	const operadorId = me.rol === "admin" ? null : me.id;
	const r = await ingresos(c.env.DB, desde, hasta, operadorId);
	logRowsRead(c, "ingresos", r.filasLeidas);
	return c.json(
		{
			desde,
			hasta,
			zona_horaria: ZONA_HORARIA,
			alcance: operadorId ? ("propias" as const) : ("todas" as const),
			totales: montos(r.totales),
			por_dia: r.porDia.map(({ dia, ...m }) => ({ dia, ...montos(m) })),
			por_categoria: r.porCategoria.map(({ categoriaId, nombre, ...m }) => ({
				categoria_id: categoriaId,
				categoria: nombre,
				...montos(m),
			})),
		},
		200,
	);
};

export const participacionHandler: AppRouteHandler<typeof participacionRoute> = async (c) => {
	const { rifa_id } = c.req.valid("query");
	const rifa = await c.var.db.query.rifas.findFirst({
		columns: { id: true, nombre: true, estado: true, creadoPor: true },
		where: eq(rifas.id, rifa_id),
	});
	if (!rifa) throw notFound(RIFA);
	const me = c.var.user;
	if (me.rol !== "admin" && rifa.creadoPor !== me.id) {
		throw forbidden(
			t(
				"Un operador solo puede ver los reportes de las rifas que creó.",
				"An operador can only see the reports of the rifas it created.",
			),
		);
	}
	const r = await participacion(c.env, rifa.id);
	if (!r) throw notFound(RIFA);
	logRowsRead(c, "participacion", r.filasLeidas);
	return c.json(
		{
			rifa_id: rifa.id,
			nombre: rifa.nombre,
			estado: rifa.estado,
			zona_horaria: ZONA_HORARIA,
			numeros: r.numeros,
			porcentaje_vendido: porcentaje(r.vendidosBps),
			compradores_unicos: r.compradoresUnicos,
			recaudo: dinero(r.recaudo),
			ventas_por_dia: r.ventasPorDia.map((d) => ({
				dia: d.dia,
				boletas: d.boletas,
				monto: dinero(d.monto),
			})),
			boletas_por_comprador: r.boletasPorComprador,
		},
		200,
	);
};
