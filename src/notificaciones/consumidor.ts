import { eq, inArray, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { createDb } from "../db/client";
import {
	type Canal,
	loterias,
	NOTIFICACION_TIPOS,
	type NotificacionRow,
	notificaciones,
	rifas,
	tickets,
	type UserRow,
	users,
} from "../db/schema";
import { E164 } from "../lib/format";
import { createLogger, errorFields, type Logger } from "../lib/logger";
import { nowIso } from "../lib/time";
import { tokenDeBaja } from "./baja";
import { pieDeBaja, type Renderizado, type RifaDeMensaje, renderizar } from "./plantillas";
import { type Envio, type Proveedores, proveedoresDe } from "./proveedores";
import type { NotificacionMensaje } from "./tipos";

/**
 * How long an attempt's claim on a notification (`reclamado_en`, set before calling the provider)
 * counts as a send in progress. A queue consumer runs at most 15 minutes; an older claim belongs
 * to an attempt that stopped, and whether its message went out is unknown.
 */
export const CLAIM_MS = 15 * 60_000;
const SENDS_AT_ONCE = 10;
/** D1 takes at most 100 bound parameters per statement. */
const IDS_PER_QUERY = 90;

export const backoffSeconds = (attempts: number) =>
	Math.min(30 * 2 ** Math.max(attempts - 1, 0), 3600);

type Usuario = Pick<
	UserRow,
	"id" | "nombre" | "email" | "telefono" | "idioma" | "notifEmail" | "notifWhatsapp" | "isActive"
>;

const chunks = <T>(xs: T[], n: number): T[][] =>
	Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));

const porIds = async <T>(ids: string[], load: (chunk: string[]) => Promise<T[]>): Promise<T[]> =>
	(await Promise.all(chunks([...new Set(ids)], IDS_PER_QUERY).map(load))).flat();

const esMensaje = (body: unknown): body is NotificacionMensaje => {
	const m = body as Partial<NotificacionMensaje> | null;
	return (
		typeof m?.evento === "string" &&
		typeof m.usuario_id === "string" &&
		(NOTIFICACION_TIPOS as readonly string[]).includes(m.tipo ?? "") &&
		typeof m.datos === "object" &&
		m.datos !== null
	);
};

interface Contexto {
	usuarios: Map<string, Usuario>;
	rifas: Map<string, RifaDeMensaje>;
	recibos: Map<string, { numero: number; recibo: string }[]>;
}

const cargar = async (db: Database, mensajes: NotificacionMensaje[]): Promise<Contexto> => {
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

/** Whether a channel carries this message to this user, and if not, why it is `omitida`. */
const motivoOmision = (u: Usuario, canal: Canal, p: Proveedores): string | null => {
	if (!u.isActive) return "usuario_inactivo";
	if (canal === "email" ? !u.notifEmail : !u.notifWhatsapp) return "preferencia";
	if (!p[canal]) return "canal_no_configurado";
	// Phones stored before they were checked as E.164 would be read with another country code.
	if (canal === "whatsapp" && !E164.test(u.telefono ?? "")) return "telefono_invalido";
	return null;
};

interface Plan {
	mensaje: NotificacionMensaje;
	usuario: Usuario;
	render: Renderizado;
}

const filaNueva = (plan: Plan, canal: Canal, p: Proveedores, at: string) => {
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
		cuerpoTexto: render.texto,
		estado: omision ? ("omitida" as const) : ("pendiente" as const),
		motivo: omision,
		creadoEn: at,
		actualizadoEn: at,
	};
};

/** WhatsApp only for users who gave a phone: the others have no such channel to turn off. */
const canalesDe = (u: Usuario): Canal[] => (u.telefono ? ["email", "whatsapp"] : ["email"]);

