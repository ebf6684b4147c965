import { type ErrorCode, type Texto, t } from "../lib/errors";
import type { ChargeRequest, ChargeResult, PaymentProvider } from "../payments/provider";
import { fechaLimite, registrarAbono, reglaPrimerAbono } from "./abonos";
import { avisarReserva } from "./avisos";
import { detallePago, registrarPago } from "./consultas";
import { markFailed, markSold, salesOver, transaccion } from "./holds";
import { freeAmong, freeCount, hold, nextFree, takenOf } from "./numeros";
import { enqueue, mirror } from "./outbox";
import { ventaDe } from "./registro";
import { checkSale } from "./reglas-venta";
import type {
	PurchaseBody,
	PurchaseOutcome,
	PurchaseRequest,
	RoomError,
	RoomTx,
} from "./room.types";

export const IDEMPOTENCY_TTL_MS = 48 * 3600_000;
const IN_FLIGHT_RETRY_AFTER_S = 1;

export type ChargeOutcome = ChargeResult | { status: "error" };

export const fail = (
	code: ErrorCode,
	detail: Texto,
	extra: Partial<RoomError> = {},
): RoomError => ({
	ok: false,
	code,
	detail,
	...extra,
});

const iso = (ms: number) => new Date(ms).toISOString();

const fingerprint = (req: PurchaseRequest) =>
	JSON.stringify({
		user_id: req.userId,
		quantity: req.quantity,
		payment_method: req.paymentMethod,
		numeros: req.numeros ? [...req.numeros].sort((a, b) => a - b) : null,
		...(req.vendedorId ? { vendedor_id: req.vendedorId } : {}),
		...(req.wompi ? { wompi: req.wompi } : {}),
		...(req.abono ? { abono: req.abono } : {}),
	});

const LEGACY_STATUS: Record<number, ErrorCode> = {
	402: "PAYMENT_REQUIRED",
	404: "NOT_FOUND",
	409: "CONFLICT",
	422: "VALIDATION_FAILED",
	502: "BAD_GATEWAY",
};

/** A stored response; those recorded before errors carried their code name it by HTTP status. */
const storedOutcome = (json: string | null): PurchaseOutcome => {
	const o = JSON.parse(json ?? "null") as PurchaseOutcome & { status?: number };
	if (!o.ok && !o.code) return { ...o, code: LEGACY_STATUS[o.status ?? 409] ?? "CONFLICT" };
	return o;
};

// --- A purchase ------------------------------------------------------------------------------

export type Reservation =
	| RoomError
	| { replay: PurchaseOutcome }
	| { settled: PurchaseOutcome }
	| { held: { request: ChargeRequest; numeros: number[] } };

/**
 * How long a purchase's numbers stay held: the rifa's `minutos_reserva`, or the method's own time
 * (cash at a corresponsal takes longer). `endsBeforeClose`: a hold the provider enforces itself
 * (Wompi's expiration) must end before sales close, or the buyer could pay for numbers already let go.
 */
export interface HoldRule {
	ms: number | null;
	endsBeforeClose: boolean;
	/** Why this method holds as long as it does, for the refusal. */
	porque?: Texto;
}

/**
 * The synchronous half of a purchase: the idempotency key, the rifa's rules, then the numbers are
 * taken and held. A provider that answers without I/O settles in this same step.
 */
