import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";

export const ERROR_CODES = {
	BAD_REQUEST: { status: 400, title: "Solicitud inválida" },
	UNAUTHORIZED: { status: 401, title: "No autenticado" },
	FORBIDDEN: { status: 403, title: "Prohibido" },
	PAYMENT_REQUIRED: { status: 402, title: "Pago rechazado" },
	NOT_FOUND: { status: 404, title: "No encontrado" },
	METHOD_NOT_ALLOWED: { status: 405, title: "Método no permitido" },
	CONFLICT: { status: 409, title: "Conflicto" },
	PAYLOAD_TOO_LARGE: { status: 413, title: "Cuerpo demasiado grande" },
	UNSUPPORTED_MEDIA_TYPE: { status: 415, title: "Tipo de contenido no soportado" },
	VALIDATION_FAILED: { status: 422, title: "Datos inválidos" },
	TOO_MANY_REQUESTS: { status: 429, title: "Demasiadas solicitudes" },
	INTERNAL: { status: 500, title: "Error interno" },
	BAD_GATEWAY: { status: 502, title: "Proveedor externo no disponible" },
} as const satisfies Record<string, { status: ContentfulStatusCode; title: string }>;

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
	readonly errors: FieldError[] | undefined;
	readonly headers: Record<string, string> | undefined;

	constructor(
		code: ErrorCode,
		detail: string,
		options: { errors?: FieldError[]; headers?: Record<string, string>; cause?: unknown } = {},
	) {
		super(ERROR_CODES[code].status, { message: detail, cause: options.cause });
		this.code = code;
		this.errors = options.errors;
		this.headers = options.headers;
	}

	toProblem(requestId: string): Problem {
		return {
			type: `${TYPE_BASE}${this.code.toLowerCase().replaceAll("_", "-")}`,
			title: ERROR_CODES[this.code].title,
			status: this.status,
			detail: this.message,
			...(this.errors ? { errors: this.errors } : {}),
			request_id: requestId,
		};
	}
}

export const notFound = (what: string) => new ApiError("NOT_FOUND", `${what} no existe.`);
export const conflict = (detail: string) => new ApiError("CONFLICT", detail);
export const forbidden = (detail = "No tiene permiso para esta operación.") =>
	new ApiError("FORBIDDEN", detail);
