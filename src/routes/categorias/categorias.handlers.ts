import { and, asc, count, eq, inArray, ne } from "drizzle-orm";
import type { Database } from "../../db/client";
import { isForeignKeyViolation, isUniqueViolation } from "../../db/errors";
import { contains } from "../../db/filters";
import { type CategoriaRow, categorias, rifas } from "../../db/schema";
import { premiosIssues } from "../../domain/premios";
import { parseReglas } from "../../domain/reglas";
import { ApiError, notFound, t } from "../../lib/errors";

const CATEGORIA = t("La categoría", "The category");

import { offsetOf, pageOf } from "../../lib/pagination";
import { nowIso } from "../../lib/time";
import type { AppRouteHandler } from "../../lib/types";
import type { create, get, list, patch, remove } from "./categorias.routes";
import {
	MONEY_FIELDS,
	moneyIssues,
	toCategoriaColumns,
	toCategoriaDto,
} from "./categorias.schemas";

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

export const createHandler: AppRouteHandler<typeof create> = async (c) => {
	const body = c.req.valid("json");
	const now = nowIso();
	try {
		const [row] = await c.var.db
			.insert(categorias)
			.values({
				id: crypto.randomUUID(),
				nombre: body.nombre,
				valorBoleta: body.valor_boleta,
				...toCategoriaColumns(body),
				creadoEn: now,
				actualizadoEn: now,
			})
			.returning();
		if (!row) throw new Error("insert returned no row");
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

/** Rifas not yet over that could no longer be settled if the category became `next`. */
const rifasSinPremio = async (db: Database, next: CategoriaRow) => {
	const vivas = await db
		.select({ id: rifas.id, totalBoletas: rifas.totalBoletas, reglas: rifas.reglas })
		.from(rifas)
		.where(
			and(
				eq(rifas.categoriaId, next.id),
				inArray(rifas.estado, ["pendiente", "activa", "cerrada"]),
			),
		);
	return vivas
		.filter(
			(r) =>
				premiosIssues({ totalBoletas: r.totalBoletas, reglas: parseReglas(r.reglas) }, next).length,
		)
		.map((r) => r.id);
};

export const patchHandler: AppRouteHandler<typeof patch> = async (c) => {
	const { id } = c.req.valid("param");
	const body = c.req.valid("json");
	const db = c.var.db;
	const current = await db.query.categorias.findFirst({ where: eq(categorias.id, id) });
	if (!current) throw notFound(CATEGORIA);
	const merged = { ...toCategoriaDto(current), ...body };
	const issues = moneyIssues(merged);
	if (issues.length) {
		throw new ApiError(
			"VALIDATION_FAILED",
			t(
				"Los valores de la categoría no son coherentes.",
				"The category's amounts are inconsistent.",
			),
			{
				errors: issues,
			},
		);
	}
	if (MONEY_FIELDS.some((f) => body[f] !== undefined)) {
		const [inUse] = await db
			.select({ n: count() })
			.from(rifas)
			.where(and(eq(rifas.categoriaId, id), ne(rifas.estado, "pendiente")));
		if ((inUse?.n ?? 0) > 0) {
			throw new ApiError(
				"CONFLICT",
				t(
					"Los valores de dinero no se pueden cambiar: hay rifas de esta categoría abiertas o terminadas.",
					"The money fields cannot change: this category has rifas that are open or finished.",
				),
			);
		}
		const unpayable = await rifasSinPremio(db, { ...current, ...toCategoriaColumns(body) });
		if (unpayable.length) {
			const ids = unpayable.slice(0, 10).join(", ");
			throw new ApiError(
				"CONFLICT",
				t(
					`Con estos valores la categoría no podría liquidar rifas que dependen de ella (base_premio "fijo" necesita fondo_premios o premio_por_ganador): ${ids}.`,
					`With these amounts the category could not settle rifas that depend on it (base_premio "fijo" needs fondo_premios or premio_por_ganador): ${ids}.`,
				),
			);
		}
	}
	try {
		const [row] = await db
			.update(categorias)
			.set({ ...toCategoriaColumns(body), actualizadoEn: nowIso() })
			.where(eq(categorias.id, id))
			.returning();
		if (!row) throw notFound(CATEGORIA);
		return c.json(toCategoriaDto(row), 200);
	} catch (err) {
		if (isUniqueViolation(err)) throw nameTaken();
		throw err;
	}
};

export const removeHandler: AppRouteHandler<typeof remove> = async (c) => {
	const { id } = c.req.valid("param");
	try {
		const deleted = await c.var.db
			.delete(categorias)
			.where(eq(categorias.id, id))
			.returning({ id: categorias.id });
		if (deleted.length === 0) throw notFound(CATEGORIA);
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
