import { eq, sql } from "drizzle-orm";
import { createDb } from "../db/client";
import { type NotificacionRow, notificaciones, users } from "../db/schema";
import { createLogger, errorFields } from "../lib/logger";
import { nowIso } from "../lib/time";
import { entregar } from "./delivery";
import { type Renderizado, renderizar } from "./plantillas";
import { proveedoresDe } from "./proveedores";
import { type Contexto, cargar, esMensaje, type Plan } from "./recipients";
import { canalesDe, cerrar, filaNueva, insertarFilas, reclamar } from "./records";
import { textoSms } from "./sms-text";
import type { NotificacionMensaje } from "./tipos";

/**
 * How long an attempt's claim on a notification (`reclamado_en`, set before calling the provider)
 * counts as a send in progress. A queue consumer runs at most 15 minutes; an older claim belongs
 * to an attempt that stopped, and whether its message went out is unknown.
 */
export const CLAIM_MS = 15 * 60_000;

export const backoffSeconds = (attempts: number) =>
	Math.min(30 * 2 ** Math.max(attempts - 1, 0), 3600);

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
		let sms: string;
		try {
			const datos = {
				idioma: usuario.idioma,
				nombre: usuario.nombre,
				appUrl: env.APP_URL,
				rifa,
				recibos,
			};
			render = renderizar(msg.body, datos);
			sms = textoSms(msg.body, datos);
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
		planes.set(msg, { mensaje: msg.body, usuario, render, sms });
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
		const r = await reclamar(db, reclamables, claimAt);
		reclamadas = r.reclamadas;
		// Another delivery of the same message took the others meanwhile: its outcome decides.
		for (const f of r.ajenas) {
			const owner = planDe(f);
			if (owner) reintentar.add(owner.m);
		}
	} catch (err) {
		fallo("claiming", err, new Set(reclamables.flatMap((f) => planDe(f)?.m ?? [])));
		cerrarMensajes(planes.keys());
		return informe;
	}

	const cierres = await entregar(
		env,
		reclamadas,
		(f) => (planDe(f) as { plan: Plan }).plan,
		p,
		log,
	);
	for (const c of cierres) {
		const owner = planDe(c.f);
		if (c.reintentar && owner) reintentar.add(owner.m);
	}
	try {
		await cerrar(db, cierres, claimAt);
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
