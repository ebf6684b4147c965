import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { requestId } from "hono/request-id";
import type { z } from "zod";
import { createDb } from "../db/client";
import { ApiError, type ErrorCode, type FieldError } from "./errors";
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
					`Los datos de la solicitud (${result.target}) no son válidos.`,
					{
						errors: toFieldErrors(result.error as z.ZodError),
					},
				);
			}
		},
	});

const HTTP_STATUS_CODES: Partial<Record<number, { code: ErrorCode; detail: string }>> = {
	400: { code: "BAD_REQUEST", detail: "El cuerpo de la solicitud no es JSON válido." },
	401: { code: "UNAUTHORIZED", detail: "Se requiere autenticación." },
	403: { code: "FORBIDDEN", detail: "No tiene permiso para esta operación." },
	404: { code: "NOT_FOUND", detail: "Recurso no encontrado." },
	413: { code: "PAYLOAD_TOO_LARGE", detail: "El cuerpo de la solicitud es demasiado grande." },
	415: { code: "UNSUPPORTED_MEDIA_TYPE", detail: "Use Content-Type: application/json." },
};

const problemResponse = (c: Context<AppBindings>, error: ApiError) => {
	const body = error.toProblem(c.get("requestId") ?? crypto.randomUUID());
	const headers = new Headers({ "Content-Type": "application/problem+json" });
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
	return new ApiError("INTERNAL", "Ocurrió un error inesperado. Intente de nuevo.", { cause: err });
};

export const createApp = (): AppOpenAPI => {
	const app = createRouter();
	app.use(requestId({ limitLength: 128 }));
	app.use(async (c, next) => {
		c.set("db", createDb(c.env.DB));
		await next();
	});
	app.notFound((c) =>
		problemResponse(
			c,
			new ApiError("NOT_FOUND", `La ruta ${c.req.method} ${c.req.path} no existe.`),
		),
	);
	app.onError((err, c) => {
		const apiError = toApiError(err);
		if (apiError.code === "INTERNAL") {
			console.error(
				JSON.stringify({
					level: "error",
					request_id: c.get("requestId"),
					method: c.req.method,
					path: c.req.path,
					error:
						err instanceof Error
							? { name: err.name, message: err.message, stack: err.stack }
							: String(err),
				}),
			);
		}
		return problemResponse(c, apiError);
	});
	return app;
};
