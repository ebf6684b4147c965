import { and, count, desc, eq, sql } from "drizzle-orm";
import { auditLog } from "../../db/schema";
import { executionContext } from "../../lib/create-app";
import { offsetOf, pageOf } from "../../lib/pagination";
import type { AppRouteHandler } from "../../lib/types";
import { despacharLuego } from "../../notificaciones/avisos";
import { listarReembolsos, registrarReembolso } from "../../services/reembolsos.service";
import type { auditoria, reembolsos, registrarReembolso as registrar } from "./admin.routes";

export const auditoriaHandler: AppRouteHandler<typeof auditoria> = async (c) => {
	const { entity, entity_id, ...page } = c.req.valid("query");
	const db = c.var.db;
	const where = and(
		entity ? eq(auditLog.entity, entity) : undefined,
		entity_id ? eq(auditLog.entityId, entity_id) : undefined,
	);
	const [rows, [total]] = await db.batch([
		db
			.select()
			.from(auditLog)
			.where(where)
			.orderBy(desc(auditLog.createdAt), desc(sql`rowid`))
			.limit(page.per_page)
			.offset(offsetOf(page)),
		db.select({ n: count() }).from(auditLog).where(where),
	]);
	return c.json(
		pageOf(
			rows.map((r) => ({
				id: r.id,
				actor_id: r.actorId,
				action: r.action,
				entity: r.entity,
				entity_id: r.entityId,
				before: r.before ?? null,
				after: r.after ?? null,
				request_id: r.requestId,
				created_at: r.createdAt,
			})),
			total?.n ?? 0,
			page,
		),
		200,
	);
};

export const reembolsosHandler: AppRouteHandler<typeof reembolsos> = async (c) => {
	const { estado, rifa_id, ...page } = c.req.valid("query");
	return c.json(await listarReembolsos(c.var.db, { estado, rifa_id }, page), 200);
};

export const registrarReembolsoHandler: AppRouteHandler<typeof registrar> = async (c) => {
	const { id } = c.req.valid("param");
	const { reembolso, nuevo } = await registrarReembolso(
		c.var.db,
		id,
		c.req.valid("json"),
		c.var.user.id,
	);
	// The buyer hears of the transfer now; the cron sends it otherwise.
	if (nuevo) await despacharLuego(c.env, c.var.db, executionContext(c), [`reembolso_hecho:${id}`]);
	return c.json(reembolso, 200);
};
