import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll } from "vitest";

await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The runtime delivers queue messages up to a second after they are sent (`max_batch_timeout`),
// to the notifications consumer, which logs as it finishes: a file's last sends must be consumed
// before the runtime shuts that file down, or their log lines arrive at a closed test runner.
afterAll(async () => {
	await pause(1_200);
	const deadline = Date.now() + 5_000;
	while (Date.now() < deadline) {
		const claimed = await env.DB.prepare(
			"SELECT count(*) AS n FROM notificaciones WHERE reclamado_en IS NOT NULL",
		).first<{ n: number }>();
		if (!claimed?.n) break;
		await pause(50);
	}
	await pause(200);
});
