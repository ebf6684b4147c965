import { and, asc, count, eq } from "drizzle-orm";
import type { Context } from "hono";
import { isForeignKeyViolation, isUniqueViolation } from "../../db/errors";
import { contains } from "../../db/filters";
import { loterias } from "../../db/schema";
import { diasEntre, drawInstants, fechaColombia, sumarDias } from "../../domain/calendario";
import { ApiError, notFound, type Texto, t } from "../../lib/errors";
import { fuentesInvalidas, fuentesIssues, fuentesPorDefecto } from "../../services/fuentes.service";

const LOTERIA = t("La lotería", "The lottery");

import { errorFields } from "../../lib/logger";
import { offsetOf, pageOf } from "../../lib/pagination";
import type { AppBindings, AppRouteHandler } from "../../lib/types";
import { syncRoom } from "../../rifa-room/rooms";
import { actualizarLoteria, crearLoteria, eliminarLoteria } from "../../services/loterias.service";
import { minutosCierre } from "../../services/rifas-fechas.service";
import type { create, get, list, patch, remove, sorteos } from "./loterias.routes";
import {
	MAX_RANGO_SORTEOS_DIAS,
	RANGO_SORTEOS_DEFECTO_DIAS,
	toLoteriaDto,
} from "./loterias.schemas";

const actorOf = (c: Context<AppBindings>) => ({
	userId: c.var.user.id,
	requestId: c.var.requestId,
});

const nameTaken = () =>
	new ApiError(
		"CONFLICT",
		t("Ya existe una lotería con ese nombre.", "A lottery with that name already exists."),
	);

export const listHandler: AppRouteHandler<typeof list> = async (c) => {
	const { q, dia_sorteo, ...page } = c.req.valid("query");
	const db = c.var.db;
	const where = and(
		q ? contains(loterias.nombre, q) : undefined,
		dia_sorteo ? eq(loterias.diaSorteo, dia_sorteo) : undefined,
	);
	const [rows, [total]] = await db.batch([
		db
			.select()
			.from(loterias)
			.where(where)
			.orderBy(asc(loterias.nombre))
			.limit(page.per_page)
			.offset(offsetOf(page)),
		db.select({ n: count() }).from(loterias).where(where),
	]);
	return c.json(pageOf(rows.map(toLoteriaDto), total?.n ?? 0, page), 200);
};

export const createHandler: AppRouteHandler<typeof create> = async (c) => {
	const body = c.req.valid("json");
	const fuentes = fuentesPorDefecto(c.env, body.meta, body);
	const issues = fuentesIssues(c.env, fuentes, body.meta);
	if (issues.length) throw fuentesInvalidas(issues);
	try {
		const row = await crearLoteria(c.var.db, actorOf(c), {
			...body,
			fuentes: fuentes.fuentes,
			fuentes_requeridas: fuentes.fuentesRequeridas,
		});
		c.header("Location", `/api/v1/loterias/${row.id}`);
		return c.json(toLoteriaDto(row), 201);
	} catch (err) {
		if (isUniqueViolation(err)) throw nameTaken();
		throw err;
	}
};

export const getHandler: AppRouteHandler<typeof get> = async (c) => {
	const { id } = c.req.valid("param");
	const row = await c.var.db.query.loterias.findFirst({ where: eq(loterias.id, id) });
	if (!row) throw notFound(LOTERIA);
	return c.json(toLoteriaDto(row), 200);
};

export const patchHandler: AppRouteHandler<typeof patch> = async (c) => {
	const { id } = c.req.valid("param");
	const raw = c.req.valid("json");
	// A legacy `meta.adapter` without `fuentes` names the only source, as on create.
	const legacy = raw.fuentes === undefined ? raw.meta?.adapter : undefined;
	const body = legacy ? { ...raw, fuentes: [legacy] } : raw;
	if (
		body.fuentes !== undefined ||
		body.fuentes_requeridas !== undefined ||
		body.meta !== undefined
	) {
		const current = await c.var.db.query.loterias.findFirst({ where: eq(loterias.id, id) });
		if (!current) throw notFound(LOTERIA);
		const meta = body.meta ?? current.meta;
		const issues = fuentesIssues(
			c.env,
			{
				fuentes: body.fuentes ?? current.fuentes,
				fuentesRequeridas: body.fuentes_requeridas ?? current.fuentesRequeridas,
			},
			meta,
		);
		if (issues.length) throw fuentesInvalidas(issues);
	}
	try {
		const { loteria, rifasMovidas } = await actualizarLoteria(
			c.var.db,
			actorOf(c),
			id,
			body,
			minutosCierre(c.env),
		);
		// The rooms of rifas whose draw moved hear of it now, or from the cron's reconciler.
		for (const rifaId of rifasMovidas) {
			await syncRoom(c.env, c.var.db, rifaId).catch((err: unknown) =>
				c.var.logger.warn("room did not take its moved draw; the reconciler will", {
					rifa_id: rifaId,
					error: errorFields(err),
				}),
			);
		}
		return c.json(toLoteriaDto(loteria), 200);
	} catch (err) {
		if (isUniqueViolation(err)) throw nameTaken();
		throw err;
	}
};

export const removeHandler: AppRouteHandler<typeof remove> = async (c) => {
	const { id } = c.req.valid("param");
	try {
		await eliminarLoteria(c.var.db, actorOf(c), id);
	} catch (err) {
		if (isForeignKeyViolation(err)) {
			throw new ApiError(
				"CONFLICT",
				t(
					"La lotería tiene rifas; no se puede eliminar.",
					"The lottery has rifas; it cannot be deleted.",
				),
			);
		}
		throw err;
	}
	return c.body(null, 204);
};

const rangoInvalido = (detail: Texto, path: string) =>
	new ApiError("VALIDATION_FAILED", detail, {
		errors: [{ path, message: detail.es, code: "invalid_range" }],
	});

export const sorteosHandler: AppRouteHandler<typeof sorteos> = async (c) => {
	const { id } = c.req.valid("param");
	const query = c.req.valid("query");
	const desde = query.desde ?? fechaColombia(new Date());
	const hasta = query.hasta ?? sumarDias(desde, RANGO_SORTEOS_DEFECTO_DIAS);
	const dias = diasEntre(desde, hasta);
	if (dias < 0) {
		throw rangoInvalido(
			t("hasta no puede ser anterior a desde.", "hasta cannot be before desde."),
			"hasta",
		);
	}
	if (dias > MAX_RANGO_SORTEOS_DIAS) {
		throw rangoInvalido(
			t(
				`El rango no puede pasar de ${MAX_RANGO_SORTEOS_DIAS} días.`,
				`The range cannot exceed ${MAX_RANGO_SORTEOS_DIAS} days.`,
			),
			"hasta",
		);
	}
	const row = await c.var.db.query.loterias.findFirst({ where: eq(loterias.id, id) });
	if (!row) throw notFound(LOTERIA);
	return c.json({ items: drawInstants(row, desde, hasta) }, 200);
};
