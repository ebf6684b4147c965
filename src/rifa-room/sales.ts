import { type ErrorCode, type Texto, t } from "../lib/errors";
import { COUNTER, eventStatement } from "../lib/metrics";
import type { ChargeRequest, ChargeResult, PaymentProvider } from "../payments/provider";
import { avisarCompra, avisarReserva, avisarReservaExpirada } from "./avisos";
import {
	freeAmong,
	freeCount,
	hold,
	markSoldNumbers,
	nextFree,
	ownedBy,
	release,
	take,
	takenOf,
} from "./numeros";
import { enqueue, mirror } from "./outbox";
import { appendVentas } from "./registro";
import type {
	EstadoTransaccion,
	PaymentMethod,
	PurchaseBody,
	PurchasedNumber,
	PurchaseOutcome,
	PurchaseRequest,
	RoomConfig,
	RoomError,
	RoomTx,
	TransaccionRow,
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

export const transaccion = (sql: SqlStorage, id: string): TransaccionRow =>
	sql.exec<TransaccionRow>("SELECT * FROM transacciones WHERE id = ?", id).one();

/** A purchase as its buyer may see it: where its payment stands, its numbers, its hold's end. */
export const estadoTransaccion = (sql: SqlStorage, id: string): EstadoTransaccion | null => {
	const row = sql.exec<TransaccionRow>("SELECT * FROM transacciones WHERE id = ?", id).toArray()[0];
	if (!row) return null;
	return {
		id: row.id,
		userId: row.user_id,
		status: row.status,
		amount: row.amount,
		provider: row.provider as PaymentMethod,
		numeros: JSON.parse(row.numeros) as PurchasedNumber[],
		expiresAt: row.status === "pending" && row.expires_at !== null ? iso(row.expires_at) : null,
	};
};

// --- Purchase state changes, each mirrored to D1 through the outbox ---------------------------

/** Held numbers become sold. */
export const markSold = (tx: RoomTx, transaccionId: string, providerRef: string | null): void => {
	const numeros = markSoldNumbers(tx.sql, transaccionId);
	tx.sql.exec(
		"UPDATE transacciones SET status = 'succeeded', provider_ref = coalesce(?, provider_ref), expires_at = NULL WHERE id = ?",
		providerRef,
		transaccionId,
	);
	mirror(tx, transaccionId, { tickets: true });
	appendVentas(tx, transaccionId);
	avisarCompra(tx, transaccion(tx.sql, transaccionId));
	tx.emit({ type: "vendidos", numeros });
};

/** Held numbers go back on sale and the purchase is failed (declined, abandoned or expired). */
export const markFailed = (tx: RoomTx, transaccionId: string, providerRef: string | null): void => {
	const numeros = release(tx.sql, transaccionId);
	tx.sql.exec(
		"UPDATE transacciones SET status = 'failed', provider_ref = coalesce(?, provider_ref), expires_at = NULL WHERE id = ?",
		providerRef,
		transaccionId,
	);
	mirror(tx, transaccionId, { released: true });
	if (numeros.length) tx.emit({ type: "liberados", numeros });
};

/** Takes a released purchase's numbers back, if every one is still free. */
export const retake = (tx: RoomTx, row: TransaccionRow): boolean =>
	take(tx.sql, row.id, row.user_id, JSON.parse(row.numeros) as PurchasedNumber[]);

// --- A purchase ------------------------------------------------------------------------------

export type Reservation =
	| RoomError
	| { replay: PurchaseOutcome }
	| { settled: PurchaseOutcome }
	| { held: { request: ChargeRequest; numeros: number[] } };

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

	const rejection = checkSale(sql, config, req, now);
	if (rejection) return rejection;

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
		"INSERT INTO transacciones (id, user_id, amount, provider, status, numeros, expires_at, created_at) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)",
		transaccionId,
		req.userId,
		amount,
		req.paymentMethod,
		JSON.stringify(rows),
		now + config.reglas.minutos_reserva * 60_000,
		now,
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
	};
	if (provider.chargeNow) {
		const settled = settleCharge(tx, transaccionId, provider.chargeNow(request), req);
		// Still held in this same step, so a charge cannot be late here.
		if ("late" in settled) throw new Error("a charge settled in its own step cannot be late");
		return { settled };
	}
	return { held: { request, numeros: rows.map((r) => r.numero) } };
};

