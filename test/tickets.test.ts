import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { PaymentProvider } from "../src/payments/provider";
import { permutation } from "../src/rifa-room/numbering";
import type { RifaRoom } from "../src/rifa-room/rifa-room";
import {
	call,
	createActiveRifa,
	createCast,
	createRifa,
	createUser,
	expectProblem,
	expireHolds,
	get,
	inDays,
	openRoomSocket,
	patch,
	type TestUser,
	usePaymentProvider,
} from "./helpers";

let admin: TestUser;
let operador: TestUser;
let jugador: TestUser;

beforeAll(async () => {
	({ admin, operador, jugador } = await createCast());
});

let keySeq = 0;
const newKey = () => `key-${Date.now()}-${++keySeq}`;

const buy = (
	rifaId: string,
	who: TestUser,
	body: Record<string, unknown> = {},
	key: string | null = newKey(),
) =>
	call("POST", `/api/v1/rifas/${rifaId}/tickets`, {
		token: who.token,
		body: { user_id: who.id, quantity: 1, payment_method: "sandbox", ...body },
		headers: key ? { "Idempotency-Key": key } : {},
	});

const room = (rifaId: string) => env.RIFA_ROOM.getByName(rifaId);

const d1Tickets = async (rifaId: string) =>
	(
		await env.DB.prepare(
			"SELECT numero, estado, usuario_id FROM tickets WHERE rifa_id = ? ORDER BY numero",
		)
			.bind(rifaId)
			.all<{ numero: number; estado: string; usuario_id: string }>()
	).results;

describe("purchase", () => {
	it("sells the lowest free numbers, charges the category price and records it in D1", async () => {
		const rifa = await createActiveRifa(admin.token);
		const res = await buy(rifa.id, jugador, { quantity: 2 });
		expect(res.status).toBe(201);
		expect(
			res.body.tickets.map((t: { numero: number; estado: string }) => [t.numero, t.estado]),
		).toEqual([
			[0, "vendido"],
			[1, "vendido"],
		]);
		expect(res.body.payment).toEqual({
			provider: "sandbox",
			status: "succeeded",
			amount: 2_000_000,
			currency: "COP",
		});
		expect(res.headers.get("Idempotent-Replayed")).toBeNull();

		expect(await d1Tickets(rifa.id)).toEqual([
			{ numero: 0, estado: "vendido", usuario_id: jugador.id },
			{ numero: 1, estado: "vendido", usuario_id: jugador.id },
		]);
		const tx = await env.DB.prepare(
			"SELECT amount, status, user_id, rifa_id FROM transacciones WHERE id = ?",
		)
			.bind(res.body.transaccion_id)
			.first();
		expect(tx).toEqual({
			amount: 2_000_000,
			status: "succeeded",
			user_id: jugador.id,
			rifa_id: rifa.id,
		});

		const avail = await get(`/api/v1/rifas/${rifa.id}/disponibilidad`);
		expect(avail.body).toMatchObject({ total: 100, libres: 98, vendidos: 2, reservados: 0 });
		expect(avail.body.mapa).toBe(`VV${"L".repeat(98)}`);
		expect(avail.text).not.toContain(jugador.id);
	});

	it("sells chosen numbers, and names the ones already taken", async () => {
		const rifa = await createActiveRifa(admin.token);
		expect((await buy(rifa.id, jugador, { quantity: 2, numeros: [7, 42] })).status).toBe(201);
		const taken = expectProblem(
			await buy(rifa.id, operador, { quantity: 3, numeros: [41, 42, 7] }),
			409,
		);
		expect(taken.detail).toContain("7, 42");
		expect(taken.errors.map((e: { message: string }) => e.message).join()).toContain("42");
		expectProblem(await buy(rifa.id, jugador, { quantity: 1, numeros: [100] }), 422);
		expectProblem(await buy(rifa.id, jugador, { quantity: 2, numeros: [3, 3] }), 422);
		expectProblem(await buy(rifa.id, jugador, { quantity: 2, numeros: [3] }), 422);
		const next = await buy(rifa.id, jugador, { quantity: 1 });
		expect(next.body.tickets[0].numero).toBe(0);
	});

	it("assigns aleatoria numbers in the rifa's documented, reproducible order", async () => {
		const rifa = await createActiveRifa(admin.token, { reglas: { asignacion: "aleatoria" } });
		const res = await buy(rifa.id, jugador, { quantity: 5 });
		const expected = (await permutation(rifa.id, 100, "aleatoria"))
			.slice(0, 5)
			.sort((a, b) => a - b);
		expect(res.body.tickets.map((t: { numero: number }) => t.numero)).toEqual(expected);
		expect(expected).not.toEqual([0, 1, 2, 3, 4]);
		const again = await permutation(rifa.id, 100, "aleatoria");
		expect(new Set(again).size).toBe(100);
		expect(again).toEqual(await permutation(rifa.id, 100, "aleatoria"));
	});

	it("refuses sales outside an activa rifa's window and past the rules", async () => {
		const pendiente = await createRifa(admin.token, { fecha_inicio: inDays(-1) });
		expect(expectProblem(await buy(pendiente.id, jugador), 409).detail).toContain("pendiente");
		const future = await createRifa(admin.token, { fecha_inicio: inDays(1) });
		await patch(`/api/v1/rifas/${future.id}`, { estado: "activa" }, admin.token);
		expectProblem(await buy(future.id, jugador), 409);

		const capped = await createActiveRifa(admin.token, {
			reglas: { max_boletas_por_compra: 3, max_boletas_por_usuario: 4 },
		});
		expectProblem(await buy(capped.id, jugador, { quantity: 4 }), 422);
		expect((await buy(capped.id, jugador, { quantity: 3 })).status).toBe(201);
		const cap = expectProblem(await buy(capped.id, jugador, { quantity: 2 }), 409);
		expect(cap.detail).toContain("1 más");
		expect((await buy(capped.id, jugador, { quantity: 1 })).status).toBe(201);

		expectProblem(await buy(crypto.randomUUID(), jugador), 404);
	});

	it("says how many numbers remain when there are not enough", async () => {
		const rifa = await createActiveRifa(admin.token, { reglas: { max_boletas_por_compra: 100 } });
		expect((await buy(rifa.id, jugador, { quantity: 97 })).status).toBe(201);
		const short = expectProblem(await buy(rifa.id, jugador, { quantity: 4 }), 409);
		expect(short.detail).toContain("3");
		expect((await buy(rifa.id, jugador, { quantity: 3 })).status).toBe(201);
		expectProblem(await buy(rifa.id, jugador, { quantity: 1 }), 409);
	});

	it("freezes a sold rifa's structure", async () => {
		const rifa = await createActiveRifa(admin.token);
		await buy(rifa.id, jugador);
		expectProblem(
			await patch(`/api/v1/rifas/${rifa.id}`, { total_boletas: 1000 }, admin.token),
			409,
		);
	});
});

