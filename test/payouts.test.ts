import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import worker from "../src/index";
import { runScheduled } from "../src/jobs/scheduler";
import type { PayoutMessage } from "../src/payouts/payouts";
import { type FakeStripe, fakeStripe } from "./fixtures/fake-stripe";
import { transfer } from "./fixtures/stripe";
import {
	call,
	createActiveRifa,
	createCast,
	expectProblem,
	patch,
	post,
	type TestUser,
} from "./helpers";

let admin: TestUser;
let jugador: TestUser;

beforeAll(async () => {
	({ admin, jugador } = await createCast());
});

/** A ganador row for a sold ticket, as settlement writes it. */
const pendingWinner = async () => {
	const rifa = await createActiveRifa(admin.token);
	const sale = await call("POST", `/api/v1/rifas/${rifa.id}/tickets`, {
		token: jugador.token,
		body: { user_id: jugador.id, quantity: 1, payment_method: "sandbox" },
		headers: { "Idempotency-Key": crypto.randomUUID() },
	});
	const id = crypto.randomUUID();
	await env.DB.prepare(
		"INSERT INTO ganadores (id, rifa_id, ticket_id, posicion, monto_ganado, estado_pago, creado_en) VALUES (?, ?, ?, 1, 75000000, 'pendiente', ?)",
	)
		.bind(id, rifa.id, sale.body.tickets[0].id, new Date().toISOString())
		.run();
	return id;
};

const deliver = async (bodies: PayoutMessage[], provider: string) => {
	const batch = createMessageBatch<PayoutMessage>(
		"rifa1122-payouts",
		bodies.map((body, i) => ({ id: `msg-${i}`, timestamp: new Date(), attempts: 1, body })),
	);
	const ctx = createExecutionContext();
	await worker.queue(batch, { ...env, PAYOUTS_PROVIDER: provider }, ctx);
	return getQueueResult(batch, ctx);
};

/** A pending prize of a winner whose Stripe Connect account is `account`. */
const winnerWithAccount = async (account: string | null) => {
	const res = await patch(
		`/api/v1/users/${jugador.id}`,
		{ stripe_account_id: account },
		admin.token,
	);
	expect(res.status).toBe(200);
	expect(res.body.stripe_account_id).toBe(account);
	return pendingWinner();
};

const ganador = (id: string) =>
	env.DB.prepare("SELECT estado_pago, referencia_pago FROM ganadores WHERE id = ?")
		.bind(id)
		.first();

describe("payouts queue", () => {
	it("pays a winner once even when the message is delivered twice", async () => {
		const id = await pendingWinner();
		const result = await deliver([{ ganador_id: id }, { ganador_id: id }], "sandbox");
		expect(result.explicitAcks.sort()).toEqual(["msg-0", "msg-1"]);
		expect(result.retryMessages).toEqual([]);
		expect(await ganador(id)).toEqual({
			estado_pago: "pagado",
			referencia_pago: `sandbox_payout_${id}`,
		});
		const redelivered = await deliver([{ ganador_id: id }], "sandbox");
		expect(redelivered.explicitAcks).toEqual(["msg-0"]);
		const audits = await env.DB.prepare(
			"SELECT count(*) AS n FROM audit_log WHERE entity_id = ? AND action = 'ganador.pagado'",
		)
			.bind(id)
			.first();
		expect(audits).toEqual({ n: 1 });
	});

	it("leaves the prize to an admin with the manual provider, and acks unknown winners", async () => {
		const id = await pendingWinner();
		const result = await deliver(
			[{ ganador_id: id }, { ganador_id: crypto.randomUUID() }],
			"manual",
		);
		expect(result.explicitAcks.sort()).toEqual(["msg-0", "msg-1"]);
		expect(await ganador(id)).toEqual({ estado_pago: "pendiente", referencia_pago: null });
	});

	it("retries with backoff when the database fails", async () => {
		const id = await pendingWinner();
		await env.DB.exec("ALTER TABLE ganadores RENAME TO ganadores_offline");
		try {
			const result = await deliver([{ ganador_id: id }], "sandbox");
			expect(result.explicitAcks).toEqual([]);
			expect(result.retryMessages.map((m) => m.msgId)).toEqual(["msg-0"]);
		} finally {
			await env.DB.exec("ALTER TABLE ganadores_offline RENAME TO ganadores");
		}
		expect(await ganador(id)).toEqual({ estado_pago: "pendiente", referencia_pago: null });
	});
});

