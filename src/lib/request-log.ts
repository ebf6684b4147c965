import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { matchedRoutes } from "hono/route";
import type { AppBindings } from "./types";

/**
 * The pattern of the route that handles (or, when a middleware answered first, would handle) the
 * request, e.g. `/api/v1/rifas/:id`; null when no route matches. Middleware is registered for
 * method ALL, so the first route with a method is the handler Hono dispatches to.
 */
export const matchedRoute = (c: Context): string | null =>
	matchedRoutes(c).find((r) => r.method !== "ALL")?.path ?? null;

/**
 * One JSON line per request. Only these fields are written: never headers, query strings or
 * bodies, which may carry credentials or card data.
 */
export const requestLog = createMiddleware<AppBindings>(async (c, next) => {
	const started = Date.now();
	await next();
	const status = c.res.status;
	const user = c.get("user") ?? c.get("viewer");
	const fields = {
		method: c.req.method,
		route: matchedRoute(c),
		status,
		duration_ms: Date.now() - started,
		...(user ? { user_id: user.id } : {}),
	};
	if (status >= 500) c.var.logger.error("request", fields);
	else c.var.logger.info("request", fields);
});
