import type { D1Migration } from "@cloudflare/vitest-plugin";

declare global {
	namespace Cloudflare {
		interface Env {
			TEST_MIGRATIONS: D1Migration[];
			/** The `ratelimits` of wrangler.jsonc, by binding name (see vitest.config.ts). */
			TEST_RATE_LIMITS: Record<string, { limit: number; period: number }>;
			/** The private JWK (JSON) of the key in RECIBOS_CLAVES_ANTERIORES, for rotation tests. */
			TEST_CLAVE_ANTERIOR_PRIVADA: string;
			/** A retired key that signed 2026-01-08 … 2026-01-20 (with its window), for past histories. */
			TEST_CLAVE_HISTORICA_PRIVADA: string;
		}
	}
}