describe("Stripe payouts", () => {
	let stripe: FakeStripe;
	beforeEach(() => {
		stripe = fakeStripe();
	});
	afterEach(() => {
		vi.restoreAllMocks();
	});

	const posts = () => stripe.requests.filter((c) => c.method === "POST");

	it("transfers the prize to the winner's Connect account once, however often it is delivered", async () => {
		const id = await winnerWithAccount("acct_1SdWinner0001");
		const result = await deliver([{ ganador_id: id }, { ganador_id: id }], "stripe");
		expect(result.explicitAcks.sort()).toEqual(["msg-0", "msg-1"]);
		expect(posts()).toHaveLength(1);
		const [create] = posts();
		expect(create?.idempotencyKey).toBe(`rifa1122-payout-${id}`);
		expect(create?.form.get("amount")).toBe("75000000");
		expect(create?.form.get("currency")).toBe("cop");
		expect(create?.form.get("destination")).toBe("acct_1SdWinner0001");
		expect(await ganador(id)).toEqual({
			estado_pago: "pagado",
			referencia_pago: stripe.transfers[0]?.id,
		});
		await deliver([{ ganador_id: id }], "stripe");
		expect(posts()).toHaveLength(1);
	});

	it("finds a transfer made before a crash instead of paying again", async () => {
		const id = await winnerWithAccount("acct_1SdWinner0002");
		const { rifa_id } = (await env.DB.prepare("SELECT rifa_id FROM ganadores WHERE id = ?")
			.bind(id)
			.first()) as { rifa_id: string };
		stripe.transfers.push(
			transfer({
				id: "tr_1SdYearlierTransfer01",
				amount: 75_000_000,
				destination: "acct_1SdWinner0002",
				transferGroup: `rifa_${rifa_id}`,
				metadata: { ganador_id: id },
			}),
		);
		await deliver([{ ganador_id: id }], "stripe");
		expect(posts()).toEqual([]);
		expect(await ganador(id)).toEqual({
			estado_pago: "pagado",
			referencia_pago: "tr_1SdYearlierTransfer01",
		});
	});

	it("leaves winners without a Connect account to an admin", async () => {
		const id = await winnerWithAccount(null);
		const result = await deliver([{ ganador_id: id }], "stripe");
		expect(result.explicitAcks).toEqual(["msg-0"]);
		expect(stripe.requests).toEqual([]);
		expect(await ganador(id)).toEqual({ estado_pago: "pendiente", referencia_pago: null });
	});

	it("retries while Stripe is down, and the prize is frozen against recalculation", async () => {
		const id = await winnerWithAccount("acct_1SdWinner0003");
		stripe.down = true;
		const result = await deliver([{ ganador_id: id }], "stripe");
		expect(result.retryMessages.map((m) => m.msgId)).toEqual(["msg-0"]);
		const row = await env.DB.prepare(
			"SELECT estado_pago, procesando_desde FROM ganadores WHERE id = ?",
		)
			.bind(id)
			.first<{ estado_pago: string; procesando_desde: string | null }>();
		expect(row?.estado_pago).toBe("pendiente");
		expect(row?.procesando_desde).not.toBeNull();
		stripe.down = false;
		await deliver([{ ganador_id: id }], "stripe");
		expect((await ganador(id))?.estado_pago).toBe("pagado");
	});

	it("shows the prize as in flight while its transfer is under way", async () => {
		const id = await winnerWithAccount("acct_1SdWinner0004");
		const inFlight = stripe.hold("POST /v1/transfers");
		const delivered = deliver([{ ganador_id: id }], "stripe");
		await inFlight.reached;
		const during = await env.DB.prepare(
			"SELECT estado_pago, procesando_desde FROM ganadores WHERE id = ?",
		)
			.bind(id)
			.first();
		expect(during).toEqual({ estado_pago: "pendiente", procesando_desde: expect.any(String) });
		inFlight.release();
		expect((await delivered).explicitAcks).toEqual(["msg-0"]);
		expect(await ganador(id)).toEqual({
			estado_pago: "pagado",
			referencia_pago: stripe.transfers[0]?.id,
		});
	});

	it("rejects a malformed Connect account id", async () => {
		expectProblem(
			await patch(`/api/v1/users/${jugador.id}`, { stripe_account_id: "cus_123" }, admin.token),
			422,
		);
	});
});

