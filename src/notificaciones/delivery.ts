import type { NotificacionRow } from "../db/schema";
import type { Logger } from "../lib/logger";
import { nowIso } from "../lib/time";
import { tokenDeBaja } from "./baja";
import { pieDeBaja } from "./plantillas";
import type { Proveedores } from "./proveedores";
import type { Plan } from "./recipients";
import type { Cierre } from "./records";
import type { Envio } from "./tipos";

const SENDS_AT_ONCE = 10;

type Intento = { proveedor: string; envio: Envio; idempotente: boolean };

// A provider that throws instead of answering: whether its message went out is unknown.
const lanzado = (err: unknown): Envio => ({
	ok: false,
	error: String(err),
	definitivo: false,
	incierto: true,
});

/** Hands one claimed notification to its channel's provider. */
const enviar = async (
	env: Env,
	fila: NotificacionRow,
	plan: Plan,
	p: Proveedores,
): Promise<Intento> => {
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
			.catch(lanzado);
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
			.catch(lanzado);
		return { proveedor: p.whatsapp.nombre, envio, idempotente: p.whatsapp.idempotente };
	}
	if (fila.canal === "sms" && p.sms && u.telefono) {
		const envio = await p.sms
			.enviar({ para: u.telefono, texto: plan.sms, idempotencia: fila.id })
			.catch(lanzado);
		return { proveedor: p.sms.nombre, envio, idempotente: p.sms.idempotente };
	}
	return {
		proveedor: "ninguno",
		envio: { ok: false, error: "canal_no_configurado", definitivo: true },
		idempotente: true,
	};
};

/** What one attempt decided for one notification: how to close it, and whether its message retries. */
const desenlace = (
	fila: NotificacionRow,
	r: Intento,
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

/**
 * Sends the notifications this attempt claimed, a few at a time and paced per channel, and says
 * how each closes. A row claimed before (`reclamado_en` was set: an attempt stopped after claiming
 * it) may have gone out, so it is resent only through a provider that drops repeats.
 */
export const entregar = async (
	env: Env,
	reclamadas: NotificacionRow[],
	planDe: (f: NotificacionRow) => Plan,
	p: Proveedores,
	log: Logger,
): Promise<{ f: NotificacionRow; cierre: Cierre; reintentar: boolean }[]> => {
	const pacers = {
		email: pacer(p.email?.porSegundo),
		whatsapp: pacer(p.whatsapp?.porSegundo),
		sms: pacer(p.sms?.porSegundo),
	};
	return enParalelo(reclamadas, SENDS_AT_ONCE, async (f) => {
		const proveedor = p[f.canal];
		if (f.reclamadoEn !== null && !proveedor?.idempotente) {
			log.warn("notification not resent: an earlier attempt may have sent it", { id: f.id });
			return {
				f,
				cierre: { estado: "fallida", motivo: "resultado_incierto" } as Cierre,
				reintentar: false,
			};
		}
		await pacers[f.canal]();
		const d = desenlace(f, await enviar(env, f, planDe(f), p), log);
		return { f, cierre: d.cierre, reintentar: d.reintentar };
	});
};