/** Sales are over: not on sale, or at or after `fecha_fin`, whatever D1 has told the room yet. */
export const salesOver = (tx: RoomTx) =>
	tx.config.estado !== "activa" || new Date().toISOString() >= tx.config.fechaFin;

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
	} else if (charge.status === "failed" || charge.status === "error") {
		markFailed(tx, transaccionId, charge.status === "failed" ? charge.providerRef : null);
		if (charge.status === "error") {
			// Nothing was charged: forget the key so the client's retry starts afresh.
			sql.exec(
				"DELETE FROM idempotencia WHERE actor_id = ? AND clave = ? AND transaccion_id = ?",
				req.actorId,
				req.idempotencyKey,
				transaccionId,
			);
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
	const body: PurchaseBody = {
		tickets: takenOf(sql, transaccionId).map((r) => ({
			id: r.ticket_id,
			numero: r.numero,
			estado: r.estado,
		})),
		transaccion_id: transaccionId,
		payment: {
			provider: req.paymentMethod,
			status: charge.status === "succeeded" ? "succeeded" : "requires_payment",
			amount: current.amount,
			currency: "COP",
			...(charge.status === "requires_payment"
				? { client_secret: charge.clientSecret, expires_at: iso(current.expires_at ?? Date.now()) }
				: {}),
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

const checkSale = (
	sql: SqlStorage,
	config: RoomConfig,
	req: PurchaseRequest,
	now: number,
): RoomError | null => {
	if (config.estado !== "activa")
		return fail(
			"CONFLICT",
			t(
				`La rifa no está a la venta (estado ${config.estado}).`,
				`The rifa is not on sale (estado ${config.estado}).`,
			),
		);
	const at = iso(now);
	if (at < config.fechaInicio)
		return fail(
			"CONFLICT",
			t(`La venta abre el ${config.fechaInicio}.`, `Sales open at ${config.fechaInicio}.`),
		);
	if (at >= config.fechaFin)
		return fail(
			"CONFLICT",
			t("La venta de esta rifa ya cerró.", "Sales for this rifa have closed."),
		);
	const max = config.reglas.max_boletas_por_compra;
	if (req.quantity > max) {
		return fail(
			"VALIDATION_FAILED",
			t(
				`Máximo ${max} boletas por compra en esta rifa.`,
				`At most ${max} tickets per purchase in this rifa.`,
			),
		);
	}
	if (req.numeros) {
		const outOfRange = req.numeros.filter((n) => n >= config.totalBoletas);
		if (outOfRange.length) {
			return fail(
				"VALIDATION_FAILED",
				t(
					`Los números van de 0 a ${config.totalBoletas - 1}: ${outOfRange.join(", ")}.`,
					`Numbers go from 0 to ${config.totalBoletas - 1}: ${outOfRange.join(", ")}.`,
				),
			);
		}
	}
	const cap = config.reglas.max_boletas_por_usuario;
	if (cap !== null) {
		const owned = ownedBy(sql, req.userId);
		if (owned + req.quantity > cap) {
			return fail(
				"CONFLICT",
				t(
					`Tope de ${cap} boletas por persona en esta rifa: ya tiene ${owned}, puede comprar ${Math.max(cap - owned, 0)} más.`,
					`This rifa allows ${cap} tickets per person: you have ${owned} and can buy ${Math.max(cap - owned, 0)} more.`,
				),
			);
		}
	}
	return null;
};

/**
 * Holds whose time ran out go back on sale, except those whose provider call is still running in
 * this instance (`charging`): that call's answer settles them. Old idempotency records go too.
 */
export const expireHolds = (tx: RoomTx, now: number, charging: ReadonlySet<string>): void => {
	const { sql } = tx;
	const due = sql
		.exec<{ id: string }>(
			"SELECT id FROM transacciones WHERE status = 'pending' AND expires_at <= ?",
			now,
		)
		.toArray()
		.filter(({ id }) => !charging.has(id));
	for (const { id } of due) {
		markFailed(tx, id, null);
		avisarReservaExpirada(tx, transaccion(sql, id));
		// A purchase cut off mid-way (the object restarted) must not block its key forever.
		sql.exec("DELETE FROM idempotencia WHERE transaccion_id = ? AND estado = 'en_curso'", id);
	}
	enqueue(
		sql,
		due.map(({ id }) => eventStatement(COUNTER.holdExpired, id)),
	);
	sql.exec(
		"DELETE FROM idempotencia WHERE created_at < ? AND estado = 'hecho'",
		now - IDEMPOTENCY_TTL_MS,
	);
};

export const nextHoldExpiry = (sql: SqlStorage): number | null =>
	sql
		.exec<{ t: number | null }>(
			"SELECT min(expires_at) AS t FROM transacciones WHERE status = 'pending'",
		)
		.one().t;