export const reserve = (
	tx: RoomTx,
	req: PurchaseRequest,
	provider: PaymentProvider,
	now: number,
	frozen: boolean,
	holdRule: HoldRule = { ms: null, endsBeforeClose: false },
): Reservation => {
	const { sql, config } = tx;
	const huella = fingerprint(req);
	const previous = sql
		.exec<{ huella: string; estado: string; respuesta: string | null }>(
			"SELECT huella, estado, respuesta FROM idempotencia WHERE actor_id = ? AND clave = ?",
			req.actorId,
			req.idempotencyKey,
		)
		.toArray()[0];
	if (previous) {
		if (previous.huella !== huella) {
			return fail(
				"VALIDATION_FAILED",
				t(
					"Esta Idempotency-Key ya se usó con otros datos. Use una clave nueva para otra compra.",
					"This Idempotency-Key was already used with other data. Use a new key for another purchase.",
				),
			);
		}
		if (previous.estado === "en_curso") {
			return fail(
				"CONFLICT",
				t(
					"Una compra con esta Idempotency-Key todavía está en curso.",
					"A purchase with this Idempotency-Key is still in progress.",
				),
				{ retryAfter: IN_FLIGHT_RETRY_AFTER_S },
			);
		}
		return { replay: storedOutcome(previous.respuesta) };
	}
	if (frozen) {
		return fail(
			"CONFLICT",
			t(
				"La rifa se está actualizando; intente de nuevo en un momento.",
				"The rifa is being updated; try again in a moment.",
			),
			{ retryAfter: IN_FLIGHT_RETRY_AFTER_S },
		);
	}

	const rejection =
		checkSale(sql, config, req, now) ??
		(req.paymentMethod === "abonos"
			? reglaPrimerAbono(config, req.abono, config.precio * req.quantity, req.vendedorId, now)
			: null);
	if (rejection) return rejection;
	// A plan in instalments holds its numbers until its deadline.
	const holdEnds =
		req.paymentMethod === "abonos"
			? fechaLimite(config)
			: now + (holdRule.ms ?? config.reglas.minutos_reserva * 60_000);
	if (holdRule.endsBeforeClose && holdEnds > Date.parse(config.fechaFin)) {
		const porque = holdRule.porque ?? t("Este medio de pago", "This payment method");
		return fail(
			"VALIDATION_FAILED",
			t(
				`${porque.es} reserva los números hasta ${iso(holdEnds)}, después del cierre de ventas (${config.fechaFin}); elija un medio que se confirme antes.`,
				`${porque.en} holds the numbers until ${iso(holdEnds)}, after sales close (${config.fechaFin}); choose a method that confirms sooner.`,
			),
		);
	}

	const picked = req.numeros ? freeAmong(sql, req.numeros) : nextFree(sql, req.quantity);
	if (req.numeros && picked.length !== req.numeros.length) {
		const free = new Set(picked.map((p) => p.numero));
		const taken = req.numeros.filter((n) => !free.has(n)).sort((a, b) => a - b);
		return fail(
			"CONFLICT",
			t(
				`Estos números ya no están disponibles: ${taken.join(", ")}.`,
				`These numbers are no longer available: ${taken.join(", ")}.`,
			),
			{ numeros: taken },
		);
	}
	if (picked.length < req.quantity) {
		const remaining = freeCount(sql);
		return fail(
			"CONFLICT",
			t(`Solo quedan ${remaining} números disponibles.`, `Only ${remaining} numbers are left.`),
			{ remaining },
		);
	}

	const transaccionId = crypto.randomUUID();
	const amount = config.precio * req.quantity;
	const taken = picked.map((p) => ({ ...p, ticket_id: crypto.randomUUID() }));
	hold(sql, transaccionId, req.userId, taken);
	const rows = taken.map(({ numero, ticket_id }) => ({ numero, ticket_id }));
	sql.exec(
		"INSERT INTO transacciones (id, user_id, amount, provider, status, numeros, expires_at, created_at, vendedor_id) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?)",
		transaccionId,
		req.userId,
		amount,
		req.paymentMethod,
		JSON.stringify(rows),
		holdEnds,
		now,
		req.vendedorId ?? null,
	);
	sql.exec(
		"INSERT INTO idempotencia (actor_id, clave, huella, estado, transaccion_id, created_at) VALUES (?, ?, ?, 'en_curso', ?, ?)",
		req.actorId,
		req.idempotencyKey,
		huella,
		transaccionId,
		now,
	);
	const request: ChargeRequest = {
		transaccionId,
		rifaId: config.rifaId,
		userId: req.userId,
		amount,
		currency: "COP",
		email: req.email,
		comprador: req.comprador,
		expiresAt: holdEnds,
		wompi: req.wompi,
	};
	if (req.paymentMethod === "abonos" && req.abono) {
		const { completo, d1 } = registrarAbono(
			tx,
			transaccion(sql, transaccionId),
			`${transaccionId}:0`,
			req.abono,
			req.vendedorId,
			now,
		);
		const providerRef = `abonos_${transaccionId}`;
		const charge: ChargeResult = completo
			? { status: "succeeded", providerRef }
			: { status: "requires_payment", providerRef };
		const settled = settleCharge(tx, transaccionId, charge, req);
		if ("late" in settled) throw new Error("a charge settled in its own step cannot be late");
		enqueue(sql, d1);
		return { settled };
	}
	if (provider.chargeNow) {
		const settled = settleCharge(tx, transaccionId, provider.chargeNow(request), req);
		// Still held in this same step, so a charge cannot be late here.
		if ("late" in settled) throw new Error("a charge settled in its own step cannot be late");
		return { settled };
	}
	return { held: { request, numeros: rows.map((r) => r.numero) } };
};

const HOLD_EXPIRED = t(
	"La reserva expiró antes de confirmar el pago; intente de nuevo.",
	"The hold expired before the payment was confirmed; try again.",
);

/**
 * Applies a payment result to a held purchase and records the idempotent response, for this
 * purchase's key only: if the hold expired meanwhile and a retry with the same key already got
 * its own answer, that answer stands. `late`: the provider took the money after the hold expired;
 * the caller treats it as a late payment (numbers taken back, or a refund).
 */
