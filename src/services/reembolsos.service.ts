import { and, asc, count, eq, inArray, isNull, lt, type SQL } from "drizzle-orm";
import { sentenciasMovimiento } from "../cajas/movimientos";
import type { Database } from "../db/client";
import { type ReembolsoRow, reembolsos, rifas, transacciones, users } from "../db/schema";
import { ApiError, forbidden, notFound, t } from "../lib/errors";
import { offsetOf, pageOf } from "../lib/pagination";
import type { AuthUser } from "../lib/types";
import { alerta, avisoInsert } from "../notificaciones/avisos";
import { auditInsertIf } from "./audit";
import { puedeVenderEn } from "./vendedores.service";

/**
 * Manual refunds: money owed back for payments whose provider has no refund API (Wompi's Nequi,
 * PSE, transfers, cash, abonos). The rifa room writes each once; an admin transfers the money and
 * records it here, or the rifa's staff hand cash back in person, once; what stays pending too long
 * is alerted.
 */

const REEMBOLSO = t("El reembolso", "The refund");

export const horasAlertaReembolso = (env: Env): number => {
	const horas = Number(env.HORAS_ALERTA_REEMBOLSO ?? 48);
	return Number.isFinite(horas) && horas > 0 ? horas : 48;
};

const dto = (
	r: ReembolsoRow,
	comprador: { nombre: string; email: string; telefono: string | null },
) => ({
	id: r.id,
	transaccion_id: r.id,
	rifa_id: r.rifaId,
	comprador: { id: r.usuarioId, ...comprador },
	monto: r.monto,
	proveedor: r.proveedor,
	metodo: r.metodo,
	referencia_proveedor: r.referenciaProveedor,
	motivo: r.motivo,
	estado: r.estado,
	referencia_transferencia: r.referenciaTransferencia,
	nota: r.nota,
	hecho_por: r.hechoPor,
	hecho_en: r.hechoEn,
	creado_en: r.creadoEn,
});

/** An admin sees every refund; an operador those of its rifas; a vendedor those of its sales. */
const alcanceDe = (db: Database, me: AuthUser | undefined): SQL | undefined => {
	if (!me || me.rol === "admin") return undefined;
	if (me.rol === "operador")
		return inArray(
			reembolsos.rifaId,
			db.select({ id: rifas.id }).from(rifas).where(eq(rifas.creadoPor, me.id)),
		);
	if (me.rol === "vendedor")
		return inArray(
			reembolsos.id,
			db
				.select({ id: transacciones.id })
				.from(transacciones)
				.where(eq(transacciones.vendedorId, me.id)),
		);
	throw forbidden(t("Los reembolsos los ve el personal.", "Refunds are for staff to see."));
};

/** `me`: the staff member whose refunds to list (none: all, for the admin routes). */
export const listarReembolsos = async (
	db: Database,
	filtro: { estado?: ReembolsoRow["estado"] | undefined; rifa_id?: string | undefined },
	page: { page: number; per_page: number },
	me?: AuthUser,
) => {
	const where = and(
		alcanceDe(db, me),
		filtro.estado ? eq(reembolsos.estado, filtro.estado) : undefined,
		filtro.rifa_id ? eq(reembolsos.rifaId, filtro.rifa_id) : undefined,
	);
	const [rows, [total]] = await db.batch([
		db
			.select({
				r: reembolsos,
				nombre: users.nombre,
				email: users.email,
				telefono: users.telefono,
			})
			.from(reembolsos)
			.innerJoin(users, eq(users.id, reembolsos.usuarioId))
			.where(where)
			.orderBy(asc(reembolsos.creadoEn), asc(reembolsos.id))
			.limit(page.per_page)
			.offset(offsetOf(page)),
		db.select({ n: count() }).from(reembolsos).where(where),
	]);
	return pageOf(
		rows.map(({ r, ...c }) => dto(r, c)),
		total?.n ?? 0,
		page,
	);
};