describe("POST /ganadores/{id}/pago", () => {
	it("records a manual transfer once, for admins only", async () => {
		const id = await pendingWinner();
		expectProblem(
			await post(`/api/v1/ganadores/${id}/pago`, { referencia_pago: "TRF-1" }, jugador.token),
			403,
		);
		const paid = await post(
			`/api/v1/ganadores/${id}/pago`,
			{ referencia_pago: "TRF-1" },
			admin.token,
		);
		expect(paid.status).toBe(200);
		expect(paid.body).toMatchObject({
			estado_pago: "pagado",
			referencia_pago: "TRF-1",
			monto_ganado: 75_000_000,
		});
		const again = await post(
			`/api/v1/ganadores/${id}/pago`,
			{ referencia_pago: "TRF-1" },
			admin.token,
		);
		expect(again.body.fecha_pago).toBe(paid.body.fecha_pago);
		expectProblem(
			await post(`/api/v1/ganadores/${id}/pago`, { referencia_pago: "TRF-2" }, admin.token),
			409,
		);
		expectProblem(
			await post(
				`/api/v1/ganadores/${crypto.randomUUID()}/pago`,
				{ referencia_pago: "X" },
				admin.token,
			),
			404,
		);
		expectProblem(
			await post(`/api/v1/ganadores/${id}/pago`, { referencia_pago: "" }, admin.token),
			422,
		);
		expect((await deliver([{ ganador_id: id }], "sandbox")).explicitAcks).toEqual(["msg-0"]);
		expect(await ganador(id)).toEqual({ estado_pago: "pagado", referencia_pago: "TRF-1" });
	});
});

describe("payout backstop", () => {
	it("sends again the prizes still pending after half an hour, unless payouts are manual", async () => {
		const stale = await pendingWinner();
		const fresh = await pendingWinner();
		await env.DB.prepare("UPDATE ganadores SET creado_en = ? WHERE id = ?")
			.bind(new Date(Date.now() - 3600_000).toISOString(), stale)
			.run();
		const sent: PayoutMessage[] = [];
		const queue = {
			send: async () => {},
			sendBatch: async (msgs: Iterable<{ body: PayoutMessage }>) => {
				for (const m of msgs) sent.push(m.body);
			},
		} as unknown as Queue;
		await runScheduled({ ...env, PAYOUTS_PROVIDER: "sandbox", PAYOUTS: queue }, new Date());
		expect(sent.map((m) => m.ganador_id)).toContain(stale);
		expect(sent.map((m) => m.ganador_id)).not.toContain(fresh);
		sent.length = 0;
		await runScheduled({ ...env, PAYOUTS_PROVIDER: "manual", PAYOUTS: queue }, new Date());
		expect(sent).toEqual([]);
	});
});