export const settleCharge = (
	tx: RoomTx,
	transaccionId: string,
	charge: ChargeOutcome,
	req: PurchaseRequest,
): PurchaseOutcome | { late: ChargeResult & { status: "succeeded" } } => {
	const { sql } = tx;
	const current = transaccion(sql, transaccionId);
	let outcome: PurchaseOutcome;
	if (current.status !== "pending") {
		if (charge.status === "succeeded" && current.status === "failed") return { late: charge };
		outcome = fail("CONFLICT", HOLD_EXPIRED);
	} else if (
		charge.status === "failed" ||
		charge.status === "error" ||
		charge.status === "invalid"
	) {
		markFailed(tx, transaccionId, charge.status === "failed" ? charge.providerRef : null);
		if (charge.status === "error" || charge.status === "invalid") {
			// Nothing was charged: forget the key so the client's retry starts afresh.
			sql.exec(
				"DELETE FROM idempotencia WHERE actor_id = ? AND clave = ? AND transaccion_id = ?",
				req.actorId,
				req.idempotencyKey,
				transaccionId,
			);
			if (charge.status === "invalid") return fail("VALIDATION_FAILED", charge.reason);
			return fail(
				"BAD_GATEWAY",
				t(
					"El proveedor de pagos no respondió; no se cobró nada. Intente de nuevo.",
					"The payment provider did not answer; nothing was charged. Try again.",
				),
			);
		}
		outcome = fail(
			"PAYMENT_REQUIRED",
			t(`El pago fue rechazado: ${charge.reason}`, `The payment was declined: ${charge.reason}`),
		);
	} else {
		if (charge.status === "succeeded" && salesOver(tx)) {
			// Charged after sales ended: the numbers go back and the caller refunds the money.
			markFailed(tx, transaccionId, null);
			return { late: charge };
		}
		if (charge.status === "succeeded") {
			markSold(tx, transaccionId, charge.providerRef);
		} else {
			sql.exec(
				"UPDATE transacciones SET provider_ref = ? WHERE id = ?",
				charge.providerRef,
				transaccionId,
			);
			if (charge.detalle) {
				const held = transaccion(sql, transaccionId);
				registrarPago(
					sql,
					transaccionId,
					charge.detalle,
					held.expires_at ?? Date.now(),
					Date.now(),
				);
			}
			mirror(tx, transaccionId, { tickets: true });
			avisarReserva(tx, transaccion(sql, transaccionId));
		}
		outcome = purchaseBody(sql, req, transaccionId, charge);
	}
	recordOutcome(sql, req, transaccionId, outcome);
	return outcome;
};

export const purchaseBody = (
	sql: SqlStorage,
	req: Pick<PurchaseRequest, "paymentMethod">,
	transaccionId: string,
	charge: ChargeResult,
): PurchaseOutcome => {
	const current = transaccion(sql, transaccionId);
	const detalle = charge.status === "requires_payment" ? detallePago(sql, transaccionId) : null;
	const body: PurchaseBody = {
		tickets: takenOf(sql, transaccionId).map((r) => ({
			id: r.ticket_id,
			numero: r.numero,
			estado: r.estado === "reservado" && req.paymentMethod === "abonos" ? "abonado" : r.estado,
		})),
		transaccion_id: transaccionId,
		payment: {
			provider: req.paymentMethod,
			status: charge.status === "succeeded" ? "succeeded" : "requires_payment",
			amount: current.amount,
			currency: "COP",
			...(charge.status === "requires_payment"
				? {
						...(charge.clientSecret ? { client_secret: charge.clientSecret } : {}),
						expires_at: iso(current.expires_at ?? Date.now()),
					}
				: {}),
			...(detalle ?? {}),
		},
	};
	return { ok: true, status: 201, body, replayed: false };
};

export const recordOutcome = (
	sql: SqlStorage,
	req: PurchaseRequest,
	transaccionId: string,
	outcome: PurchaseOutcome,
): void => {
	sql.exec(
		"UPDATE idempotencia SET estado = 'hecho', respuesta = ? WHERE actor_id = ? AND clave = ? AND transaccion_id = ?",
		JSON.stringify(outcome),
		req.actorId,
		req.idempotencyKey,
		transaccionId,
	);
};

export const lateChargeOutcome = (sold: boolean): RoomError | null =>
	sold
		? null
		: fail(
				"CONFLICT",
				t(
					"La reserva expiró antes de confirmar el pago y sus números ya no están libres; el cobro se reembolsa.",
					"The hold expired before the payment was confirmed and its numbers are no longer free; the charge is being refunded.",
				),
			);

/** Answers kept for a retry with the same key expire after two days. */
export const pruneIdempotency = (sql: SqlStorage, now: number): void => {
	sql.exec(
		"DELETE FROM idempotencia WHERE created_at < ? AND estado = 'hecho'",
		now - IDEMPOTENCY_TTL_MS,
	);
};

/** A sold ticket's answer carries its signed receipt, also on a replay of the purchase. */
export const withReceipts = (sql: SqlStorage, outcome: PurchaseOutcome): PurchaseOutcome => {
	if (!outcome.ok) return outcome;
	const tickets = outcome.body.tickets.map((tk) => {
		const jws = tk.estado === "vendido" ? ventaDe(sql, tk.id)?.jws : null;
		return jws ? { ...tk, recibo: jws } : tk;
	});
	return { ...outcome, body: { ...outcome.body, tickets } };
};
