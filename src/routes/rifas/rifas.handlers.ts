import { and, asc, count, eq, gte, lte } from "drizzle-orm";
import { rifas } from "../../db/schema";
import { ApiError, notFound } from "../../lib/errors";
import { offsetOf, pageOf } from "../../lib/pagination";
import { toUtcIso } from "../../lib/time";
import type { AppRouteHandler } from "../../lib/types";
import { createRifa, updateRifa } from "../../services/rifas.service";
import type { cerrar, create, get, list, patch } from "./rifas.routes";
import { toRifaDto } from "./rifas.schemas";

export const listHandler: AppRouteHandler<typeof list> = async (c) => {
	const { estado, categoria_id, loteria_id, fecha_inicio, fecha_fin, ...page } =
		c.req.valid("query");
	const desde = fecha_inicio ? toUtcIso(fecha_inicio) : undefined;
	const hasta = fecha_fin ? toUtcIso(fecha_fin) : undefined;
	if (desde && hasta && desde > hasta) {
		throw new ApiError("VALIDATION_FAILED", "El rango de fechas no es válido.", {
			errors: [{ path: "fecha_fin", message: "Debe ser posterior a fecha_inicio" }],
		});
	}
	const db = c.var.db;
	const where = and(
		estado ? eq(rifas.estado, estado) : undefined,
		categoria_id ? eq(rifas.categoriaId, categoria_id) : undefined,
		loteria_id ? eq(rifas.loteriaId, loteria_id) : undefined,
		desde ? gte(rifas.fechaInicio, desde) : undefined,
		hasta ? lte(rifas.fechaFin, hasta) : undefined,
	);
	const [rows, [total]] = await db.batch([
		db
			.select()
			.from(rifas)
			.where(where)
			.orderBy(asc(rifas.fechaFin), asc(rifas.id))
			.limit(page.per_page)
			.offset(offsetOf(page)),
		db.select({ n: count() }).from(rifas).where(where),
	]);
	return c.json(pageOf(rows.map(toRifaDto), total?.n ?? 0, page), 200);
};

export const createHandler: AppRouteHandler<typeof create> = async (c) => {
	const row = await createRifa(
		c.var.db,
		{ user: c.var.user, requestId: c.var.requestId, env: c.env },
		c.req.valid("json"),
	);
	c.header("Location", `/api/v1/rifas/${row.id}`);
	return c.json(toRifaDto(row), 201);
};

export const getHandler: AppRouteHandler<typeof get> = async (c) => {
	const { id } = c.req.valid("param");
	const row = await c.var.db.query.rifas.findFirst({ where: eq(rifas.id, id) });
	if (!row) throw notFound("La rifa");
	return c.json(toRifaDto(row), 200);
};

export const patchHandler: AppRouteHandler<typeof patch> = async (c) => {
	const { id } = c.req.valid("param");
	const row = await updateRifa(
		c.var.db,
		{ user: c.var.user, requestId: c.var.requestId, env: c.env },
		id,
		c.req.valid("json"),
	);
	return c.json(toRifaDto(row), 200);
};

export const cerrarHandler: AppRouteHandler<typeof cerrar> = async (c) => {
	const { id } = c.req.valid("param");
	const row = await updateRifa(
		c.var.db,
		{ user: c.var.user, requestId: c.var.requestId, env: c.env },
		id,
		{ estado: "cerrada" },
	);
	return c.json(toRifaDto(row), 200);
};
