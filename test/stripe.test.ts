import { env } from "cloudflare:workers";
import { decodeProtectedHeader } from "jose";
import Stripe from "stripe";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createDb } from "../src/db/client";
import { stripeProvider } from "../src/payments/stripe";
import { syncRoom } from "../src/rifa-room/rooms";
import { type FakeStripe, fakeStripe, paymentIntentIdFor } from "./fixtures/fake-stripe";
import { interceptHost } from "./fixtures/intercept-fetch";
import { chargeFailed, event, paymentIntent } from "./fixtures/stripe";
import {
	call,
	createActiveRifa,
	createUser,
	expectProblem,
	expireHolds,
	get,
	inDays,
	patch,
	type TestUser,
} from "./helpers";

let admin: TestUser;
let jugador: TestUser;

let stripe: FakeStripe;

beforeAll(async () => {
	admin = await createUser({ rol: "admin" });
	jugador = await createUser({ rol: "jugador" });
});

beforeEach(() => {
	stripe = fakeStripe();
});

afterEach(() => {
	vi.restoreAllMocks();
});

const buyWithStripe = (
	rifaId: string,
	who: TestUser,
	body: Record<string, unknown> = {},
	key = crypto.randomUUID(),
) =>
	call("POST", `/api/v1/rifas/${rifaId}/tickets`, {
		token: who.token,
		body: { user_id: who.id, quantity: 2, payment_method: "stripe", ...body },
		headers: { "Idempotency-Key": key },
	});

const deliver = async (
	payload: unknown,
	opts: { secret?: string; tamper?: boolean; signature?: string | null } = {},
) => {
	const body = JSON.stringify(payload);
	const header =
		opts.signature === undefined
			? await Stripe.webhooks.generateTestHeaderStringAsync({
					payload: body,
					secret: opts.secret ?? env.STRIPE_WEBHOOK_SECRET ?? "",
					cryptoProvider: Stripe.createSubtleCryptoProvider(),
				})
			: opts.signature;
	return call("POST", "/api/v1/webhooks/stripe", {
		raw: opts.tamper ? body.replace('"amount":', '"amount": 1') : body,
		headers: {
			"Content-Type": "application/json",
			...(header ? { "Stripe-Signature": header } : {}),
		},
	});
};

const piEvent = (
	type: string,
	purchase: { transaccion_id: string },
	rifaId: string,
	eventId = `evt_${crypto.randomUUID()}`,
) => {
	const tx = purchase.transaccion_id;
	return event(
		eventId,
		type,
		paymentIntent({
			id: paymentIntentIdFor(tx),
			amount: 2_000_000,
			status: type === "payment_intent.succeeded" ? "succeeded" : "requires_payment_method",
			metadata: { rifa_id: rifaId, transaccion_id: tx, user_id: jugador.id },
		}),
	);
};

/** Another player buys the first two free numbers (those an expired hold had) with the sandbox. */
const resell = async (rifaId: string) => {
	const other = await createUser();
	const resold = await call("POST", `/api/v1/rifas/${rifaId}/tickets`, {
		token: other.token,
		body: { user_id: other.id, quantity: 2, payment_method: "sandbox" },
		headers: { "Idempotency-Key": crypto.randomUUID() },
	});
	expect(resold.status).toBe(201);
	return other;
};

const state = async (rifaId: string) => ({
	mapa: (await get(`/api/v1/rifas/${rifaId}/disponibilidad`)).body.mapa.slice(0, 4) as string,
	tickets: (
		await env.DB.prepare("SELECT numero, estado FROM tickets WHERE rifa_id = ? ORDER BY numero")
			.bind(rifaId)
			.all()
	).results,
});

const txStatus = async (id: string) =>
	(await env.DB.prepare("SELECT status, provider_ref FROM transacciones WHERE id = ?")
		.bind(id)
		.first()) as {
		status: string;
		provider_ref: string;
	};

