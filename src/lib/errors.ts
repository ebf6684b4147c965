import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** A message in the API's two languages: Spanish (the default) and English. */
export interface Texto {
	es: string;
	en: string;
}

export type Lang = keyof Texto;

export const t = (es: string, en: string): Texto => ({ es, en });

export const ERROR_CODES = {
	BAD_REQUEST: { status: 400, title: t("Solicitud inválida", "Bad request") },
	UNAUTHORIZED: { status: 401, title: t("No autenticado", "Unauthorized") },
	FORBIDDEN: { status: 403, title: t("Prohibido", "Forbidden") },
	PAYMENT_REQUIRED: { status: 402, title: t("Pago rechazado", "Payment declined") },
	NOT_FOUND: { status: 404, title: t("No encontrado", "Not found") },
	METHOD_NOT_ALLOWED: { status: 405, title: t("Método no permitido", "Method not allowed") },
	CONFLICT: { status: 409, title: t("Conflicto", "Conflict") },
	PAYLOAD_TOO_LARGE: { status: 413, title: t("Cuerpo demasiado grande", "Payload too large") },
	UNSUPPORTED_MEDIA_TYPE: {
		status: 415,
		title: t("Tipo de contenido no soportado", "Unsupported media type"),
	},
	VALIDATION_FAILED: { status: 422, title: t("Datos inválidos", "Validation failed") },
	TOO_MANY_REQUESTS: { status: 429, title: t("Demasiadas solicitudes", "Too many requests") },
	INTERNAL: { status: 500, title: t("Error interno", "Internal error") },
	BAD_GATEWAY: {
		status: 502,
		title: t("Proveedor externo no disponible", "Upstream provider unavailable"),
	},
	SERVICE_UNAVAILABLE: { status: 503, title: t("Servicio no disponible", "Service unavailable") },
} as const satisfies Record<string, { status: ContentfulStatusCode; title: Texto }>;

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

export type ErrorCode = keyof typeof ERROR_CODES;

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
		super(ERROR_CODES[code].status, { message: detail.es, cause: options.cause });
		this.code = code;
		this.detail = detail;
		this.errors = options.errors;
		this.headers = options.headers;
	}

	toProblem(requestId: string, lang: Lang = "es"): Problem {
		return {
			type: `${TYPE_BASE}${this.code.toLowerCase().replaceAll("_", "-")}`,
			title: ERROR_CODES[this.code].title[lang],
			status: this.status,
			detail: this.detail[lang],
			...(this.errors ? { errors: this.errors } : {}),
			request_id: requestId,
		};
	}
}

/** `what`: the resource with its article in each language, e.g. `t("La rifa", "The rifa")`. */
export const notFound = (what: Texto) =>
	new ApiError("NOT_FOUND", t(`${what.es} no existe.`, `${what.en} does not exist.`));
export const RIFA = t("La rifa", "The rifa");
export const conflict = (detail: Texto) => new ApiError("CONFLICT", detail);
export const forbidden = (
	detail = t("No tiene permiso para esta operación.", "You are not allowed to do this."),
) => new ApiError("FORBIDDEN", detail);