describe("who may buy and see what", () => {
	it("lets a jugador buy only for itself and a point of sale sell for others", async () => {
		const rifa = await createActiveRifa(operador.token);
		const other = await createUser();
		expectProblem(await buy(rifa.id, jugador, { user_id: other.id }), 403);
		expectProblem(await call("POST", `/api/v1/rifas/${rifa.id}/tickets`, { body: {} }), 401);
		const sold = await buy(rifa.id, operador, { user_id: other.id, quantity: 2 });
		expect(sold.status).toBe(201);
		expect((await d1Tickets(rifa.id)).every((t) => t.usuario_id === other.id)).toBe(true);
		expectProblem(await buy(rifa.id, operador, { user_id: crypto.randomUUID() }), 422);
		const inactive = await createUser({ isActive: false });
		expectProblem(await buy(rifa.id, admin, { user_id: inactive.id }), 422);
	});

	it("shows a jugador only its own tickets and staff all of them", async () => {
		const rifa = await createActiveRifa(operador.token);
		const other = await createUser();
		await buy(rifa.id, jugador, { quantity: 2 });
		await buy(rifa.id, other, { quantity: 3 });

		const mine = await get(`/api/v1/rifas/${rifa.id}/tickets`, jugador.token);
		expect(mine.body.total).toBe(2);
		expect(mine.body.items.every((t: { usuario_id: string }) => t.usuario_id === jugador.id)).toBe(
			true,
		);
		const all = await get(
			`/api/v1/rifas/${rifa.id}/tickets?estado=vendido&per_page=2`,
			operador.token,
		);
		expect(all.body).toMatchObject({ total: 5, per_page: 2 });
		expect(
			(await get(`/api/v1/rifas/${rifa.id}/tickets?estado=reservado`, admin.token)).body.total,
		).toBe(0);

		expect((await get(`/api/v1/users/${other.id}/tickets`, other.token)).body.total).toBe(3);
		expectProblem(await get(`/api/v1/users/${other.id}/tickets`, jugador.token), 403);
		expectProblem(await get(`/api/v1/users/${other.id}/tickets`, operador.token), 403);
		expect((await get(`/api/v1/users/${other.id}/tickets`, admin.token)).status).toBe(200);
		expectProblem(await get(`/api/v1/rifas/${crypto.randomUUID()}/tickets`, admin.token), 404);
	});

	it("lets an operador read buyers and sell for others only in its own rifas", async () => {
		const ajena = await createActiveRifa(admin.token);
		const other = await createUser();
		const onBehalf = await buy(ajena.id, operador, { user_id: other.id });
		expect(expectProblem(onBehalf, 403).detail).toMatch(/propias rifas/);
		expectProblem(await get(`/api/v1/rifas/${ajena.id}/tickets`, operador.token), 403);
		// For itself it is a buyer like any other.
		expect((await buy(ajena.id, operador, { quantity: 1 })).status).toBe(201);
		expect((await buy(ajena.id, admin, { user_id: other.id })).status).toBe(201);
		expect((await get(`/api/v1/rifas/${ajena.id}/tickets`, admin.token)).body.total).toBe(2);
		expect((await d1Tickets(ajena.id)).map((t) => t.usuario_id).sort()).toEqual(
			[operador.id, other.id].sort(),
		);
	});
});