describe("stripe purchase", () => {
	it("creates a COP PaymentIntent keyed by the transaccion and holds the numbers", async () => {
		const rifa = await createActiveRifa(admin.token);
		const res = await buyWithStripe(rifa.id, jugador);
		expect(res.status).toBe(201);
		expect(res.body.tickets.map((t: { estado: string }) => t.estado)).toEqual([
			"reservado",
			"reservado",
		]);
		expect(res.body.payment).toMatchObject({
			provider: "stripe",
			status: "requires_payment",
			amount: 2_000_000,
		});
		expect(res.body.payment.client_secret).toMatch(/^pi_.+_secret_/);
		expect(stripe.requests).toHaveLength(1);
		const sent = stripe.requests[0];
		expect(sent?.form.get("amount")).toBe("2000000");
		expect(sent?.form.get("currency")).toBe("cop");
		expect(sent?.form.get("metadata[rifa_id]")).toBe(rifa.id);
		expect(sent?.form.get("metadata[transaccion_id]")).toBe(res.body.transaccion_id);
		expect(sent?.idempotencyKey).toBe(`rifa1122-pi-${res.body.transaccion_id}`);
		expect(await txStatus(res.body.transaccion_id)).toMatchObject({
			status: "pending",
			provider_ref: expect.stringMatching(/^pi_/),
		});
		expect((await state(rifa.id)).mapa).toBe("RRLL");
	});

	it("releases the numbers and lets the same key retry when Stripe is down", async () => {
		const rifa = await createActiveRifa(admin.token);
		stripe.down = true;
		const key = crypto.randomUUID();
		expectProblem(await buyWithStripe(rifa.id, jugador, {}, key), 502);
		expect((await state(rifa.id)).mapa).toBe("LLLL");
		stripe.down = false;
		const retry = await buyWithStripe(rifa.id, jugador, {}, key);
		expect(retry.status).toBe(201);
		expect(retry.headers.get("Idempotent-Replayed")).toBeNull();
	});
});

