import type { Idioma } from "../db/schema";
import { formatCop, numeroDeRifa } from "../lib/format";
import type { NotificacionMensaje } from "./tipos";

export interface RifaDeMensaje {
	id: string;
	nombre: string;
	totalBoletas: number;
	fechaFin: string;
	fechaSorteo: string;
	loteria: string | null;
}

export interface Contexto {
	idioma: Idioma;
	nombre: string;
	/** Where the pages live, without a trailing slash: links in messages are absolute. */
	appUrl: string;
	rifa: RifaDeMensaje | null;
	/** The receipts of a purchase's tickets, for its verification links. */
	recibos: { numero: number; recibo: string }[];
}

export interface Enlace {
	texto: string;
	url: string;
}

export interface Renderizado {
	asunto: string;
	/** The message as stored and as plain text, without the per-recipient unsubscribe footer. */
	texto: string;
	html: string;
	enlaces: Enlace[];
	/** The approved template and its body parameters (`{{1}}` is always the recipient's name). */
	whatsapp: { plantilla: string; parametros: string[] };
}

interface Piezas {
	asunto: string;
	/** The first line is the message in one sentence: WhatsApp's `{{2}}`. */
	lineas: string[];
	enlaces: Enlace[];
}

const LOCALE: Record<Idioma, string> = { es: "es-CO", en: "en-US" };

/** `2026-12-04T03:30:00Z` → "jueves, 3 de diciembre de 2026, 10:30 p. m. (hora de Colombia)". */
export const fechaColombiana = (iso: string, idioma: Idioma): string => {
	const texto = new Intl.DateTimeFormat(LOCALE[idioma], {
		timeZone: "America/Bogota",
		dateStyle: "full",
		timeStyle: "short",
	}).format(new Date(iso));
	return `${texto} (${idioma === "es" ? "hora de Colombia" : "Colombia time"})`;
};

const lista = (numeros: number[], total: number) =>
	numeros.map((n) => numeroDeRifa(n, total)).join(", ");

const recortar = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

