import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";

/** A message in the API's two languages: Spanish (the default) and English. */
export interface Texto {
	es: string;
	en: string;
}

export type Lang = keyof Texto;

export const t = (es: string, en: string): Texto => ({ es, en });

interface ErrorSpec {
	status: ContentfulStatusCode;
	title: Texto;
	/** What the status means in this API, for the OpenAPI document. */
	description: string;
	/**
	 * The detail of a problem made from a bare `HTTPException` with this status (Hono's own
	 * middleware throws those), and of an unexpected error.
	 */
	detail?: Texto;
}

/** The API's error vocabulary: every problem+json the API answers has one of these codes. */
export const ERRORS = {
	BAD_REQUEST: {
		status: 400,
		title: t("Solicitud inválida", "Bad request"),
		description: "Solicitud mal formada (JSON inválido, parámetro imposible)",
		detail: t(
			"El cuerpo de la solicitud no es JSON válido.",
			"The request body is not valid JSON.",
		),
	},
	UNAUTHORIZED: {
		status: 401,
		title: t("No autenticado", "Unauthorized"),
		description: "Falta el token o no es válido",
		detail: t("Se requiere autenticación.", "Authentication required."),
	},
	PAYMENT_REQUIRED: {
		status: 402,
		title: t("Pago rechazado", "Payment declined"),
		description: "El pago fue rechazado; los números quedaron libres",
	},
	FORBIDDEN: {
		status: 403,
		title: t("Prohibido", "Forbidden"),
		description: "El rol o el dueño no permiten la operación",
		detail: t("No tiene permiso para esta operación.", "You are not allowed to do this."),
	},
	NOT_FOUND: {
		status: 404,
		title: t("No encontrado", "Not found"),
		description: "El recurso no existe",
		detail: t("Recurso no encontrado.", "Resource not found."),
	},
	METHOD_NOT_ALLOWED: {
		status: 405,
		title: t("Método no permitido", "Method not allowed"),
		description: "El método no se admite en esta ruta",
	},
	CONFLICT: {
		status: 409,
		title: t("Conflicto", "Conflict"),
		description: "Conflicto con el estado actual",
	},
	PAYLOAD_TOO_LARGE: {
		status: 413,
		title: t("Cuerpo demasiado grande", "Payload too large"),
		description:
			"El cuerpo supera el límite (64 KiB; 256 KiB en los webhooks; 5 MB por archivo en comprobantes y premios)",
		detail: t("El cuerpo de la solicitud es demasiado grande.", "The request body is too large."),
	},
	UNSUPPORTED_MEDIA_TYPE: {
		status: 415,
		title: t("Tipo de contenido no soportado", "Unsupported media type"),
		description: "Content-Type no soportado",
		detail: t("Use Content-Type: application/json.", "Use Content-Type: application/json."),
	},
	VALIDATION_FAILED: {
		status: 422,
		title: t("Datos inválidos", "Validation failed"),
		description: "El cuerpo o los parámetros no cumplen el esquema",
	},
	TOO_MANY_REQUESTS: {
		status: 429,
		title: t("Demasiadas solicitudes", "Too many requests"),
		description: "Demasiadas solicitudes o intentos fallidos; reintente tras Retry-After segundos",
	},
	INTERNAL: {
		status: 500,
		title: t("Error interno", "Internal error"),
		description: "Error inesperado; `request_id` lo identifica en los registros",
		detail: t(
			"Ocurrió un error inesperado. Intente de nuevo.",
			"Something went wrong. Please try again.",
		),
	},
	BAD_GATEWAY: {
		status: 502,
		title: t("Proveedor externo no disponible", "Upstream provider unavailable"),
		description: "El proveedor de pagos no respondió",
	},
	SERVICE_UNAVAILABLE: {
		status: 503,
		title: t("Servicio no disponible", "Service unavailable"),
		description: "Una dependencia del servicio no responde",
	},
} as const satisfies Record<string, ErrorSpec>;

/**
 * The language of a response from `Accept-Language`: the preferred of `es` and `en` (any region),
 * Spanish when neither is asked for.
 */
export const negotiateLang = (header: string | undefined | null): Lang => {
	if (!header) return "es";
	const ranges = header
		.split(",")
		.map((part, i) => {
			const [tag = "", ...params] = part.trim().toLowerCase().split(";");
			const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
			return { base: tag.trim().split("-")[0], q: q ? Number(q.slice(2)) : 1, i };
		})
		.filter((r) => r.base && Number.isFinite(r.q) && r.q > 0)
		.sort((a, b) => b.q - a.q || a.i - b.i);
	for (const r of ranges) {
		if (r.base === "es" || r.base === "en") return r.base;
		if (r.base === "*") return "es";
	}
	return "es";
};

export type ErrorCode = keyof typeof ERRORS;
export type ErrorStatus = (typeof ERRORS)[ErrorCode]["status"];

const CODES = Object.keys(ERRORS) as ErrorCode[];

/** The code each status stands for: no two codes share a status. */
export const codeForStatus = (status: number): ErrorCode | undefined =>
	CODES.find((code) => ERRORS[code].status === status);

export interface FieldError {
	path: string;
	message: string;
	code?: string;
}

export interface Problem {
	type: string;
	title: string;
	status: number;
	detail: string;
	errors?: FieldError[];
	request_id: string;
}

const TYPE_BASE = "https://rifa1122.co/problems/";

/** The only error type the API throws: rendered as RFC 9457 problem+json by the app's onError. */
export class ApiError extends HTTPException {
	readonly code: ErrorCode;
	readonly detail: Texto;
	readonly errors: FieldError[] | undefined;
	readonly headers: Record<string, string> | undefined;

	constructor(
		code: ErrorCode,
		detail: Texto,
		options: { errors?: FieldError[]; headers?: Record<string, string>; cause?: unknown } = {},
	) {
		super(ERRORS[code].status, { message: detail.es, cause: options.cause });
		this.code = code;
		this.detail = detail;
		this.errors = options.errors;
		this.headers = options.headers;
	}

	toProblem(requestId: string, lang: Lang = "es"): Problem {
		return {
			type: `${TYPE_BASE}${this.code.toLowerCase().replaceAll("_", "-")}`,
			title: ERRORS[this.code].title[lang],
			status: this.status,
			detail: this.detail[lang],
			...(this.errors ? { errors: this.errors } : {}),
			request_id: requestId,
		};
	}
}

/** A zod failure as the problem's `errors`, each path prefixed with `prefix` (e.g. `["reglas"]`). */
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

/**
 * What the client is told about anything thrown: an `HTTPException` from Hono's middleware keeps
 * its status when the vocabulary gives that status a default detail; anything else is a 500.
 */
export const toApiError = (err: unknown): ApiError => {
	if (err instanceof ApiError) return err;
	const code = err instanceof HTTPException ? codeForStatus(err.status) : undefined;
	const detail = code && (ERRORS[code] as ErrorSpec).detail;
	if (code && detail) return new ApiError(code, detail, { cause: err });
	return new ApiError("INTERNAL", ERRORS.INTERNAL.detail, { cause: err });
};

/** `what`: the resource with its article in each language, e.g. `t("La rifa", "The rifa")`. */
export const notFound = (what: Texto) =>
	new ApiError("NOT_FOUND", t(`${what.es} no existe.`, `${what.en} does not exist.`));
export const RIFA = t("La rifa", "The rifa");
export const conflict = (detail: Texto) => new ApiError("CONFLICT", detail);
export const forbidden = (
	detail = t("No tiene permiso para esta operación.", "You are not allowed to do this."),
) => new ApiError("FORBIDDEN", detail);
