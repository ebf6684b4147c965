import { ApiError, t } from "../../lib/errors";
import { errorFields } from "../../lib/logger";
import { collectMetrics } from "../../lib/metrics";
import type { AppRouteHandler } from "../../lib/types";
import { jwks as clavesPublicas } from "../../recibos/claves";
import { horasAlertaReembolso } from "../../services/reembolsos.service";
import type { healthz, jwks, metrics } from "./ops.routes";

/** Compares digests, not the strings: same length always, so the time taken reveals nothing. */
const sameSecret = async (given: string, expected: string) => {
	const digest = (s: string) => crypto.subtle.digest("SHA-256", new TextEncoder().encode(s));
	const [a, b] = await Promise.all([digest(given), digest(expected)]);
	return crypto.subtle.timingSafeEqual(a, b);
};

export const healthzHandler: AppRouteHandler<typeof healthz> = async (c) => {
	try {
		await c.env.DB.prepare("SELECT 1").first();
	} catch (err) {
		c.var.logger.error("health check failed", { check: "d1", error: errorFields(err) });
		throw new ApiError(
			"SERVICE_UNAVAILABLE",
			t("La base de datos (D1) no responde.", "The database (D1) is not responding."),
			{
				errors: [{ path: "checks.d1", message: "D1 no responde" }],
			},
		);
	}
	c.header("Cache-Control", "no-store");
	return c.json({ status: "ok" as const, checks: { d1: "ok" as const } }, 200);
};

export const metricsHandler: AppRouteHandler<typeof metrics> = async (c) => {
	const token = c.env.METRICS_TOKEN;
	if (!token) {
		throw new ApiError(
			"NOT_FOUND",
			t("La ruta GET /metrics no existe.", "There is no route GET /metrics."),
		);
	}
	const given = c.req.header("Authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
	if (!given || !(await sameSecret(given, token))) {
		throw new ApiError(
			"UNAUTHORIZED",
			t("Falta el token de métricas o no es válido.", "The metrics token is missing or invalid."),
			{
				headers: { "WWW-Authenticate": 'Bearer realm="metrics"' },
			},
		);
	}
	const vencidoAntes = new Date(Date.now() - horasAlertaReembolso(c.env) * 3600_000).toISOString();
	return c.text(await collectMetrics(c.env.DB, vencidoAntes), 200, {
		"Content-Type": "text/plain; version=0.0.4; charset=utf-8",
		"Cache-Control": "no-store",
	});
};

// 404 rather than 503: without a key, receipts are off by configuration (as /metrics without its
// token), not down; a 503 would have monitors and verifiers retry something that is not coming.
export const jwksHandler: AppRouteHandler<typeof jwks> = async (c) => {
	const set = await clavesPublicas(c.env);
	if (!set) {
		throw new ApiError(
			"NOT_FOUND",
			t(
				"No hay claves de firma configuradas: los recibos firmados están desactivados.",
				"No signing keys are configured: signed receipts are off.",
			),
		);
	}
	c.header("Cache-Control", "public, max-age=300");
	return c.json(set, 200);
};
