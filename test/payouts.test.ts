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
