import { errorFields, type Logger } from "../lib/logger";
import type { PaymentProvider, RefundResult } from "../payments/provider";
import { metodoPago } from "./consultas";
import {
	cancellationRefunded,
	lateRefunded,
	type PendingRefund,
	paidPurchases,
	pendingRefunds,
} from "./payment-events";
import type { PaymentMethod, RoomConfig, RoomTx } from "./room.types";

/** What refunds need of their room: its storage, its provider seam and its committed steps. */
export interface RefundRoom {
	sql: SqlStorage;
	config(): RoomConfig | null;
	payments(method: PaymentMethod): PaymentProvider;
	step<T>(config: RoomConfig, fn: (tx: RoomTx) => T): T;
	log(): Logger;
}

/**
 * Money going back through the provider: every paid purchase of a cancelled rifa, and late
 * payments whose numbers could not be sold. Each refund is idempotent at the provider per
 * transaccion, and each is recorded once; what fails is left for the room's alarm to retry.
 */
export class Refunds {
	private running: Promise<{ refunded: number; failed: number }> | null = null;

	constructor(readonly room: RefundRoom) {}

	/** A cancelled rifa's paid purchases; one run at a time, a later caller waits for it. */
	async cancelled(): Promise<{ refunded: number; failed: number }> {
		while (this.running) await this.running;
		const run = this.cancelledOnce().finally(() => {
			this.running = null;
		});
		this.running = run;
		return run;
	}

	private async cancelledOnce(): Promise<{ refunded: number; failed: number }> {
		const config = this.room.config();
		if (config?.estado !== "cancelada") return { refunded: 0, failed: 0 };
		let refunded = 0;
		let failed = 0;
		for (const row of paidPurchases(this.room.sql)) {
			let result: RefundResult;
			try {
				result = await this.room.payments(row.provider as PaymentMethod).refund({
					transaccionId: row.id,
					providerRef: row.provider_ref ?? "",
					reason: "rifa_cancelada",
					metodo: metodoPago(this.room.sql, row.id),
				});
			} catch (err) {
				failed++;
				this.room.log().error("refund failed; will retry", {
					transaccion_id: row.id,
					error: errorFields(err),
				});
				continue;
			}
			const manual = "manual" in result;
			const refundRef = "manual" in result ? null : result.providerRef;
			if (this.room.step(config, (tx) => cancellationRefunded(tx, row.id, refundRef, manual)))
				refunded++;
		}
		return { refunded, failed };
	}

	/** One late payment, as decided by `paymentSucceeded`; throws when the provider fails. */
	async late({ transaccionId, event }: PendingRefund): Promise<void> {
		const row = this.room.sql
			.exec<{ provider: string }>("SELECT provider FROM transacciones WHERE id = ?", transaccionId)
			.one();
		const refund = await this.room.payments(row.provider as PaymentMethod).refund({
			transaccionId,
			providerRef: event.providerRef,
			reason: "numeros_no_disponibles",
			metodo: metodoPago(this.room.sql, transaccionId),
		});
		const manual = "manual" in refund;
		const refundRef = "manual" in refund ? null : refund.providerRef;
		const config = this.room.config();
		if (config)
			this.room.step(config, (tx) => lateRefunded(tx, event, transaccionId, refundRef, manual));
	}

	/** The late refunds still pending; false when one of them failed again. */
	async retryLate(): Promise<boolean> {
		let ok = true;
		for (const pending of pendingRefunds(this.room.sql)) {
			try {
				await this.late(pending);
			} catch (err) {
				ok = false;
				this.room.log().error("refund of a late payment failed; will retry", {
					transaccion_id: pending.transaccionId,
					error: errorFields(err),
				});
			}
		}
		return ok;
	}
}
