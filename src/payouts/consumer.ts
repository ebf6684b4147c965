import { createDb } from "../db/client";
import { type PayoutMessage, processPayout } from "./payouts";

/**
 * Each message is acked or retried on its own, with backoff; after the last retry it goes to the DLQ.
 * Returns how many were acked and which were retried, for the batch's log line.
 */
export const consumePayouts = async (batch: MessageBatch<PayoutMessage>, env: Env) => {
	const db = createDb(env.DB);
	let acks = 0;
	const retries: { ganador_id: string | undefined; attempt: number; error: string }[] = [];
	for (const msg of batch.messages) {
		try {
			const result = await processPayout(env, db, msg.body);
			console.log(
				JSON.stringify({ level: "info", msg: "payout", ganador_id: msg.body.ganador_id, result }),
			);
			msg.ack();
			acks++;
		} catch (err) {
			const failure = {
				ganador_id: msg.body?.ganador_id,
				attempt: msg.attempts,
				error: err instanceof Error ? err.message : String(err),
			};
			console.error(
				JSON.stringify({ level: "error", msg: "payout failed; will retry", ...failure }),
			);
			msg.retry({ delaySeconds: Math.min(60 * 2 ** msg.attempts, 3600) });
			retries.push(failure);
		}
	}
	return { acks, retries };
};
