import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { unstable_readConfig } from "wrangler";
import { nuevaClaveRecibos } from "./scripts/clave-recibos.ts";
import { WOMPI_CLAVES } from "./test/fixtures/wompi.ts";

// wrangler bundles fonts as Data modules (the `rules` in wrangler.jsonc), which import as an
// ArrayBuffer; Vite would import them as a URL instead, so the tests get the same ArrayBuffer here.
const fontsAsData = {
	name: "fonts-as-data",
	enforce: "pre" as const,
	load(id: string) {
		const [file = ""] = id.split("?");
		if (!file.endsWith(".ttf")) return null;
		const b64 = readFileSync(file).toString("base64");
		return `export default Uint8Array.from(atob(${JSON.stringify(b64)}), (c) => c.charCodeAt(0)).buffer;`;
	},
};

export default defineConfig(async () => {
	const migrations = await readD1Migrations("./migrations");
	// wrangler's published types leave its config untyped; this is the part read here.
	const {
		ratelimits,
	}: { ratelimits: { name: string; simple: { limit: number; period: number } }[] } =
		unstable_readConfig({ config: "./wrangler.jsonc" }, { hideWarnings: true });
	// Fresh on every run, so no signing key is ever committed: the current one, and one retired by a
	// rotation whose private half only the tests see (to sign what it would have signed).
	// Tests date rifas back to 2026-01; the retired key signed until 2020 and nothing after.
	// A third, retired key signed only the sales of 2026-01-08 … 2026-01-20: a past rifa's history.
	const [actual, anterior, historica] = await Promise.all([
		nuevaClaveRecibos("test-actual", "2020-01-01T00:00:00.000Z"),
		nuevaClaveRecibos("test-anterior", "2019-01-01T00:00:00.000Z"),
		nuevaClaveRecibos("test-historica", "2026-01-08T00:00:00.000Z"),
	]);
	const anteriorRetirada = { ...anterior.publica, hasta: "2020-01-01T00:00:00.000Z" };
	const hastaHistorica = "2026-01-20T00:00:00.000Z";
	return {
		test: {
			// Every request writes an info line, and so does every message the local provider records.
			onConsoleLog: (log: string) =>
				!log.startsWith('{"level":"info","msg":"request"') &&
				!log.startsWith('{"level":"info","msg":"notificación local"'),
			// Istanbul instruments the source as it is transformed, which works inside workerd (V8
			// coverage does not).
			coverage: {
				provider: "istanbul" as const,
				include: ["src/**"],
				reporter: ["text", "text-summary"],
			},
			projects: [
				{
					resolve: {
						// moment-timezone (under date-holidays) is CommonJS and `require`s moment; moment's
						// "jsnext:main" is an ES module, which the test runner's CommonJS loader cannot require.
						// @redocly/openapi-core's "browser" field, which Workers resolve by, maps colorette to an
						// empty module, yet its logger calls colorette wherever `process` exists (workerd has one).
						alias: {
							moment: "moment/moment.js",
							colorette: fileURLToPath(import.meta.resolve("colorette")),
						},
					},
					plugins: [
						fontsAsData,
						cloudflareTest({
							wrangler: { configPath: "./wrangler.jsonc" },
							miniflare: {
								bindings: {
									TEST_MIGRATIONS: migrations,
									// Tests that reach a limit count on their own clock, with these limits.
									TEST_RATE_LIMITS: Object.fromEntries(ratelimits.map((r) => [r.name, r.simple])),
									JWT_SECRET: "test-only-jwt-secret-0123456789abcdefghijklmnop",
									JWT_PREVIOUS_SECRET: "test-only-previous-jwt-secret-0123456789abcdefgh",
									NOTIFICACIONES_BAJA_SECRET: "test-only-unsubscribe-secret-0123456789abcdefgh",
									ALLOWED_ORIGINS: "https://app.rifa1122.test, https://pos.rifa1122.test",
									PAYMENTS_SANDBOX: "succeed",
									// The deployed values, whatever a local .dev.vars sets for trying things by hand.
									MINUTOS_CIERRE_ANTES_SORTEO: "30",
									// Tests of the legal mode switch it on per request (test/cumplimiento.test.ts).
									MODO_LEGAL: "libre",
									PAYOUTS_PROVIDER: "manual",
									STRIPE_SECRET_KEY: "sk_test_rifa1122_recorded_api_only",
									STRIPE_WEBHOOK_SECRET: "whsec_rifa1122_test_secret",
									// Test-mode keys of the local Wompi stand-in (test/fixtures/wompi-standin.ts).
									...WOMPI_CLAVES,
									// Tests reach the stand-in at Wompi's own host, whatever a local .dev.vars points at.
									WOMPI_API_URL: "",
									WOMPI_PAYOUTS_API_URL: "",
									LOTERIA_WEBHOOK_SECRET: "loteria-webhook-test-secret",
									METRICS_TOKEN: "test-metrics-token-0123456789",
									RECIBOS_CLAVE_PRIVADA: JSON.stringify(actual.privada),
									RECIBOS_CLAVES_ANTERIORES: JSON.stringify([
										anteriorRetirada,
										{ ...historica.publica, hasta: hastaHistorica },
									]),
									TEST_CLAVE_ANTERIOR_PRIVADA: JSON.stringify(anterior.privada),
									TEST_CLAVE_HISTORICA_PRIVADA: JSON.stringify({
										...historica.privada,
										hasta: hastaHistorica,
									}),
									// Low enough that a test can reach a rifa's socket cap.
									WS_MAX_POR_RIFA: "25",
								},
							},
						}),
					],
					test: {
						name: "workerd",
						include: ["test/**/*.test.ts"],
						exclude: ["test/browser/**"],
						setupFiles: ["./test/setup.ts"],
					},
				},
				{
					// The pages in a real headless browser against `wrangler dev` (test/browser/).
					test: {
						name: "browser",
						include: ["test/browser/**/*.test.ts"],
						environment: "node",
						testTimeout: 60_000,
						hookTimeout: 180_000,
						fileParallelism: false,
					},
				},
			],
		},
	};
});
