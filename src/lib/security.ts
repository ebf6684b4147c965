import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { createMiddleware } from "hono/factory";
import { secureHeaders } from "hono/secure-headers";
import { ApiError, t } from "./errors";
import type { AppBindings } from "./types";

/** JSON bodies of this API are a few hundred bytes; a purchase with 100 numeros stays under 1 KiB. */
const JSON_BODY_LIMIT = 64 * 1024;
/** Provider events (Stripe) embed whole objects and are not ours to size. */
const WEBHOOK_BODY_LIMIT = 256 * 1024;

const tooLarge = (maxSize: number) =>
	bodyLimit({
		maxSize,
		onError: () => {
			throw new ApiError(
				"PAYLOAD_TOO_LARGE",
				t(
					`El cuerpo de la solicitud supera el máximo de ${maxSize / 1024} KiB.`,
					`The request body exceeds the ${maxSize / 1024} KiB limit.`,
				),
			);
		},
	});

const jsonLimit = tooLarge(JSON_BODY_LIMIT);
const webhookLimit = tooLarge(WEBHOOK_BODY_LIMIT);

export const limitBodySize = createMiddleware<AppBindings>((c, next) =>
	(c.req.path.startsWith("/api/v1/webhooks/") ? webhookLimit : jsonLimit)(c, next),
);

/** Swagger UI and Redoc, served from this Worker's own assets. */
const DOC_PAGES = new Set(["/docs", "/redoc"]);

const apiHeaders = secureHeaders({
	// Responses are data, never documents: nothing may load from them or frame them.
	contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
	xFrameOptions: "DENY",
});
/**
 * Scripts only from this origin, never inline; styles may be inline because both renderers set
 * them at run time; Redoc searches in a worker it starts from a blob.
 */
export const PAGE_CSP = {
	defaultSrc: ["'self'"],
	scriptSrc: ["'self'"],
	styleSrc: ["'self'", "'unsafe-inline'"],
	imgSrc: ["'self'", "data:"],
	fontSrc: ["'self'", "data:"],
	connectSrc: ["'self'"],
	workerSrc: ["'self'", "blob:"],
	objectSrc: ["'none'"],
	baseUri: ["'none'"],
	formAction: ["'self'"],
	frameAncestors: ["'none'"],
};
const docHeaders = secureHeaders({ contentSecurityPolicy: PAGE_CSP, xFrameOptions: "DENY" });

export const securityHeaders = createMiddleware<AppBindings>((c, next) =>
	(DOC_PAGES.has(c.req.path) ? docHeaders : apiHeaders)(c, next),
);

let corsFor: { origins: string; handler: MiddlewareHandler<AppBindings> | null } | undefined;

/**
 * Browsers may call the API only from the origins in ALLOWED_ORIGINS. No credentials mode: the API
 * authenticates with bearer tokens and sets no cookies.
 */
export const corsPolicy = createMiddleware<AppBindings>((c, next) => {
	const origins = c.env.ALLOWED_ORIGINS ?? "";
	if (corsFor?.origins !== origins) {
		const allowed = origins
			.split(",")
			.map((o) => o.trim().replace(/\/+$/, ""))
			.filter(Boolean);
		corsFor = {
			origins,
			handler: allowed.length
				? cors({
						origin: (origin) => (allowed.includes(origin) ? origin : null),
						allowMethods: ["GET", "POST", "PATCH", "DELETE"],
						allowHeaders: ["Authorization", "Content-Type", "Idempotency-Key", "X-Request-Id"],
						exposeHeaders: ["X-Request-Id", "Retry-After", "Location", "Idempotent-Replayed"],
						maxAge: 600,
					})
				: null,
		};
	}
	return corsFor.handler ? corsFor.handler(c, next) : next();
});