const insertarFilas = async (db: Database, filas: ReturnType<typeof filaNueva>[]) => {
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

const enviar = async (
	env: Env,
	fila: NotificacionRow,
	plan: Plan,
	p: Proveedores,
): Promise<{ proveedor: string; envio: Envio; idempotente: boolean }> => {
	const { usuario: u, render } = plan;
	if (fila.canal === "email" && p.email) {
		const url = `${env.APP_URL}/api/v1/notificaciones/baja?token=${await tokenDeBaja(env, u.id)}`;
		const pie = pieDeBaja(u.idioma, url);
		const envio = await p.email
			.enviar({
				para: u.email,
				de: env.EMAIL_REMITENTE,
				asunto: render.asunto,
				texto: render.texto + pie.texto,
				html: render.html.replace("</body>", `${pie.html}\n</body>`),
				headers: {
					"List-Unsubscribe": `<${url}>`,
					"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
				},
				idempotencia: fila.id,
			})
			.catch(
				(err): Envio => ({ ok: false, error: String(err), definitivo: false, incierto: true }),
			);
		return { proveedor: p.email.nombre, envio, idempotente: p.email.idempotente };
	}
	if (fila.canal === "whatsapp" && p.whatsapp && u.telefono) {
		const envio = await p.whatsapp
			.enviar({
				para: u.telefono,
				plantilla: render.whatsapp.plantilla,
				idioma: u.idioma,
				parametros: render.whatsapp.parametros,
				idempotencia: fila.id,
			})
			.catch(
				(err): Envio => ({ ok: false, error: String(err), definitivo: false, incierto: true }),
			);
		return { proveedor: p.whatsapp.nombre, envio, idempotente: p.whatsapp.idempotente };
	}
	return {
		proveedor: "ninguno",
		envio: { ok: false, error: "canal_no_configurado", definitivo: true },
		idempotente: true,
	};
};

type Cierre = Partial<typeof notificaciones.$inferInsert>;

/** What one attempt decided for one notification: how to close it, and whether its message retries. */
const desenlace = (
	fila: NotificacionRow,
	r: { proveedor: string; envio: Envio; idempotente: boolean },
	log: Logger,
): { cierre: Cierre; reintentar: boolean } => {
	const { proveedor, envio, idempotente } = r;
	if (envio.ok) {
		return {
			cierre: {
				estado: "enviada",
				motivo: null,
				proveedor,
				proveedorId: envio.id,
				enviadoEn: nowIso(),
			},
			reintentar: false,
		};
	}
	const fields = { id: fila.id, canal: fila.canal, proveedor, error: envio.error };
	if (envio.definitivo || (envio.incierto && !idempotente)) {
		log.error("notification failed", fields);
		return {
			cierre: {
				estado: "fallida",
				motivo: envio.incierto ? `resultado_incierto: ${envio.error}` : envio.error,
				proveedor,
			},
			reintentar: false,
		};
	}
	log.warn("notification not sent; will retry", fields);
	return { cierre: { motivo: envio.error, proveedor }, reintentar: true };
};

/** Spaces the starts of sends so they never exceed `porSegundo`. */
const pacer = (porSegundo: number | undefined) => {
	let next = 0;
	return async () => {
		if (!porSegundo) return;
		const now = Date.now();
		const at = Math.max(now, next);
		next = at + 1000 / porSegundo;
		if (at > now) await new Promise((r) => setTimeout(r, at - now));
	};
};

const enParalelo = async <T, R>(xs: T[], n: number, fn: (x: T) => Promise<R>): Promise<R[]> => {
	const out: R[] = new Array(xs.length);
	let next = 0;
	const worker = async () => {
		while (next < xs.length) {
			const i = next++;
			out[i] = await fn(xs[i] as T);
		}
	};
	await Promise.all(Array.from({ length: Math.min(n, xs.length) }, worker));
	return out;
};

/** Runs statements in as few D1 round trips as D1 allows (100 a batch). */
const enLote = async <T>(db: Database, stmts: T[]): Promise<unknown[]> => {
	const out: unknown[] = [];
	for (const part of chunks(stmts, 100)) {
		out.push(...((await db.batch(part as never)) as unknown[]));
	}
	return out;
};

export interface Informe {
	enviadas: number;
	omitidas: number;
	fallidas: number;
	reintentos: number;
}

/**
 * Renders and sends a batch: each message is one event for one recipient, recorded on each of the
 * recipient's channels once. Before a provider is called its notification is claimed
 * (`reclamado_en`, compared and set in one statement), and each outcome is written under that
 * claim, so concurrent deliveries of one message send it once. A message is acked when all its
 * notifications are final, retried with backoff while one is not, and after the last retry goes
 * to the dead-letter queue.
 */
export const consumirNotificaciones = async (
	batch: MessageBatch<unknown>,
	env: Env,
): Promise<Informe> => {
	const db = createDb(env.DB);
	const log = createLogger(env, { queue: batch.queue });
	const informe: Informe = { enviadas: 0, omitidas: 0, fallidas: 0, reintentos: 0 };
	const validos: Message<NotificacionMensaje>[] = [];
	for (const msg of batch.messages) {
		if (esMensaje(msg.body)) validos.push(msg as Message<NotificacionMensaje>);
		else {
			log.error("notification message malformed; dropped", { id: msg.id });
			msg.ack();
		}
	}
	const p = proveedoresDe(env, log);
	const reintentar = new Set<Message<NotificacionMensaje>>();
	const fallo = (what: string, err: unknown, msgs: Iterable<Message<NotificacionMensaje>>) => {
		log.error(`notifications: ${what} failed; the messages will retry`, {
			error: errorFields(err),
		});
		for (const m of msgs) reintentar.add(m);
	};
	const cerrarMensajes = (todos: Iterable<Message<NotificacionMensaje>>) => {
		for (const m of todos) {
			if (reintentar.has(m)) {
				m.retry({ delaySeconds: backoffSeconds(m.attempts) });
				informe.reintentos++;
			} else m.ack();
		}
	};

	let ctx: Contexto;
	try {
		ctx = await cargar(
			db,
			validos.map((m) => m.body),
		);
	} catch (err) {
		fallo("reading D1", err, validos);
		cerrarMensajes(validos);
		return informe;
	}
	const at = nowIso();
	const planes = new Map<Message<NotificacionMensaje>, Plan>();
	for (const msg of validos) {
		const usuario = ctx.usuarios.get(msg.body.usuario_id);
		if (!usuario) {
			log.warn("notification for an unknown user; dropped", { evento: msg.body.evento });
			msg.ack();
			continue;
		}
		const rifa = msg.body.rifa_id ? (ctx.rifas.get(msg.body.rifa_id) ?? null) : null;
		const recibos =
			msg.body.tipo === "compra" ? (ctx.recibos.get(msg.body.datos.transaccion_id) ?? []) : [];
		let render: Renderizado;
		try {
			render = renderizar(msg.body, {
				idioma: usuario.idioma,
				nombre: usuario.nombre,
				appUrl: env.APP_URL,
				rifa,
				recibos,
			});
		} catch (err) {
			// One message this version cannot render must not take its batch down with it.
			log.error("notification cannot be rendered; it retries, then is recorded as fallida", {
				evento: msg.body.evento,
				error: errorFields(err),
			});
			msg.retry({ delaySeconds: backoffSeconds(msg.attempts) });
			informe.reintentos++;
			continue;
		}
		planes.set(msg, { mensaje: msg.body, usuario, render });
	}

	let filas: NotificacionRow[];
	try {
		filas = await insertarFilas(
			db,
			[...planes.values()].flatMap((plan) =>
				canalesDe(plan.usuario).map((canal) => filaNueva(plan, canal, p, at)),
			),
		);
	} catch (err) {
		fallo("recording", err, planes.keys());
		cerrarMensajes(planes.keys());
		return informe;
	}
	const clave = (evento: string, usuario: string) => `${evento}\u0000${usuario}`;
	const mensajeDe = new Map(
		[...planes].map(([m, plan]) => [clave(plan.mensaje.evento, plan.usuario.id), m]),
	);
	const planDe = (f: NotificacionRow) => {
		const m = mensajeDe.get(clave(f.evento, f.usuarioId));
		return m ? { m, plan: planes.get(m) as Plan } : null;
	};

	// Which notifications this delivery may attempt: pending, and not claimed by a live attempt.
	const reclamables: NotificacionRow[] = [];
	for (const f of filas) {
		const owner = planDe(f);
		if (!owner) continue;
		if (f.estado === "omitida") informe.omitidas++;
		if (f.estado !== "pendiente") continue;
		if (f.reclamadoEn && Date.parse(f.reclamadoEn) > Date.now() - CLAIM_MS) reintentar.add(owner.m);
		else reclamables.push(f);
	}
	const claimAt = nowIso();
	let reclamadas: NotificacionRow[] = [];
	try {
		const results = await enLote(
			db,
			reclamables.map((f) =>
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
		reclamadas = reclamables.filter((_, i) => (results[i] as unknown[]).length > 0);
		// Another delivery of the same message took the others meanwhile: its outcome decides.
		for (const f of reclamables.filter((_, i) => (results[i] as unknown[]).length === 0)) {
			const owner = planDe(f);
			if (owner) reintentar.add(owner.m);
		}
	} catch (err) {
		fallo("claiming", err, new Set(reclamables.flatMap((f) => planDe(f)?.m ?? [])));
		cerrarMensajes(planes.keys());
		return informe;
	}

	const pacers = { email: pacer(p.email?.porSegundo), whatsapp: pacer(p.whatsapp?.porSegundo) };
	const cierres = await enParalelo(reclamadas, SENDS_AT_ONCE, async (f) => {
		const { m, plan } = planDe(f) as { m: Message<NotificacionMensaje>; plan: Plan };
		const proveedor = f.canal === "email" ? p.email : p.whatsapp;
		if (f.reclamadoEn !== null && !proveedor?.idempotente) {
			// An attempt stopped after claiming it: the message may have gone out. At most once.
			log.warn("notification not resent: an earlier attempt may have sent it", { id: f.id });
			return { f, cierre: { estado: "fallida", motivo: "resultado_incierto" } as Cierre };
		}
		await pacers[f.canal]();
		const d = desenlace(f, await enviar(env, f, plan, p), log);
		if (d.reintentar) reintentar.add(m);
		return { f, cierre: d.cierre };
	});
	try {
		const closedAt = nowIso();
		await enLote(
			db,
			cierres.map(({ f, cierre }) =>
				db
					.update(notificaciones)
					.set({ ...cierre, reclamadoEn: null, actualizadoEn: closedAt })
					.where(
						sql`${notificaciones.id} = ${f.id} AND ${notificaciones.reclamadoEn} = ${claimAt}`,
					),
			),
		);
	} catch (err) {
		// The sends happened; their claims stay until CLAIM_MS, then count as uncertain.
		fallo("recording outcomes", err, new Set(cierres.flatMap(({ f }) => planDe(f)?.m ?? [])));
	}
	for (const { cierre } of cierres) {
		if (cierre.estado === "enviada") informe.enviadas++;
		if (cierre.estado === "fallida") informe.fallidas++;
	}
	cerrarMensajes(planes.keys());
	return informe;
};

/** Messages that ran out of retries: their notifications still pending become `fallida`. */
export const consumirNotificacionesAgotadas = async (batch: MessageBatch<unknown>, env: Env) => {
	const db = createDb(env.DB);
	const log = createLogger(env, { queue: batch.queue });
	let fallidas = 0;
	for (const msg of batch.messages) {
		if (!esMensaje(msg.body)) {
			msg.ack();
			continue;
		}
		try {
			const rows = await db
				.update(notificaciones)
				.set({
					estado: "fallida",
					motivo: sql`coalesce(${notificaciones.motivo} || ' ', '') || '(reintentos agotados)'`,
					reclamadoEn: null,
					actualizadoEn: nowIso(),
				})
				.where(
					sql`${notificaciones.evento} = ${msg.body.evento} AND ${notificaciones.usuarioId} = ${msg.body.usuario_id} AND ${notificaciones.estado} = 'pendiente'`,
				)
				.returning({ id: notificaciones.id });
			fallidas += rows.length;
			if (!rows.length) {
				// It never got as far as a row (D1 down, or it could not be rendered): it is still
				// recorded, so no notification disappears without a trace.
				const at = nowIso();
				const [user] = await db
					.select({ id: users.id, idioma: users.idioma, email: users.email })
					.from(users)
					.where(eq(users.id, msg.body.usuario_id));
				if (user) {
					const inserted = await db
						.insert(notificaciones)
						.values({
							id: crypto.randomUUID(),
							evento: msg.body.evento,
							tipo: msg.body.tipo,
							canal: "email",
							usuarioId: user.id,
							rifaId: msg.body.rifa_id,
							destino: user.email,
							idioma: user.idioma,
							asunto: `(${msg.body.tipo})`,
							cuerpoTexto:
								"No se pudo preparar ni enviar este mensaje: se agotaron los reintentos.",
							estado: "fallida",
							motivo: "reintentos agotados sin registro",
							creadoEn: at,
							actualizadoEn: at,
						})
						.onConflictDoNothing()
						.returning({ id: notificaciones.id });
					fallidas += inserted.length;
				}
			}
			log.error("notification ran out of retries", { evento: msg.body.evento, filas: rows.length });
			msg.ack();
		} catch (err) {
			log.error("dead-lettered notification not recorded; will retry", { error: errorFields(err) });
			msg.retry({ delaySeconds: 60 });
		}
	}
	return { fallidas };
};
