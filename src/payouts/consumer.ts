import { createDb } from "../db/client";
import { type PayoutMessage, processPayout } from "./payouts";

/** Each message is acked or retried on its own, with backoff; after the last retry it goes to the DLQ. */
export const consumePayouts = async (batch: MessageBatch<PayoutMessage>, env: Env) => {
	const db = createDb(env.DB);
	for (const msg of batch.messages) {
		try {
			const result = await processPayout(env, db, msg.body);
			console.log(
				JSON.stringify({ level: "info", msg: "payout", ganador_id: msg.body.ganador_id, result }),
			);
			msg.ack();
		} catch (err) {
			console.error(
				JSON.stringify({
					level: "error",
					msg: "payout failed; will retry",
					ganador_id: msg.body?.ganador_id,
					attempt: msg.attempts,
					error: err instanceof Error ? err.message : String(err),
				}),
			);
			msg.retry({ delaySeconds: Math.min(60 * 2 ** msg.attempts, 3600) });
		}
	}
};
