import type { Canal, NotificacionTipo } from "../db/schema";

export type MotivoReembolso = "rifa_cancelada" | "numeros_no_disponibles" | "abonos_vencidos";
export type ClaseAlerta =
	| "resultado_en_conflicto"
	| "pago_en_dlq"
	| "pago_duplicado"
	| "outbox_atascado"
	| "resolucion_propuesta"
	| "rol_admin_otorgado"
	| "sello_no_coincide"
	| "pago_monto_distinto"
	| "reembolso_vencido"
	| "abono_tarde";

export interface Premio {
	numero: number;
	monto: number;
}

/** What each type of message says, besides the recipient and the rifa (read when it is rendered). */
export interface DatosPorTipo {
	compra: { transaccion_id: string; numeros: number[]; monto: number };
	reserva: { transaccion_id: string; numeros: number[]; monto: number; expira_en: string };
	/** `motivo`: a proof of transfer was rejected, and why (else the hold simply ran out). */
	reserva_expirada: { transaccion_id: string; numeros: number[]; motivo?: string };
	rifa_cerrada: { numeros: number[] };
	resultado: { numeros: number[]; ganadores: number[]; loteria_numero: string };
	ganador: {
		numeros: number[];
		ganadores: number[];
		loteria_numero: string;
		premios: Premio[];
		/** `cuenta`: paid through Wompi once the winner registers and confirms where (Bre-B or bank). */
		pago: "transferencia" | "manual" | "cuenta";
	};
	premio_pagado: { ganador_id: string; numero: number; monto: number };
	reembolso: {
		transaccion_id: string;
		monto: number;
		motivo: MotivoReembolso;
		/** A refund an admin transfers by hand: announced when owed, then when sent with its reference. */
		manual?: "pendiente" | "hecho";
		referencia?: string;
		/** Paid in cash: given back in person by the rifa's staff (else by a transfer). */
		efectivo?: boolean;
	};
	alerta: { clase: ClaseAlerta; detalle: Record<string, string | number | null> };
	/** One payment towards a plan in instalments; `pendiente` 0: it completed the price. */
	abono: {
		transaccion_id: string;
		abono_id: string;
		numeros: number[];
		monto: number;
		medio: string;
		pagado: number;
		pendiente: number;
		total: number;
		fecha_limite: string;
	};
	/** A plan lapsed unpaid: its numbers went back on sale; `monto` paid is refunded or kept as credit. */
	abonos_vencidos: {
		transaccion_id: string;
		numeros: number[];
		monto: number;
		destino: "reembolso" | "credito";
	};
}

/**
 * One queue message: one event for one recipient. `evento` is the event's stable id (`compra:<tx>`,
 * `resultado:<rifa>`…): with the recipient and the channel it names the notification, so a
 * redelivery finds the one already recorded.
 */
export type NotificacionMensaje = {
	[T in NotificacionTipo]: {
		evento: string;
		tipo: T;
		usuario_id: string;
		rifa_id: string | null;
		datos: DatosPorTipo[T];
	};
}[NotificacionTipo];

export type MensajeDe<T extends NotificacionTipo> = Extract<NotificacionMensaje, { tipo: T }>;

/** One email, rendered: what every email provider is given. */
export interface Email {
	para: string;
	de: string;
	asunto: string;
	texto: string;
	html: string;
	/** Extra headers (List-Unsubscribe…); never credentials. */
	headers: Record<string, string>;
	/** Stable per (event, recipient, channel): a provider that supports it drops a repeat. */
	idempotencia: string;
}

/** One WhatsApp template message (the Cloud API only starts conversations with approved templates). */
export interface WhatsApp {
	/** E.164 with its `+`. */
	para: string;
	plantilla: string;
	/** The template's language code: `es` or `en`. */
	idioma: string;
	/** The body's `{{1}}`, `{{2}}`… in order. */
	parametros: string[];
	idempotencia: string;
}

/** One text message: plain text, already in the GSM-7 alphabet where it can be (sms-text.ts). */
export interface Sms {
	/** E.164 with its `+`. */
	para: string;
	texto: string;
	idempotencia: string;
}

export type Envio =
	| { ok: true; id: string | null }
	/**
	 * `definitivo`: the provider answered that this message cannot go (bad address, template
	 * refused): retrying will not help. Otherwise it said "not now" (429, 5xx) and a retry may.
	 * `incierto`: no answer came (network error, timeout): the message may have gone out.
	 */
	| { ok: false; error: string; definitivo: boolean; incierto?: boolean };

export interface Proveedor<M> {
	readonly nombre: string;
	readonly canal: Canal;
	/** Whether resending after an uncertain outcome is safe (the provider drops repeats). */
	readonly idempotente: boolean;
	/** Sends per second the account allows; the consumer paces itself to it. None: no limit. */
	readonly porSegundo?: number;
	enviar(mensaje: M): Promise<Envio>;
}
