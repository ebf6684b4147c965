import type { Logger } from "../lib/logger";
import { campo, leerJson, sinRespuesta, TIMEOUT_MS, texto, textoError } from "./provider-http";
import { localSms, twilio } from "./sms";
import type { Email, Proveedor, Sms, WhatsApp } from "./tipos";

export type { Email, Envio, Proveedor, Sms, WhatsApp } from "./tipos";

/**
 * Default send rates: Resend's default API limit is 2 requests a second per team; the others are
 * well above what one consumer sends, and are set here so a burst does not meet them either
 * (Twilio accepts faster than a sender delivers and queues the rest itself).
 */
const POR_SEGUNDO = {
	resend: 2,
	"cloudflare-email": 10,
	"whatsapp-cloud": 20,
	twilio: 10,
} as const;

const ritmo = (valor: string | undefined, porDefecto: number) => {
	const n = Number(valor);
	return Number.isFinite(n) && n > 0 ? n : porDefecto;
};

export const RESEND_URL = "https://api.resend.com/emails";
/** Graph API version of the WhatsApp Cloud API calls (v26.0: July 2026, the newest published). */
export const GRAPH_API_VERSION = "v26.0";

/** Resend's HTTP API; repeats of one `Idempotency-Key` within 24 h are answered without resending. */
export const resend = (
	apiKey: string,
	fetchFn: typeof fetch = (input, init) => fetch(input, init),
): Proveedor<Email> => ({
	nombre: "resend",
	canal: "email",
	idempotente: true,
	async enviar(m) {
		let res: Response;
		try {
			res = await fetchFn(RESEND_URL, {
				method: "POST",
				headers: {
					Authorization: `Bearer ${apiKey}`,
					"Content-Type": "application/json",
					"Idempotency-Key": m.idempotencia,
				},
				body: JSON.stringify({
					from: m.de,
					to: [m.para],
					subject: m.asunto,
					text: m.texto,
					html: m.html,
					headers: m.headers,
				}),
				signal: AbortSignal.timeout(TIMEOUT_MS),
			});
		} catch (err) {
			return sinRespuesta("resend", err, apiKey);
		}
		const body = await leerJson(res);
		if (res.ok) return { ok: true, id: texto(campo(body, "id")) ?? null };
		const name = texto(campo(body, "name"));
		const detalle = [name, texto(campo(body, "message"))].filter(Boolean).join(": ");
		return {
			ok: false,
			error: textoError(`resend ${res.status}${detalle ? ` ${detalle}` : ""}`, apiKey),
			// 409 concurrent_idempotent_requests: the first attempt is still running; asking again
			// later returns its answer. 409 invalid_idempotent_request (same key, other body) is final.
			definitivo: !(
				res.status === 429 ||
				res.status >= 500 ||
				name === "concurrent_idempotent_requests"
			),
		};
	},
});

/** Codes the binding throws (`e.code`) for a message it will not send as it is. */
const CLOUDFLARE_DEFINITIVOS = new Set([
	"E_VALIDATION_ERROR",
	"E_FIELD_MISSING",
	"E_TOO_MANY_RECIPIENTS",
	"E_TOO_MANY_ATTACHMENTS",
	"E_SENDER_NOT_VERIFIED",
	"E_SENDER_DOMAIN_NOT_AVAILABLE",
	"E_RECIPIENT_NOT_ALLOWED",
	"E_RECIPIENT_SUPPRESSED",
	"E_CONTENT_TOO_LARGE",
	"E_DELIVERY_FAILED",
	"E_HEADER_NOT_ALLOWED",
	"E_HEADER_USE_API_FIELD",
	"E_HEADER_VALUE_INVALID",
	"E_HEADER_VALUE_TOO_LONG",
	"E_HEADER_NAME_INVALID",
	"E_HEADERS_TOO_LARGE",
	"E_HEADERS_TOO_MANY",
]);

/** Cloudflare Email Service through the `send_email` binding; it has no idempotency key. */
export const cloudflareEmail = (binding: SendEmail): Proveedor<Email> => ({
	nombre: "cloudflare-email",
	canal: "email",
	idempotente: false,
	async enviar(m) {
		try {
			const { messageId } = await binding.send({
				from: m.de,
				to: m.para,
				subject: m.asunto,
				text: m.texto,
				html: m.html,
				headers: m.headers,
			});
			return { ok: true, id: texto(messageId) ?? null };
		} catch (err) {
			const code = texto(campo(err, "code"));
			const message = texto(campo(err, "message")) ?? String(err);
			// E_RATE_LIMIT_EXCEEDED, E_DAILY_LIMIT_EXCEEDED, E_INTERNAL_SERVER_ERROR and anything
			// unknown may pass later; the binding refuses before handing the message on, so a thrown
			// error is an answer, not a lost one.
			return {
				ok: false,
				error: textoError(`cloudflare-email ${code ?? "error"}: ${message}`, ""),
				definitivo: code !== undefined && CLOUDFLARE_DEFINITIVOS.has(code),
			};
		}
	},
});

/**
 * Graph API error codes that mean "not now": throttling (4, 80007, 130429, 131048, 131056), unknown
 * or service errors (1, 2, 131000), service unavailable (131016, 133004) and maintenance (131057).
 */
const WHATSAPP_REINTENTABLES = new Set([
	1, 2, 4, 80007, 130429, 131000, 131016, 131048, 131056, 131057, 133004,
]);

