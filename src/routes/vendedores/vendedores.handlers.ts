import { notFound, t } from "../../lib/errors";
import { pageOf } from "../../lib/pagination";
import type { AppRouteHandler } from "../../lib/types";
import {
	crearVendedor,
	desactivarVendedor,
	listarVendedores,
	operadorDelVendedor,
	vendedorDe,
} from "../../services/vendedores.service";
import type { crear, desactivar, listar } from "./vendedores.routes";
import { toVendedorDto } from "./vendedores.schemas";

export const crearHandler: AppRouteHandler<typeof crear> = async (c) => {
	const { operador_id, ...datos } = c.req.valid("json");
	const me = c.var.user;
	const operadorId = await operadorDelVendedor(c.var.db, me, operador_id);
	const v = await crearVendedor(c.var.db, me, operadorId, datos, c.var.requestId);
	c.header("Location", `/api/v1/vendedores/${v.id}`);
	return c.json(toVendedorDto(v), 201);
};

export const listarHandler: AppRouteHandler<typeof listar> = async (c) => {
	const { operador_id, ...page } = c.req.valid("query");
	const me = c.var.user;
	const operadorId = me.rol === "admin" ? (operador_id ?? null) : me.id;
	const { rows, total } = await listarVendedores(c.var.db, operadorId, page);
	return c.json(pageOf(rows.map(toVendedorDto), total, page), 200);
};

export const desactivarHandler: AppRouteHandler<typeof desactivar> = async (c) => {
	const { id } = c.req.valid("param");
	const v = await vendedorDe(c.var.db, id);
	if (!v) throw notFound(t("El vendedor", "The seller"));
	return c.json(
		toVendedorDto(await desactivarVendedor(c.var.db, c.var.user, v, c.var.requestId)),
		200,
	);
};