describe("idempotency", () => {
	it("replays the original response for the same key and payload", async () => {
		const rifa = await createActiveRifa(admin.token);
		const key = newKey();
		const first = await buy(rifa.id, jugador, { quantity: 2 }, key);
		const again = await buy(rifa.id, jugador, { quantity: 2 }, key);
		expect(again.status).toBe(201);
		expect(again.headers.get("Idempotent-Replayed")).toBe("true");
		expect(again.body).toEqual(first.body);
		const viaBody = await call("POST", `/api/v1/rifas/${rifa.id}/tickets`, {
			token: jugador.token,
			body: { user_id: jugador.id, quantity: 2, payment_method: "sandbox", idempotency_key: key },
		});
		expect(viaBody.body.transaccion_id).toBe(first.body.transaccion_id);
		expect(await d1Tickets(rifa.id)).toHaveLength(2);
	});

	it("rejects the same key with another payload (422) and a missing key (400)", async () => {
		const rifa = await createActiveRifa(admin.token);
		const key = newKey();
		await buy(rifa.id, jugador, { quantity: 1 }, key);
		expectProblem(await buy(rifa.id, jugador, { quantity: 2 }, key), 422);
		expectProblem(await buy(rifa.id, jugador, { quantity: 1 }, null), 400);
		const mismatch = await call("POST", `/api/v1/rifas/${rifa.id}/tickets`, {
			token: jugador.token,
			body: {
				user_id: jugador.id,
				quantity: 1,
				payment_method: "sandbox",
				idempotency_key: "body-key-123",
			},
			headers: { "Idempotency-Key": "header-key-456" },
		});
		expectProblem(mismatch, 422);
		expectProblem(await buy(rifa.id, jugador, {}, "short"), 422);
	});

	it("scopes keys per user", async () => {
		const rifa = await createActiveRifa(admin.token);
		const other = await createUser();
		const key = newKey();
		const a = await buy(rifa.id, jugador, {}, key);
		const b = await buy(rifa.id, other, {}, key);
		expect(b.status).toBe(201);
		expect(b.body.transaccion_id).not.toBe(a.body.transaccion_id);
	});

	it("answers 409 with Retry-After while the first request is still running", async () => {
		const rifa = await createActiveRifa(admin.token);
		const key = newKey();
		const charging = Promise.withResolvers<void>();
		const gate = Promise.withResolvers<void>();
		await runInDurableObject(room(rifa.id), (instance: RifaRoom) => {
			const provider: PaymentProvider = {
				name: "sandbox",
				charge: async (req) => {
					charging.resolve();
					await gate.promise;
					return { status: "succeeded", providerRef: `slow_${req.transaccionId}` };
				},
				refund: async (req) => ({ providerRef: `refund_${req.transaccionId}` }),
			};
			Object.assign(instance, { payments: () => provider });
		});
		const first = buy(rifa.id, jugador, {}, key);
		await charging.promise;
		const during = await buy(rifa.id, jugador, {}, key);
		expectProblem(during, 409);
		expect(during.headers.get("Retry-After")).toBe("1");
		gate.resolve();
		expect((await first).status).toBe(201);
		const after = await buy(rifa.id, jugador, {}, key);
		expect(after.headers.get("Idempotent-Replayed")).toBe("true");
	});
});

