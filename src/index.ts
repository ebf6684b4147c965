import { buildApp } from "./app";
import { runScheduled } from "./jobs/scheduler";
import { counts, observeJob } from "./lib/jobs";
import { consumePayouts } from "./payouts/consumer";
import type { PayoutMessage } from "./payouts/payouts";

export { RifaRoom } from "./rifa-room/rifa-room";

const app = buildApp();

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
			const { acks, retries } = await consumePayouts(batch, env);
			return { counts: { acks, retries: retries.length }, problems: retries };
		});
	},
} satisfies ExportedHandler<Env, PayoutMessage>;