/**
 * Records the transfer an admin made. Applies once, while the refund is pending; the audit entry and
 * the buyer's notification are written in the same batch under the same condition. The same
 * reference again answers the recorded refund; another reference is a 409.
 */
export const registrarReembolso = async (
	db: Database,
	id: string,
	datos: { referencia: string; nota?: string | undefined },
	actorId: string,
) => {
	const [antes] = await db.select().from(reembolsos).where(eq(reembolsos.id, id));
	if (!antes) throw notFound(REEMBOLSO);
	const at = new Date().toISOString();
	if (antes.estado === "pendiente")
		await db.batch(
			marcarHecho(db, antes, {
				actorId,
				action: "reembolso.transferido",
				referencia: datos.referencia,
				nota: datos.nota,
				at,
			}),
		);
	return registrado(db, id, datos.referencia, at, antes.estado === "pendiente");
};

/**
 * The writes that record a pending refund as done, each guarded by it still being pending: the
 * audit entry, the buyer's notification and the change itself (last: it ends the guard).
 */
const marcarHecho = (
	db: Database,
	antes: ReembolsoRow,
	h: {
		actorId: string;
		action: string;
		referencia: string;
		nota: string | undefined;
		at: string;
		requestId?: string;
	},
) => {
	const pendiente = and(eq(reembolsos.id, antes.id), eq(reembolsos.estado, "pendiente")) as SQL;
	return [
		auditInsertIf(
			db,
			{
				actorId: h.actorId,
				action: h.action,
				entity: "transaccion",
				entityId: antes.id,
				before: { estado: "pendiente", monto: antes.monto },
				after: {
					estado: "hecho",
					monto: antes.monto,
					referencia_transferencia: h.referencia,
					nota: h.nota ?? null,
				},
				...(h.requestId ? { requestId: h.requestId } : {}),
			},
			reembolsos,
			pendiente,
		),
		avisoInsert(
			db,
			{
				id: `reembolso_hecho:${antes.id}`,
				tipo: "reembolso",
				rifaId: antes.rifaId,
				datos: { transaccion_id: antes.id },
			},
			{ table: reembolsos, where: pendiente },
		),
		db
			.update(reembolsos)
			.set({
				estado: "hecho",
				referenciaTransferencia: h.referencia,
				nota: h.nota ?? null,
				hechoPor: h.actorId,
				hechoEn: h.at,
			})
			.where(pendiente),
	] as const;
};

/** The refund as recorded: with this reference (`nuevo` if this call recorded it), else a 409. */
const registrado = async (
	db: Database,
	id: string,
	referencia: string,
	at: string,
	intentado: boolean,
) => {
	const [despues] = await db
		.select({ r: reembolsos, nombre: users.nombre, email: users.email, telefono: users.telefono })
		.from(reembolsos)
		.innerJoin(users, eq(users.id, reembolsos.usuarioId))
		.where(eq(reembolsos.id, id));
	if (!despues) throw notFound(REEMBOLSO);
	if (despues.r.referenciaTransferencia !== referencia) {
		throw new ApiError(
			"CONFLICT",
			t(
				`Este reembolso ya se registró con la referencia ${despues.r.referenciaTransferencia}.`,
				`This refund was already recorded with reference ${despues.r.referenciaTransferencia}.`,
			),
		);
	}
	const { r, ...c } = despues;
	return { reembolso: dto(r, c), nuevo: intentado && r.hechoEn === at };
};

/** Refunds whose money was taken in person, and so may be handed back in person. */
const EN_PERSONA = ["efectivo", "abonos"];

/**
 * The caller handed the cash back in person: the refund is `hecho` once, with the reference
 * `efectivo:<caller>`, and the cash leaves the caller's open box (movement `reembolso:<id>`). The
 * movement, the audit entry and the buyer's notification go in the same D1 batch as the change,
 * each guarded by the refund still being pending, so two calls at once record one of each. The
 * same caller again answers the refund as recorded; anyone or anything else after it, a 409.
 */
