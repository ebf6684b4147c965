import { env, exports } from "cloudflare:workers";
import { decodeProtectedHeader, SignJWT } from "jose";
import { beforeEach, describe, expect, it } from "vitest";
import { keyId, signAccessToken } from "../src/auth/jwt";
import { emailHash } from "../src/auth/login-backoff";
import { rateLimiters } from "./fixtures/rate-limiters";
import {
	BASE,
	call,
	createUser,
	expectProblem,
	get,
	post,
	type TestUser,
	uniqueEmail,
} from "./helpers";

const randomIp = () => `10.${Array.from(crypto.getRandomValues(new Uint8Array(3))).join(".")}`;

/** The limiters' clock stands still, so each burst below falls in one window. */
let limiters: Partial<Env>;
beforeEach(() => {
	const now = Date.now();
	limiters = rateLimiters(() => now);
});

const loginFrom = (ip: string, body: unknown = {}) =>
	call("POST", "/api/v1/auth/login", {
		body,
		headers: { "CF-Connecting-IP": ip },
		env: limiters,
	});

describe("rate limits", { timeout: 30_000 }, () => {
	it("limits login per client address before parsing the body, shared with /auth/token", async () => {
		const ip = randomIp();
		for (let i = 0; i < 30; i++) expect((await loginFrom(ip)).status).toBe(422);
		const limited = await loginFrom(ip);
		const problem = expectProblem(limited, 429);
		expect(problem.type).toMatch(/too-many-requests$/);
		expect(limited.headers.get("Retry-After")).toBe("60");
		const form = await call("POST", "/api/v1/auth/token", {
			raw: "username=a%40b.co&password=x",
			headers: {
				"Content-Type": "application/x-www-form-urlencoded",
				"CF-Connecting-IP": ip,
			},
			env: limiters,
		});
		expectProblem(form, 429);
		expect((await loginFrom(randomIp())).status).toBe(422);
	});

	it("counts an IPv6 client by its /64", async () => {
		const site = Array.from(crypto.getRandomValues(new Uint16Array(2)), (n) => n.toString(16)).join(
			":",
		);
		for (let i = 0; i < 30; i++) {
			expect((await loginFrom(`2001:${site}:7::${i.toString(16)}`)).status).toBe(422);
		}
		expectProblem(await loginFrom(`2001:${site}:0007:abcd:ef01:2345:6789`), 429);
		expect((await loginFrom(`2001:${site}:8::1`)).status).toBe(422);
	});

	it("limits register and login per email, whatever the address", async () => {
		const email = uniqueEmail("flood");
		const body = { nombre: "Flood", email, password: "Secret123!" };
		expect((await call("POST", "/api/v1/auth/register", { body, env: limiters })).status).toBe(201);
		for (let i = 0; i < 9; i++) {
			const res = await call("POST", "/api/v1/auth/register", {
				body: { ...body, email: email.toUpperCase() },
				headers: { "CF-Connecting-IP": randomIp() },
				env: limiters,
			});
			expectProblem(res, 409);
		}
		const limited = await loginFrom(randomIp(), { email, password: "Secret123!" });
		expectProblem(limited, 429);
		expect(limited.headers.get("Retry-After")).toBe("60");
	});

	it("limits purchases per user far above what a buyer does", async () => {
		const [buyer, other] = [await createUser(), await createUser()];
		const path = `/api/v1/rifas/${crypto.randomUUID()}/tickets`;
		const purchase = (who: TestUser) =>
			call("POST", path, { token: who.token, body: {}, env: limiters });
		for (let i = 0; i < 60; i++) expect((await purchase(buyer)).status).toBe(422);
		const limited = await purchase(buyer);
		expectProblem(limited, 429);
		expect(limited.headers.get("Retry-After")).toBe("60");
		expect((await purchase(other)).status).toBe(422);
	});
});

