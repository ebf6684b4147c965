import {
	createExecutionContext,
	createMessageBatch,
	createScheduledController,
	getQueueResult,
	runInDurableObject,
	waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import worker from "../src/index";
import { createLogger } from "../src/lib/logger";
import type { PayoutMessage } from "../src/payouts/payouts";
import type { RifaRoom } from "../src/rifa-room/rifa-room";
import { interceptHost } from "./fixtures/intercept-fetch";
import {
	call,
	createActiveRifa,
	createUser,
	expectProblem,
	expireHolds,
	get,
	post,
	runCron,
	type TestUser,
	usePaymentProvider,
} from "./helpers";

const METRICS_TOKEN = "test-metrics-token-0123456789";
const SENTRY_DSN = "https://0123456789abcdef@sentry.rifa1122.test/42";

type Line = Record<string, unknown>;

/** Every JSON line the Worker writes while `fn` runs, whatever the console method. */
const captureLogs = async (fn: () => Promise<unknown>): Promise<Line[]> => {
	const raw: string[] = [];
	const spies = (["log", "debug", "info", "warn", "error"] as const).map((m) =>
		vi.spyOn(console, m).mockImplementation((...args: unknown[]) => {
			raw.push(args.map(String).join(" "));
		}),
	);
	try {
		await fn();
	} finally {
		for (const s of spies) s.mockRestore();
	}
	return raw.flatMap((line) => {
		try {
			return [JSON.parse(line) as Line];
		} catch {
			return [];
		}
	});
};

const metrics = (token: string | null = METRICS_TOKEN) =>
	call("GET", "/metrics", { headers: token ? { Authorization: `Bearer ${token}` } : {} });

/** Sample values by series (`name` or `name{labels}`), from Prometheus text format. */
const parseMetrics = (text: string) => {
	const samples = new Map<string, number>();
	for (const line of text.split("\n")) {
		if (!line || line.startsWith("#")) continue;
		const cut = line.lastIndexOf(" ");
		samples.set(line.slice(0, cut), Number(line.slice(cut + 1)));
	}
	return samples;
};

const scrape = async () => {
	const res = await metrics();
	expect(res.status).toBe(200);
	return parseMetrics(res.text);
};

let keySeq = 0;
const buy = (rifaId: string, who: TestUser, quantity: number) =>
	call("POST", `/api/v1/rifas/${rifaId}/tickets`, {
		token: who.token,
		body: { user_id: who.id, quantity, payment_method: "sandbox" },
		headers: { "Idempotency-Key": `obs-${Date.now()}-${++keySeq}` },
	});

let admin: TestUser;
let jugador: TestUser;

beforeAll(async () => {
	admin = await createUser({ rol: "admin" });
	jugador = await createUser();
});

afterEach(() => {
	vi.restoreAllMocks();
});

describe("request log", () => {
	it("writes one line per request with the route pattern, status, duration and user", async () => {
		const rifa = await createActiveRifa(admin.token);
		let res: Awaited<ReturnType<typeof get>> | undefined;
		let me: Awaited<ReturnType<typeof get>> | undefined;
		const lines = await captureLogs(async () => {
			res = await get(`/api/v1/rifas/${rifa.id}`);
			me = await get("/api/v1/users/me", jugador.token);
		});
		const requests = lines.filter((l) => l.msg === "request");
		expect(requests).toHaveLength(2);
		expect(requests[0]).toEqual({
			level: "info",
			msg: "request",
			request_id: res?.headers.get("X-Request-Id"),
			method: "GET",
			route: "/api/v1/rifas/:id",
			status: 200,
			duration_ms: expect.any(Number),
		});
		expect(requests[1]).toMatchObject({
			request_id: me?.headers.get("X-Request-Id"),
			route: "/api/v1/users/me",
			status: 200,
			user_id: jugador.id,
		});
	});

	it("names the route even when a middleware answers first, and none for unknown paths", async () => {
		const lines = await captureLogs(async () => {
			await get("/api/v1/users/me");
			await get("/api/v1/nada/de/nada");
		});
		const [unauthorized, unknown] = lines.filter((l) => l.msg === "request");
		expect(unauthorized).toMatchObject({ route: "/api/v1/users/me", status: 401 });
		expect(unauthorized).not.toHaveProperty("user_id");
		expect(unknown).toMatchObject({ route: null, status: 404 });
	});

	it("never writes passwords, tokens or the Authorization header", async () => {
		let token = "";
		const lines = await captureLogs(async () => {
			const login = await post("/api/v1/auth/login", {
				email: jugador.email,
				password: jugador.password,
			});
			expect(login.status).toBe(200);
			token = login.body.access_token;
			await get("/api/v1/users/me", token);
			await call("GET", "/metrics", { headers: { Authorization: "Bearer not-the-token" } });
		});
		expect(lines.filter((l) => l.msg === "request")).toHaveLength(3);
		const text = JSON.stringify(lines);
		for (const secret of [jugador.password, token, "not-the-token", METRICS_TOKEN]) {
			expect(text).not.toContain(secret);
		}
		expect(text.toLowerCase()).not.toContain("authorization");
	});

	it("blanks fields named like credentials or card data, wherever they are", async () => {
		const lines = await captureLogs(async () => {
			createLogger({ LOG_LEVEL: "info" }).info("x", {
				password: "p1",
				nested: [{ accessToken: "t1", "x-signature": "s1", card_number: "4242" }],
				descartados: 3,
			});
		});
		expect(lines).toEqual([
			{
				level: "info",
				msg: "x",
				password: "[redacted]",
				nested: [
					{ accessToken: "[redacted]", "x-signature": "[redacted]", card_number: "[redacted]" },
				],
				descartados: 3,
			},
		]);
	});

	it("follows LOG_LEVEL: at warn, successful requests write nothing", async () => {
		const lines = await captureLogs(() => call("GET", "/healthz", { env: { LOG_LEVEL: "warn" } }));
		expect(lines).toEqual([]);
	});
});

describe("job log", () => {
	it("writes one line per cron run with each step's count", async () => {
		const lines = await captureLogs(() => runCron());
		const jobs = lines.filter((l) => l.msg === "job");
		expect(jobs).toHaveLength(1);
		expect(jobs[0]).toMatchObject({
			level: "info",
			job: "scheduled",
			cron: "*/5 * * * *",
			outcome: "ok",
			abiertas: expect.any(Number),
			cerradas: expect.any(Number),
			resueltas: expect.any(Number),
			esperando_resultado: expect.any(Number),
			pagos_reenviados: expect.any(Number),
			reembolsos_pendientes: expect.any(Number),
			errores: 0,
			duration_ms: expect.any(Number),
		});
		expect(lines.some((l) => l.msg === "scheduled run")).toBe(false);
	});

	it("writes one line per queue batch with its acks and retries", async () => {
		const batch = createMessageBatch<PayoutMessage>("rifa1122-payouts", [
			{ id: "m-1", timestamp: new Date(), attempts: 1, body: { ganador_id: crypto.randomUUID() } },
			{ id: "m-2", timestamp: new Date(), attempts: 1, body: { ganador_id: crypto.randomUUID() } },
		]);
		const ctx = createExecutionContext();
		const lines = await captureLogs(() => worker.queue(batch, env, ctx));
		const result = await getQueueResult(batch, ctx);
		const jobs = lines.filter((l) => l.msg === "job");
		expect(jobs).toEqual([
			expect.objectContaining({
				job: "queue",
				queue: "rifa1122-payouts",
				messages: 2,
				acks: result.explicitAcks.length,
				retries: result.retryMessages.length,
			}),
		]);
	});
});

describe("GET /metrics", () => {
	it("is 404 while METRICS_TOKEN is unset", async () => {
		const res = await call("GET", "/metrics", {
			env: { METRICS_TOKEN: undefined },
			headers: { Authorization: `Bearer ${METRICS_TOKEN}` },
		});
		expect(res.status).toBe(404);
		expect(res.headers.get("Content-Type")).toContain("application/problem+json");
	});

	it("answers 401 problem+json without the token or with a wrong one", async () => {
		for (const token of [null, "wrong", `${METRICS_TOKEN}x`, jugador.token]) {
			const res = await metrics(token);
			expectProblem(res, 401);
			expect(res.headers.get("WWW-Authenticate")).toMatch(/^Bearer/);
		}
	});

	it("serves Prometheus text that counts a purchase", async () => {
		const res = await metrics();
		expect(res.status).toBe(200);
		expect(res.headers.get("Content-Type")).toBe("text/plain; version=0.0.4; charset=utf-8");
		for (const name of [
			"rifa1122_tickets_sold",
			"rifa1122_revenue_cents",
			"rifa1122_rifas_active",
			"rifa1122_payouts_pending",
			"rifa1122_payouts_pending_cents",
			"rifa1122_webhook_failures_total",
			"rifa1122_holds_expired_total",
		]) {
			expect(res.text).toMatch(new RegExp(`^# HELP ${name} .+$`, "m"));
			expect(res.text).toMatch(new RegExp(`^# TYPE ${name} (gauge|counter)$`, "m"));
		}
		expect(res.text.endsWith("\n")).toBe(true);

		const before = await scrape();
		const rifa = await createActiveRifa(admin.token);
		expect((await buy(rifa.id, jugador, 2)).status).toBe(201);
		const after = await scrape();
		const delta = (series: string) => (after.get(series) ?? 0) - (before.get(series) ?? 0);
		expect(delta("rifa1122_tickets_sold")).toBe(2);
		expect(delta('rifa1122_revenue_cents{currency="COP"}')).toBe(2 * 1_000_000);
		expect(delta("rifa1122_rifas_active")).toBe(1);
	});

	it("counts webhook deliveries that failed, by webhook and status", async () => {
		const series = 'rifa1122_webhook_failures_total{status="400",webhook="stripe"}';
		const before = (await scrape()).get(series) ?? 0;
		const res = await call("POST", "/api/v1/webhooks/stripe", {
			raw: "{}",
			headers: { "Content-Type": "application/json", "Stripe-Signature": "t=1,v1=00" },
		});
		expectProblem(res, 400);
		expect((await scrape()).get(series)).toBe(before + 1);
	});

	it("counts each expired hold once, however often the room's alarm runs", async () => {
		const rifa = await createActiveRifa(admin.token);
		await usePaymentProvider(rifa.id, (tx) => ({
			status: "requires_payment",
			providerRef: `pi_${tx}`,
			clientSecret: `pi_${tx}_secret`,
		}));
		const before = (await scrape()).get("rifa1122_holds_expired_total") ?? 0;
		expect((await buy(rifa.id, jugador, 2)).status).toBe(201);
		expect(await expireHolds(rifa.id)).toBe(true);
		expect((await scrape()).get("rifa1122_holds_expired_total")).toBe(before + 1);
		await expireHolds(rifa.id);
		expect((await scrape()).get("rifa1122_holds_expired_total")).toBe(before + 1);
	});
});

describe("GET /healthz", () => {
	it("reports D1 as ok", async () => {
		const res = await get("/healthz");
		expect(res.status).toBe(200);
		expect(res.body).toEqual({ status: "ok", checks: { d1: "ok" } });
	});

	it("is a 503 problem when D1 cannot be reached", async () => {
		const res = await call("GET", "/healthz", { env: { DB: undefined as unknown as D1Database } });
		expect(res.status).toBe(503);
		expect(res.headers.get("Content-Type")).toContain("application/problem+json");
		expect(res.body).toMatchObject({ status: 503, errors: [{ path: "checks.d1" }] });
	});
});

/** Stands in for Sentry's ingest servers: records each envelope the SDK posts to them. */
const sentryInbox = () => {
	const envelopes: Line[][] = [];
	interceptHost(new URL(SENTRY_DSN).hostname, async (request) => {
		envelopes.push(
			(await request.text())
				.split("\n")
				.filter(Boolean)
				.map((l) => JSON.parse(l) as Line),
		);
		return new Response("{}", { status: 200 });
	});
	/** The event items (errors and messages) received so far. */
	const events = () =>
		envelopes.flatMap((e) => e.filter((item) => "event_id" in item && "tags" in item));
	return { events };
};

describe("Sentry", () => {
	it("without SENTRY_DSN sends nothing and errors are answered as before", async () => {
		const inbox = sentryInbox();
		const res = await call("GET", "/api/v1/categorias", {
			env: { DB: undefined as unknown as D1Database },
		});
		expect(res.status).toBe(500);
		expect(res.body.request_id).toBe(res.headers.get("X-Request-Id"));
		expect(inbox.events()).toEqual([]);
	});

	it("reports a 5xx with its request id and route, and no credentials", async () => {
		const inbox = sentryInbox();
		const lines = await captureLogs(async () => {
			const res = await call("GET", "/api/v1/categorias?token=in-the-query", {
				env: { SENTRY_DSN, DB: undefined as unknown as D1Database },
				headers: { Authorization: `Bearer ${jugador.token}`, Cookie: "session=abc" },
			});
			expect(res.status).toBe(500);
			await vi.waitFor(() => expect(inbox.events()).toHaveLength(1));
			const [event] = inbox.events();
			expect(event?.tags).toMatchObject({
				request_id: res.headers.get("X-Request-Id"),
				route: "/api/v1/categorias",
				method: "GET",
			});
			const sent = JSON.stringify(event);
			for (const secret of [jugador.token, "in-the-query", "session=abc"]) {
				expect(sent).not.toContain(secret);
			}
		});
		expect(lines.find((l) => l.msg === "unhandled error")).toMatchObject({
			level: "error",
			route: "/api/v1/categorias",
			error: { name: "TypeError" },
		});
	});

	it("reports a cron run that fails", async () => {
		const inbox = sentryInbox();
		const ctx = createExecutionContext();
		await captureLogs(async () => {
			await worker.scheduled(
				createScheduledController({ scheduledTime: new Date(), cron: "*/5 * * * *" }),
				{ ...env, SENTRY_DSN, DB: undefined as unknown as D1Database },
				ctx,
			);
			await expect(waitOnExecutionContext(ctx)).rejects.toThrow();
		});
		await vi.waitFor(() => expect(inbox.events()).toHaveLength(1));
		expect(inbox.events()[0]?.tags).toMatchObject({ job: "scheduled", cron: "*/5 * * * *" });
	});

	it("reports queue messages that will be retried", async () => {
		const inbox = sentryInbox();
		const batch = createMessageBatch<PayoutMessage>("rifa1122-payouts", [
			{ id: "m-1", timestamp: new Date(), attempts: 1, body: { ganador_id: crypto.randomUUID() } },
		]);
		const ctx = createExecutionContext();
		const lines = await captureLogs(() =>
			worker.queue(
				batch,
				{
					...env,
					SENTRY_DSN,
					PAYOUTS_PROVIDER: "sandbox",
					DB: undefined as unknown as D1Database,
				},
				ctx,
			),
		);
		expect((await getQueueResult(batch, ctx)).retryMessages).toHaveLength(1);
		expect(lines.find((l) => l.msg === "job")).toMatchObject({
			level: "warn",
			acks: 0,
			retries: 1,
		});
		await vi.waitFor(() => expect(inbox.events()).toHaveLength(1));
		expect(inbox.events()[0]).toMatchObject({
			level: "warning",
			tags: { job: "queue", queue: "rifa1122-payouts" },
		});
	});

	it("reports what a Durable Object method throws, and still throws it", async () => {
		const inbox = sentryInbox();
		const rifaId = crypto.randomUUID();
		const room = env.RIFA_ROOM.getByName(rifaId);
		await captureLogs(async () => {
			await runInDurableObject(room, async (instance: RifaRoom) => {
				// The room's own deployment settings: Sentry on, its D1 binding gone.
				const own = instance as unknown as { env: Env };
				own.env = { ...own.env, SENTRY_DSN, DB: undefined as unknown as D1Database };
				await expect(instance.availability()).rejects.toThrow(TypeError);
			});
		});
		await vi.waitFor(() => expect(inbox.events()).toHaveLength(1));
		expect(inbox.events()[0]?.tags).toMatchObject({
			durable_object: "RifaRoom",
			method: "availability",
		});
	});
});
