import { E164 } from "../lib/format";
import type { Logger } from "../lib/logger";
import { campo, leerJson, sinRespuesta, TIMEOUT_MS, texto, textoError } from "./provider-http";
import type { Proveedor, Sms } from "./tipos";

export const TWILIO_API = "https://api.twilio.com/2010-04-01";

/**
 * Whether a phone can take a text message: E.164, and in Colombia a mobile (`+573…`); Twilio
 * refuses landlines (`+5760…`) with error 21614.
 */
export const puedeRecibirSms = (telefono: string | null | undefined): telefono is string =>
	!!telefono && E164.test(telefono) && (!telefono.startsWith("+57") || telefono.startsWith("+573"));

/**
 * Twilio error codes that mean "not now" though they come with a 4xx status: too many requests
 * (20429) and a sender whose queue is full (21611). Any other 4xx (21211 invalid number, 21614 not
 * a mobile, 21610 the recipient replied STOP, 20003 bad credentials…) will not pass on a retry.
 */
const TWILIO_REINTENTABLES = new Set([20429, 21611]);

export type TwilioConfig = { accountSid: string; authToken: string } & (
	| { messagingServiceSid: string }
	| { from: string }
);

/** Twilio's Messages API, form-encoded, with Basic auth; it has no idempotency key. */
export const twilio = (
	config: TwilioConfig,
	fetchFn: typeof fetch = (input, init) => fetch(input, init),
): Proveedor<Sms> => ({
	nombre: "twilio",
	canal: "sms",
	idempotente: false,
	async enviar(m) {
		const { accountSid, authToken } = config;
		const remitente: [string, string] =
			"messagingServiceSid" in config
				? ["MessagingServiceSid", config.messagingServiceSid]
				: ["From", config.from];
		let res: Response;
		try {
			res = await fetchFn(
				`${TWILIO_API}/Accounts/${encodeURIComponent(accountSid)}/Messages.json`,
				{
					method: "POST",
					headers: {
						Authorization: `Basic ${btoa(`${accountSid}:${authToken}`)}`,
						"Content-Type": "application/x-www-form-urlencoded",
					},
					body: new URLSearchParams([["To", m.para], remitente, ["Body", m.texto]]).toString(),
					signal: AbortSignal.timeout(TIMEOUT_MS),
				},
			);
		} catch (err) {
			return sinRespuesta("twilio", err, authToken);
		}
		const body = await leerJson(res);
		if (res.ok) return { ok: true, id: texto(campo(body, "sid")) ?? null };
		const code = campo(body, "code");
		const detalle = [
			typeof code === "number" ? `code ${code}` : undefined,
			texto(campo(body, "message")),
		]
			.filter(Boolean)
			.join(": ");
		return {
			ok: false,
			error: textoError(`twilio ${res.status}${detalle ? ` ${detalle}` : ""}`, authToken),
			definitivo: !(
				res.status === 429 ||
				res.status >= 500 ||
				(typeof code === "number" && TWILIO_REINTENTABLES.has(code))
			),
		};
	},
});

/** Development and bench: the text is written to the log (the `wrangler dev` terminal) only. */
export const localSms = (log: Logger): Proveedor<Sms> => ({
	nombre: "local",
	canal: "sms",
	idempotente: true,
	async enviar(m) {
		log.info("notificación local", { canal: "sms", para: m.para, texto: m.texto });
		return { ok: true, id: `local:${m.idempotencia}` };
	},
});
