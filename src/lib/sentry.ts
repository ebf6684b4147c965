import { Toucan } from "toucan-js";
import { createLogger, errorFields } from "./logger";

type SentryEnv = Pick<Env, "SENTRY_DSN" | "ENVIRONMENT" | "LOG_LEVEL">;

interface Waiter {
	waitUntil(promise: Promise<unknown>): void;
}

export interface ErrorScope {
	/** Searchable in Sentry: request_id, route, job, durable_object, method… */
	tags?: Record<string, string | number | null | undefined>;
	extra?: Record<string, unknown>;
	/** Only its method, URL path and CF-Ray reach Sentry: no other header, cookie or query string. */
	request?: Request | undefined;
	userId?: string | undefined;
}

const client = (env: SentryEnv, ctx: Waiter | undefined, scope: ErrorScope) => {
	const sentry = new Toucan({
		dsn: env.SENTRY_DSN,
		environment: env.ENVIRONMENT,
		context: ctx,
		request: scope.request,
	});
	for (const [key, value] of Object.entries(scope.tags ?? {})) {
		if (value !== undefined && value !== null) sentry.setTag(key, String(value));
	}
	if (scope.extra) sentry.setExtras(scope.extra);
	if (scope.userId) sentry.setUser({ id: scope.userId });
	return sentry;
};

/**
 * Sends an error to Sentry when `SENTRY_DSN` is set, and does nothing otherwise. It never throws:
 * a reporting failure must not replace the error being reported.
 */
export const captureError = (
	env: SentryEnv,
	ctx: Waiter | undefined,
	err: unknown,
	scope: ErrorScope = {},
): void => {
	if (!env.SENTRY_DSN) return;
	try {
		client(env, ctx, scope).captureException(err);
	} catch (e) {
		createLogger(env).warn("sentry capture failed", { error: errorFields(e) });
	}
};

/** For problems that were handled (and so never thrown) but still need a person's attention. */
export const captureMessage = (
	env: SentryEnv,
	ctx: Waiter | undefined,
	message: string,
	scope: ErrorScope = {},
): void => {
	if (!env.SENTRY_DSN) return;
	try {
		client(env, ctx, scope).captureMessage(message, "warning");
	} catch (e) {
		createLogger(env).warn("sentry capture failed", { error: errorFields(e) });
	}
};

type Method = (...args: unknown[]) => unknown;

/** Errors already sent from an outer or inner method of the same call, e.g. purchase → flush. */
const reported = new WeakSet<object>();

/**
 * Names of the public methods `T` implements: a Durable Object's handlers and RPC methods. The
 * base class's handlers stay optional until a subclass overrides them, so those are left out.
 */
export type EntryPoints<T> = {
	[K in keyof T]-?: Partial<Pick<T, K>> extends Pick<T, K>
		? never
		: [T[K]] extends [never]
			? never
			: T[K] extends (...args: never[]) => unknown
				? K
				: never;
}[keyof T] &
	string;

/**
 * Reports to Sentry what a Durable Object's handlers and RPC methods throw, then rethrows it
 * unchanged. `methods` must name every public method of the class (the type checks it), so a new
 * RPC method cannot be left out by accident.
 */
export const reportDurableObjectErrors = <T extends object>(
	cls: { prototype: T; name: string },
	methods: Record<EntryPoints<T>, true>,
): void => {
	const proto = cls.prototype as Record<string, unknown>;
	for (const name of Object.keys(methods)) {
		const original = proto[name];
		if (typeof original !== "function") continue;
		proto[name] = function (
			this: { env: Env; ctx: DurableObjectState },
			...args: unknown[]
		): unknown {
			if (!this.env.SENTRY_DSN) return (original as Method).apply(this, args);
			const report = (err: unknown) => {
				if (typeof err === "object" && err !== null) {
					if (reported.has(err)) return;
					reported.add(err);
				}
				const request = args[0] instanceof Request ? args[0] : undefined;
				captureError(this.env, this.ctx, err, {
					tags: {
						durable_object: cls.name,
						method: name,
						object: this.ctx.id.name ?? this.ctx.id.toString(),
						request_id: request?.headers.get("X-Request-Id"),
					},
					request,
				});
			};
			try {
				const result = (original as Method).apply(this, args);
				if (result instanceof Promise) {
					return result.catch((err: unknown) => {
						report(err);
						throw err;
					});
				}
				return result;
			} catch (err) {
				report(err);
				throw err;
			}
		};
	}
};
