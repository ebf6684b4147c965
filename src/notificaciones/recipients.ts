import { eq, inArray } from "drizzle-orm";
import type { Database } from "../db/client";
import { loterias, NOTIFICACION_TIPOS, rifas, tickets, type UserRow, users } from "../db/schema";
import type { Renderizado, RifaDeMensaje } from "./plantillas";
import type { NotificacionMensaje } from "./tipos";

/** D1 takes at most 100 bound parameters per statement. */
const IDS_PER_QUERY = 90;

export type Usuario = Pick<
	UserRow,
	| "id"
	| "nombre"
	| "email"
	| "telefono"
	| "idioma"
	| "notifEmail"
	| "notifWhatsapp"
	| "notifSms"
	| "isActive"
>;

/** One message ready to record and send: its recipient and what it says on each channel. */
export interface Plan {
	mensaje: NotificacionMensaje;
	usuario: Usuario;
	render: Renderizado;
	sms: string;
}

export interface Contexto {
	usuarios: Map<string, Usuario>;
	rifas: Map<string, RifaDeMensaje>;
	recibos: Map<string, { numero: number; recibo: string }[]>;
}

export const chunks = <T>(xs: T[], n: number): T[][] =>
	Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));

const porIds = async <T>(ids: string[], load: (chunk: string[]) => Promise<T[]>): Promise<T[]> =>
	(await Promise.all(chunks([...new Set(ids)], IDS_PER_QUERY).map(load))).flat();

export const esMensaje = (body: unknown): body is NotificacionMensaje => {
	const m = body as Partial<NotificacionMensaje> | null;
	return (
		typeof m?.evento === "string" &&
		typeof m.usuario_id === "string" &&
		(NOTIFICACION_TIPOS as readonly string[]).includes(m.tipo ?? "") &&
		typeof m.datos === "object" &&
		m.datos !== null
	);
};

/** The recipients, rifas and purchase receipts a batch of messages speaks of, in a few queries. */
export const cargar = async (db: Database, mensajes: NotificacionMensaje[]): Promise<Contexto> => {
	const [us, rs, ts] = await Promise.all([
		porIds(
			mensajes.map((m) => m.usuario_id),
			(ids) =>
				db
					.select({
						id: users.id,
						nombre: users.nombre,
						email: users.email,
						telefono: users.telefono,
						idioma: users.idioma,
						notifEmail: users.notifEmail,
						notifWhatsapp: users.notifWhatsapp,
						notifSms: users.notifSms,
						isActive: users.isActive,
					})
					.from(users)
					.where(inArray(users.id, ids)),
		),
		porIds(
			mensajes.flatMap((m) => (m.rifa_id ? [m.rifa_id] : [])),
			(ids) =>
				db
					.select({
						id: rifas.id,
						nombre: rifas.nombre,
						totalBoletas: rifas.totalBoletas,
						fechaFin: rifas.fechaFin,
						fechaSorteo: rifas.fechaSorteo,
						loteria: loterias.nombre,
					})
					.from(rifas)
					.leftJoin(loterias, eq(loterias.id, rifas.loteriaId))
					.where(inArray(rifas.id, ids)),
		),
		porIds(
			mensajes.flatMap((m) => (m.tipo === "compra" ? [m.datos.transaccion_id] : [])),
			(ids) =>
				db
					.select({ tx: tickets.transaccionId, numero: tickets.numero, recibo: tickets.recibo })
					.from(tickets)
					.where(inArray(tickets.transaccionId, ids))
					.orderBy(tickets.numero),
		),
	]);
	const recibos = new Map<string, { numero: number; recibo: string }[]>();
	for (const t of ts) {
		if (!t.tx || !t.recibo) continue;
		recibos.set(t.tx, [...(recibos.get(t.tx) ?? []), { numero: t.numero, recibo: t.recibo }]);
	}
	return {
		usuarios: new Map(us.map((u) => [u.id, u])),
		rifas: new Map(rs.map((r) => [r.id, r])),
		recibos,
	};
};
