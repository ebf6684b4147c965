import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { requestId } from "hono/request-id";
import type { z } from "zod";
import { createDb } from "../db/client";
import { ApiError, negotiateLang, t, toApiError, toFieldErrors } from "./errors";
import { createLogger, errorFields } from "./logger";
import { matchedRoute, requestLog } from "./request-log";
import { corsPolicy, limitBodySize, securityHeaders } from "./security";
import { captureError } from "./sentry";
import type { AppBindings, AppOpenAPI } from "./types";

/** Every router is built here so validation failures always take the problem+json shape. */
export const createRouter = (): AppOpenAPI =>
	new OpenAPIHono<AppBindings>({
		strict: false,
		defaultHook: (result) => {
			if (!result.success) {
				throw new ApiError(
					"VALIDATION_FAILED",
					t(
						`Los datos de la solicitud (${result.target}) no son válidos.`,
						`The request's ${result.target} is not valid.`,
					),
					{
						errors: toFieldErrors(result.error as z.ZodError),
					},
				);
			}
		},
	});

const problemResponse = (c: Context<AppBindings>, error: ApiError) => {
	const lang = negotiateLang(c.req.header("Accept-Language"));
	const body = error.toProblem(c.get("requestId") ?? crypto.randomUUID(), lang);
	const headers = new Headers({
		"Content-Type": "application/problem+json",
		"Content-Language": lang,
		Vary: "Accept-Language",
	});
	for (const [k, v] of Object.entries(error.headers ?? {})) headers.set(k, v);
	if (c.get("requestId")) headers.set("X-Request-Id", c.get("requestId"));
	return new Response(JSON.stringify(body), { status: error.status, headers });
};

/** Absent when the app is called without a Workers context (`app.request` in a script). */
export const executionContext = (c: Context<AppBindings>) => {
	try {
		return c.executionCtx;
	} catch {
		return undefined;
	}
};

export const createApp = (): AppOpenAPI => {
	const app = createRouter();
	app.use(requestId({ limitLength: 128 }));
	app.use(async (c, next) => {
		c.set("logger", createLogger(c.env).with({ request_id: c.var.requestId }));
		await next();
	});
	app.use(requestLog);
	app.use(securityHeaders, corsPolicy, limitBodySize);
	app.use(async (c, next) => {
		c.set("db", createDb(c.env.DB));
		await next();
	});
	app.notFound((c) =>
		problemResponse(
			c,
			new ApiError(
				"NOT_FOUND",
				t(
					`La ruta ${c.req.method} ${c.req.path} no existe.`,
					`There is no route ${c.req.method} ${c.req.path}.`,
				),
			),
		),
	);
	app.onError((err, c) => {
		const apiError = toApiError(err);
		if (apiError.status >= 500) {
			const where = {
				request_id: c.get("requestId"),
				method: c.req.method,
				route: matchedRoute(c),
			};
			if (apiError.code === "INTERNAL") {
				c.var.logger.error("unhandled error", {
					...where,
					path: c.req.path,
					error: errorFields(err),
				});
			}
			captureError(c.env, executionContext(c), err, {
				tags: where,
				request: c.req.raw,
				userId: (c.get("user") ?? c.get("viewer"))?.id,
			});
		}
		return problemResponse(c, apiError);
	});
	return app;
};