describe("login backoff", () => {
	const login = (email: string, password: string) =>
		post("/api/v1/auth/login", { email, password });

	/** Moves the email's last failure into the past, as waiting would. */
	const rewind = async (email: string, ms: number) => {
		await env.DB.prepare(
			"UPDATE login_backoff SET last_failure_at = strftime('%Y-%m-%dT%H:%M:%fZ', last_failure_at, ?) WHERE email_hash = ?",
		)
			.bind(`-${ms / 1000} seconds`, await emailHash(email))
			.run();
	};

	const backoffOf = async (email: string) =>
		env.DB.prepare("SELECT failures FROM login_backoff WHERE email_hash = ?")
			.bind(await emailHash(email))
			.first<{ failures: number }>();

	it("locks an account after 5 failures, even for the right password, and doubles the lock", async () => {
		const user = await createUser();
		for (let i = 0; i < 5; i++) expectProblem(await login(user.email, "wrong-pass"), 401);
		const locked = await login(user.email, user.password);
		expectProblem(locked, 429);
		const retryAfter = Number(locked.headers.get("Retry-After"));
		expect(retryAfter).toBeGreaterThan(0);
		expect(retryAfter).toBeLessThanOrEqual(30);

		await rewind(user.email, 31_000);
		expectProblem(await login(user.email, "wrong-pass"), 401);
		const longer = await login(user.email, user.password);
		expectProblem(longer, 429);
		expect(Number(longer.headers.get("Retry-After"))).toBeGreaterThan(30);
		expect(Number(longer.headers.get("Retry-After"))).toBeLessThanOrEqual(60);

		await rewind(user.email, 61_000);
		expect((await login(user.email.toUpperCase(), user.password)).status).toBe(200);
		expect(await backoffOf(user.email)).toBeNull();
	});

	it("parallel attempts cannot outrun the count: 5 reach a password check, the rest wait", async () => {
		const user = await createUser();
		const ghost = uniqueEmail("ghost");
		// The per-email rate limit would stop a burst too; this is about the backoff alone.
		const abierto: RateLimit = { limit: async () => ({ success: true }) };
		const sinLimites = { AUTH_EMAIL_LIMITER: abierto, AUTH_IP_LIMITER: abierto };
		const rafaga = (email: string) =>
			Promise.all(
				Array.from({ length: 20 }, () =>
					call("POST", "/api/v1/auth/login", {
						body: { email, password: "wrong-pass" },
						env: sinLimites,
					}),
				),
			);
		for (const answers of await Promise.all([rafaga(user.email), rafaga(ghost)])) {
			expect(answers.filter((r) => r.status === 401)).toHaveLength(5);
			for (const r of answers.filter((r) => r.status !== 401)) {
				expectProblem(r, 429);
				expect(Number(r.headers.get("Retry-After"))).toBeGreaterThan(0);
				expect(Number(r.headers.get("Retry-After"))).toBeLessThanOrEqual(30);
			}
		}
		expect(await backoffOf(user.email)).toEqual({ failures: 5 });
		expectProblem(await login(user.email, user.password), 429);

		await rewind(user.email, 31_000);
		expect((await login(user.email, user.password)).status).toBe(200);
		expect(await backoffOf(user.email)).toBeNull();
		expectProblem(await login(user.email, "wrong-pass"), 401);
		expect(await backoffOf(user.email)).toEqual({ failures: 1 });
	});

	it("starts counting again after a successful login", async () => {
		const user = await createUser();
		for (let i = 0; i < 3; i++) expectProblem(await login(user.email, "wrong-pass"), 401);
		expect((await login(user.email, user.password)).status).toBe(200);
		for (let i = 0; i < 3; i++) expectProblem(await login(user.email, "wrong-pass"), 401);
		expect(await backoffOf(user.email)).toEqual({ failures: 3 });
		expect((await login(user.email, user.password)).status).toBe(200);
	});

	it("locks unknown emails the same way, so the lock does not reveal which accounts exist", async () => {
		const user = await createUser();
		const ghost = uniqueEmail("ghost");
		for (const email of [user.email, ghost]) {
			for (let i = 0; i < 5; i++) expectProblem(await login(email, "wrong-pass"), 401);
		}
		const known = expectProblem(await login(user.email, "wrong-pass"), 429);
		const unknown = expectProblem(await login(ghost, "wrong-pass"), 429);
		expect(unknown.title).toBe(known.title);
		expect(unknown.detail.replace(/\d+/g, "N")).toBe(known.detail.replace(/\d+/g, "N"));
		const stored = await env.DB.prepare("SELECT * FROM login_backoff WHERE email_hash = ?")
			.bind(await emailHash(ghost))
			.first();
		expect(JSON.stringify(stored)).not.toContain("ghost");
	});
});

