import type { Context } from "hono";
import type { AppBindings, AppRouteHandler } from "../../lib/types";
import {
	type Actor,
	comprobanteFile,
	getComprobante,
	listComprobantes,
	uploadComprobante,
} from "../../services/comprobantes.service";
import {
	approveComprobante,
	rejectComprobante,
} from "../../services/comprobantes-revision.service";
import type { aprobar, archivo, listar, rechazar, subir, ver } from "./comprobantes.routes";

const actorOf = (c: Context<AppBindings>): Actor => ({
	env: c.env,
	db: c.var.db,
	me: c.var.user,
	requestId: c.var.requestId,
});

export const subirHandler: AppRouteHandler<typeof subir> = async (c) => {
	const { id, transaccion_id } = c.req.valid("param");
	const form = c.req.valid("form");
	return c.json(await uploadComprobante(actorOf(c), id, transaccion_id, form), 201);
};

export const listarHandler: AppRouteHandler<typeof listar> = async (c) => {
	const { estado, rifa_id, ...page } = c.req.valid("query");
	return c.json(await listComprobantes(actorOf(c), { estado, rifa_id }, page), 200);
};

export const verHandler: AppRouteHandler<typeof ver> = async (c) =>
	c.json(await getComprobante(actorOf(c), c.req.valid("param").id), 200);

export const archivoHandler: AppRouteHandler<typeof archivo> = async (c) => {
	const file = await comprobanteFile(actorOf(c), c.req.valid("param").id);
	return new Response(file.body, {
		status: 200,
		headers: {
			"Content-Type": file.tipo,
			"Content-Length": String(file.size),
			"Content-Disposition": `inline; filename="${file.nombre}"`,
			// A buyer's payment details: never kept by a shared cache, nor by the browser.
			"Cache-Control": "private, no-store",
			"X-Content-Type-Options": "nosniff",
		},
	}) as never;
};

export const aprobarHandler: AppRouteHandler<typeof aprobar> = async (c) =>
	c.json(await approveComprobante(actorOf(c), c.req.valid("param").id), 200);

export const rechazarHandler: AppRouteHandler<typeof rechazar> = async (c) => {
	const { motivo } = c.req.valid("json");
	return c.json(await rejectComprobante(actorOf(c), c.req.valid("param").id, motivo), 200);
};
