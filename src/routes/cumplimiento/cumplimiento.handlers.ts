import type { Context } from "hono";
import {
	type Actor,
	archivoDePremio,
	crearPremio,
	eliminarPremio,
	fijarAutorizacion,
	fijarGarantia,
	verCumplimiento,
} from "../../cumplimiento/servicio";
import type { AppBindings, AppRouteHandler } from "../../lib/types";
import type {
	archivo,
	autorizacion,
	crearPremio as crearPremioRoute,
	eliminarPremio as eliminarPremioRoute,
	garantia,
	ver,
} from "./cumplimiento.routes";

const actorOf = (c: Context<AppBindings>): Actor => ({
	env: c.env,
	db: c.var.db,
	me: c.var.user,
	requestId: c.var.requestId,
});

export const verHandler: AppRouteHandler<typeof ver> = async (c) =>
	c.json(await verCumplimiento(actorOf(c), c.req.valid("param").id), 200);

export const autorizacionHandler: AppRouteHandler<typeof autorizacion> = async (c) =>
	c.json(await fijarAutorizacion(actorOf(c), c.req.valid("param").id, c.req.valid("json")), 200);

export const garantiaHandler: AppRouteHandler<typeof garantia> = async (c) =>
	c.json(await fijarGarantia(actorOf(c), c.req.valid("param").id, c.req.valid("json")), 200);

export const crearPremioHandler: AppRouteHandler<typeof crearPremioRoute> = async (c) => {
	const { id } = c.req.valid("param");
	const { fotos, ...form } = c.req.valid("form");
	const premio = await crearPremio(actorOf(c), id, {
		...form,
		fotos: fotos === undefined ? [] : Array.isArray(fotos) ? fotos : [fotos],
	});
	c.header("Location", `/api/v1/rifas/${id}/premios/${premio.id}`);
	return c.json(premio, 201);
};

export const eliminarPremioHandler: AppRouteHandler<typeof eliminarPremioRoute> = async (c) => {
	const { id, premio_id } = c.req.valid("param");
	await eliminarPremio(actorOf(c), id, premio_id);
	return c.body(null, 204);
};

export const archivoHandler: AppRouteHandler<typeof archivo> = async (c) => {
	const file = await archivoDePremio(c.env, c.var.db, c.var.viewer, c.req.valid("param"));
	return new Response(file.body, {
		status: 200,
		headers: {
			"Content-Type": file.tipo,
			"Content-Length": String(file.size),
			"Content-Disposition": "inline",
			// The proof of ownership is the operador's document: never kept by a cache.
			"Cache-Control": file.privado ? "private, no-store" : "public, max-age=3600",
			"X-Content-Type-Options": "nosniff",
		},
	}) as never;
};