describe("payments and holds", () => {
	it("releases the numbers when the payment fails, and replays the failure", async () => {
		const rifa = await createActiveRifa(admin.token);
		await usePaymentProvider(rifa.id, (tx) => ({
			status: "failed",
			providerRef: `declined_${tx}`,
			reason: "fondos insuficientes",
		}));
		const key = newKey();
		const res = await buy(rifa.id, jugador, { quantity: 2 }, key);
		expect(expectProblem(res, 402).detail).toContain("fondos insuficientes");
		expect((await get(`/api/v1/rifas/${rifa.id}/disponibilidad`)).body.libres).toBe(100);
		expect(await d1Tickets(rifa.id)).toEqual([]);
		const tx = await env.DB.prepare("SELECT status FROM transacciones WHERE rifa_id = ?")
			.bind(rifa.id)
			.all();
		expect(tx.results).toEqual([{ status: "failed" }]);
		const again = await buy(rifa.id, jugador, { quantity: 2 }, key);
		expectProblem(again, 402);
		expect(again.headers.get("Idempotent-Replayed")).toBe("true");
	});

	it("holds numbers until payment and puts them back on sale when the hold expires", async () => {
		const rifa = await createActiveRifa(admin.token);
		await usePaymentProvider(rifa.id, (tx) => ({
			status: "requires_payment",
			providerRef: `pi_${tx}`,
			clientSecret: `pi_${tx}_secret`,
		}));
		const res = await buy(rifa.id, jugador, { quantity: 2 });
		expect(res.status).toBe(201);
		expect(res.body.tickets.map((t: { estado: string }) => t.estado)).toEqual([
			"reservado",
			"reservado",
		]);
		expect(res.body.payment).toMatchObject({
			status: "requires_payment",
			client_secret: expect.stringMatching(/_secret$/),
		});
		expect((await get(`/api/v1/rifas/${rifa.id}/disponibilidad`)).body.mapa.slice(0, 3)).toBe(
			"RRL",
		);
		expect((await d1Tickets(rifa.id)).map((t) => t.estado)).toEqual(["reservado", "reservado"]);

		expect(await runDurableObjectAlarm(room(rifa.id))).toBe(true);
		expect((await get(`/api/v1/rifas/${rifa.id}/disponibilidad`)).body.reservados).toBe(2);

		expect(await expireHolds(rifa.id)).toBe(true);
		expect((await get(`/api/v1/rifas/${rifa.id}/disponibilidad`)).body.libres).toBe(100);
		expect(await d1Tickets(rifa.id)).toEqual([]);
		const tx = await env.DB.prepare("SELECT status FROM transacciones WHERE id = ?")
			.bind(res.body.transaccion_id)
			.first();
		expect(tx).toEqual({ status: "failed" });
		await runDurableObjectAlarm(room(rifa.id));
		expect((await get(`/api/v1/rifas/${rifa.id}/disponibilidad`)).body.libres).toBe(100);
	});
});

