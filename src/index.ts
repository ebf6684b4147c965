import { buildApp } from "./app";

export { RifaRoom } from "./rifa-room/rifa-room";

const app = buildApp();

export default {
	fetch: app.fetch,
} satisfies ExportedHandler<Env>;
