import { createDb } from "../db/client";
import { t } from "../lib/errors";
import { errorFields, type Logger } from "../lib/logger";
import { horasEfectivo } from "../payments/metodos";
import { type PaymentProvider, PaymentUnavailableError } from "../payments/provider";
import { frozenSince, loadRoomConfig } from "./config";
import type {
	PaymentEventResult,
	PaymentMethod,
	ProviderEvent,
	PurchaseOutcome,
	PurchaseRequest,
	RoomConfig,
	RoomEvent,
	RoomSync,
	RoomTx,
} from "./room.types";
import {
	type ChargeOutcome,
	fail,
	type HoldRule,
	lateChargeOutcome,
	purchaseBody,
	recordOutcome,
	reserve,
	settleCharge,
	withReceipts,
} from "./sales";

/**
 * Wompi ends the hold itself (`expiration_time`), so it must end before sales close; cash at a
 * corresponsal needs hours (`WOMPI_HORAS_EFECTIVO`), the other methods the rifa's `minutos_reserva`.
 */
const holdRule = (env: Env, req: PurchaseRequest): HoldRule => {
	if (req.paymentMethod !== "wompi") return { ms: null, endsBeforeClose: false };
	if (req.wompi?.metodo === "BANCOLOMBIA_COLLECT") {
		return {
			ms: horasEfectivo(env) * 3600_000,
			endsBeforeClose: true,
			porque: t("El pago en efectivo en un corresponsal", "Cash payment at a corresponsal"),
		};
	}
	return {
		ms: null,
		endsBeforeClose: true,
		porque: t("El pago por Wompi", "Payment through Wompi"),
	};
};

/** A change of what buyers pay for that has not landed by then is taken from D1 by the room. */
export const FREEZE_MAX_MS = 30_000;

/** What a purchase needs of its room. */
export interface CompraRoom {
	sql: SqlStorage;
	env: Env;
	rifaId(): string;
	config(): RoomConfig | null;
	ensureConfig(): Promise<RoomConfig | null>;
	sync(config: RoomConfig): Promise<RoomSync>;
	step<T>(config: RoomConfig, fn: (tx: RoomTx) => T): T;
	payments(method: PaymentMethod): PaymentProvider;
	/** Purchases whose provider call is running in this instance: their holds do not expire under them. */
	charging: Set<string>;
	flush(): Promise<boolean>;
	armAlarm(): Promise<void>;
	broadcast(event: RoomEvent): void;
	paymentSucceeded(event: ProviderEvent): Promise<PaymentEventResult>;
	log(): Logger;
}

/**
 * How a purchase runs in the rifa's room: the synchronous step that checks the key and the rules
 * and takes the numbers (sales.ts), the provider's charge outside any step, then the step that
 * settles it; a charge that lands after the numbers were let go becomes a refund.
 */
export class Compras {
	constructor(private readonly room: CompraRoom) {}

	/** A purchase, from the idempotency key to its answer with receipts. */
	async purchase(req: PurchaseRequest): Promise<PurchaseOutcome> {
		const config = await this.room.ensureConfig();
		if (!config) return fail("NOT_FOUND", t("La rifa no existe.", "The rifa does not exist."));
		let provider: PaymentProvider;
		try {
			provider = this.room.payments(req.paymentMethod);
		} catch (err) {
			if (err instanceof PaymentUnavailableError) return fail("VALIDATION_FAILED", err.detail);
			throw err;
		}
		const frozen = frozenSince(this.room.sql);
		if (frozen !== null && Date.now() - frozen > FREEZE_MAX_MS) {
			const fresh = await loadRoomConfig(createDb(this.room.env.DB), this.room.rifaId());
			if (fresh) await this.room.sync(fresh);
		}
		const current = this.room.config() ?? config;
		const now = Date.now();
		const reserved = this.room.step(current, (tx) =>
			reserve(
				tx,
				req,
				provider,
				now,
				frozenSince(this.room.sql) !== null,
				holdRule(this.room.env, req),
			),
		);
		if ("ok" in reserved) return reserved;
		if ("replay" in reserved)
			return withReceipts(this.room.sql, { ...reserved.replay, replayed: true });
		if ("settled" in reserved) {
			await this.room.flush();
			return withReceipts(this.room.sql, reserved.settled);
		}
		const { request, numeros } = reserved.held;
		this.room.broadcast({ type: "reservados", numeros });
		await this.room.armAlarm();

		let charge: ChargeOutcome;
		this.room.charging.add(request.transaccionId);
		try {
			charge = await provider.charge(request);
		} catch (err) {
			this.room.log().error("payment provider error", {
				provider: req.paymentMethod,
				transaccion_id: request.transaccionId,
				error: errorFields(err),
			});
			charge = { status: "error" };
		} finally {
			this.room.charging.delete(request.transaccionId);
		}

		const settled = this.room.step(this.room.config() ?? current, (tx) =>
			settleCharge(tx, request.transaccionId, charge, req),
		);
		if (!("late" in settled)) {
			await this.room.flush();
			return withReceipts(this.room.sql, settled);
		}
		// The provider took the money after the numbers were let go (sales closed meanwhile).
		const result = await this.room
			.paymentSucceeded({
				id: `cobro:${request.transaccionId}`,
				type: "charge.succeeded",
				providerRef: settled.late.providerRef,
				transaccionId: request.transaccionId,
			})
			.catch((err: unknown) => {
				this.room.log().error("refund of a late charge failed; the alarm retries it", {
					transaccion_id: request.transaccionId,
					error: errorFields(err),
				});
				return "refunded" as const;
			});
		const outcome =
			lateChargeOutcome(result === "sold") ??
			purchaseBody(this.room.sql, req, request.transaccionId, settled.late);
		recordOutcome(this.room.sql, req, request.transaccionId, outcome);
		await this.room.flush();
		return withReceipts(this.room.sql, outcome);
	}
}
