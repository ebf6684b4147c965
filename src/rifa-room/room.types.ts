import type { RifaEstado } from "../db/schema";
import type { Reglas } from "../domain/reglas";
import type { Texto } from "../lib/errors";

/** What the room needs to know about its rifa; pushed on every change and loaded from D1 if missing. */
export interface RoomConfig {
	rifaId: string;
	estado: RifaEstado;
	fechaInicio: string;
	fechaFin: string;
	totalBoletas: number;
	precio: number;
	reglas: Reglas;
	actualizadoEn: string;
}

export const PAYMENT_METHODS = ["sandbox", "stripe"] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

export interface PurchaseRequest {
	/** Who calls: idempotency keys are scoped to this user. */
	actorId: string;
	/** Who gets the tickets. */
	userId: string;
	quantity: number;
	paymentMethod: PaymentMethod;
	idempotencyKey: string;
	numeros?: number[] | undefined;
}

export type TicketEstado = "reservado" | "vendido";

export interface PurchaseBody {
	tickets: { id: string; numero: number; estado: TicketEstado }[];
	transaccion_id: string;
	payment: {
		provider: PaymentMethod;
		status: "succeeded" | "requires_payment" | "failed";
		amount: number;
		currency: "COP";
		client_secret?: string;
		expires_at?: string;
	};
}

export type RoomError = {
	ok: false;
	status: 402 | 404 | 409 | 422 | 502;
	detail: Texto;
	numeros?: number[];
	retryAfter?: number;
	remaining?: number;
};

export type PurchaseOutcome =
	| { ok: true; status: 201; body: PurchaseBody; replayed: boolean }
	| (RoomError & { replayed?: boolean; body?: PurchaseBody });

export interface Availability {
	rifa_id: string;
	total: number;
	libres: number;
	reservados: number;
	vendidos: number;
	/** One character per number, index = numero: L libre, R reservado, V vendido. */
	mapa: string;
}

export type RoomEvent =
	| { type: "snapshot"; availability: Availability }
	| { type: "reservados" | "vendidos" | "liberados"; numeros: number[] }
	| { type: "estado"; estado: RifaEstado }
	| {
			type: "resultado";
			resultado: { numero: string; serie: string | null; fecha: string };
			ganadores: { posicion: number; numero: number; monto: number }[];
			/** Set when an admin recalculated the prizes: these winners replace the earlier ones. */
			recalculado?: boolean;
	  };
