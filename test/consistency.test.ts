import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Outbox } from "../src/rifa-room/outbox";
import { RifaRoom } from "../src/rifa-room/rifa-room";
import { buyNumbers, setupRifa } from "./draw-helpers";
import {
	call,
	createUser,
	expectProblem,
	get,
	patch,
	runCron,
	type TestUser,
	usePaymentProvider,
} from "./helpers";

let admin: TestUser;
let jugador: TestUser;

beforeAll(async () => {
	admin = await createUser({ rol: "admin" });
	jugador = await createUser();
});

afterEach(() => {
	vi.restoreAllMocks();
});

const roomOf = (rifaId: string) => env.RIFA_ROOM.getByName(rifaId);
const metric = async (name: string) => {
	const res = await call("GET", "/metrics", {
		headers: { Authorization: "Bearer test-metrics-token-0123456789" },
	});
	const line = res.text.split("\n").find((l) => l.startsWith(`${name} `));
	return Number(line?.split(" ")[1] ?? Number.NaN);
};
const d1 = <T>(sql: string, ...params: unknown[]) =>
	env.DB.prepare(sql)
		.bind(...params)
		.all<T>()
		.then((r) => r.results);

describe("D1 and the room converge after a change the room missed", () => {
	it("a cancellation whose push failed stops sales and refunds everyone within one cron run", async () => {
		const { rifa } = await setupRifa(admin, "bogota");
		expect((await buyNumbers(rifa.id, jugador, [3, 4])).status).toBe(201);
		const before = await metric("rifa1122_room_repairs_total");
		// The object is reset by a deploy just as the change is pushed to it.
		vi.spyOn(RifaRoom.prototype, "configure").mockRejectedValueOnce(new Error("object reset"));

		const cancelled = await patch(`/api/v1/rifas/${rifa.id}`, { estado: "cancelada" }, admin.token);
		expect(cancelled.status).toBe(200);
		expect(cancelled.body.estado).toBe("cancelada");
		vi.restoreAllMocks();

		await runCron();
		const late = await buyNumbers(rifa.id, jugador, [5]);
		expect(expectProblem(late, 409).detail).toMatch(/cancelada/);
		const txs = await d1<{ status: string }>(
			"SELECT status FROM transacciones WHERE rifa_id = ?",
			rifa.id,
		);
		expect(txs.map((t) => t.status)).toEqual(["refunded"]);
		const tickets = await d1<{ estado: string }>(
			"SELECT estado FROM tickets WHERE rifa_id = ?",
			rifa.id,
		);
		expect(tickets.map((t) => t.estado)).toEqual(["anulado", "anulado"]);
		expect(await metric("rifa1122_room_repairs_total")).toBe(before + 1);
		const [row] = await d1<{ a: string; s: string }>(
			"SELECT actualizado_en AS a, sala_sincronizada_en AS s FROM rifas WHERE id = ?",
			rifa.id,
		);
		expect(row?.s).toBe(row?.a);
	});

	it("a refund that failed half way through a cancellation is completed by the room's alarm", async () => {
		const { rifa } = await setupRifa(admin, "medellin");
		for (const n of [10, 11, 12])
			expect((await buyNumbers(rifa.id, jugador, [n])).status).toBe(201);
		let calls = 0;
		await runInDurableObject(roomOf(rifa.id), (instance: RifaRoom) => {
			Object.assign(instance, {
				payments: () => ({
					name: "sandbox",
					charge: async () => ({ status: "failed", providerRef: null, reason: "x" }),
					refund: async (req: { transaccionId: string }) => {
						if (++calls === 2) throw new Error("provider unavailable");
						return { providerRef: `refund_${req.transaccionId}` };
					},
				}),
			});
		});
		expect(
			(await patch(`/api/v1/rifas/${rifa.id}`, { estado: "cancelada" }, admin.token)).status,
		).toBe(200);
		await vi.waitFor(
			async () => {
				await runDurableObjectAlarm(roomOf(rifa.id));
				const left = await d1(
					"SELECT 1 FROM transacciones WHERE rifa_id = ? AND status <> 'refunded'",
					rifa.id,
				);
				expect(left).toHaveLength(0);
			},
			{ timeout: 10_000, interval: 50 },
		);
		expect(calls).toBeGreaterThanOrEqual(4);
	});
});

/** Makes the room's D1 batches commit and then report a failure, as a lost acknowledgement would. */
const loseAcknowledgements = (instance: RifaRoom) => {
	const outbox = (instance as unknown as { outbox: Outbox }).outbox;
	const real = env.DB;
	const lossy = new Proxy(real, {
		get(target, prop) {
			if (prop === "batch") {
				return async (statements: D1PreparedStatement[]) => {
					await target.batch(statements);
					throw new Error("Network connection lost.");
				};
			}
			const value = Reflect.get(target, prop);
			return typeof value === "function" ? value.bind(target) : value;
		},
	});
	Object.assign(outbox, { db: lossy });
};

