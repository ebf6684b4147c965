import type { Idioma } from "../db/schema";
import { formatCop, numeroDeRifa } from "../lib/format";
import { type Contexto, medioDeAbono } from "./plantillas";
import type { NotificacionMensaje } from "./tipos";

/** Twilio refuses a body over 1,600 characters (error 21617). */
export const MAX_SMS = 1600;

// GSM 03.38: the basic set (one unit each) and its extension table (two units each, escaped).
const GSM7 = new Set(
	"@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà",
);
const GSM7_EXT = new Set("^{}\\[~]|€");
const EQUIVALENTES: Record<string, string> = {
	"\u00a0": " ",
	"\u202f": " ",
	"\t": " ",
	"…": "...",
	"“": '"',
	"”": '"',
	"‘": "'",
	"’": "'",
	"–": "-",
	"—": "-",
};

const enGsm7 = (ch: string) => GSM7.has(ch) || GSM7_EXT.has(ch);

/**
 * The text in the GSM-7 alphabet: one character outside it would send the whole message as UCS-2,
 * 70 characters a segment instead of 160. Accents GSM-7 lacks are dropped (`á` → `a`; `é`, `ñ`
 * and `ü` stay), typographic spaces, quotes and dashes become plain ones, anything else `?`.
 */
export const aGsm7 = (s: string): string =>
	[...s]
		.map((ch) => {
			if (enGsm7(ch)) return ch;
			const igual = EQUIVALENTES[ch];
			if (igual !== undefined) return igual;
			const base = ch.normalize("NFD").replace(/\p{M}/gu, "");
			return base && [...base].every(enGsm7) ? base : "?";
		})
		.join("");

/** Segments a text is billed as: 160 (153 when split) GSM-7 units, or 70 (67) UCS-2 ones. */
export const segmentosSms = (s: string): number => {
	const chars = [...s];
	if (chars.every(enGsm7)) {
		const unidades = chars.reduce((n, ch) => n + (GSM7_EXT.has(ch) ? 2 : 1), 0);
		return unidades <= 160 ? 1 : Math.ceil(unidades / 153);
	}
	return s.length <= 70 ? 1 : Math.ceil(s.length / 67);
};

const LOCALE: Record<Idioma, string> = { es: "es-CO", en: "en-US" };

/** `2026-12-04T03:30:00Z` → "3 dic 22:30" (en: "Dec 3 22:30"), in Colombia time. */
const fechaCorta = (iso: string, idioma: Idioma) => {
	const partes = Object.fromEntries(
		new Intl.DateTimeFormat(LOCALE[idioma], {
			timeZone: "America/Bogota",
			day: "numeric",
			month: "short",
			hour: "2-digit",
			minute: "2-digit",
			hourCycle: "h23",
		})
			.formatToParts(new Date(iso))
			.map((p) => [p.type, p.value]),
	);
	const mes = String(partes.month).replace(".", "");
	const hora = `${partes.hour}:${partes.minute}`;
	return idioma === "es" ? `${partes.day} ${mes} ${hora}` : `${mes} ${partes.day} ${hora}`;
};

