import { executionContext } from "../../lib/create-app";
import type { AppRouteHandler } from "../../lib/types";
import { despacharLuego } from "../../notificaciones/avisos";
import { entregarEfectivo, listarReembolsos } from "../../services/reembolsos.service";
import type { entregaEfectivo, listar } from "./reembolsos.routes";

export const listarHandler: AppRouteHandler<typeof listar> = async (c) => {
	const { estado, rifa_id, ...page } = c.req.valid("query");
	return c.json(await listarReembolsos(c.var.db, { estado, rifa_id }, page, c.var.user), 200);
};

export const entregaEfectivoHandler: AppRouteHandler<typeof entregaEfectivo> = async (c) => {
	const { id } = c.req.valid("param");
	const { reembolso, nuevo } = await entregarEfectivo(
		c.var.db,
		c.env.DB,
		c.var.user,
		id,
		c.req.valid("json").nota,
		c.var.requestId,
	);
	// The buyer hears of it now; the cron sends it otherwise.
	if (nuevo) await despacharLuego(c.env, c.var.db, executionContext(c), [`reembolso_hecho:${id}`]);
	return c.json(reembolso, 200);
};