describe("the outbox applies each entry once, after restarts and lost acknowledgements", () => {
	it("a restarted room does not turn a settled winner back into a sold ticket", async () => {
		const { rifa } = await setupRifa(admin, "boyaca");
		await runInDurableObject(roomOf(rifa.id), loseAcknowledgements);
		expect((await buyNumbers(rifa.id, jugador, [7])).status).toBe(201);
		// Newer D1 state than the entry still stored in the room: settlement marked the winner.
		await env.DB.prepare("UPDATE tickets SET estado = 'ganador' WHERE rifa_id = ?")
			.bind(rifa.id)
			.run();

		await runInDurableObject(roomOf(rifa.id), async (old: RifaRoom, state) => {
			expect(await old.pendingOutbox()).toBeGreaterThan(0);
			const fresh = new RifaRoom(state, env);
			expect(await fresh.flush()).toBe(true);
			expect(await fresh.pendingOutbox()).toBe(0);
		});
		const tickets = await d1<{ estado: string }>(
			"SELECT estado FROM tickets WHERE rifa_id = ?",
			rifa.id,
		);
		expect(tickets.map((t) => t.estado)).toEqual(["ganador"]);
	});

	it("a stale hold cannot wedge the outbox on the number's later sale", async () => {
		const { rifa } = await setupRifa(admin, "cundinamarca");
		await usePaymentProvider(rifa.id, (id) => ({
			status: "requires_payment",
			providerRef: `pi_${id}`,
			clientSecret: "secret",
		}));
		await runInDurableObject(roomOf(rifa.id), loseAcknowledgements);
		const hold = await call("POST", `/api/v1/rifas/${rifa.id}/tickets`, {
			token: jugador.token,
			body: { user_id: jugador.id, quantity: 1, payment_method: "sandbox", numeros: [42] },
			headers: { "Idempotency-Key": crypto.randomUUID() },
		});
		expect(hold.status).toBe(201);
		await runInDurableObject(roomOf(rifa.id), (_i, state) => {
			state.storage.sql.exec("UPDATE transacciones SET expires_at = ?", Date.now() - 1);
		});
		await runDurableObjectAlarm(roomOf(rifa.id));
		await usePaymentProvider(rifa.id, (id) => ({ status: "succeeded", providerRef: `ch_${id}` }));
		const sale = await call("POST", `/api/v1/rifas/${rifa.id}/tickets`, {
			token: jugador.token,
			body: { user_id: jugador.id, quantity: 1, payment_method: "sandbox", numeros: [42] },
			headers: { "Idempotency-Key": crypto.randomUUID() },
		});
		expect(sale.status).toBe(201);

		await runInDurableObject(roomOf(rifa.id), async (_old: RifaRoom, state) => {
			const fresh = new RifaRoom(state, env);
			expect(await fresh.flush()).toBe(true);
		});
		const tickets = await d1<{ numero: number; estado: string; id: string }>(
			"SELECT numero, estado, id FROM tickets WHERE rifa_id = ?",
			rifa.id,
		);
		expect(tickets).toEqual([{ numero: 42, estado: "vendido", id: sale.body.tickets[0].id }]);
	});

	it("an entry D1 keeps refusing is set aside, alerted and counted, and the rest drains", async () => {
		const { rifa } = await setupRifa(admin, "huila");
		expect((await buyNumbers(rifa.id, jugador, [1])).status).toBe(201);
		const before = await metric("rifa1122_outbox_stuck_total");
		await runInDurableObject(roomOf(rifa.id), async (instance: RifaRoom, state) => {
			const bad = [{ sql: "INSERT INTO tickets (id) VALUES (NULL)", params: [] }];
			const good = [
				{
					sql: "UPDATE rifas SET nombre = 'después del atasco' WHERE id = ?",
					params: [rifa.id],
				},
			];
			state.storage.sql.exec("INSERT INTO outbox (statements) VALUES (?)", JSON.stringify(bad));
			state.storage.sql.exec("INSERT INTO outbox (statements) VALUES (?)", JSON.stringify(good));
			// Once in a batch (which blames nobody), then three times on its own.
			for (let i = 0; i < 4; i++) expect(await instance.flush()).toBe(false);
			expect(await instance.flush()).toBe(true);
			expect((instance as unknown as { outbox: Outbox }).outbox.stuck()).toBe(1);
		});
		expect((await get(`/api/v1/rifas/${rifa.id}`)).body.nombre).toBe("después del atasco");
		expect(await metric("rifa1122_outbox_stuck_total")).toBe(before + 1);
	});
});

