import type { NotificacionTipo } from "../db/schema";

export type MotivoReembolso = "rifa_cancelada" | "numeros_no_disponibles";
export type ClaseAlerta =
	| "resultado_en_conflicto"
	| "pago_en_dlq"
	| "pago_duplicado"
	| "outbox_atascado"
	| "resolucion_propuesta"
	| "rol_admin_otorgado"
	| "sello_no_coincide"
	| "pago_monto_distinto"
	| "reembolso_vencido";

export interface Premio {
	numero: number;
	monto: number;
}

/** What each type of message says, besides the recipient and the rifa (read when it is rendered). */
export interface DatosPorTipo {
	compra: { transaccion_id: string; numeros: number[]; monto: number };
	reserva: { transaccion_id: string; numeros: number[]; monto: number; expira_en: string };
	reserva_expirada: { transaccion_id: string; numeros: number[] };
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
	};
	alerta: { clase: ClaseAlerta; detalle: Record<string, string | number | null> };
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