describe("outbox", () => {
	it("catches D1 up after a failed write, and never duplicates a row", async () => {
		const rifa = await createActiveRifa(admin.token);
		await env.DB.exec("ALTER TABLE tickets RENAME TO tickets_offline");
		let res: Awaited<ReturnType<typeof buy>>;
		try {
			res = await buy(rifa.id, jugador, { quantity: 3 });
			expect(res.status).toBe(201);
			expect(
				await runInDurableObject(room(rifa.id), (i: RifaRoom) => i.pendingOutbox()),
			).toBeGreaterThan(0);
		} finally {
			await env.DB.exec("ALTER TABLE tickets_offline RENAME TO tickets");
		}
		const tx = await env.DB.prepare("SELECT count(*) AS n FROM transacciones WHERE id = ?")
			.bind(res.body.transaccion_id)
			.first<{ n: number }>();
		expect(tx?.n).toBe(0);
		await runDurableObjectAlarm(room(rifa.id));
		expect(await runInDurableObject(room(rifa.id), (i: RifaRoom) => i.pendingOutbox())).toBe(0);
		expect((await d1Tickets(rifa.id)).map((t) => [t.numero, t.estado])).toEqual([
			[0, "vendido"],
			[1, "vendido"],
			[2, "vendido"],
		]);
		await runInDurableObject(room(rifa.id), (i: RifaRoom) => i.flush());
		expect(await d1Tickets(rifa.id)).toHaveLength(3);
	});
});

describe("concurrency", () => {
	it("never sells a number twice nor more numbers than exist", async () => {
		const rifa = await createActiveRifa(admin.token);
		const buyers = await Promise.all(Array.from({ length: 12 }, () => createUser()));
		const attempts = buyers.flatMap((b) => [
			buy(rifa.id, b, { quantity: 5 }),
			buy(rifa.id, b, { quantity: 5 }),
		]);
		const results = await Promise.all(attempts);
		const ok = results.filter((r) => r.status === 201);
		const refused = results.filter((r) => r.status !== 201);
		expect(ok).toHaveLength(20);
		expect(refused.every((r) => r.status === 409)).toBe(true);
		const numeros = ok.flatMap((r) => r.body.tickets.map((t: { numero: number }) => t.numero));
		expect(new Set(numeros).size).toBe(100);
		const rows = await d1Tickets(rifa.id);
		expect(rows).toHaveLength(100);
		expect(new Set(rows.map((r) => r.numero)).size).toBe(100);
		expect((await get(`/api/v1/rifas/${rifa.id}/disponibilidad`)).body).toMatchObject({
			libres: 0,
			vendidos: 100,
		});
	});

	it("serialises competing buyers of the same chosen number", async () => {
		const rifa = await createActiveRifa(admin.token);
		const buyers = await Promise.all(Array.from({ length: 8 }, () => createUser()));
		const results = await Promise.all(buyers.map((b) => buy(rifa.id, b, { numeros: [11] })));
		expect(results.filter((r) => r.status === 201)).toHaveLength(1);
		expect(results.filter((r) => r.status === 409)).toHaveLength(7);
	});
});

describe("live updates", () => {
	it("sends a snapshot on connect, then sold, held, released numbers and state changes", async () => {
		const rifa = await createActiveRifa(admin.token);
		await buy(rifa.id, jugador, { numeros: [5] });
		const socket = await openRoomSocket(rifa.id);
		expect(socket.status).toBe(101);
		const { messages } = socket;
		await socket.received(1);
		expect(messages[0]?.type).toBe("snapshot");
		expect(messages[0]?.availability?.mapa[5]).toBe("V");
		await buy(rifa.id, jugador, { numeros: [6, 7], quantity: 2 });
		await socket.received(2);
		expect(messages[1]).toEqual({ type: "vendidos", numeros: [6, 7] });

		await usePaymentProvider(rifa.id, (tx) => ({
			status: "requires_payment",
			providerRef: `pi_${tx}`,
			clientSecret: `pi_${tx}_secret`,
		}));
		await buy(rifa.id, jugador, { numeros: [8] });
		await socket.received(3);
		expect(messages[2]).toEqual({ type: "reservados", numeros: [8] });
		await expireHolds(rifa.id);
		await socket.received(4);
		expect(messages[3]).toEqual({ type: "liberados", numeros: [8] });

		await patch(`/api/v1/rifas/${rifa.id}`, { estado: "cerrada" }, admin.token);
		await socket.received(5);
		expect(messages[4]).toEqual({ type: "estado", estado: "cerrada" });
		expect(JSON.stringify(messages)).not.toContain(jugador.id);
		socket.close();
		expectProblem(await get(`/api/v1/rifas/${rifa.id}/ws`), 400);
		expectProblem(
			await call("GET", "/api/v1/rifas/nope/ws", { headers: { Upgrade: "websocket" } }),
			422,
		);
	});
});
