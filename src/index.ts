import { buildApp } from "./app";
import { runScheduled } from "./jobs/scheduler";

export { RifaRoom } from "./rifa-room/rifa-room";

const app = buildApp();

export default {
	fetch: app.fetch,
	async scheduled(controller, env, ctx) {
		ctx.waitUntil(runScheduled(env, new Date(controller.scheduledTime)));
	},
} satisfies ExportedHandler<Env>;
