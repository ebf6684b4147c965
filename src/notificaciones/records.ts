import { sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { type Canal, type NotificacionRow, notificaciones } from "../db/schema";
import { E164 } from "../lib/format";
import { nowIso } from "../lib/time";
import type { Proveedores } from "./proveedores";
import { chunks, type Plan, type Usuario } from "./recipients";
import { puedeRecibirSms } from "./sms";

export type Cierre = Partial<typeof notificaciones.$inferInsert>;

/** Runs statements in as few D1 round trips as D1 allows (100 a batch). */
export const enLote = async <T>(db: Database, stmts: T[]): Promise<unknown[]> => {
	const out: unknown[] = [];
	for (const part of chunks(stmts, 100)) {
		out.push(...((await db.batch(part as never)) as unknown[]));
	}
	return out;
};

const CONSENTIMIENTO = {
	email: "notifEmail",
	whatsapp: "notifWhatsapp",
	sms: "notifSms",
} as const satisfies Record<Canal, keyof Usuario>;

/** Whether a channel carries this message to this user, and if not, why it is `omitida`. */
const motivoOmision = (u: Usuario, canal: Canal, p: Proveedores): string | null => {
	if (!u.isActive) return "usuario_inactivo";
	if (!u[CONSENTIMIENTO[canal]]) return "preferencia";
	if (!p[canal]) return "canal_no_configurado";
	// Phones stored before they were checked as E.164 would be read with another country code.
	if (canal === "whatsapp" && !E164.test(u.telefono ?? "")) return "telefono_invalido";
	if (canal === "sms" && !puedeRecibirSms(u.telefono)) return "telefono_invalido";
	return null;
};

/** WhatsApp and SMS only for users who gave a phone: the others have no such channel to turn off. */
export const canalesDe = (u: Usuario): Canal[] =>
	u.telefono ? ["email", "whatsapp", "sms"] : ["email"];

export const filaNueva = (plan: Plan, canal: Canal, p: Proveedores, at: string) => {
	const { mensaje: m, usuario: u, render } = plan;
	const omision = motivoOmision(u, canal, p);
	return {
		id: crypto.randomUUID(),
		evento: m.evento,
		tipo: m.tipo,
		canal,
		usuarioId: u.id,
		rifaId: m.rifa_id,
		destino: canal === "email" ? u.email : u.telefono,
		idioma: u.idioma,
		asunto: render.asunto,
		// A text message is stored as it is sent; the other channels keep the full text.
		cuerpoTexto: canal === "sms" ? plan.sms : render.texto,
		estado: omision ? ("omitida" as const) : ("pendiente" as const),
		motivo: omision,
		creadoEn: at,
		actualizadoEn: at,
	};
};

/** One row per (event, recipient, channel): a row already there is returned as it is. */
export const insertarFilas = async (db: Database, filas: ReturnType<typeof filaNueva>[]) => {
	if (!filas.length) return [];
	const stmts = filas.map((f) =>
		db
			.insert(notificaciones)
			.values(f)
			.onConflictDoUpdate({
				target: [notificaciones.evento, notificaciones.usuarioId, notificaciones.canal],
				// A no-op that makes RETURNING give the row already there.
				set: { actualizadoEn: sql`${notificaciones.actualizadoEn}` },
			})
			.returning(),
	);
	return ((await enLote(db, stmts)) as NotificacionRow[][]).flat();
};

/**
 * Claims pending rows for this attempt, each compared and set in one statement; returns which
 * were claimed and which another delivery of the same message took meanwhile.
 */
export const reclamar = async (db: Database, filas: NotificacionRow[], claimAt: string) => {
	const results = await enLote(
		db,
		filas.map((f) =>
			db
				.update(notificaciones)
				.set({
					reclamadoEn: claimAt,
					intentos: sql`${notificaciones.intentos} + 1`,
					actualizadoEn: claimAt,
				})
				.where(
					sql`${notificaciones.id} = ${f.id} AND ${notificaciones.estado} = 'pendiente' AND ${notificaciones.reclamadoEn} IS ${f.reclamadoEn}`,
				)
				.returning({ id: notificaciones.id }),
		),
	);
	const tomada = (i: number) => (results[i] as unknown[]).length > 0;
	return {
		reclamadas: filas.filter((_, i) => tomada(i)),
		ajenas: filas.filter((_, i) => !tomada(i)),
	};
};

/** Writes each outcome, only under this attempt's claim. */
export const cerrar = async (
	db: Database,
	cierres: { f: NotificacionRow; cierre: Cierre }[],
	claimAt: string,
) => {
	const closedAt = nowIso();
	await enLote(
		db,
		cierres.map(({ f, cierre }) =>
			db
				.update(notificaciones)
				.set({ ...cierre, reclamadoEn: null, actualizadoEn: closedAt })
				.where(sql`${notificaciones.id} = ${f.id} AND ${notificaciones.reclamadoEn} = ${claimAt}`),
		),
	);
};
