import { count, desc, eq, or } from "drizzle-orm";
import type { Database } from "../../db/client";
import { contains } from "../../db/filters";
import { users } from "../../db/schema";
import { ApiError, forbidden, notFound, t } from "../../lib/errors";

const USUARIO = t("El usuario", "The user");

import { executionContext } from "../../lib/create-app";
import { offsetOf, pageOf } from "../../lib/pagination";
import { nowIso } from "../../lib/time";
import type { AppRouteHandler } from "../../lib/types";
import { alerta, avisoInsert, despacharLuego } from "../../notificaciones/avisos";
import { puedeRecibirSms } from "../../notificaciones/sms";
import { auditInsert } from "../../services/audit";
import { operadoresDe } from "../../services/vendedores.service";
import type { get, list, patch, remove } from "./users.routes";
import { toUserDto } from "./users.schemas";

export const listHandler: AppRouteHandler<typeof list> = async (c) => {
	const { q, ...page } = c.req.valid("query");
	const db = c.var.db;
	const where = q ? or(contains(users.email, q), contains(users.nombre, q)) : undefined;
	const [rows, [totalRow]] = await db.batch([
		db
			.select()
			.from(users)
			.where(where)
			.orderBy(desc(users.creadoEn), users.id)
			.limit(page.per_page)
			.offset(offsetOf(page)),
		db.select({ n: count() }).from(users).where(where),
	]);
	const ops = await operadoresDe(
		db,
		rows.map((r) => r.id),
	);
	return c.json(
		pageOf(
			rows.map((u) => toUserDto(u, ops.get(u.id) ?? null)),
			totalRow?.n ?? 0,
			page,
		),
		200,
	);
};

export const getHandler: AppRouteHandler<typeof get> = async (c) => {
	const { id } = c.req.valid("param");
	const me = c.var.user;
	if (me.rol !== "admin" && me.id !== id)
		throw forbidden(t("Solo puede ver su propio usuario.", "You can only see your own user."));
	const user = await c.var.db.query.users.findFirst({ where: eq(users.id, id) });
	if (!user) throw notFound(USUARIO);
	return c.json(toUserDto(user, (await operadoresDe(c.var.db, [id])).get(id) ?? null), 200);
};

const loadUser = async (db: Database, id: string) => {
	const user = await db.query.users.findFirst({ where: eq(users.id, id) });
	if (!user) throw notFound(USUARIO);
	return user;
};

export const patchHandler: AppRouteHandler<typeof patch> = async (c) => {
	const { id } = c.req.valid("param");
	const body = c.req.valid("json");
	const db = c.var.db;
	const before = await loadUser(db, id);
	if (id === c.var.user.id && ((body.rol && body.rol !== "admin") || body.is_active === false)) {
		throw new ApiError(
			"CONFLICT",
			t(
				"Un administrador no puede quitarse su propio rol ni desactivarse.",
				"An admin cannot remove their own role or deactivate themself.",
			),
		);
	}
	const changes = {
		...(body.nombre !== undefined ? { nombre: body.nombre } : {}),
		...(body.telefono !== undefined ? { telefono: body.telefono } : {}),
		// WhatsApp and SMS go to the phone the user consented with: without it, both are off.
		...(body.telefono === null ? { notifWhatsapp: false } : {}),
		...(body.telefono !== undefined && !puedeRecibirSms(body.telefono) ? { notifSms: false } : {}),
		...(body.rol !== undefined ? { rol: body.rol } : {}),
		...(body.is_active !== undefined ? { isActive: body.is_active } : {}),
		...(body.stripe_account_id !== undefined ? { stripeAccountId: body.stripe_account_id } : {}),
		actualizadoEn: nowIso(),
	};
	const update = db.update(users).set(changes).where(eq(users.id, id)).returning();
	// Where prizes are paid is as sensitive as who may act: both leave an audit trail.
	const audited =
		(body.rol !== undefined && body.rol !== before.rol) ||
		(body.is_active !== undefined && body.is_active !== before.isActive) ||
		(body.stripe_account_id !== undefined && body.stripe_account_id !== before.stripeAccountId);
	// Admin powers granted (a promotion, or an admin reactivated): every admin hears of it, since
	// two admins decide a result in conflict. Keyed by the state it changed, so a retry alerts once.
	const esAdmin = (u: { rol: string; isActive: boolean }) => u.rol === "admin" && u.isActive;
	const otorga =
		!esAdmin(before) &&
		esAdmin({ rol: body.rol ?? before.rol, isActive: body.is_active ?? before.isActive });
	const aviso = otorga
		? alerta(`${id}:${before.actualizadoEn}`, {
				clase: "rol_admin_otorgado",
				detalle: {
					usuario_id: id,
					nombre: before.nombre,
					email: before.email,
					rol_anterior: before.rol,
					otorgado_por: c.var.user.id,
				},
			})
		: null;
	const [[after]] = audited
		? await db.batch([
				update,
				...(aviso ? [avisoInsert(db, aviso)] : []),
				auditInsert(db, {
					actorId: c.var.user.id,
					action:
						body.rol !== undefined && body.rol !== before.rol
							? "user.role_changed"
							: "user.updated",
					entity: "user",
					entityId: id,
					before: {
						rol: before.rol,
						is_active: before.isActive,
						stripe_account_id: before.stripeAccountId,
					},
					after: {
						rol: body.rol ?? before.rol,
						is_active: body.is_active ?? before.isActive,
						stripe_account_id:
							body.stripe_account_id !== undefined
								? body.stripe_account_id
								: before.stripeAccountId,
					},
					requestId: c.var.requestId,
				}),
			])
		: [await update];
	if (!after) throw notFound(USUARIO);
	if (aviso) await despacharLuego(c.env, db, executionContext(c), [aviso.id]);
	return c.json(
		toUserDto(after, (await operadoresDe(c.var.db, [after.id])).get(after.id) ?? null),
		200,
	);
};

export const removeHandler: AppRouteHandler<typeof remove> = async (c) => {
	const { id } = c.req.valid("param");
	const db = c.var.db;
	if (id === c.var.user.id) {
		throw new ApiError(
			"CONFLICT",
			t(
				"Un administrador no puede desactivarse a sí mismo.",
				"An admin cannot deactivate themself.",
			),
		);
	}
	const before = await loadUser(db, id);
	if (before.isActive) {
		await db.batch([
			db.update(users).set({ isActive: false, actualizadoEn: nowIso() }).where(eq(users.id, id)),
			auditInsert(db, {
				actorId: c.var.user.id,
				action: "user.deactivated",
				entity: "user",
				entityId: id,
				before: { is_active: true },
				after: { is_active: false },
				requestId: c.var.requestId,
			}),
		]);
	}
	return c.body(null, 204);
};
