import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { runScheduled } from "../src/jobs/scheduler";
import type { NotificacionMensaje } from "../src/notificaciones/tipos";
import { buyNumbers, mockWinner, moveToDraw, setupRifa } from "./draw-helpers";
import { fakeStripe } from "./fixtures/fake-stripe";
import {
	call,
	createActiveRifa,
	createUser,
	expectProblem,
	expireHolds,
	get,
	patch,
	post,
	runCron,
	type TestUser,
	waitFor,
} from "./helpers";
import { deliver, esperar, mias, nombreDe } from "./notificaciones-helpers";

let admin: TestUser;
let jugador: TestUser;

beforeAll(async () => {
	admin = await createUser({ rol: "admin" });
	jugador = await createUser({ nombre: "Ana Gómez" });
});

afterEach(() => {
	vi.restoreAllMocks();
});

describe("what a player is told", () => {
	it("a sandbox purchase leaves a compra notification, with its numbers, amount and receipts", async () => {
		const { rifa } = await setupRifa(admin, "bogota");
		const sale = await buyNumbers(rifa.id, jugador, [7, 42]);
		expect(sale.status).toBe(201);
		const [n] = await esperar(jugador, (i) => i.tipo === "compra" && i.rifa_id === rifa.id);
		expect(n).toMatchObject({
			tipo: "compra",
			canal: "email",
			estado: "enviada",
			asunto: `Compra confirmada: ${await nombreDe(rifa.id)}`,
			rifa_id: rifa.id,
		});
		expect(n?.cuerpo_texto).toContain("Hola, Ana Gómez:");
		expect(n?.cuerpo_texto).toContain("números 07, 42, por $\u00a020.000");
		expect(n?.cuerpo_texto).toContain("(hora de Colombia)");
		for (const t of sale.body.tickets as { recibo: string }[])
			expect(n?.cuerpo_texto).toContain(`/verificar#recibo=${t.recibo}`);
		// No phone: no WhatsApp channel; and nothing secret in what is stored.
		expect((await mias(jugador)).items.every((i) => i.canal === "email")).toBe(true);
		expect(n?.cuerpo_texto).not.toMatch(/password|token=|Bearer/i);
	});

	it("settling a rifa tells the winner ganador and every other buyer resultado", async () => {
		const otro = await createUser({ nombre: "Luis" });
		const result = await mockWinner("medellin");
		const winning = Number(result.numero.slice(-2));
		const { rifa } = await setupRifa(admin, "medellin");
		expect((await buyNumbers(rifa.id, jugador, [winning])).status).toBe(201);
		expect((await buyNumbers(rifa.id, otro, [(winning + 1) % 100])).status).toBe(201);
		await moveToDraw(rifa.id);
		await runCron();
		expect((await get(`/api/v1/rifas/${rifa.id}`)).body.estado).toBe("resuelta");
		const [gano] = await esperar(jugador, (i) => i.tipo === "ganador" && i.rifa_id === rifa.id);
		expect(gano?.asunto).toBe(`¡Ganó en ${await nombreDe(rifa.id)}!`);
		expect(gano?.cuerpo_texto).toContain(
			`Su número ${String(winning).padStart(2, "0")} ganó $\u00a0750.000`,
		);
		expect(gano?.cuerpo_texto).toContain("Un administrador le contactará");
		const perdio = await esperar(
			otro,
			(i) => i.rifa_id === rifa.id && ["ganador", "resultado"].includes(i.tipo),
		);
		expect(perdio.map((i) => i.tipo)).toEqual(["resultado"]);
		expect(perdio[0]?.cuerpo_texto).toContain(`jugó el ${result.numero}`);
		expect(perdio[0]?.cuerpo_texto).toContain("no ganaron esta vez");
		// The close went out too, and the winner got no resultado besides ganador.
		expect(
			(await esperar(otro, (i) => i.tipo === "rifa_cerrada" && i.rifa_id === rifa.id)).length,
		).toBe(1);
		const suyas = (await mias(jugador, "?per_page=100")).items.filter((i) => i.rifa_id === rifa.id);
		expect(suyas.filter((i) => i.tipo === "resultado")).toEqual([]);
		// A second cron run dispatches nothing again.
		await runCron();
		const despues = (await mias(otro, "?per_page=100")).items.filter((i) => i.rifa_id === rifa.id);
		expect(despues.filter((i) => i.tipo === "resultado")).toHaveLength(1);

		// The prize paid by hand: premio_pagado.
		const [g] = (
			await env.DB.prepare("SELECT id FROM ganadores WHERE rifa_id = ?")
				.bind(rifa.id)
				.all<{ id: string }>()
		).results;
		const paid = await post(
			`/api/v1/ganadores/${g?.id}/pago`,
			{ referencia_pago: "TRF-0001" },
			admin.token,
		);
		expect(paid.status).toBe(200);
		const [pagado] = await esperar(
			jugador,
			(i) => i.tipo === "premio_pagado" && i.rifa_id === rifa.id,
		);
		expect(pagado?.cuerpo_texto).toContain("Pagamos su premio de $\u00a0750.000");
	}, 120_000);

	it("a result whose winning number no one bought still names it", async () => {
		const result = await mockWinner("cundinamarca");
		const winning = Number(result.numero.slice(-2));
		const { rifa } = await setupRifa(admin, "cundinamarca");
		const u = await createUser();
		expect((await buyNumbers(rifa.id, u, [(winning + 1) % 100])).status).toBe(201);
		await moveToDraw(rifa.id);
		await runCron();
		const [r] = await esperar(u, (i) => i.tipo === "resultado" && i.rifa_id === rifa.id);
		expect(r?.cuerpo_texto).toContain(`ganó el número ${String(winning).padStart(2, "0")}.`);
	}, 120_000);

	it("a Stripe hold says until when it is held, and its expiry says the numbers went back", async () => {
		fakeStripe();
		const rifa = await createActiveRifa(admin.token);
		const hold = await call("POST", `/api/v1/rifas/${rifa.id}/tickets`, {
			token: jugador.token,
			body: { user_id: jugador.id, quantity: 1, payment_method: "stripe", numeros: [5] },
			headers: { "Idempotency-Key": crypto.randomUUID() },
		});
		expect(hold.status).toBe(201);
		const [reserva] = await esperar(jugador, (i) => i.tipo === "reserva" && i.rifa_id === rifa.id);
		expect(reserva?.cuerpo_texto).toContain("Reservamos el número 05 por $\u00a010.000 hasta el");
		await expireHolds(rifa.id);
		const [expirada] = await esperar(
			jugador,
			(i) => i.tipo === "reserva_expirada" && i.rifa_id === rifa.id,
		);
		expect(expirada?.cuerpo_texto).toContain("No se le cobró nada");
	});

	it("cancelling a rifa refunds its buyers and tells them", async () => {
		const rifa = await createActiveRifa(admin.token);
		expect((await buyNumbers(rifa.id, jugador, [3])).status).toBe(201);
		const res = await patch(`/api/v1/rifas/${rifa.id}`, { estado: "cancelada" }, admin.token);
		expect(res.status).toBe(200);
		const [r] = await esperar(jugador, (i) => i.tipo === "reembolso" && i.rifa_id === rifa.id);
		expect(r?.cuerpo_texto).toContain("Le devolvimos $\u00a010.000 porque la rifa fue cancelada");
	});

	it("speaks English to a user whose idioma is en, with amounts and times as in Colombia", async () => {
		const en = await createUser({ nombre: "Sam" });
		expect((await patch("/api/v1/users/me", { idioma: "en" }, en.token)).body.idioma).toBe("en");
		const { rifa } = await setupRifa(admin, "boyaca");
		expect((await buyNumbers(rifa.id, en, [9])).status).toBe(201);
		const [n] = await esperar(en, (i) => i.tipo === "compra");
		expect(n?.asunto).toBe(`Purchase confirmed: ${await nombreDe(rifa.id)}`);
		expect(n?.cuerpo_texto).toContain("Hello Sam,");
		expect(n?.cuerpo_texto).toContain("number 09, for $\u00a010.000");
		expect(n?.cuerpo_texto).toContain("(Colombia time)");
	});
});

