import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { createMiddleware } from "hono/factory";
import { secureHeaders } from "hono/secure-headers";
import { COMPROBANTE_MAX_BYTES } from "../db/schema";
import { wompiConfig } from "../payments/wompi/cliente";
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

/** A transfer's proof: the file, plus room for its other fields and the form's boundaries. */
export const PROOF_BODY_LIMIT = COMPROBANTE_MAX_BYTES + 64 * 1024;
const SUBIDA_COMPROBANTE = /^\/api\/v1\/rifas\/[^/]+\/transacciones\/[^/]+\/comprobante$/;
/** A prize in kind (src/cumplimiento/): its proof of ownership and up to five photos, 5 MB each. */
export const PREMIO_BODY_LIMIT = 6 * COMPROBANTE_MAX_BYTES + 64 * 1024;
const SUBIDA_PREMIO = /^\/api\/v1\/rifas\/[^/]+\/premios$/;

const jsonLimit = tooLarge(JSON_BODY_LIMIT);
const webhookLimit = tooLarge(WEBHOOK_BODY_LIMIT);
const proofLimit = tooLarge(PROOF_BODY_LIMIT);
const premioLimit = tooLarge(PREMIO_BODY_LIMIT);

export const limitBodySize = createMiddleware<AppBindings>((c, next) =>
	(c.req.path.startsWith("/api/v1/webhooks/")
		? webhookLimit
		: c.req.method === "POST" && SUBIDA_COMPROBANTE.test(c.req.path)
			? proofLimit
			: c.req.method === "POST" && SUBIDA_PREMIO.test(c.req.path)
				? premioLimit
				: jsonLimit)(c, next),
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

/** The pages' documents, which the Worker serves (src/routes/paginas) before the static assets. */
export const PAGINAS =
	/^\/(?:|rifas\/.+|mis-boletas\/?|verificar\/?|reclamar\/?|vender(?:\/.*)?|operador\/.+)$/;

/** The pages (web/): every script, style, font and call from this origin only, nothing inline. */
export const PAGINAS_CSP = {
	defaultSrc: ["'self'"],
	scriptSrc: ["'self'"],
	styleSrc: ["'self'"],
	// blob: shows a transfer's proof, fetched with the reviewer's token and shown from memory.
	imgSrc: ["'self'", "data:", "blob:"],
	fontSrc: ["'self'"],
	connectSrc: ["'self'"],
	objectSrc: ["'none'"],
	baseUri: ["'none'"],
	formAction: ["'self'"],
	frameAncestors: ["'none'"],
};
/**
 * Where Stripe takes cards, the rifa page (the only one that pays) needs Stripe.js from
 * js.stripe.com (Stripe forbids bundling or hosting it) and its Payment Element's frames: those
 * origins and no others. Some payment methods finish in a popup, which COOP same-origin would cut.
 */
const STRIPE_JS = ["https://js.stripe.com", "https://*.js.stripe.com"];
const paginaHeaders = secureHeaders({ contentSecurityPolicy: PAGINAS_CSP, xFrameOptions: "DENY" });

/**
 * The rifa page's policy for this deployment's providers: Stripe's script and frames where Stripe
 * takes cards; Wompi's API origin (the browser tokenizes cards there) where Wompi is configured.
 */
const paginaPagoCsp = (env: Env) => {
	const stripe =
		Boolean(env.STRIPE_SECRET_KEY) && /^pk_(test|live)_\w+$/.test(env.STRIPE_PUBLISHABLE_KEY ?? "");
	const wompi = wompiConfig(env);
	if (!stripe && !wompi) return null;
	return {
		...PAGINAS_CSP,
		...(stripe
			? {
					scriptSrc: ["'self'", ...STRIPE_JS],
					frameSrc: [...STRIPE_JS, "https://hooks.stripe.com"],
				}
			: {}),
		connectSrc: [
			"'self'",
			...(stripe ? ["https://api.stripe.com"] : []),
			...(wompi ? [new URL(wompi.baseUrl).origin] : []),
		],
	};
};

let pagoHeaders: { clave: string; handler: typeof paginaHeaders | null } | undefined;

const paginaPagoHeaders = (env: Env) => {
	const csp = paginaPagoCsp(env);
	const clave = JSON.stringify(csp);
	if (pagoHeaders?.clave !== clave) {
		pagoHeaders = {
			clave,
			handler: csp
				? secureHeaders({
						contentSecurityPolicy: csp,
						crossOriginOpenerPolicy: "same-origin-allow-popups",
						xFrameOptions: "DENY",
					})
				: null,
		};
	}
	return pagoHeaders.handler ?? paginaHeaders;
};

export const securityHeaders = createMiddleware<AppBindings>((c, next) => {
	if (DOC_PAGES.has(c.req.path)) return docHeaders(c, next);
	if (PAGINAS.test(c.req.path)) {
		// Known once answered: only a rifa's page, not its 404, takes payments.
		return next().then(() =>
			(c.res.status === 200 && c.req.path.startsWith("/rifas/")
				? paginaPagoHeaders(c.env)
				: paginaHeaders)(c, async () => {}),
		);
	}
	return apiHeaders(c, next);
});

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
						allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE"],
						allowHeaders: ["Authorization", "Content-Type", "Idempotency-Key", "X-Request-Id"],
						exposeHeaders: ["X-Request-Id", "Retry-After", "Location", "Idempotent-Replayed"],
						maxAge: 600,
					})
				: null,
		};
	}
	return corsFor.handler ? corsFor.handler(c, next) : next();
});
