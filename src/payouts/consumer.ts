import { createDb } from "../db/client";
import { createLogger } from "../lib/logger";
import { type PayoutMessage, processPayout } from "./payouts";

/**
 * Each message is acked or retried on its own, with backoff; after the last retry it goes to the DLQ.
 * Returns how many were acked and which were retried, for the batch's log line.
 */
export const consumePayouts = async (batch: MessageBatch<PayoutMessage>, env: Env) => {
	const db = createDb(env.DB);
	const log = createLogger(env);
	let acks = 0;
	const retries: { ganador_id: string | undefined; attempt: number; error: string }[] = [];
	for (const msg of batch.messages) {
		try {
			const result = await processPayout(env, db, msg.body);
			log.info("payout", { ganador_id: msg.body.ganador_id, result });
			msg.ack();
			acks++;
		} catch (err) {
			const failure = {
				ganador_id: msg.body?.ganador_id,
				attempt: msg.attempts,
				error: err instanceof Error ? err.message : String(err),
			};
			log.error("payout failed; will retry", failure);
			msg.retry({ delaySeconds: Math.min(60 * 2 ** msg.attempts, 3600) });
			retries.push(failure);
		}
	}
	return { acks, retries };
};