/** The WhatsApp Cloud API (Meta), one approved template per message. */
export const whatsappCloud = (
	token: string,
	phoneId: string,
	fetchFn: typeof fetch = (input, init) => fetch(input, init),
): Proveedor<WhatsApp> => ({
	nombre: "whatsapp-cloud",
	canal: "whatsapp",
	idempotente: false,
	async enviar(m) {
		let res: Response;
		try {
			res = await fetchFn(
				`https://graph.facebook.com/${GRAPH_API_VERSION}/${encodeURIComponent(phoneId)}/messages`,
				{
					method: "POST",
					headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
					body: JSON.stringify({
						messaging_product: "whatsapp",
						recipient_type: "individual",
						to: m.para.replace(/\D/g, ""),
						type: "template",
						template: {
							name: m.plantilla,
							language: { code: m.idioma },
							components: [
								{
									type: "body",
									parameters: m.parametros.map((text) => ({ type: "text", text })),
								},
							],
						},
					}),
					signal: AbortSignal.timeout(TIMEOUT_MS),
				},
			);
		} catch (err) {
			return sinRespuesta("whatsapp-cloud", err, token);
		}
		const body = await leerJson(res);
		if (res.ok) {
			const messages = campo(body, "messages");
			const id = Array.isArray(messages) ? texto(campo(messages[0], "id")) : undefined;
			return { ok: true, id: id ?? null };
		}
		const error = campo(body, "error");
		const code = campo(error, "code");
		const details = texto(campo(campo(error, "error_data"), "details"));
		const detalle = [
			typeof code === "number" ? `code ${code}` : undefined,
			texto(campo(error, "message")),
			details,
		]
			.filter(Boolean)
			.join(": ");
		return {
			ok: false,
			error: textoError(`whatsapp-cloud ${res.status}${detalle ? ` ${detalle}` : ""}`, token),
			// Meta answers throttling with HTTP 400 too: the code decides, not the status.
			definitivo: !(
				res.status === 429 ||
				res.status >= 500 ||
				(typeof code === "number" && WHATSAPP_REINTENTABLES.has(code))
			),
		};
	},
});

/** Development and bench: the message is written to the log (the `wrangler dev` terminal) only. */
export const localEmail = (log: Logger): Proveedor<Email> => ({
	nombre: "local",
	canal: "email",
	idempotente: true,
	async enviar(m) {
		log.info("notificación local", {
			canal: "email",
			para: m.para,
			asunto: m.asunto,
			texto: m.texto,
		});
		return { ok: true, id: `local:${m.idempotencia}` };
	},
});

export const localWhatsApp = (log: Logger): Proveedor<WhatsApp> => ({
	nombre: "local",
	canal: "whatsapp",
	idempotente: true,
	async enviar(m) {
		log.info("notificación local", {
			canal: "whatsapp",
			para: m.para,
			plantilla: m.plantilla,
			parametros: m.parametros,
		});
		return { ok: true, id: `local:${m.idempotencia}` };
	},
});

export interface Proveedores {
	email: Proveedor<Email> | null;
	whatsapp: Proveedor<WhatsApp> | null;
	sms: Proveedor<Sms> | null;
}

/** The providers this environment is configured for; `null`: that channel is off. */
export const proveedoresDe = (
	env: Pick<
		Env,
		| "ENVIRONMENT"
		| "RESEND_API_KEY"
		| "EMAIL"
		| "WHATSAPP_TOKEN"
		| "WHATSAPP_PHONE_ID"
		| "TWILIO_ACCOUNT_SID"
		| "TWILIO_AUTH_TOKEN"
		| "TWILIO_MESSAGING_SERVICE_SID"
		| "TWILIO_FROM"
		| "NOTIFICACIONES_POR_SEGUNDO"
	>,
	log: Logger,
): Proveedores => {
	const local = env.ENVIRONMENT === "development" || env.ENVIRONMENT === "bench";
	const email = env.RESEND_API_KEY
		? resend(env.RESEND_API_KEY)
		: env.EMAIL
			? cloudflareEmail(env.EMAIL)
			: local
				? localEmail(log)
				: null;
	const whatsapp =
		env.WHATSAPP_TOKEN && env.WHATSAPP_PHONE_ID
			? whatsappCloud(env.WHATSAPP_TOKEN, env.WHATSAPP_PHONE_ID)
			: local
				? localWhatsApp(log)
				: null;
	// A Messaging Service picks the sender itself; without one, TWILIO_FROM is the sender.
	const remitente = env.TWILIO_MESSAGING_SERVICE_SID
		? { messagingServiceSid: env.TWILIO_MESSAGING_SERVICE_SID }
		: env.TWILIO_FROM
			? { from: env.TWILIO_FROM }
			: null;
	const sms =
		env.TWILIO_ACCOUNT_SID && env.TWILIO_AUTH_TOKEN && remitente
			? twilio({
					accountSid: env.TWILIO_ACCOUNT_SID,
					authToken: env.TWILIO_AUTH_TOKEN,
					...remitente,
				})
			: local
				? localSms(log)
				: null;
	const paced = <M>(p: Proveedor<M> | null): Proveedor<M> | null => {
		const porDefecto = p ? POR_SEGUNDO[p.nombre as keyof typeof POR_SEGUNDO] : undefined;
		return p && porDefecto
			? { ...p, porSegundo: ritmo(env.NOTIFICACIONES_POR_SEGUNDO, porDefecto) }
			: p;
	};
	return { email: paced(email), whatsapp: paced(whatsapp), sms: paced(sms) };
};