describe("signing keys", () => {
	const me = (token: string) => get("/api/v1/users/me", token);
	const tokenFor = (sub: string, secret: string, kid: string | undefined) =>
		new SignJWT({})
			.setProtectedHeader(kid ? { alg: "HS256", kid } : { alg: "HS256" })
			.setSubject(sub)
			.setIssuer(env.JWT_ISSUER)
			.setAudience(env.JWT_AUDIENCE)
			.setIssuedAt()
			.setExpirationTime("1h")
			.sign(new TextEncoder().encode(secret));

	it("signs new tokens with the current key and names it in kid", async () => {
		const user = await createUser();
		const res = await post("/api/v1/auth/login", { email: user.email, password: user.password });
		expect(res.status).toBe(200);
		const header = decodeProtectedHeader(res.body.access_token);
		expect(header).toMatchObject({ alg: "HS256", typ: "JWT" });
		expect(header.kid).toBe(await keyId(env.JWT_SECRET ?? ""));
		expect(header.kid).not.toBe(await keyId(env.JWT_PREVIOUS_SECRET ?? ""));
	});

	it("still accepts tokens of the previous key, until that key is removed", async () => {
		const previous = env.JWT_PREVIOUS_SECRET ?? "";
		const user = await createUser();
		const { token } = await signAccessToken(user.id, { ...env, JWT_SECRET: previous });
		expect(decodeProtectedHeader(token).kid).toBe(await keyId(previous));
		expect((await me(token)).status).toBe(200);
		const afterRotation = await call("GET", "/api/v1/users/me", {
			token,
			env: { JWT_PREVIOUS_SECRET: undefined },
		});
		expect(afterRotation.status).toBe(401);
	});

	it("rejects tokens without kid, with an unknown kid, or signed by a key other than their kid's", async () => {
		const user = await createUser();
		const current = env.JWT_SECRET ?? "";
		const previous = env.JWT_PREVIOUS_SECRET ?? "";
		const stranger = "some-other-secret-some-other-secret-0123456789";
		const tokens = [
			await tokenFor(user.id, current, undefined),
			await tokenFor(user.id, current, "unknown-kid"),
			await tokenFor(user.id, stranger, await keyId(stranger)),
			await tokenFor(user.id, current, await keyId(previous)),
			await tokenFor(user.id, previous, await keyId(current)),
		];
		for (const token of tokens) expectProblem(await me(token), 401);
		expect((await me(await tokenFor(user.id, current, await keyId(current)))).status).toBe(200);
	});
});

describe("CORS", () => {
	const ALLOWED = "https://app.rifa1122.test";

	it("answers allowed origins, including on errors, and never allows credentials", async () => {
		const ok = await call("GET", "/api/v1/rifas", { headers: { Origin: ALLOWED } });
		expect(ok.headers.get("Access-Control-Allow-Origin")).toBe(ALLOWED);
		expect(ok.headers.get("Vary")).toMatch(/Origin/);
		expect(ok.headers.get("Access-Control-Expose-Headers")).toMatch(/X-Request-Id/);
		expect(ok.headers.get("Access-Control-Allow-Credentials")).toBeNull();
		const second = await call("GET", "/api/v1/rifas", {
			headers: { Origin: "https://pos.rifa1122.test" },
		});
		expect(second.headers.get("Access-Control-Allow-Origin")).toBe("https://pos.rifa1122.test");
		const unauthorized = await call("GET", "/api/v1/users/me", { headers: { Origin: ALLOWED } });
		expectProblem(unauthorized, 401);
		expect(unauthorized.headers.get("Access-Control-Allow-Origin")).toBe(ALLOWED);
	});

	it("gives other origins no CORS headers", async () => {
		for (const origin of [
			"https://evil.example",
			"https://app.rifa1122.test.evil.example",
			"null",
		]) {
			const res = await call("GET", "/api/v1/rifas", { headers: { Origin: origin } });
			expect(res.status).toBe(200);
			expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
		}
	});

	it("answers preflight for the purchase request of an allowed origin only", async () => {
		const preflight = (origin: string) =>
			call("OPTIONS", `/api/v1/rifas/${crypto.randomUUID()}/tickets`, {
				headers: {
					Origin: origin,
					"Access-Control-Request-Method": "POST",
					"Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
				},
			});
		const allowed = await preflight(ALLOWED);
		expect(allowed.status).toBe(204);
		expect(allowed.headers.get("Access-Control-Allow-Origin")).toBe(ALLOWED);
		expect(allowed.headers.get("Access-Control-Allow-Methods")).toContain("POST");
		expect(allowed.headers.get("Access-Control-Allow-Headers")?.toLowerCase()).toContain(
			"idempotency-key",
		);
		expect(allowed.headers.get("Access-Control-Max-Age")).toBe("600");
		const denied = await preflight("https://evil.example");
		expect(denied.headers.get("Access-Control-Allow-Origin")).toBeNull();
	});

	it("sends no CORS headers at all when ALLOWED_ORIGINS is empty", async () => {
		const res = await call("GET", "/api/v1/rifas", {
			headers: { Origin: ALLOWED },
			env: { ALLOWED_ORIGINS: "" },
		});
		expect(res.status).toBe(200);
		expect([...res.headers.keys()].filter((k) => k.startsWith("access-control-"))).toEqual([]);
	});
});

