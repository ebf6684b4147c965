import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { ApiError, type Texto, t } from "./errors";
import { createLogger } from "./logger";
import type { AppBindings } from "./types";

/**
 * Every limiter in wrangler.jsonc counts per 60-second window. The binding does not say when the
 * window ends, so Retry-After names the whole period: the client is never told to come back early.
 */
const RATE_LIMIT_PERIOD_SECONDS = 60;

export type LimiterName =
	| "AUTH_IP_LIMITER"
	| "AUTH_EMAIL_LIMITER"
	| "PURCHASE_LIMITER"
	| "PUBLIC_READ_LIMITER";

export const tooManyRequests = (detail: Texto, retryAfterSeconds: number) =>
	new ApiError("TOO_MANY_REQUESTS", detail, {
		headers: { "Retry-After": String(Math.max(1, Math.ceil(retryAfterSeconds))) },
	});

/** Counts one request against `key` and throws 429 once the key is over its budget. */
export const enforceRateLimit = async (env: Env, limiter: LimiterName, key: string) => {
	let success = true;
	try {
		({ success } = await env[limiter].limit({ key }));
	} catch (err) {
		// A limiter outage must not take logins and sales down with it; the login backoff in D1 still holds.
		createLogger(env).warn("rate limiter unavailable", { limiter, error: String(err) });
	}
	if (!success) {
		throw tooManyRequests(
			t(
				"Demasiadas solicitudes. Espere un momento antes de intentarlo de nuevo.",
				"Too many requests. Wait a moment before trying again.",
			),
			RATE_LIMIT_PERIOD_SECONDS,
		);
	}
};

/** The first 64 bits of an IPv6 address: one subscriber usually holds a whole /64. */
const ipv6Prefix = (ip: string) => {
	const [head = "", tail] = ip.split("::");
	const left = head ? head.split(":") : [];
	const right = tail ? tail.split(":") : [];
	const groups =
		tail === undefined
			? left
			: [
					...left,
					...Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0"),
					...right,
				];
	return `${groups
		.slice(0, 4)
		.map((g) => g.toLowerCase().replace(/^0+(?=.)/, ""))
		.join(":")}::/64`;
};

/**
 * The client's address as Cloudflare's edge saw it (clients cannot set CF-Connecting-IP; the edge
 * overwrites it). Absent only for requests that did not come through the edge: tests and local
 * calls, which are not limited per address.
 */
export const clientIpKey = (c: Context<AppBindings>): string | undefined => {
	const ip = c.req.header("CF-Connecting-IP")?.trim();
	if (!ip) return undefined;
	if (ip.includes(".")) return ip.slice(ip.lastIndexOf(":") + 1);
	return ip.includes(":") ? ipv6Prefix(ip) : ip;
};

const rateLimit = (limiter: LimiterName, keyOf: (c: Context<AppBindings>) => string | undefined) =>
	createMiddleware<AppBindings>(async (c, next) => {
		const key = keyOf(c);
		if (key) await enforceRateLimit(c.env, limiter, key);
		await next();
	});

/** Login, token and register attempts per client address, before the body is even parsed. */
export const authIpRateLimit = rateLimit("AUTH_IP_LIMITER", clientIpKey);

/** Purchases per acting user (after requireAuth); far above what a person at a till can do. */
export const purchaseRateLimit = rateLimit("PURCHASE_LIMITER", (c) => c.var.user.id);

/** Public reads that reach a rifa's room or its results, per client address. */
export const publicReadRateLimit = rateLimit("PUBLIC_READ_LIMITER", clientIpKey);