describe("stripe webhook", () => {
	it("sells the held numbers on payment_intent.succeeded, once", async () => {
		const rifa = await createActiveRifa(admin.token);
		const purchase = (await buyWithStripe(rifa.id, jugador)).body;
		const evt = piEvent("payment_intent.succeeded", purchase, rifa.id);
		const first = await deliver(evt);
		expect(first.status).toBe(200);
		expect(first.body).toEqual({ received: true, result: "sold" });
		expect(await state(rifa.id)).toEqual({
			mapa: "VVLL",
			tickets: [
				{ numero: 0, estado: "vendido" },
				{ numero: 1, estado: "vendido" },
			],
		});
		expect((await txStatus(purchase.transaccion_id)).status).toBe("succeeded");
		const again = await deliver(evt);
		expect(again.body.result).toBe("duplicate");
		const reordered = await deliver(piEvent("payment_intent.payment_failed", purchase, rifa.id));
		expect(reordered.body.result).toBe("ignored");
		expect((await state(rifa.id)).mapa).toBe("VVLL");
		// A Stripe hold gets its receipts once the payment is confirmed, signed once.
		for (const tk of purchase.tickets as { id: string; recibo?: string }[]) {
			expect(tk.recibo).toBeUndefined();
			const recibo = await get(`/api/v1/tickets/${tk.id}/recibo`, jugador.token);
			expect(recibo.status).toBe(200);
			expect(decodeProtectedHeader(recibo.body.recibo).typ).toBe("rifa1122-recibo");
		}
		const ledger = (await get(`/api/v1/rifas/${rifa.id}/registro`)).body;
		expect(ledger.total).toBe(2);
	});

	it("rejects a missing, forged or stale signature and a tampered body, changing nothing", async () => {
		const rifa = await createActiveRifa(admin.token);
		const purchase = (await buyWithStripe(rifa.id, jugador)).body;
		const evt = piEvent("payment_intent.succeeded", purchase, rifa.id);
		expectProblem(await deliver(evt, { signature: null }), 400);
		expectProblem(await deliver(evt, { secret: "whsec_someone_else" }), 400);
		expectProblem(await deliver(evt, { tamper: true }), 400);
		expectProblem(await deliver(evt, { signature: "t=1,v1=deadbeef" }), 400);
		const stale = `t=${Math.floor(Date.now() / 1000) - 3600},v1=${"0".repeat(64)}`;
		expectProblem(await deliver(evt, { signature: stale }), 400);
		expect((await state(rifa.id)).mapa).toBe("RRLL");
		expect((await txStatus(purchase.transaccion_id)).status).toBe("pending");
	});

	it("releases numbers on payment_failed and charge.failed (found by PaymentIntent id)", async () => {
		const rifa = await createActiveRifa(admin.token);
		const a = (await buyWithStripe(rifa.id, jugador)).body;
		expect((await deliver(piEvent("payment_intent.payment_failed", a, rifa.id))).body.result).toBe(
			"released",
		);
		expect((await state(rifa.id)).mapa).toBe("LLLL");
		expect((await txStatus(a.transaccion_id)).status).toBe("failed");

		const b = (await buyWithStripe(rifa.id, jugador)).body;
		const piId = (await txStatus(b.transaccion_id)).provider_ref;
		const charge = event(
			`evt_${crypto.randomUUID()}`,
			"charge.failed",
			chargeFailed({ paymentIntent: piId, amount: 2_000_000 }),
		);
		expect((await deliver(charge)).body.result).toBe("released");
		expect((await state(rifa.id)).mapa).toBe("LLLL");
	});

	it("takes the numbers back for a late payment when they are still free", async () => {
		const rifa = await createActiveRifa(admin.token);
		const purchase = (await buyWithStripe(rifa.id, jugador)).body;
		await expireHolds(rifa.id);
		expect((await state(rifa.id)).mapa).toBe("LLLL");
		const res = await deliver(piEvent("payment_intent.succeeded", purchase, rifa.id));
		expect(res.body.result).toBe("sold");
		expect(await state(rifa.id)).toEqual({
			mapa: "VVLL",
			tickets: [
				{ numero: 0, estado: "vendido" },
				{ numero: 1, estado: "vendido" },
			],
		});
		expect((await txStatus(purchase.transaccion_id)).status).toBe("succeeded");
	});

	it("refunds a late payment whose numbers were sold to someone else, exactly once", async () => {
		const rifa = await createActiveRifa(admin.token);
		const late = (await buyWithStripe(rifa.id, jugador)).body;
		await expireHolds(rifa.id);
		const other = await resell(rifa.id);
		stripe.requests.length = 0;
		const evt = piEvent("payment_intent.succeeded", late, rifa.id);
		expect((await deliver(evt)).body.result).toBe("refunded");
		expect((await deliver(evt)).body.result).toBe("duplicate");
		const refunds = stripe.requests.filter((c) => c.path === "/v1/refunds");
		expect(refunds).toHaveLength(1);
		expect(refunds[0]?.idempotencyKey).toBe(`rifa1122-refund-${late.transaccion_id}`);
		expect((await txStatus(late.transaccion_id)).status).toBe("refunded");
		const owners = await env.DB.prepare("SELECT DISTINCT usuario_id FROM tickets WHERE rifa_id = ?")
			.bind(rifa.id)
			.all();
		expect(owners.results).toEqual([{ usuario_id: other.id }]);
	});

	it("refunds a late payment once sales are closed, even if its numbers are free", async () => {
		const rifa = await createActiveRifa(admin.token);
		const late = (await buyWithStripe(rifa.id, jugador)).body;
		await expireHolds(rifa.id);
		await patch(`/api/v1/rifas/${rifa.id}`, { estado: "cerrada" }, admin.token);
		expect((await deliver(piEvent("payment_intent.succeeded", late, rifa.id))).body.result).toBe(
			"refunded",
		);
		expect((await txStatus(late.transaccion_id)).status).toBe("refunded");
		expect((await state(rifa.id)).mapa).toBe("LLLL");
	});

	it("refunds a payment that arrives after fecha_fin for a hold still pending, before any close", async () => {
		const rifa = await createActiveRifa(admin.token);
		const held = (await buyWithStripe(rifa.id, jugador)).body;
		expect((await state(rifa.id)).mapa).toBe("RRLL");
		// Sales ended a minute ago; the cron has not closed the rifa yet, so it is still activa.
		await env.DB.prepare(
			"UPDATE rifas SET fecha_inicio = ?, fecha_fin = ?, actualizado_en = ? WHERE id = ?",
		)
			.bind(inDays(-2), inDays(-1 / 1440), new Date().toISOString(), rifa.id)
			.run();
		await syncRoom(env, createDb(env.DB), rifa.id);
		stripe.requests.length = 0;
		const res = await deliver(piEvent("payment_intent.succeeded", held, rifa.id));
		expect(res.body.result).toBe("refunded");
		expect(stripe.requests.filter((c) => c.path === "/v1/refunds")).toHaveLength(1);
		expect((await txStatus(held.transaccion_id)).status).toBe("refunded");
		expect((await state(rifa.id)).mapa).toBe("LLLL");
	});

	it("acknowledges events it does not handle", async () => {
		const res = await deliver(
			event(`evt_${crypto.randomUUID()}`, "customer.created", { id: "cus_1", object: "customer" }),
		);
		expect(res.body).toEqual({ received: true, result: "ignored" });
	});
});

