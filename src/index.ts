import { buildApp } from "./app";
import { runScheduled } from "./jobs/scheduler";
import { counts, observeJob } from "./lib/jobs";
import {
	consumirNotificaciones,
	consumirNotificacionesAgotadas,
} from "./notificaciones/consumidor";
import { consumeDeadPayouts, consumePayouts } from "./payouts/consumer";
import type { PayoutMessage } from "./payouts/payouts";

export { RifaRoom } from "./rifa-room/rifa-room";

const app = buildApp();

/** Which consumer a batch is for; the deployed environments suffix the queue names. */
const consumerOf = (queue: string) => {
	const dlq = queue.endsWith("-dlq");
	if (queue.includes("notificaciones")) return dlq ? "notificaciones_dlq" : "notificaciones";
	return dlq ? "payouts_dlq" : "payouts";
};

export default {
	fetch: app.fetch,
	async scheduled(controller, env, ctx) {
		ctx.waitUntil(
			observeJob(env, ctx, { job: "scheduled", cron: controller.cron }, async () => {
				const report = await runScheduled(env, new Date(controller.scheduledTime));
				return { counts: counts(report), problems: report.errores };
			}),
		);
	},
	async queue(batch, env, ctx) {
		const tags = { job: "queue", queue: batch.queue, messages: batch.messages.length };
		await observeJob(env, ctx, tags, async () => {
			switch (consumerOf(batch.queue)) {
				case "notificaciones": {
					const informe = await consumirNotificaciones(batch, env);
					return { counts: { ...informe }, problems: [] };
				}
				case "notificaciones_dlq": {
					const { fallidas } = await consumirNotificacionesAgotadas(batch, env);
					return { counts: { fallidas }, problems: [] };
				}
				case "payouts_dlq": {
					const { alertas } = await consumeDeadPayouts(batch as MessageBatch<PayoutMessage>, env);
					return { counts: { alertas }, problems: [] };
				}
				default: {
					const { acks, polls, retries } = await consumePayouts(
						batch as MessageBatch<PayoutMessage>,
						env,
					);
					return { counts: { acks, polls, retries: retries.length }, problems: retries };
				}
			}
		});
	},
} satisfies ExportedHandler<Env, unknown>;