describe("admin", () => {
	it("lists every notification with filters, for admins only; a dead payout alerts them", async () => {
		const otroAdmin = await createUser({ rol: "admin" });
		const ganadorId = crypto.randomUUID();
		const r = await deliver("rifa1122-payouts-dlq", [{ ganador_id: ganadorId } as never]);
		expect(r.explicitAcks).toHaveLength(1);
		await waitFor(
			async () =>
				(
					await get(
						`/api/v1/admin/notificaciones?tipo=alerta&usuario_id=${otroAdmin.id}`,
						admin.token,
					)
				).body.total === 1,
			{ what: "the alert", timeoutMs: 15_000 },
		);
		const list = await get(
			`/api/v1/admin/notificaciones?tipo=alerta&usuario_id=${otroAdmin.id}`,
			admin.token,
		);
		expect(list.body.items[0]).toMatchObject({
			tipo: "alerta",
			canal: "email",
			usuario_id: otroAdmin.id,
		});
		expect(list.body.items[0].cuerpo_texto).toContain(`ganador_id: ${ganadorId}`);
		// Redelivered, it alerts once.
		await deliver("rifa1122-payouts-dlq", [{ ganador_id: ganadorId } as never]);
		await runCron();
		const again = await get(
			`/api/v1/admin/notificaciones?tipo=alerta&usuario_id=${otroAdmin.id}`,
			admin.token,
		);
		expect(again.body.total).toBe(1);

		const jug = await get("/api/v1/admin/notificaciones", jugador.token);
		expectProblem(jug, 403);
		expectProblem(await get("/api/v1/admin/notificaciones?estado=perdida", admin.token), 422);
		expectProblem(await get("/api/v1/users/me/notificaciones"), 401);
	});
});

