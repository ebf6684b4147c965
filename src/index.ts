import { buildApp } from "./app";
import { runScheduled } from "./jobs/scheduler";
import { consumePayouts } from "./payouts/consumer";
import type { PayoutMessage } from "./payouts/payouts";

export { RifaRoom } from "./rifa-room/rifa-room";

const app = buildApp();

export default {
	fetch: app.fetch,
	async scheduled(controller, env, ctx) {
		ctx.waitUntil(runScheduled(env, new Date(controller.scheduledTime)));
	},
	async queue(batch, env) {
		await consumePayouts(batch, env);
	},
} satisfies ExportedHandler<Env, PayoutMessage>;
