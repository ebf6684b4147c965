import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { DEFAULT_RESULTS_API } from "../src/integrations/loterias";
import { buyNumbers, DRAW, mockWinner, moveToDraw, setupRifa } from "./draw-helpers";
import { interceptHost } from "./fixtures/intercept-fetch";
import {
	createActiveRifa,
	createCategoria,
	createLoteria,
	createUser,
	get,
	openRoomSocket,
	post,
	runCron,
	type TestUser,
	waitFor,
} from "./helpers";

let admin: TestUser;
let jugador: TestUser;
let otro: TestUser;

beforeAll(async () => {
	admin = await createUser({ rol: "admin" });
	jugador = await createUser();
	otro = await createUser();
});

afterEach(() => {
	vi.restoreAllMocks();
});

const buy = buyNumbers;
const setup = (slug: string, reglas: Record<string, unknown> = {}, categoriaId?: string) =>
	setupRifa(admin, slug, { reglas }, categoriaId);

describe("settlement", () => {
	it("closes, reads the draw, pays the winning number and shows it, once", async () => {
		const result = await mockWinner("bogota");
		const winning = Number(result.numero.slice(-2));
		const { rifa } = await setup("bogota");
		expect((await buy(rifa.id, jugador, [winning])).status).toBe(201);
		const others = [0, 1, 2, 3].map((n) => (n + winning + 1) % 100);
		expect((await buy(rifa.id, otro, others)).status).toBe(201);
		await moveToDraw(rifa.id);
		const socket = await openRoomSocket(rifa.id);
		const resultado = () => socket.messages.find((e) => e.type === "resultado");

		await runCron();
		const settled = (await get(`/api/v1/rifas/${rifa.id}`)).body;
		expect(settled.estado).toBe("resuelta");
		await waitFor(() => resultado() !== undefined, { what: "the resultado message" });
		expect(resultado()).toEqual({
			type: "resultado",
			resultado: { numero: result.numero, serie: result.serie, fecha: DRAW.fecha },
			ganadores: [{ posicion: 1, numero: winning, monto: 75_000_000 }],
		});
		socket.close();

		const pub = await get(`/api/v1/rifas/${rifa.id}/resultados`);
		expect(pub.status).toBe(200);
		expect(pub.body.resultado).toMatchObject({
			numero: result.numero,
			serie: result.serie,
			fecha: DRAW.fecha,
		});
		expect(pub.body.ganadores).toEqual([
			{
				ticket_id: expect.any(String),
				numero: winning,
				posicion: 1,
				monto_ganado: 75_000_000,
				estado_pago: "pendiente",
				fecha_pago: null,
				por_cercania: false,
			},
		]);
		expect(pub.body.desglose).toMatchObject({
			ventas: 5_000_000,
			fondo: 75_000_000,
			premios: 75_000_000,
		});
		expect(pub.text).not.toContain(jugador.id);
		expect(
			(await get(`/api/v1/rifas/${rifa.id}/resultados`, jugador.token)).body.ganadores[0]
				.usuario_id,
		).toBe(jugador.id);
		expect(
			(await get(`/api/v1/rifas/${rifa.id}/resultados`, admin.token)).body.ganadores[0].usuario_id,
		).toBe(jugador.id);
		expect(
			(await get(`/api/v1/rifas/${rifa.id}/resultados`, otro.token)).body.ganadores[0].usuario_id,
		).toBeUndefined();
		expect((await get(`/api/v1/rifas/${rifa.id}/resultados`, "bad.token.here")).status).toBe(401);

		const winnerTicket = await env.DB.prepare(
			"SELECT estado FROM tickets WHERE rifa_id = ? AND numero = ?",
		)
			.bind(rifa.id, winning)
			.first();
		expect(winnerTicket).toEqual({ estado: "ganador" });

		await runCron();
		await runCron();
		const count = await env.DB.prepare("SELECT count(*) AS n FROM ganadores WHERE rifa_id = ?")
			.bind(rifa.id)
			.first();
		expect(count).toEqual({ n: 1 });
		const audits = await env.DB.prepare(
			"SELECT count(*) AS n FROM audit_log WHERE entity_id = ? AND action = 'rifa.resuelta'",
		)
			.bind(rifa.id)
			.first();
		expect(audits).toEqual({ n: 1 });
	});

	it("rolls an unsold prize over into the next rifa of the category to settle", async () => {
		const result = await mockWinner("medellin");
		const winning = Number(result.numero.slice(-2));
		const first = await setup("medellin", { numero_no_vendido: "acumula" });
		expect((await buy(first.rifa.id, jugador, [(winning + 50) % 100])).status).toBe(201);
		await moveToDraw(first.rifa.id);
		await runCron();
		const r1 = (await get(`/api/v1/rifas/${first.rifa.id}/resultados`)).body;
		expect(r1.ganadores).toEqual([]);
		expect(r1.desglose).toMatchObject({ acumula: 75_000_000, premios: 0 });
		const cat = await env.DB.prepare("SELECT acumulado FROM categoria_rifa WHERE id = ?")
			.bind(first.categoriaId)
			.first();
		expect(cat).toEqual({ acumulado: 75_000_000 });

		const second = await setup("medellin", {}, first.categoriaId);
		expect((await buy(second.rifa.id, jugador, [winning])).status).toBe(201);
		await moveToDraw(second.rifa.id);
		await runCron();
		const r2 = (await get(`/api/v1/rifas/${second.rifa.id}/resultados`)).body;
		expect(r2.ganadores[0].monto_ganado).toBe(150_000_000);
		expect(r2.desglose).toMatchObject({ acumulado_recibido: 75_000_000 });
		const after = await env.DB.prepare("SELECT acumulado FROM categoria_rifa WHERE id = ?")
			.bind(first.categoriaId)
			.first();
		expect(after).toEqual({ acumulado: 0 });
	});

	it("settles at once when a rifa is closed by hand after its draw", async () => {
		const { rifa } = await setup("boyaca");
		await buy(rifa.id, jugador, [1]);
		await env.DB.prepare(
			"UPDATE rifas SET fecha_inicio = ?, fecha_fin = ?, fecha_sorteo = ? WHERE id = ?",
		)
			.bind(
				"2026-01-08T05:00:00.000Z",
				"2099-01-01T00:00:00.000Z",
				"2099-01-01T00:00:00.000Z",
				rifa.id,
			)
			.run();
		const open = await post(`/api/v1/rifas/${rifa.id}/cerrar`, undefined, admin.token);
		expect(open.body.estado).toBe("cerrada");

		const { rifa: past } = await setup("boyaca");
		await buy(past.id, jugador, [1]);
		await env.DB.prepare(
			"UPDATE rifas SET fecha_sorteo = ?, fecha_fin = ?, fecha_inicio = ? WHERE id = ?",
		)
			.bind(DRAW.instant, "2026-01-16T03:00:00.000Z", "2026-01-08T05:00:00.000Z", past.id)
			.run();
		const closed = await post(`/api/v1/rifas/${past.id}/cerrar`, undefined, admin.token);
		expect(closed.body.estado).toBe("resuelta");
	});

	it("waits, closed, while the lottery has not published its result", async () => {
		const cat = await createCategoria(admin.token);
		const lot = await createLoteria(admin.token, {
			meta: { adapter: "resultadosloterias", slug: "bogota" },
		});
		const rifa = await createActiveRifa(admin.token, { categoria_id: cat.id, loteria_id: lot.id });
		await buy(rifa.id, jugador, [49]);
		await moveToDraw(rifa.id);
		interceptHost(
			new URL(DEFAULT_RESULTS_API).hostname,
			async () =>
				new Response(JSON.stringify({ status: "success", data: [] }), {
					headers: { "Content-Type": "application/json" },
				}),
		);
		await runCron();
		expect((await get(`/api/v1/rifas/${rifa.id}`)).body.estado).toBe("cerrada");
		expect((await get(`/api/v1/rifas/${rifa.id}/resultados`)).body).toMatchObject({
			resultado: null,
			ganadores: [],
		});
	});
});