const recortar = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 3)}...`);

/** At most a few numbers by name; a buyer of hundreds gets how many more. */
const MAX_NUMEROS = 5;

/**
 * The text message of one notification, in the recipient's language: one sentence and its link,
 * under 160 GSM-7 characters unless the rifa's name or the numbers are long. A purchase's message
 * carries the signed-receipt link of its first ticket (some 650 characters: about five segments),
 * the buyer's proof without an account; its other tickets are in "Mis boletas".
 */
export const textoSms = (m: NotificacionMensaje, ctx: Contexto): string => {
	const es = ctx.idioma === "es";
	const rifa = ctx.rifa;
	const nombre = recortar(rifa?.nombre ?? (es ? "su rifa" : "your rifa"), 30);
	const total = rifa?.totalBoletas ?? 10_000;
	const lista = (ns: number[]) => {
		const vistos = ns.slice(0, MAX_NUMEROS).map((n) => numeroDeRifa(n, total));
		const resto = ns.length - vistos.length;
		return resto > 0
			? `${vistos.join(", ")} ${es ? `y ${resto} más` : `and ${resto} more`}`
			: vistos.join(", ");
	};
	const numeros = (ns: number[]) =>
		`${es ? (ns.length === 1 ? "número" : "números") : ns.length === 1 ? "number" : "numbers"} ${lista(ns)}`;
	const boletas = `${ctx.appUrl}/mis-boletas`;
	const enRifa = rifa ? `${ctx.appUrl}/rifas/${rifa.id}` : ctx.appUrl;
	const loteria = rifa?.loteria ?? (es ? "La lotería" : "The lottery");
	const linea = (() => {
		switch (m.tipo) {
			case "compra": {
				const d = m.datos;
				const base = es
					? `compra confirmada en ${nombre}: ${numeros(d.numeros)} por ${formatCop(d.monto)}.`
					: `purchase confirmed in ${nombre}: ${numeros(d.numeros)} for ${formatCop(d.monto)}.`;
				const todas = `${es ? "Sus boletas" : "Your tickets"}: ${boletas}`;
				const [primero] = ctx.recibos;
				if (!primero) return `${base} ${todas}`;
				const cual = ctx.recibos.length === 1 ? "" : ` ${numeroDeRifa(primero.numero, total)}`;
				const recibo = `${es ? "Verifique su recibo" : "Verify your receipt"}${cual}: ${ctx.appUrl}/verificar#recibo=${primero.recibo}`;
				const texto = `${base} ${recibo}${ctx.recibos.length > 1 ? `. ${todas}` : ""}`;
				return aGsm7(`Rifa1122: ${texto}`).length <= MAX_SMS ? texto : `${base} ${todas}`;
			}
			case "reserva": {
				const ns = m.datos.numeros;
				return es
					? `reservamos ${ns.length === 1 ? "el" : "los"} ${numeros(ns)} de ${nombre} por ${formatCop(m.datos.monto)} hasta el ${fechaCorta(m.datos.expira_en, "es")}. ${enRifa}`
					: `we are holding ${numeros(ns)} of ${nombre} for ${formatCop(m.datos.monto)} until ${fechaCorta(m.datos.expira_en, "en")}. ${enRifa}`;
			}
			case "reserva_expirada": {
				const ns = m.datos.numeros;
				if (m.datos.motivo)
					return es
						? `no confirmamos su transferencia en ${nombre} (${m.datos.motivo}); ${numeros(ns)} a la venta de nuevo. ${enRifa}`
						: `we could not confirm your transfer in ${nombre} (${m.datos.motivo}); ${numeros(ns)} back on sale. ${enRifa}`;
				return es
					? `su reserva en ${nombre} expiró y ${ns.length === 1 ? "el" : "los"} ${numeros(ns)} ${ns.length === 1 ? "volvió" : "volvieron"} a la venta, sin cobro. ${enRifa}`
					: `your hold in ${nombre} expired; ${numeros(ns)} went back on sale, no charge. ${enRifa}`;
			}
			case "rifa_cerrada":
				return es
					? `cerró la venta de ${nombre}. Sus números: ${lista(m.datos.numeros)}.${rifa ? ` Sorteo: ${fechaCorta(rifa.fechaSorteo, "es")}.` : ""} ${enRifa}`
					: `sales of ${nombre} have ended. Your numbers: ${lista(m.datos.numeros)}.${rifa ? ` Draw: ${fechaCorta(rifa.fechaSorteo, "en")}.` : ""} ${enRifa}`;
			case "resultado": {
				const g = m.datos.ganadores;
				return es
					? `${loteria} jugó el ${m.datos.loteria_numero}. ${g.length ? `En ${nombre} ${g.length === 1 ? "ganó el" : "ganaron los"} ${lista(g)}; los suyos no.` : `Ningún número de ${nombre} ganó.`} ${enRifa}`
					: `${loteria} drew ${m.datos.loteria_numero}. ${g.length ? `In ${nombre} ${lista(g)} won; yours did not.` : `No number of ${nombre} won.`} ${enRifa}`;
			}
			case "ganador": {
				const d = m.datos;
				const premio = formatCop(d.premios.reduce((s, p) => s + p.monto, 0));
				const suyos = lista(d.premios.map((p) => p.numero));
				const como = {
					cuenta: es
						? "Registre en Mis boletas dónde recibirlo:"
						: "Register in My tickets where to receive it:",
					transferencia: es
						? "Se transfiere a su cuenta registrada:"
						: "It is transferred to your payout account:",
					manual: es ? "Un administrador le contactará:" : "An administrator will contact you:",
				}[d.pago];
				return es
					? `¡ganó ${premio} en ${nombre} con ${d.premios.length === 1 ? "el" : "los"} ${suyos}! ${como} ${boletas}`
					: `you won ${premio} in ${nombre} with ${suyos}! ${como} ${boletas}`;
			}
			case "premio_pagado":
				return es
					? `pagamos su premio de ${formatCop(m.datos.monto)} por el ${numeroDeRifa(m.datos.numero, total)} de ${nombre}. ${boletas}`
					: `we paid your prize of ${formatCop(m.datos.monto)} for ${numeroDeRifa(m.datos.numero, total)} of ${nombre}. ${boletas}`;
			case "reembolso": {
				const d = m.datos;
				const monto = formatCop(d.monto);
				const motivo =
					d.motivo === "rifa_cancelada"
						? es
							? "la rifa fue cancelada"
							: "the rifa was cancelled"
						: d.motivo === "abonos_vencidos"
							? es
								? "sus abonos vencieron"
								: "your instalment plan lapsed"
							: es
								? "sus números ya no estaban disponibles"
								: "your numbers were no longer available";
				if (d.manual === "pendiente" && d.efectivo)
					return es
						? `le devolveremos ${monto} en efectivo, en persona, porque ${motivo}. ${boletas}`
						: `we will hand ${monto} back to you in cash because ${motivo}. ${boletas}`;
				if (d.manual === "pendiente")
					return es
						? `le devolveremos ${monto} por transferencia porque ${motivo}; le daremos la referencia. ${boletas}`
						: `we will refund ${monto} by transfer because ${motivo}; we will send its reference. ${boletas}`;
				if (d.manual === "hecho" && d.efectivo)
					return es
						? `le devolvimos ${monto} en efectivo porque ${motivo}. ${boletas}`
						: `we handed ${monto} back to you in cash because ${motivo}. ${boletas}`;
				if (d.manual === "hecho")
					return es
						? `le transferimos ${monto} (ref. ${d.referencia ?? "-"}) porque ${motivo}. ${boletas}`
						: `we transferred ${monto} to you (ref. ${d.referencia ?? "-"}) because ${motivo}. ${boletas}`;
				return es
					? `le devolvimos ${monto} al mismo medio de pago porque ${motivo}. ${boletas}`
					: `we refunded ${monto} to the same payment method because ${motivo}. ${boletas}`;
			}
			case "abono": {
				const d = m.datos;
				const recibido = es
					? `recibimos su abono de ${formatCop(d.monto)}${medioDeAbono(d.medio, true)} en ${nombre} (${numeros(d.numeros)}): lleva ${formatCop(d.pagado)} de ${formatCop(d.total)}`
					: `we received your payment of ${formatCop(d.monto)}${medioDeAbono(d.medio, false)} in ${nombre} (${numeros(d.numeros)}): ${formatCop(d.pagado)} of ${formatCop(d.total)} paid`;
				if (d.pendiente <= 0)
					return es
						? `${recibido}. Su compra quedó pagada. ${boletas}`
						: `${recibido}. Your purchase is paid in full. ${boletas}`;
				return es
					? `${recibido}; faltan ${formatCop(d.pendiente)} hasta el ${fechaCorta(d.fecha_limite, "es")}. ${boletas}`
					: `${recibido}; ${formatCop(d.pendiente)} left, due ${fechaCorta(d.fecha_limite, "en")}. ${boletas}`;
			}
			case "abonos_vencidos": {
				const d = m.datos;
				const vencio = es
					? `venció el plazo de sus abonos en ${nombre}; ${numeros(d.numeros)} a la venta de nuevo.`
					: `your instalment plan in ${nombre} lapsed; ${numeros(d.numeros)} back on sale.`;
				const dinero =
					d.monto <= 0
						? ""
						: d.destino === "credito"
							? es
								? ` Sus ${formatCop(d.monto)} quedan como crédito con el operador.`
								: ` Your ${formatCop(d.monto)} stays as credit with the operador.`
							: es
								? ` Le devolveremos ${formatCop(d.monto)}.`
								: ` We will refund ${formatCop(d.monto)}.`;
				return `${vencio}${dinero} ${boletas}`;
			}
			case "alerta":
				return es
					? `alerta ${m.datos.clase}. El detalle está en el registro de notificaciones.`
					: `alert ${m.datos.clase}. The details are in the notifications log.`;
		}
	})();
	return aGsm7(`Rifa1122: ${linea}`);
};