describe("what buyers paid for cannot change under a held number", () => {
	it("the room refuses a new structure once a number is taken, whatever the caller checked", async () => {
		const { rifa } = await setupRifa(admin, "tolima");
		expect((await buyNumbers(rifa.id, jugador, [9])).status).toBe(201);
		await runInDurableObject(roomOf(rifa.id), async (instance: RifaRoom, state) => {
			const config = JSON.parse(
				state.storage.sql.exec<{ json: string }>("SELECT json FROM config").one().json,
			);
			const result = await instance.configure({
				...config,
				totalBoletas: 1000,
				actualizadoEn: new Date().toISOString(),
			});
			expect(result).toEqual({ aplicada: true, estructura: "rechazada" });
		});
		const disponibilidad = (await get(`/api/v1/rifas/${rifa.id}/disponibilidad`)).body;
		expect(disponibilidad).toMatchObject({ total: 100, libres: 99, vendidos: 1 });
		expect(disponibilidad.mapa).toHaveLength(100);
	});

	it("between the API's check and the new definition no sale can slip in", async () => {
		const { rifa } = await setupRifa(admin, "caldas");
		const room = roomOf(rifa.id);
		const stamp = new Date(Date.now() + 60_000).toISOString();
		expect(await room.beginChange("cambio-a", stamp)).toBe("congelada");
		const during = await buyNumbers(rifa.id, jugador, [2]);
		expect(expectProblem(during, 409).detail).toMatch(/actualizando/);
		expect(during.headers.get("Retry-After")).toBe("1");
		// Only the change that froze the room lifts the freeze, or a definition as new as its own.
		expect(await room.beginChange("cambio-b", stamp)).toBe("otro_cambio");
		await room.endChange("cambio-b");
		const otherPatch = await patch(
			`/api/v1/rifas/${rifa.id}`,
			{ total_boletas: 1000 },
			admin.token,
		);
		expect(expectProblem(otherPatch, 409).detail).toMatch(/cambió mientras se editaba/);
		// Re-pushing the same definition (a no-op PATCH) does not lift it either.
		expect(
			(await patch(`/api/v1/rifas/${rifa.id}`, { estado: "activa" }, admin.token)).status,
		).toBe(200);
		expectProblem(await buyNumbers(rifa.id, jugador, [2]), 409);

		await room.endChange("cambio-a");
		const changed = await patch(`/api/v1/rifas/${rifa.id}`, { total_boletas: 1000 }, admin.token);
		expect(changed.status).toBe(200);
		expect((await buyNumbers(rifa.id, jugador, [999])).status).toBe(201);
		expect((await get(`/api/v1/rifas/${rifa.id}/disponibilidad`)).body.total).toBe(1000);
	});

	it("a freeze whose change never landed is lifted from D1's definition", async () => {
		const { rifa } = await setupRifa(admin, "quindio");
		const room = roomOf(rifa.id);
		expect(await room.beginChange("abandonado", new Date().toISOString())).toBe("congelada");
		await runInDurableObject(room, (_i, state) => {
			const flag = state.storage.sql
				.exec<{ valor: string }>("SELECT valor FROM sala WHERE clave = 'congelada'")
				.one();
			const freeze = { ...JSON.parse(flag.valor), desde: Date.now() - 31_000 };
			state.storage.sql.exec(
				"UPDATE sala SET valor = ? WHERE clave = 'congelada'",
				JSON.stringify(freeze),
			);
		});
		expect((await buyNumbers(rifa.id, jugador, [3])).status).toBe(201);
	});
});

describe("a hold does not expire under its own provider call", () => {
	it("a retry during a slow charge waits, and the first answer is the one that stays", async () => {
		const { rifa } = await setupRifa(admin, "santander");
		let release: () => void = () => {};
		const gate = new Promise<void>((r) => {
			release = r;
		});
		let started: () => void = () => {};
		const charging = new Promise<void>((r) => {
			started = r;
		});
		await usePaymentProvider(rifa.id, async (id) => {
			started();
			await gate;
			return { status: "succeeded", providerRef: `ch_${id}` };
		});
		const key = crypto.randomUUID();
		const buy = () =>
			call("POST", `/api/v1/rifas/${rifa.id}/tickets`, {
				token: jugador.token,
				body: { user_id: jugador.id, quantity: 1, payment_method: "sandbox", numeros: [77] },
				headers: { "Idempotency-Key": key },
			});
		const first = buy();
		await charging;
		await runInDurableObject(roomOf(rifa.id), (_i, state) => {
			state.storage.sql.exec("UPDATE transacciones SET expires_at = ?", Date.now() - 1);
		});
		await runDurableObjectAlarm(roomOf(rifa.id));
		const retry = await buy();
		expectProblem(retry, 409);
		expect(retry.headers.get("Retry-After")).toBe("1");
		release();
		const answer = await first;
		expect(answer.status).toBe(201);
		const replay = await buy();
		expect(replay.status).toBe(201);
		expect(replay.headers.get("Idempotent-Replayed")).toBe("true");
		expect(replay.body).toEqual(answer.body);
		const sold = await d1(
			"SELECT 1 FROM tickets WHERE rifa_id = ? AND estado = 'vendido'",
			rifa.id,
		);
		expect(sold).toHaveLength(1);
	});
});

