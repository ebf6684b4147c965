import { and, count, desc, eq, type SQL } from "drizzle-orm";
import type { Database } from "../../db/client";
import { type NotificacionRow, notificaciones, users } from "../../db/schema";
import { ApiError, t } from "../../lib/errors";
import { offsetOf, type Page, pageOf } from "../../lib/pagination";
import { nowIso } from "../../lib/time";
import type { AppRouteHandler } from "../../lib/types";
import { usuarioDeBaja } from "../../notificaciones/baja";
import { escapar } from "../../notificaciones/plantillas";
import { auditInsertIf } from "../../services/audit";
import type { baja, bajaPagina, mias, todas } from "./notificaciones.routes";

const dto = (n: NotificacionRow) => ({
	id: n.id,
	tipo: n.tipo,
	canal: n.canal,
	estado: n.estado,
	asunto: n.asunto,
	cuerpo_texto: n.cuerpoTexto,
	rifa_id: n.rifaId,
	creado_en: n.creadoEn,
	enviado_en: n.enviadoEn,
});

const pagina = async (db: Database, where: SQL | undefined, page: Page) => {
	const [rows, [total]] = await db.batch([
		db
			.select()
			.from(notificaciones)
			.where(where)
			.orderBy(desc(notificaciones.creadoEn), desc(notificaciones.id))
			.limit(page.per_page)
			.offset(offsetOf(page)),
		db.select({ n: count() }).from(notificaciones).where(where),
	]);
	return { rows, total: total?.n ?? 0 };
};

export const miasHandler: AppRouteHandler<typeof mias> = async (c) => {
	const page = c.req.valid("query");
	const { rows, total } = await pagina(c.var.db, eq(notificaciones.usuarioId, c.var.user.id), page);
	return c.json(pageOf(rows.map(dto), total, page), 200);
};

export const todasHandler: AppRouteHandler<typeof todas> = async (c) => {
	const { tipo, estado, canal, rifa_id, usuario_id, ...page } = c.req.valid("query");
	const where = and(
		tipo ? eq(notificaciones.tipo, tipo) : undefined,
		estado ? eq(notificaciones.estado, estado) : undefined,
		canal ? eq(notificaciones.canal, canal) : undefined,
		rifa_id ? eq(notificaciones.rifaId, rifa_id) : undefined,
		usuario_id ? eq(notificaciones.usuarioId, usuario_id) : undefined,
	);
	const { rows, total } = await pagina(c.var.db, where, page);
	return c.json(
		pageOf(
			rows.map((n) => ({
				...dto(n),
				usuario_id: n.usuarioId,
				motivo: n.motivo,
				intentos: n.intentos,
				proveedor: n.proveedor,
			})),
			total,
			page,
		),
		200,
	);
};

const enlaceInvalido = () =>
	new ApiError(
		"VALIDATION_FAILED",
		t(
			"El enlace para dejar de recibir correos no es válido. Puede apagarlos desde su perfil.",
			"The unsubscribe link is not valid. You can turn emails off in your profile.",
		),
		{ errors: [{ path: "token", message: "Token inválido" }] },
	);

export const bajaHandler: AppRouteHandler<typeof baja> = async (c) => {
	const usuarioId = await usuarioDeBaja(c.env, c.req.valid("query").token);
	if (!usuarioId) throw enlaceInvalido();
	const db = c.var.db;
	const encendido = and(eq(users.id, usuarioId), eq(users.notifEmail, true)) as SQL;
	await db.batch([
		auditInsertIf(
			db,
			{
				actorId: usuarioId,
				action: "user.notificaciones",
				entity: "user",
				entityId: usuarioId,
				before: { notificaciones: { email: true } },
				after: { notificaciones: { email: false }, via: "list-unsubscribe" },
				requestId: c.var.requestId,
			},
			users,
			encendido,
		),
		db.update(users).set({ notifEmail: false, actualizadoEn: nowIso() }).where(encendido),
	]);
	return c.json({ email: false as const }, 200);
};

/** Opening the link only shows a button: mail scanners follow links, and must not unsubscribe. */
export const bajaPaginaHandler: AppRouteHandler<typeof bajaPagina> = async (c) => {
	const { token } = c.req.valid("query");
	if (!(await usuarioDeBaja(c.env, token))) throw enlaceInvalido();
	const action = `/api/v1/notificaciones/baja?token=${encodeURIComponent(token)}`;
	return c.html(
		`<!doctype html><html lang="es"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Dejar de recibir correos · Rifa1122</title></head>
<body><main><h1>Dejar de recibir correos de Rifa1122</h1>
<p>Si confirma, no le enviaremos más correos. Puede volver a encenderlos desde su perfil.</p>
<form method="post" action="${escapar(action)}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Confirmar</button></form>
</main></body></html>`,
		200,
	);
};