describe("secure headers", () => {
	it("puts API-appropriate security headers on data and error responses", async () => {
		for (const res of [await get("/api/v1/rifas"), await get("/api/v1/nada")]) {
			expect(res.headers.get("Content-Security-Policy")).toBe(
				"default-src 'none'; frame-ancestors 'none'",
			);
			expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
			expect(res.headers.get("X-Frame-Options")).toBe("DENY");
			expect(res.headers.get("Referrer-Policy")).toBe("no-referrer");
			expect(res.headers.get("Strict-Transport-Security")).toMatch(/^max-age=\d+/);
			expect(res.headers.get("Cross-Origin-Opener-Policy")).toBe("same-origin");
			expect(res.headers.get("X-Powered-By")).toBeNull();
		}
	});

	it("serves the documentation pages from this origin only, under a CSP with no inline script", async () => {
		for (const path of ["/docs", "/redoc"]) {
			const res = await get(path);
			expect(res.status).toBe(200);
			expect(res.text).not.toMatch(/https?:\/\//);
			expect(res.text).not.toMatch(/<script>/);
			const csp = res.headers.get("Content-Security-Policy") ?? "";
			expect(csp).toContain("script-src 'self'");
			expect(csp).toContain("default-src 'self'");
			expect(csp).toContain("frame-ancestors 'none'");
			expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
			expect(res.headers.get("X-Frame-Options")).toBe("DENY");
		}
	});
});

describe("body size", () => {
	const big = (bytes: number) =>
		JSON.stringify({ nombre: "x".repeat(bytes), email: uniqueEmail(), password: "Secret123!" });

	it("refuses JSON bodies over 64 KiB with a 413 problem", async () => {
		const res = await call("POST", "/api/v1/auth/register", {
			raw: big(65 * 1024),
			headers: { "Content-Type": "application/json" },
		});
		const problem = expectProblem(res, 413);
		expect(problem.type).toMatch(/payload-too-large$/);
	});

	it("counts streamed bodies that carry no Content-Length", async () => {
		const chunk = new TextEncoder().encode(big(65 * 1024));
		const body = new ReadableStream({
			start(controller) {
				controller.enqueue(chunk);
				controller.close();
			},
		});
		const res = await exports.default.fetch(
			new Request(`${BASE}/api/v1/auth/register`, {
				method: "POST",
				headers: { "Content-Type": "application/json" },
				body,
			}),
		);
		expect(res.status).toBe(413);
		expect(res.headers.get("Content-Type")).toMatch(/^application\/problem\+json/);
		await res.arrayBuffer();
	});

	it("lets a body under the limit through to validation", async () => {
		const res = await call("POST", "/api/v1/auth/register", {
			raw: big(60 * 1024),
			headers: { "Content-Type": "application/json" },
		});
		expectProblem(res, 422);
	});

	it("gives webhooks a larger limit of their own", async () => {
		const payload = JSON.stringify({ id: "evt_x", padding: "x".repeat(100 * 1024) });
		const withinWebhookLimit = await call("POST", "/api/v1/webhooks/stripe", {
			raw: payload,
			headers: { "Content-Type": "application/json", "Stripe-Signature": "t=1,v1=bad" },
		});
		expectProblem(withinWebhookLimit, 400);
		const tooBig = await call("POST", "/api/v1/webhooks/stripe", {
			raw: JSON.stringify({ padding: "x".repeat(300 * 1024) }),
			headers: { "Content-Type": "application/json", "Stripe-Signature": "t=1,v1=bad" },
		});
		expectProblem(tooBig, 413);
	});
});
