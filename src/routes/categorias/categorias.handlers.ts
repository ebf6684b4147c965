import { asc, count, eq } from "drizzle-orm";
import type { Context } from "hono";
import { isForeignKeyViolation, isUniqueViolation } from "../../db/errors";
import { contains } from "../../db/filters";
import { categorias } from "../../db/schema";
import { ApiError, notFound, t } from "../../lib/errors";
import { offsetOf, pageOf } from "../../lib/pagination";
import type { AppBindings, AppRouteHandler } from "../../lib/types";
import {
	actualizarCategoria,
	CATEGORIA,
	crearCategoria,
	eliminarCategoria,
} from "../../services/catalogo.service";
import type { create, get, list, patch, remove } from "./categorias.routes";
import { toCategoriaDto } from "./categorias.schemas";

const nameTaken = () =>
	new ApiError(
		"CONFLICT",
		t("Ya existe una categoría con ese nombre.", "A category with that name already exists."),
	);

export const listHandler: AppRouteHandler<typeof list> = async (c) => {
	const { q, ...page } = c.req.valid("query");
	const db = c.var.db;
	const where = q ? contains(categorias.nombre, q) : undefined;
	const [rows, [total]] = await db.batch([
		db
			.select()
			.from(categorias)
			.where(where)
			.orderBy(asc(categorias.valorBoleta), asc(categorias.nombre))
			.limit(page.per_page)
			.offset(offsetOf(page)),
		db.select({ n: count() }).from(categorias).where(where),
	]);
	return c.json(pageOf(rows.map(toCategoriaDto), total?.n ?? 0, page), 200);
};

const actorOf = (c: Context<AppBindings>) => ({
	userId: c.var.user.id,
	requestId: c.var.requestId,
});

export const createHandler: AppRouteHandler<typeof create> = async (c) => {
	try {
		const row = await crearCategoria(c.var.db, actorOf(c), c.req.valid("json"));
		c.header("Location", `/api/v1/categorias/${row.id}`);
		return c.json(toCategoriaDto(row), 201);
	} catch (err) {
		if (isUniqueViolation(err)) throw nameTaken();
		throw err;
	}
};

export const getHandler: AppRouteHandler<typeof get> = async (c) => {
	const { id } = c.req.valid("param");
	const row = await c.var.db.query.categorias.findFirst({ where: eq(categorias.id, id) });
	if (!row) throw notFound(CATEGORIA);
	return c.json(toCategoriaDto(row), 200);
};

export const patchHandler: AppRouteHandler<typeof patch> = async (c) => {
	const { id } = c.req.valid("param");
	try {
		const row = await actualizarCategoria(c.var.db, actorOf(c), id, c.req.valid("json"));
		return c.json(toCategoriaDto(row), 200);
	} catch (err) {
		if (isUniqueViolation(err)) throw nameTaken();
		throw err;
	}
};

export const removeHandler: AppRouteHandler<typeof remove> = async (c) => {
	const { id } = c.req.valid("param");
	try {
		await eliminarCategoria(c.var.db, actorOf(c), id);
	} catch (err) {
		if (isForeignKeyViolation(err)) {
			throw new ApiError(
				"CONFLICT",
				t(
					"La categoría tiene rifas; no se puede eliminar.",
					"The category has rifas; it cannot be deleted.",
				),
			);
		}
		throw err;
	}
	return c.body(null, 204);
};
