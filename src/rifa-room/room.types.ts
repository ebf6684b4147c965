import type { RifaEstado } from "../db/schema";
import type { Reglas } from "../domain/reglas";
import type { ErrorCode, Texto } from "../lib/errors";
import type { DetallePago, PagoWompi } from "../payments/wompi/metodos";
import type { Definicion } from "../verificacion/tipos";
import type { Abono } from "./abonos";
import type { AbonoEnLinea } from "./abonos-en-linea";

/** What the room needs to know about its rifa; pushed on every change and loaded from D1 if missing. */
export interface RoomConfig {
	rifaId: string;
	estado: RifaEstado;
	fechaInicio: string;
	fechaFin: string;
	/** The draw that decides the rifa; the seal names it. Absent in configs stored before it. */
	fechaSorteo?: string;
	totalBoletas: number;
	precio: number;
	reglas: Reglas;
	actualizadoEn: string;
	/** What the seal and the receipts commit to. Absent in configs stored before it. */
	definicion?: Definicion;
	/** Its SHA-256, set by the room when it stores the definition (hashing is async). */
	definicionSha256?: string;
}

export const PAYMENT_METHODS = [
	"sandbox",
	"stripe",
	"wompi",
	"efectivo",
	"transferencia",
	"abonos",
] as const;
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
	/** The buyer's email, name and phone, for providers that ask for them. */
	email?: string | undefined;
	comprador?: { nombre: string; telefono: string | null } | undefined;
	/** How the buyer pays through Wompi (`paymentMethod: "wompi"`). */
	wompi?: PagoWompi | undefined;
	/** Staff selling in person on the buyer's behalf: the cash is owed by its box. */
	vendedorId?: string | undefined;
	/** The first payment of a purchase in instalments (`paymentMethod: "abonos"`). */
	abono?: Abono | undefined;
}

/** `abonado`: held by a purchase in instalments until it is paid in full. */
export type TicketEstado = "reservado" | "abonado" | "vendido";

export interface PurchaseBody {
	tickets: { id: string; numero: number; estado: TicketEstado; recibo?: string }[];
	transaccion_id: string;
	payment: {
		provider: PaymentMethod;
		status: "succeeded" | "requires_payment" | "failed";
		amount: number;
		currency: "COP";
		client_secret?: string;
		expires_at?: string;
	} & Partial<DetallePago>;
}

/** A refusal in the API's own vocabulary: the handler turns it into that code's problem+json. */
export interface RoomError {
	ok: false;
	code: ErrorCode;
	detail: Texto;
	numeros?: number[];
	retryAfter?: number;
	remaining?: number;
}

export type PurchaseOutcome =
	| { ok: true; status: 201; body: PurchaseBody; replayed: boolean }
	| (RoomError & { replayed?: boolean });

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

/** A payment provider's event about one of the rifa's purchases (a verified webhook). */
export interface ProviderEvent {
	id: string;
	type: string;
	providerRef: string;
	transaccionId?: string | undefined;
	/** What the provider says it charged; a payment for another amount sells nothing. */
	amount?: number;
	currency?: string;
}

export type PaymentEventResult =
	| "sold"
	| "released"
	| "refunded"
	| "ignored"
	| "duplicate"
	| "unknown"
	/** The provider charged another amount or currency than the purchase's: nothing sold, alerted. */
	| "amount_mismatch";

/** What the cron's reconciler found and repaired in one room. */
export interface RoomSync {
	/** The room's configuration was behind D1 and was replaced. */
	configurada: boolean;
	/** The room had no configuration yet (a rifa written to D1 by other means) and took D1's. */
	nueva: boolean;
	/** Outbox entries that were still waiting to reach D1 and were applied now. */
	aplicadas: number;
	/** Outbox entries that could not be applied and wait for an operator. */
	atascadas: number;
}

/** One statement for D1, as the outbox stores it. */
export interface D1Statement {
	sql: string;
	params: (string | number | null)[];
}

export interface TakenRow extends Record<string, SqlStorageValue> {
	numero: number;
	ticket_id: string;
	orden: number;
	estado: "reservado" | "vendido";
	user_id: string;
	transaccion_id: string;
}

export interface TransaccionRow extends Record<string, SqlStorageValue> {
	id: string;
	user_id: string;
	amount: number;
	provider: string;
	provider_ref: string | null;
	status: "pending" | "succeeded" | "failed" | "refunded";
	/** JSON array of the numbers and ticket ids the purchase took, kept after a release. */
	numeros: string;
	expires_at: number | null;
	created_at: number;
	vendedor_id: string | null;
}

/** The numbers a purchase took, as kept in `transacciones.numeros`. */
/** One purchase as the room (the authority) holds it, for its buyer and the rifa's staff. */
export interface EstadoTransaccion {
	id: string;
	userId: string;
	/** `pending` while the hold waits for payment; then sold, failed (declined or expired) or refunded. */
	status: TransaccionRow["status"];
	amount: number;
	provider: PaymentMethod;
	numeros: PurchasedNumber[];
	/** When a pending hold ends; null once the purchase is settled. */
	expiresAt: string | null;
	/** What the buyer needs to pay a provider that decides later (Wompi); null for the others. */
	pago: DetallePago | null;
	/** Who sold it in person, if anyone. */
	vendedorId: string | null;
	/** A purchase in instalments: what was paid, and each payment. */
	abonos: {
		pagado: number;
		lista: { monto: number; medio: string; en: string }[];
		en_linea: AbonoEnLinea[];
	} | null;
}

export interface PurchasedNumber {
	numero: number;
	ticket_id: string;
}

/**
 * One synchronous step inside the room's storage transaction: the storage, the configuration it
 * sells by, and the events to broadcast once the step has committed.
 */
export interface RoomTx {
	sql: SqlStorage;
	config: RoomConfig;
	emit(event: RoomEvent): void;
}