describe("fan-out", () => {
	it("a 10,000-buyer result goes out in batches within one cron run, once, and each is sent once", async () => {
		const rifa = await createActiveRifa(admin.token, { total_boletas: 10_000 });
		const prefix = crypto.randomUUID().slice(0, 8);
		const now = new Date().toISOString();
		await env.DB.batch([
			env.DB.prepare(
				`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 9999)
				INSERT INTO users (id, nombre, email, rol, is_active, creado_en, actualizado_en)
				SELECT printf('%s-0000-4000-8000-%012d', ?1, i), 'Comprador ' || i, printf('fan-%s-%d@test.rifa1122.co', ?1, i), 'jugador', 1, ?2, ?2 FROM n`,
			).bind(prefix, now),
			env.DB.prepare(
				`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 9999)
				INSERT INTO tickets (id, rifa_id, usuario_id, numero, comprado_en, estado, precio, creado_en, actualizado_en)
				SELECT printf('%s-1111-4000-8000-%012d', ?1, i), ?2, printf('%s-0000-4000-8000-%012d', ?1, i), i, ?3, CASE WHEN i = 4801 THEN 'ganador' ELSE 'vendido' END, 1000000, ?3, ?3 FROM n`,
			).bind(prefix, rifa.id, now),
			env.DB.prepare(
				"INSERT INTO ganadores (id, rifa_id, ticket_id, posicion, monto_ganado, estado_pago, creado_en) VALUES (?, ?, printf('%s-1111-4000-8000-%012d', ?, 4801), 1, 75000000, 'pendiente', ?)",
			).bind(crypto.randomUUID(), rifa.id, prefix, now),
			env.DB.prepare("UPDATE rifas SET estado = 'resuelta' WHERE id = ?").bind(rifa.id),
			env.DB.prepare(
				"INSERT INTO avisos (id, tipo, rifa_id, datos, creado_en) VALUES (?, 'resultado', ?, ?, ?)",
			).bind(
				`resultado:${rifa.id}`,
				rifa.id,
				JSON.stringify({ loteria_numero: "4801", pago: "manual" }),
				now,
			),
		]);
		const batches: MessageSendRequest<NotificacionMensaje>[][] = [];
		const queue = {
			send: async () => {
				throw new Error("one at a time");
			},
			sendBatch: async (msgs: Iterable<MessageSendRequest<NotificacionMensaje>>) => {
				batches.push([...msgs]);
			},
		} as unknown as Queue;
		const report = await runScheduled({ ...env, NOTIFICACIONES: queue }, new Date());
		expect(report.errores).toEqual([]);
		const messages = batches.flat().map((m) => m.body);
		expect(messages).toHaveLength(10_000);
		expect(batches.every((b) => b.length <= 100)).toBe(true);
		expect(new Set(messages.map((m) => m.usuario_id)).size).toBe(10_000);
		expect(messages.filter((m) => m.tipo === "ganador").map((m) => m.datos)).toEqual([
			{
				numeros: [4801],
				ganadores: [4801],
				loteria_numero: "4801",
				premios: [{ numero: 4801, monto: 75_000_000 }],
				pago: "manual",
			},
		]);
		expect(messages.filter((m) => m.tipo === "resultado")).toHaveLength(9_999);
		// Dispatched once: the next run sends nothing for it.
		await runScheduled({ ...env, NOTIFICACIONES: queue }, new Date());
		expect(batches.flat()).toHaveLength(10_000);

		// The consumer sends each once, in the queue's batches of 100, and a redelivery sends nothing.
		for (const batch of batches)
			await deliver(
				"rifa1122-notificaciones",
				batch.map((b) => b.body),
			);
		const count = async () =>
			(
				await env.DB.prepare(
					"SELECT estado, count(*) AS n FROM notificaciones WHERE evento = ? GROUP BY estado",
				)
					.bind(`resultado:${rifa.id}`)
					.all<{ estado: string; n: number }>()
			).results;
		expect(await count()).toEqual([{ estado: "enviada", n: 10_000 }]);
		await deliver(
			"rifa1122-notificaciones",
			(batches[3] ?? []).map((b) => b.body),
		);
		expect(await count()).toEqual([{ estado: "enviada", n: 10_000 }]);
	}, 120_000);
});