describe("a late payment is refunded once, never both refunded and sold", () => {
	const holdThenExpire = async (rifaId: string, numero: number) => {
		await usePaymentProvider(rifaId, (id) => ({
			status: "requires_payment",
			providerRef: `pi_${id}`,
			clientSecret: "secret",
		}));
		const hold = await call("POST", `/api/v1/rifas/${rifaId}/tickets`, {
			token: jugador.token,
			body: { user_id: jugador.id, quantity: 1, payment_method: "sandbox", numeros: [numero] },
			headers: { "Idempotency-Key": crypto.randomUUID() },
		});
		expect(hold.status).toBe(201);
		await runInDurableObject(roomOf(rifaId), (_i, state) => {
			state.storage.sql.exec("UPDATE transacciones SET expires_at = ?", Date.now() - 1);
		});
		await runDurableObjectAlarm(roomOf(rifaId));
		return hold.body.transaccion_id as string;
	};
	const succeeded = (id: string, transaccionId: string) => ({
		id,
		type: "payment_intent.succeeded",
		providerRef: `pi_${transaccionId}`,
		transaccionId,
	});

	it("while a change of what buyers pay for is under way, the money goes back", async () => {
		const { rifa } = await setupRifa(admin, "sucre");
		const tx = await holdThenExpire(rifa.id, 10);
		expect(
			await roomOf(rifa.id).beginChange("cambio", new Date(Date.now() + 60_000).toISOString()),
		).toBe("congelada");
		expect(await roomOf(rifa.id).paymentSucceeded(succeeded("evt_frozen", tx))).toBe("refunded");
		await roomOf(rifa.id).endChange("cambio");
		const disponibilidad = (await get(`/api/v1/rifas/${rifa.id}/disponibilidad`)).body;
		expect(disponibilidad.mapa[10]).toBe("L");
	});

	it("a refund that failed is retried, and a second event meanwhile does not sell the numbers", async () => {
		const { rifa } = await setupRifa(admin, "narino");
		const tx = await holdThenExpire(rifa.id, 11);
		// Someone else holds the number when the late payment arrives, and lets it go right after.
		const other = await call("POST", `/api/v1/rifas/${rifa.id}/tickets`, {
			token: jugador.token,
			body: { user_id: jugador.id, quantity: 1, payment_method: "sandbox", numeros: [11] },
			headers: { "Idempotency-Key": crypto.randomUUID() },
		});
		expect(other.status).toBe(201);
		let refunds = 0;
		await runInDurableObject(roomOf(rifa.id), (instance: RifaRoom) => {
			Object.assign(instance, {
				payments: () => ({
					name: "sandbox",
					charge: async () => ({ status: "failed", providerRef: null, reason: "x" }),
					refund: async () => {
						if (++refunds === 1) throw new Error("provider unavailable");
						return { providerRef: `re_${tx}` };
					},
				}),
			});
		});
		const first = await roomOf(rifa.id)
			.paymentSucceeded(succeeded("evt_a", tx))
			.then(
				() => "answered",
				(err: Error) => err.message,
			);
		expect(first).toMatch(/provider unavailable/);
		const otherTx = other.body.transaccion_id as string;
		expect(
			await roomOf(rifa.id).paymentFailed({
				id: "evt_other_failed",
				type: "payment_intent.payment_failed",
				providerRef: `pi_${otherTx}`,
				transaccionId: otherTx,
			}),
		).toBe("released");
		// The number is free again, but this payment's money is already on its way back.
		expect(await roomOf(rifa.id).paymentSucceeded(succeeded("evt_b", tx))).toBe("refunded");
		expect((await get(`/api/v1/rifas/${rifa.id}/disponibilidad`)).body.mapa[11]).toBe("L");
		await runDurableObjectAlarm(roomOf(rifa.id));
		expect(refunds).toBe(2);
		const [row] = await d1<{ status: string }>("SELECT status FROM transacciones WHERE id = ?", tx);
		expect(row?.status).toBe("refunded");
		const audits = await d1(
			"SELECT 1 FROM audit_log WHERE entity_id = ? AND action = 'transaccion.reembolsada'",
			tx,
		);
		expect(audits).toHaveLength(1);
	});
});
