import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { requestId } from "hono/request-id";
import type { z } from "zod";
import { createDb } from "../db/client";
import { ApiError, type ErrorCode, type FieldError, negotiateLang, type Texto, t } from "./errors";
import { createLogger, errorFields } from "./logger";
import { matchedRoute, requestLog } from "./request-log";
import { corsPolicy, limitBodySize, securityHeaders } from "./security";
import { captureError } from "./sentry";
import type { AppBindings, AppOpenAPI } from "./types";

export const toFieldErrors = (error: z.ZodError, prefix: string[] = []): FieldError[] =>
	error.issues.flatMap((issue): FieldError[] => {
		const base = [...prefix, ...issue.path.map(String)];
		if (issue.code === "unrecognized_keys") {
			return issue.keys.map((key) => ({
				path: [...base, key].join("."),
				message: "Campo no permitido",
				code: issue.code,
			}));
		}
		return [{ path: base.join(".") || "(body)", message: issue.message, code: issue.code }];
	});

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

const HTTP_STATUS_CODES: Partial<Record<number, { code: ErrorCode; detail: Texto }>> = {
	400: {
		code: "BAD_REQUEST",
		detail: t(
			"El cuerpo de la solicitud no es JSON válido.",
			"The request body is not valid JSON.",
		),
	},
	401: {
		code: "UNAUTHORIZED",
		detail: t("Se requiere autenticación.", "Authentication required."),
	},
	403: {
		code: "FORBIDDEN",
		detail: t("No tiene permiso para esta operación.", "You are not allowed to do this."),
	},
	404: { code: "NOT_FOUND", detail: t("Recurso no encontrado.", "Resource not found.") },
	413: {
		code: "PAYLOAD_TOO_LARGE",
		detail: t("El cuerpo de la solicitud es demasiado grande.", "The request body is too large."),
	},
	415: {
		code: "UNSUPPORTED_MEDIA_TYPE",
		detail: t("Use Content-Type: application/json.", "Use Content-Type: application/json."),
	},
};

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

export const toApiError = (err: unknown): ApiError => {
	if (err instanceof ApiError) return err;
	if (err instanceof HTTPException) {
		const known = HTTP_STATUS_CODES[err.status];
		if (known) return new ApiError(known.code, known.detail, { cause: err });
	}
	return new ApiError(
		"INTERNAL",
		t("Ocurrió un error inesperado. Intente de nuevo.", "Something went wrong. Please try again."),
		{ cause: err },
	);
};

/** Absent when the app is called without a Workers context (`app.request` in a script). */
const executionContext = (c: Context<AppBindings>) => {
	try {
		return c.executionCtx;
	} catch {
		return undefined;
	}
};

export const createApp = (): AppOpenAPI => {
	const app = createRouter();
	app.use(requestId({ limitLength: 128 }));
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
				createLogger(c.env).error("unhandled error", {
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
