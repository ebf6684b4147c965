import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../src/index";
import type { PayoutMessage } from "../src/payouts/payouts";
import { DRAW, mockWinner, moveToDraw } from "./draw-helpers";
import { call, createUser, get, inDays, patch, post } from "./helpers";

/**
 * The whole life of a rifa through the API: an admin creates it, four players buy every number,
 * it closes after the draw, the lottery's result names the winner, the prize is paid through the
 * payouts queue, and the public results show it.
 */
describe("a rifa from creation to paid prize", () => {
	it("sells out, settles on the real draw and pays its winner once", async () => {
		const admin = await createUser({ rol: "admin" });
		const players = [
			await createUser(),
			await createUser(),
			await createUser(),
			await createUser(),
		];

		const categoria = await post(
			"/api/v1/categorias",
			{
				nombre: "Oro E2E",
				color: "#FFD700",
				valor_boleta: 1_000_000,
				total_recaudo: 100_000_000,
				rake: 0.25,
				premio_por_ganador: 75_000_000,
			},
			admin.token,
		);
		expect(categoria.status).toBe(201);
		const loteria = await post(
			"/api/v1/loterias",
			{
				nombre: "Lotería de Bogotá E2E",
				dia_sorteo: "jueves",
				hora_sorteo: "22:30",
				meta: { adapter: "mock", slug: "bogota" },
			},
			admin.token,
		);
		expect(loteria.status).toBe(201);
		const created = await post(
			"/api/v1/rifas",
			{
				nombre: "Rifa E2E",
				categoria_id: categoria.body.id,
				loteria_id: loteria.body.id,
				fecha_inicio: inDays(-1),
				fecha_fin: inDays(3),
				numero_ganadores: 1,
				reglas: { max_boletas_por_compra: 25 },
				total_boletas: 100,
			},
			admin.token,
		);
		expect(created.status).toBe(201);
		const rifaId: string = created.body.id;
		expect((await patch(`/api/v1/rifas/${rifaId}`, { estado: "activa" }, admin.token)).status).toBe(
			200,
		);

		for (const player of players) {
			const sale = await call("POST", `/api/v1/rifas/${rifaId}/tickets`, {
				token: player.token,
				body: { user_id: player.id, quantity: 25, payment_method: "sandbox" },
				headers: { "Idempotency-Key": crypto.randomUUID() },
			});
			expect(sale.status).toBe(201);
		}
		const disponibilidad = await get(`/api/v1/rifas/${rifaId}/disponibilidad`);
		expect(disponibilidad.body).toMatchObject({ vendidos: 100, libres: 0 });
		const sold = await call("POST", `/api/v1/rifas/${rifaId}/tickets`, {
			token: players[0]?.token,
			body: { user_id: players[0]?.id, quantity: 1, payment_method: "sandbox" },
			headers: { "Idempotency-Key": crypto.randomUUID() },
		});
		expect(sold.status).toBe(409);

		// The calendar moves to the 2026-01-15 draw, as if the days had passed.
		await moveToDraw(rifaId);
		const closed = await post(`/api/v1/rifas/${rifaId}/cerrar`, undefined, admin.token);
		expect(closed.status).toBe(200);
		expect(closed.body.estado).toBe("resuelta");

		const result = await mockWinner("bogota");
		const winning = Number(result.numero.slice(-2));
		const owner = (await env.DB.prepare(
			"SELECT usuario_id FROM tickets WHERE rifa_id = ? AND numero = ?",
		)
			.bind(rifaId, winning)
			.first()) as { usuario_id: string };
		const winner = players.find((p) => p.id === owner.usuario_id);
		if (!winner) throw new Error("the winning number has no buyer");

		const settled = await get(`/api/v1/rifas/${rifaId}/resultados`);
		expect(settled.body.resultado).toEqual({
			numero: result.numero,
			serie: result.serie,
			fecha: DRAW.fecha,
			// Confirmed by the loteria's only source in development, the mock.
			fuente: "quorum:mock",
		});
		expect(settled.body.ganadores).toMatchObject([
			{ numero: winning, monto_ganado: 75_000_000, estado_pago: "pendiente", fecha_pago: null },
		]);
		expect(settled.body.desglose).toMatchObject({
			ventas: 100_000_000,
			fondo: 75_000_000,
			premios: 75_000_000,
			casa: 0,
			acumula: 0,
		});

		const { id: ganadorId } = (await env.DB.prepare("SELECT id FROM ganadores WHERE rifa_id = ?")
			.bind(rifaId)
			.first()) as { id: string };
		const batch = createMessageBatch<PayoutMessage>("rifa1122-payouts", [
			{ id: "m1", timestamp: new Date(), attempts: 1, body: { ganador_id: ganadorId } },
			{ id: "m2", timestamp: new Date(), attempts: 2, body: { ganador_id: ganadorId } },
		]);
		const ctx = createExecutionContext();
		await worker.queue(batch, { ...env, PAYOUTS_PROVIDER: "sandbox" }, ctx);
		expect((await getQueueResult(batch, ctx)).explicitAcks.sort()).toEqual(["m1", "m2"]);

		const paid = await get(`/api/v1/rifas/${rifaId}/resultados`);
		expect(paid.body.ganadores).toEqual([
			{
				ticket_id: expect.any(String),
				numero: winning,
				posicion: 1,
				monto_ganado: 75_000_000,
				estado_pago: "pagado",
				fecha_pago: expect.any(String),
				por_cercania: false,
			},
		]);
		const mine = await get(`/api/v1/rifas/${rifaId}/resultados`, winner.token);
		expect(mine.body.ganadores[0].usuario_id).toBe(winner.id);
		const other = players.find((p) => p.id !== winner.id);
		expect(
			(await get(`/api/v1/rifas/${rifaId}/resultados`, other?.token)).body.ganadores[0].usuario_id,
		).toBeUndefined();
		const tickets = await get(`/api/v1/users/${winner.id}/tickets?per_page=100`, winner.token);
		expect(tickets.body.items).toEqual(
			expect.arrayContaining([expect.objectContaining({ numero: winning, estado: "ganador" })]),
		);

		const trail = await get(`/api/v1/admin/auditoria?entity_id=${rifaId}`, admin.token);
		expect(trail.body.items.map((e: { action: string }) => e.action)).toEqual(
			expect.arrayContaining(["rifa.created", "rifa.activa", "rifa.cerrada", "rifa.resuelta"]),
		);
		const payout = await get(`/api/v1/admin/auditoria?entity_id=${ganadorId}`, admin.token);
		expect(payout.body.items.map((e: { action: string }) => e.action)).toEqual(["ganador.pagado"]);
	});
});