export const entregarEfectivo = async (
	db: Database,
	d1: D1Database,
	me: AuthUser,
	id: string,
	nota: string | undefined,
	requestId: string,
) => {
	const [fila] = await db
		.select({ r: reembolsos, creadoPor: rifas.creadoPor })
		.from(reembolsos)
		.innerJoin(rifas, eq(rifas.id, reembolsos.rifaId))
		.where(eq(reembolsos.id, id));
	if (!fila) throw notFound(REEMBOLSO);
	const antes = fila.r;
	if (me.rol === "jugador" || !puedeVenderEn(me, { creadoPor: fila.creadoPor }))
		throw forbidden(
			t(
				"Solo el operador de la rifa, sus vendedores o un admin entregan este reembolso.",
				"Only the rifa's operador, its sellers or an admin hand this refund back.",
			),
		);
	if (!EN_PERSONA.includes(antes.proveedor))
		throw new ApiError(
			"VALIDATION_FAILED",
			t(
				`Este reembolso (${antes.proveedor}) no se pagó en persona: se devuelve por transferencia, y la registra un admin.`,
				`This refund (${antes.proveedor}) was not paid in person: it goes back by transfer, which an admin records.`,
			),
		);
	const referencia = `efectivo:${me.id}`;
	const at = new Date().toISOString();
	if (antes.estado === "pendiente") {
		const movimiento = sentenciasMovimiento(
			{
				id: `reembolso:${id}`,
				tipo: "reembolso",
				vendedorId: me.id,
				monto: -antes.monto,
				boletas: 0,
				rifaId: antes.rifaId,
				transaccionId: id,
				ocurridoEn: at,
				motivo: antes.motivo,
				creadoPor: me.id,
			},
			at,
			{
				sql: "EXISTS (SELECT 1 FROM reembolsos WHERE id = ? AND estado = 'pendiente')",
				params: [id],
			},
		);
		const drizzle = marcarHecho(db, antes, {
			actorId: me.id,
			action: "reembolso.entregado_efectivo",
			referencia,
			nota,
			at,
			requestId,
		}).map((q) => q.toSQL());
		// The guarded writes first: the UPDATE ends what they are guarded by.
		await d1.batch(
			[...movimiento, ...drizzle].map((s) => d1.prepare(s.sql).bind(...(s.params as unknown[]))),
		);
	}
	return registrado(db, id, referencia, at, antes.estado === "pendiente");
};

/**
 * Pending refunds older than `HORAS_ALERTA_REEMBOLSO`: each alerted once (the alert's id is the
 * refund's, and `alertado_en` marks it). Run by the cron.
 */
export const alertarReembolsosVencidos = async (env: Env, db: Database, now = Date.now()) => {
	const limite = new Date(now - horasAlertaReembolso(env) * 3600_000).toISOString();
	const vencidos = await db
		.select()
		.from(reembolsos)
		.where(
			and(
				eq(reembolsos.estado, "pendiente"),
				lt(reembolsos.creadoEn, limite),
				isNull(reembolsos.alertadoEn),
			),
		)
		.limit(100);
	for (const r of vencidos) {
		await db.batch([
			avisoInsert(
				db,
				alerta(
					r.id,
					{
						clase: "reembolso_vencido",
						detalle: {
							transaccion_id: r.id,
							monto: r.monto,
							metodo: r.metodo,
							referencia_proveedor: r.referenciaProveedor,
							creado_en: r.creadoEn,
						},
					},
					r.rifaId,
				),
			),
			db
				.update(reembolsos)
				.set({ alertadoEn: new Date(now).toISOString() })
				.where(and(eq(reembolsos.id, r.id), isNull(reembolsos.alertadoEn))),
		]);
	}
	return vencidos.length;
};