describe("a manual payment and a queue transfer of the same prize", () => {
	let stripe: FakeStripe;
	/** The consumer's transfer request, held at Stripe until `release`. */
	let held: ReturnType<FakeStripe["hold"]>;
	const made = () => stripe.transfers;
	const transferRequested = () => held.reached;
	const release = () => held.release();

	beforeEach(() => {
		stripe = fakeStripe();
		held = stripe.hold("POST /v1/transfers");
	});
	afterEach(() => {
		release();
		vi.restoreAllMocks();
	});

	const pagar = (id: string, referencia: string) =>
		post(`/api/v1/ganadores/${id}/pago`, { referencia_pago: referencia }, admin.token);
	/** Dates the in-flight mark back past the window in which a transfer attempt can still be running. */
	const stale = (id: string) =>
		env.DB.prepare("UPDATE ganadores SET procesando_desde = ? WHERE id = ?")
			.bind(new Date(Date.now() - 31 * 60_000).toISOString(), id)
			.run();
	const duplicates = (id: string) =>
		env.DB.prepare(
			"SELECT actor_id, before, after FROM audit_log WHERE entity_id = ? AND action = 'ganador.pago_duplicado'",
		)
			.bind(id)
			.all<{ actor_id: string | null; before: string; after: string }>();
	const duplicateMetric = async () => {
		const res = await call("GET", "/metrics", {
			headers: { Authorization: "Bearer test-metrics-token-0123456789" },
		});
		return Number(/^rifa1122_payouts_duplicate_total (\d+)$/m.exec(res.text)?.[1]);
	};

	it("refuses a manual payment with 409 while the transfer is in flight", async () => {
		const id = await winnerWithAccount("acct_1SdWinner0101");
		const delivery = deliver([{ ganador_id: id }], "stripe");
		await transferRequested();
		const refused = expectProblem(await pagar(id, "TRF-EN-CURSO"), 409);
		expect(refused.detail).toContain("transferencia automática en curso");
		release();
		expect((await delivery).explicitAcks).toEqual(["msg-0"]);
		expect(await ganador(id)).toEqual({ estado_pago: "pagado", referencia_pago: made()[0]?.id });
	});

	it("records, counts and logs a transfer that completes after a manual payment", async () => {
		const before = await duplicateMetric();
		const errors = vi.spyOn(console, "error");
		const id = await winnerWithAccount("acct_1SdWinner0102");
		const delivery = deliver([{ ganador_id: id }], "stripe");
		await transferRequested();
		// The transfer hangs past the in-flight window, so an admin is allowed to pay by hand.
		await stale(id);
		expect((await pagar(id, "TRF-MANUAL-1")).status).toBe(200);
		release();
		// Acked: the duplicate is recorded, and retrying cannot take the money back.
		expect((await delivery).explicitAcks).toEqual(["msg-0"]);
		const transferId = made()[0]?.id;
		expect(await ganador(id)).toEqual({ estado_pago: "pagado", referencia_pago: "TRF-MANUAL-1" });
		const [entry, ...more] = (await duplicates(id)).results;
		expect(more).toEqual([]);
		expect(entry?.actor_id).toBeNull();
		expect(JSON.parse(entry?.before ?? "null")).toMatchObject({ referencia_pago: "TRF-MANUAL-1" });
		expect(JSON.parse(entry?.after ?? "null")).toMatchObject({
			referencia_pago: "TRF-MANUAL-1",
			referencia_duplicada: transferId,
			monto: 75_000_000,
		});
		expect(await duplicateMetric()).toBe(before + 1);
		const logged = errors.mock.calls
			.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>)
			.filter((l) => l.ganador_id === id);
		expect(logged).toMatchObject([
			{ level: "error", referencia_pago: "TRF-MANUAL-1", referencia_duplicada: transferId },
		]);

		// A redelivery finds the same transfer and records nothing twice.
		expect((await deliver([{ ganador_id: id }], "stripe")).explicitAcks).toEqual(["msg-0"]);
		expect((await duplicates(id)).results).toHaveLength(1);
		expect(await duplicateMetric()).toBe(before + 1);
	});

	it("finds a transfer made by an attempt that died, after the prize was paid by hand", async () => {
		const id = await winnerWithAccount("acct_1SdWinner0103");
		const { rifa_id } = (await env.DB.prepare("SELECT rifa_id FROM ganadores WHERE id = ?")
			.bind(id)
			.first()) as { rifa_id: string };
		// The attempt reached Stripe and stopped before recording it; its message waits for a retry.
		made().push(
			transfer({
				id: "tr_1SdZdiedAttempt0001",
				amount: 75_000_000,
				destination: "acct_1SdWinner0103",
				transferGroup: `rifa_${rifa_id}`,
				metadata: { ganador_id: id },
			}),
		);
		await stale(id);
		expect((await pagar(id, "TRF-MANUAL-2")).status).toBe(200);
		expect((await deliver([{ ganador_id: id }], "stripe")).explicitAcks).toEqual(["msg-0"]);
		const [entry] = (await duplicates(id)).results;
		expect(JSON.parse(entry?.after ?? "null")).toMatchObject({
			referencia_pago: "TRF-MANUAL-2",
			referencia_duplicada: "tr_1SdZdiedAttempt0001",
		});
	});
});