describe("GET /rifas/{id}/transacciones/{transaccion_id}", () => {
	it("follows a Stripe purchase from its hold to sold as the rifa knows it, for its buyer and staff only", async () => {
		const rifa = await createActiveRifa(admin.token);
		const purchase = (await buyWithStripe(rifa.id, jugador)).body;
		const url = `/api/v1/rifas/${rifa.id}/transacciones/${purchase.transaccion_id}`;
		const pendiente = await get(url, jugador.token);
		expect(pendiente.status).toBe(200);
		expect(pendiente.body).toEqual({
			transaccion_id: purchase.transaccion_id,
			rifa_id: rifa.id,
			usuario_id: jugador.id,
			status: "pending",
			provider: "stripe",
			amount: 2_000_000,
			tickets: purchase.tickets.map((t: { id: string; numero: number }) => ({
				id: t.id,
				numero: t.numero,
			})),
			expires_at: purchase.payment.expires_at,
			pago: null,
			reembolso: null,
			abonos: null,
		});
		await deliver(piEvent("payment_intent.succeeded", purchase, rifa.id));
		expect((await get(url, jugador.token)).body).toMatchObject({
			status: "succeeded",
			expires_at: null,
		});
		expect((await get(url, admin.token)).status).toBe(200);
		expectProblem(await get(url, (await createUser()).token), 403);
		expectProblem(await get(url, (await createUser({ rol: "operador" })).token), 403);
		expectProblem(await get(url), 401);
		const otra = `/api/v1/rifas/${rifa.id}/transacciones/${crypto.randomUUID()}`;
		expectProblem(await get(otra, jugador.token), 404);
		const sinRifa = `/api/v1/rifas/${crypto.randomUUID()}/transacciones/${purchase.transaccion_id}`;
		expectProblem(await get(sinRifa, jugador.token), 404);
		expectProblem(await get(`/api/v1/rifas/${rifa.id}/transacciones/nope`, jugador.token), 422);
	});

	it("says failed for a declined payment or an expired hold, and refunded for a late payment given back", async () => {
		const rifa = await createActiveRifa(admin.token);
		const estado = async (p: { transaccion_id: string }) =>
			(await get(`/api/v1/rifas/${rifa.id}/transacciones/${p.transaccion_id}`, jugador.token)).body;
		const rechazada = (await buyWithStripe(rifa.id, jugador)).body;
		await deliver(piEvent("payment_intent.payment_failed", rechazada, rifa.id));
		expect(await estado(rechazada)).toMatchObject({ status: "failed", expires_at: null });
		const vencida = (await buyWithStripe(rifa.id, jugador)).body;
		await expireHolds(rifa.id);
		expect(await estado(vencida)).toMatchObject({ status: "failed", expires_at: null });
		await resell(rifa.id);
		await deliver(piEvent("payment_intent.succeeded", vencida, rifa.id));
		expect(await estado(vencida)).toMatchObject({ status: "refunded" });
	});
});

describe("STRIPE_API_URL", () => {
	const charge = {
		transaccionId: crypto.randomUUID(),
		rifaId: crypto.randomUUID(),
		userId: crypto.randomUUID(),
		amount: 1_000_000,
		currency: "COP" as const,
	};
	const local = "http://stripe-mock.rifa1122.test:12111";

	it("points a development Worker with a test key at a local Stripe, and nothing else", async () => {
		const hosts: string[] = [];
		interceptHost("stripe-mock.rifa1122.test", async (req) => {
			hosts.push(`${new URL(req.url).host}${new URL(req.url).pathname}`);
			return Response.json(
				paymentIntent({
					id: paymentIntentIdFor(charge.transaccionId),
					amount: charge.amount,
					status: "requires_payment_method",
					metadata: {},
				}),
			);
		});
		const dev = { ENVIRONMENT: "development", STRIPE_API_URL: local };
		await stripeProvider("sk_test_rifa1122_local", dev).charge(charge);
		expect(hosts).toEqual(["stripe-mock.rifa1122.test:12111/v1/payment_intents"]);
		// Deployed, or with a live key, the setting is ignored: the key only ever goes to Stripe.
		await stripeProvider("sk_test_rifa1122_local", { ...dev, ENVIRONMENT: "production" }).charge(
			charge,
		);
		await stripeProvider("sk_live_rifa1122_never_local", dev).charge(charge);
		expect(hosts).toHaveLength(1);
		expect(stripe.requests.map((r) => r.path)).toEqual([
			"/v1/payment_intents",
			"/v1/payment_intents",
		]);
	});
});