export const escapar = (s: string) =>
	s.replace(
		/[&<>"']/g,
		(ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch] ?? ch,
	);

/** How an abono was paid, as a phrase after its amount; online methods need no mention. */
export const medioDeAbono = (medio: string, es: boolean): string =>
	medio === "efectivo"
		? es
			? " en efectivo"
			: " in cash"
		: medio === "credito"
			? es
				? " con su crédito"
				: " with your credit"
			: "";

const piezas = (m: NotificacionMensaje, ctx: Contexto): Piezas => {
	const es = ctx.idioma === "es";
	const rifa = ctx.rifa;
	const nombreRifa = rifa?.nombre ?? (es ? "su rifa" : "your rifa");
	const total = rifa?.totalBoletas ?? 10_000;
	const enRifa = rifa ? `${ctx.appUrl}/rifas/${rifa.id}` : ctx.appUrl;
	const boletas: Enlace = {
		texto: es ? "Ver mis boletas" : "See my tickets",
		url: `${ctx.appUrl}/mis-boletas`,
	};
	const verRifa: Enlace = { texto: es ? "Ver la rifa" : "See the rifa", url: enRifa };
	const sorteo = rifa
		? es
			? `El sorteo es con ${rifa.loteria ?? "la lotería"} el ${fechaColombiana(rifa.fechaSorteo, "es")}.`
			: `The draw is with ${rifa.loteria ?? "the lottery"} on ${fechaColombiana(rifa.fechaSorteo, "en")}.`
		: null;
	const sinNulos = (xs: (string | null)[]) => xs.filter((x): x is string => x !== null);
	switch (m.tipo) {
		case "compra": {
			const d = m.datos;
			const verificar = ctx.recibos.map((r) => ({
				texto: es
					? `Verificar el recibo del número ${numeroDeRifa(r.numero, total)}`
					: `Verify the receipt of number ${numeroDeRifa(r.numero, total)}`,
				url: `${ctx.appUrl}/verificar#recibo=${r.recibo}`,
			}));
			return {
				asunto: es ? `Compra confirmada: ${nombreRifa}` : `Purchase confirmed: ${nombreRifa}`,
				lineas: sinNulos([
					es
						? `Su compra en ${nombreRifa} está confirmada: ${d.numeros.length === 1 ? "número" : "números"} ${lista(d.numeros, total)}, por ${formatCop(d.monto)}.`
						: `Your purchase in ${nombreRifa} is confirmed: ${d.numeros.length === 1 ? "number" : "numbers"} ${lista(d.numeros, total)}, for ${formatCop(d.monto)}.`,
					sorteo,
					verificar.length
						? es
							? "Cada boleta lleva un recibo firmado que cualquiera puede verificar."
							: "Each ticket carries a signed receipt anyone can verify."
						: null,
				]),
				enlaces: [boletas, ...verificar],
			};
		}
		case "reserva": {
			const d = m.datos;
			return {
				asunto: es
					? `Reserva en ${nombreRifa}: complete el pago`
					: `Hold in ${nombreRifa}: complete the payment`,
				lineas: [
					es
						? `Reservamos ${d.numeros.length === 1 ? "el número" : "los números"} ${lista(d.numeros, total)} por ${formatCop(d.monto)} hasta el ${fechaColombiana(d.expira_en, "es")}.`
						: `We are holding ${d.numeros.length === 1 ? "number" : "numbers"} ${lista(d.numeros, total)} for ${formatCop(d.monto)} until ${fechaColombiana(d.expira_en, "en")}.`,
					es
						? "Si el pago no se confirma antes, los números vuelven a la venta."
						: "If the payment is not confirmed by then, the numbers go back on sale.",
				],
				enlaces: [verRifa],
			};
		}
		case "reserva_expirada":
			return {
				asunto: es ? `Su reserva en ${nombreRifa} expiró` : `Your hold in ${nombreRifa} expired`,
				lineas: m.datos.motivo
					? [
							es
								? `No pudimos confirmar su transferencia: ${m.datos.motivo.replace(/[.\s]+$/, "")}. ${m.datos.numeros.length === 1 ? "El número" : "Los números"} ${lista(m.datos.numeros, total)} volvieron a la venta.`
								: `We could not confirm your transfer: ${m.datos.motivo.replace(/[.\s]+$/, "")}. ${m.datos.numeros.length === 1 ? "Number" : "Numbers"} ${lista(m.datos.numeros, total)} went back on sale.`,
						]
					: [
							es
								? `El pago no se confirmó a tiempo: ${m.datos.numeros.length === 1 ? "el número" : "los números"} ${lista(m.datos.numeros, total)} volvieron a la venta. No se le cobró nada.`
								: `The payment was not confirmed in time: ${m.datos.numeros.length === 1 ? "number" : "numbers"} ${lista(m.datos.numeros, total)} went back on sale. You were not charged.`,
						],
				enlaces: [verRifa],
			};
		case "rifa_cerrada":
			return {
				asunto: es ? `Ventas cerradas: ${nombreRifa}` : `Sales closed: ${nombreRifa}`,
				lineas: sinNulos([
					es
						? `Terminó la venta de ${nombreRifa}. Sus números: ${lista(m.datos.numeros, total)}.`
						: `Sales of ${nombreRifa} have ended. Your numbers: ${lista(m.datos.numeros, total)}.`,
					sorteo,
				]),
				enlaces: [verRifa],
			};
		case "resultado":
			return {
				asunto: es ? `Resultado de ${nombreRifa}` : `Result of ${nombreRifa}`,
				lineas: [
					m.datos.ganadores.length === 0
						? es
							? `${rifa?.loteria ?? "La lotería"} jugó el ${m.datos.loteria_numero}: ningún número de la rifa ganó.`
							: `${rifa?.loteria ?? "The lottery"} drew ${m.datos.loteria_numero}: no number of the rifa won.`
						: es
							? `${rifa?.loteria ?? "La lotería"} jugó el ${m.datos.loteria_numero}: ${m.datos.ganadores.length === 1 ? "ganó el número" : "ganaron los números"} ${lista(m.datos.ganadores, total)}.`
							: `${rifa?.loteria ?? "The lottery"} drew ${m.datos.loteria_numero}: the winning ${m.datos.ganadores.length === 1 ? "number is" : "numbers are"} ${lista(m.datos.ganadores, total)}.`,
					es
						? `Sus números (${lista(m.datos.numeros, total)}) no ganaron esta vez. Gracias por participar.`
						: `Your numbers (${lista(m.datos.numeros, total)}) did not win this time. Thank you for playing.`,
				],
				enlaces: [verRifa],
			};
		case "ganador": {
			const d = m.datos;
			const premio = d.premios.reduce((s, p) => s + p.monto, 0);
			return {
				asunto: es ? `¡Ganó en ${nombreRifa}!` : `You won in ${nombreRifa}!`,
				lineas: [
					es
						? `¡Felicitaciones! Su número ${lista(
								d.premios.map((p) => p.numero),
								total,
							)} ganó ${formatCop(premio)} en ${nombreRifa}.`
						: `Congratulations! Your number ${lista(
								d.premios.map((p) => p.numero),
								total,
							)} won ${formatCop(premio)} in ${nombreRifa}.`,
					es
						? `${rifa?.loteria ?? "La lotería"} jugó el ${d.loteria_numero}.`
						: `${rifa?.loteria ?? "The lottery"} drew ${d.loteria_numero}.`,
					d.pago === "cuenta"
						? es
							? "Para recibirlo, registre en Mis boletas su llave Bre-B (cédula, celular, correo o alias) o su cuenta bancaria y confírmela: el premio se le transfiere entonces y le avisaremos cuando se pague."
							: "To receive it, register your Bre-B key (ID, phone, email or alias) or your bank account in My tickets and confirm it: the prize is then transferred and we will tell you when it is paid."
						: d.pago === "transferencia"
							? es
								? "El premio se transfiere a la cuenta registrada para pagos; le avisaremos cuando se haga."
								: "The prize is transferred to your payout account; we will tell you when it is done."
							: es
								? "Un administrador le contactará para pagarle por transferencia bancaria; le avisaremos cuando se haga."
								: "An administrator will contact you to pay it by bank transfer; we will tell you when it is done.",
				],
				enlaces: [boletas, verRifa],
			};
		}
		case "premio_pagado":
			return {
				asunto: es ? `Premio pagado: ${nombreRifa}` : `Prize paid: ${nombreRifa}`,
				lineas: [
					es
						? `Pagamos su premio de ${formatCop(m.datos.monto)} por el número ${numeroDeRifa(m.datos.numero, total)} de ${nombreRifa}.`
						: `We paid your prize of ${formatCop(m.datos.monto)} for number ${numeroDeRifa(m.datos.numero, total)} of ${nombreRifa}.`,
				],
				enlaces: [boletas],
			};
		case "reembolso": {
			const motivo =
				m.datos.motivo === "rifa_cancelada"
					? es
						? "la rifa fue cancelada"
						: "the rifa was cancelled"
					: m.datos.motivo === "abonos_vencidos"
						? es
							? "el plazo de sus abonos venció sin completar el pago"
							: "your instalment plan lapsed before it was paid in full"
						: es
							? "su pago llegó cuando sus números ya no estaban disponibles"
							: "your payment arrived when your numbers were no longer available";
			const monto = formatCop(m.datos.monto);
			const lineas =
				m.datos.manual === "pendiente"
					? [
							es
								? `Le devolveremos ${monto} porque ${motivo}.`
								: `We will refund ${monto} because ${motivo}.`,
							m.datos.efectivo
								? es
									? "Pagó en efectivo: quien le vendió o el operador de la rifa se lo devuelve en persona, y le avisaremos cuando se haga."
									: "You paid in cash: your seller or the rifa's operador hands it back in person, and we will tell you when it is done."
								: es
									? "Su medio de pago no permite devoluciones automáticas: le haremos una transferencia y le avisaremos con su referencia."
									: "Your payment method has no automatic refunds: we will send you a transfer and tell you its reference.",
						]
					: m.datos.manual === "hecho" && m.datos.efectivo
						? [
								es
									? `Le devolvimos ${monto} en efectivo, en persona, porque ${motivo}.`
									: `We handed ${monto} back to you in cash, in person, because ${motivo}.`,
							]
						: m.datos.manual === "hecho"
							? [
									es
										? `Le transferimos ${monto} (referencia ${m.datos.referencia ?? "-"}) porque ${motivo}.`
										: `We transferred ${monto} to you (reference ${m.datos.referencia ?? "-"}) because ${motivo}.`,
								]
							: [
									es
										? `Le devolvimos ${monto} porque ${motivo}.`
										: `We refunded ${monto} because ${motivo}.`,
									es
										? "El dinero vuelve al mismo medio de pago; según su banco puede tardar unos días."
										: "The money goes back to the same payment method; depending on your bank it may take a few days.",
								];
			return {
				asunto: es ? `Reembolso: ${nombreRifa}` : `Refund: ${nombreRifa}`,
				lineas,
				enlaces: [boletas],
			};
		}
		case "abono": {
			const d = m.datos;
			const cuales = `${d.numeros.length === 1 ? (es ? "el número" : "number") : es ? "los números" : "numbers"} ${lista(d.numeros, total)}`;
			const medio = medioDeAbono(d.medio, es);
			return {
				asunto: es ? `Abono recibido: ${nombreRifa}` : `Payment received: ${nombreRifa}`,
				lineas: [
					es
						? `Recibimos su abono de ${formatCop(d.monto)}${medio} por ${cuales} de ${nombreRifa}: lleva ${formatCop(d.pagado)} de ${formatCop(d.total)}.`
						: `We received your payment of ${formatCop(d.monto)}${medio} towards ${cuales} of ${nombreRifa}: ${formatCop(d.pagado)} of ${formatCop(d.total)} paid.`,
					d.pendiente > 0
						? es
							? `Le faltan ${formatCop(d.pendiente)}: páguelos antes del ${fechaColombiana(d.fecha_limite, "es")} o los números vuelven a la venta.`
							: `${formatCop(d.pendiente)} is left: pay it by ${fechaColombiana(d.fecha_limite, "en")} or the numbers go back on sale.`
						: es
							? "Su compra quedó pagada: le enviaremos sus boletas con sus recibos."
							: "Your purchase is paid in full: we will send your tickets with their receipts.",
				],
				enlaces: [boletas],
			};
		}
		case "abonos_vencidos": {
			const d = m.datos;
			const cuales = `${d.numeros.length === 1 ? (es ? "el número" : "number") : es ? "los números" : "numbers"} ${lista(d.numeros, total)}`;
			const monto = formatCop(d.monto);
			return {
				asunto: es
					? `Venció su plan de abonos en ${nombreRifa}`
					: `Your instalment plan in ${nombreRifa} lapsed`,
				lineas: sinNulos([
					es
						? `El plazo para pagar ${cuales} de ${nombreRifa} terminó sin completar el pago, y ${d.numeros.length === 1 ? "volvió" : "volvieron"} a la venta.`
						: `The deadline to pay ${cuales} of ${nombreRifa} passed before the payment was complete, and ${d.numeros.length === 1 ? "it" : "they"} went back on sale.`,
					d.monto <= 0
						? null
						: d.destino === "credito"
							? es
								? `Lo que abonó, ${monto}, queda como crédito suyo con el operador de la rifa para sus próximas compras.`
								: `What you paid, ${monto}, stays as your credit with the rifa's operador for your next purchases.`
							: es
								? `Le devolveremos lo que abonó, ${monto}, y le avisaremos cuando se haga.`
								: `We will refund what you paid, ${monto}, and tell you when it is done.`,
				]),
				enlaces: [boletas, verRifa],
			};
		}
		case "alerta": {
			const que: Record<typeof m.datos.clase, [string, string]> = {
				resultado_en_conflicto: [
					"Las fuentes de un resultado no coinciden: la liquidación espera su resolución.",
					"The sources of a result disagree: settlement waits for a resolution.",
				],
				pago_en_dlq: [
					"Un pago de premio agotó sus reintentos y está en la cola de mensajes fallidos.",
					"A prize payout ran out of retries and is in the dead-letter queue.",
				],
				pago_duplicado: [
					"Salió una transferencia por un premio que ya estaba pagado: hay que recuperarla.",
					"A transfer went out for a prize already paid: it must be recovered.",
				],
				outbox_atascado: [
					"D1 rechaza una escritura de una sala de rifa: quedó apartada.",
					"D1 keeps refusing a write from a rifa room: it was set aside.",
				],
				resolucion_propuesta: [
					"Un administrador propuso el resultado de un sorteo en conflicto: no vale hasta que otro administrador lo confirme. Revise la propuesta y su evidencia.",
					"An admin proposed the result of a draw in conflict: it stands only once another admin confirms it. Check the proposal and its evidence.",
				],
				rol_admin_otorgado: [
					"Una cuenta recibió el rol de administrador (o volvió a tenerlo): si nadie lo esperaba, revíselo ya.",
					"An account was given the admin role (or got it back): if nobody expected it, check it now.",
				],
				pago_monto_distinto: [
					"Un proveedor de pagos informa un cobro por otro monto o moneda que el de la compra: no se vendió nada; revise si hay que devolver dinero.",
					"A payment provider reports a charge of another amount or currency than the purchase's: nothing was sold; check whether money must go back.",
				],
				reembolso_vencido: [
					"Un reembolso manual sigue pendiente después del plazo: transfiera el dinero y regístrelo.",
					"A manual refund is still pending past its deadline: transfer the money and record it.",
				],
				abono_tarde: [
					"Un abono en línea se aprobó cuando su plan ya no esperaba pago: quedó como crédito del comprador con el operador; revise si prefiere devolverlo.",
					"An online abono was approved after its plan stopped waiting: it became the buyer's credit with the operador; check whether to refund it instead.",
				],
				sello_no_coincide: [
					"D1 muestra boletas vendidas que el sello de la rifa no contiene (o le faltan): la rifa no se liquida hasta revisarlo.",
					"D1 shows sold tickets the rifa's seal does not hold (or lacks some): the rifa does not settle until it is checked.",
				],
			};
			const [lineaEs, lineaEn] =
				m.datos.detalle.estado === "contradice_confirmado"
					? [
							"Una fuente contradice un resultado ya confirmado: el resultado se mantiene; revise la fuente.",
							"A source contradicts a confirmed result: the result stands; check the source.",
						]
					: que[m.datos.clase];
			return {
				asunto: es ? `Alerta: ${m.datos.clase}` : `Alert: ${m.datos.clase}`,
				lineas: [
					es ? lineaEs : lineaEn,
					...Object.entries(m.datos.detalle).map(([k, v]) => `${k}: ${v ?? "-"}`),
				],
				enlaces: rifa ? [verRifa] : [],
			};
		}
	}
};

/** Subject, plain text, HTML and WhatsApp template of one message, in the recipient's language. */
export const renderizar = (m: NotificacionMensaje, ctx: Contexto): Renderizado => {
	const p = piezas(m, ctx);
	const es = ctx.idioma === "es";
	const saludo = es ? `Hola, ${ctx.nombre}:` : `Hello ${ctx.nombre},`;
	const firma = es ? "El equipo de Rifa1122" : "The Rifa1122 team";
	const texto = [
		saludo,
		"",
		...p.lineas,
		"",
		...p.enlaces.map((e) => `${e.texto}: ${e.url}`),
		"",
		firma,
	].join("\n");
	const html = [
		`<!doctype html><html lang="${ctx.idioma}"><head><meta charset="utf-8"><title>${escapar(p.asunto)}</title></head>`,
		'<body style="font-family:Arial,sans-serif;line-height:1.5;color:#1a1a1a">',
		`<p>${escapar(saludo)}</p>`,
		...p.lineas.map((l) => `<p>${escapar(l)}</p>`),
		...p.enlaces.map((e) => `<p><a href="${escapar(e.url)}">${escapar(e.texto)}</a></p>`),
		`<p>${escapar(firma)}</p>`,
		"</body></html>",
	].join("\n");
	return {
		asunto: p.asunto,
		texto,
		html,
		enlaces: p.enlaces,
		whatsapp: {
			plantilla: `rifa1122_${m.tipo}`,
			// Meta refuses a body parameter over 1,024 characters (a buyer of hundreds of numbers).
			parametros: [ctx.nombre, recortar(p.lineas[0] ?? p.asunto, 1024)],
		},
	};
};

/** The per-recipient footer of an email: the unsubscribe link, never stored with the message. */
export const pieDeBaja = (idioma: Idioma, url: string) => {
	const texto =
		idioma === "es"
			? `Para dejar de recibir estos correos: ${url}`
			: `To stop receiving these emails: ${url}`;
	const enlace = idioma === "es" ? "Dejar de recibir estos correos" : "Stop receiving these emails";
	return {
		texto: `\n\n--\n${texto}`,
		html: `<p style="font-size:12px;color:#666"><a href="${escapar(url)}">${escapar(enlace)}</a></p>`,
	};
};
