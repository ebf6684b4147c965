import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { DEFAULT_RESULTS_API } from "../src/integrations/loterias";
import { signResults } from "../src/integrations/loterias/signature";
import { runScheduled } from "../src/jobs/scheduler";
import { buyNumbers, DRAW, mockWinner, moveToDraw, sealAt, setupRifa } from "./draw-helpers";
import { interceptHost } from "./fixtures/intercept-fetch";
import {
	call,
	createActiveRifa,
	createCategoria,
	createLoteria,
	createUser,
	get,
	openRoomSocket,
	patch,
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

	it("rolls an unsold prize over: with no open rifa it waits in the category for the next one", async () => {
		const result = await mockWinner("medellin");
		const winning = Number(result.numero.slice(-2));
		const first = await setup("medellin", { numero_no_vendido: "acumula" });
		expect((await buy(first.rifa.id, jugador, [(winning + 50) % 100])).status).toBe(201);
		await moveToDraw(first.rifa.id);
		await runCron();
		const r1 = (await get(`/api/v1/rifas/${first.rifa.id}/resultados`)).body;
		expect(r1.ganadores).toEqual([]);
		expect(r1.desglose).toMatchObject({ acumula: 75_000_000, premios: 0, acumula_a: null });
		const cat = await env.DB.prepare("SELECT acumulado FROM categoria_rifa WHERE id = ?")
			.bind(first.categoriaId)
			.first();
		expect(cat).toEqual({ acumulado: 75_000_000 });

		// Opening the category's next rifa assigns it the pot (see test/acumulado.test.ts).
		const second = await setup("medellin", {}, first.categoriaId);
		expect((await get(`/api/v1/rifas/${second.rifa.id}`)).body.acumulado_asignado).toBe(75_000_000);
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
		await sealAt(past.id, "2026-01-16T03:00:00.000Z");
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

/** Makes the public results API answer 500 while `down()` says so. */
const resultsApi = (down: () => boolean) =>
	interceptHost(new URL(DEFAULT_RESULTS_API).hostname, async () => {
		if (down()) return new Response("upstream down", { status: 500 });
		return new Response(
			JSON.stringify({
				status: "success",
				data: [{ slug: "cali", date: DRAW.fecha, result: "3649", series: "188" }],
			}),
			{ headers: { "Content-Type": "application/json" } },
		);
	});

describe("a settlement that fails", () => {
	const closedAtDraw = async () => {
		const cat = await createCategoria(admin.token);
		const lot = await createLoteria(admin.token, {
			meta: { slug: "cali" },
			fuentes: ["resultadosloterias", "webhook"],
			fuentes_requeridas: 1,
		});
		const rifa = await createActiveRifa(admin.token, { categoria_id: cat.id, loteria_id: lot.id });
		await buy(rifa.id, jugador, [49]);
		await moveToDraw(rifa.id);
		return { rifa, loteriaId: lot.id };
	};
	/** The error lines settlement wrote about one rifa. */
	const failureLines = (errorSpy: { mock: { calls: unknown[][] } }, rifaId: string) =>
		errorSpy.mock.calls
			.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>)
			.filter((l) => l.rifa_id === rifaId && l.msg === SETTLEMENT_FAILED);
	const SETTLEMENT_FAILED = "settlement failed; the rifa stays cerrada for the next run";

	it("is reported by the cron in errores, logged once, and retried by the next run", async () => {
		let down = true;
		resultsApi(() => down);
		const errorSpy = vi.spyOn(console, "error");
		const { rifa } = await closedAtDraw();
		await patch(`/api/v1/rifas/${rifa.id}`, { estado: "cerrada" }, admin.token);
		const report = await runScheduled(env, new Date());
		expect(report.errores).toContainEqual({
			rifa_id: rifa.id,
			detail: expect.stringContaining("HTTP 500"),
		});
		expect(report.resueltas).not.toContain(rifa.id);
		expect((await get(`/api/v1/rifas/${rifa.id}`)).body.estado).toBe("cerrada");
		const lines = failureLines(errorSpy, rifa.id);
		expect(lines).toHaveLength(1);
		expect(lines[0]).toMatchObject({ level: "error", outcome: "reintentar" });

		down = false;
		expect((await runScheduled(env, new Date())).resueltas).toContain(rifa.id);
		expect((await get(`/api/v1/rifas/${rifa.id}`)).body.estado).toBe("resuelta");
	});

	it("is an error outcome, not a crash, for a rifa whose category lost its prize", async () => {
		resultsApi(() => false);
		const errorSpy = vi.spyOn(console, "error");
		const { rifa, categoriaId } = await setup("caldas");
		await buy(rifa.id, jugador, [7]);
		await moveToDraw(rifa.id);
		await patch(`/api/v1/rifas/${rifa.id}`, { estado: "cerrada" }, admin.token);
		// Data from before rifas were checked against their category, or edited by hand.
		await env.DB.prepare(
			"UPDATE categoria_rifa SET fondo_premios = NULL, premio_por_ganador = NULL WHERE id = ?",
		)
			.bind(categoriaId)
			.run();
		const report = await runScheduled(env, new Date());
		expect(report.errores).toContainEqual({
			rifa_id: rifa.id,
			detail: expect.stringContaining("categoria_id: La categoría no tiene fondo_premios"),
		});
		expect(failureLines(errorSpy, rifa.id)).toMatchObject([{ outcome: "error" }]);
		expect((await get(`/api/v1/rifas/${rifa.id}`)).body.estado).toBe("cerrada");
	});

	it("leaves a rifa closed by hand cerrada with a 200, and logs why", async () => {
		resultsApi(() => true);
		const errorSpy = vi.spyOn(console, "error");
		const { rifa } = await closedAtDraw();
		const closed = await post(`/api/v1/rifas/${rifa.id}/cerrar`, undefined, admin.token);
		expect(closed.status).toBe(200);
		expect(closed.body.estado).toBe("cerrada");
		expect(failureLines(errorSpy, rifa.id)).toHaveLength(1);
	});

	it("still stores a pushed result, answering 200 with the rifas left for the cron", async () => {
		resultsApi(() => false);
		const { rifa, loteriaId } = await closedAtDraw();
		await patch(`/api/v1/rifas/${rifa.id}`, { estado: "cerrada" }, admin.token);
		const raw = JSON.stringify({
			loteria_id: loteriaId,
			fecha: DRAW.fecha,
			numero: "3649",
			serie: "188",
			fuente: "acta 2826",
		});
		const errorSpy = vi.spyOn(console, "error");
		await env.DB.exec("ALTER TABLE ganadores RENAME TO ganadores_offline");
		let res: Awaited<ReturnType<typeof call>>;
		try {
			res = await call("POST", "/api/v1/webhooks/loteria", {
				raw,
				headers: {
					"Content-Type": "application/json",
					"X-Signature": await signResults(raw, env.LOTERIA_WEBHOOK_SECRET ?? ""),
				},
			});
		} finally {
			await env.DB.exec("ALTER TABLE ganadores_offline RENAME TO ganadores");
		}
		expect(res.status).toBe(200);
		expect(res.body).toEqual({
			recibido: true,
			nuevo: true,
			estado: "confirmado",
			rifas_resueltas: [],
			rifas_por_reintentar: [rifa.id],
		});
		expect(failureLines(errorSpy, rifa.id)).toHaveLength(1);
		expect((await get(`/api/v1/rifas/${rifa.id}`)).body.estado).toBe("cerrada");

		await runCron();
		const out = (await get(`/api/v1/rifas/${rifa.id}/resultados`)).body;
		expect(out.estado).toBe("resuelta");
		expect(out.resultado).toMatchObject({ numero: "3649", fuente: "quorum:webhook" });
	});
});

describe("settlement's timestamps", () => {
	it("stamps the real time, so a run that starts late still leaves the room resuelta", async () => {
		resultsApi(() => false);
		const result = await mockWinner("tolima");
		const { rifa } = await setup("tolima");
		expect((await buy(rifa.id, jugador, [Number(result.numero.slice(-2))])).status).toBe(201);
		await moveToDraw(rifa.id);
		const socket = await openRoomSocket(rifa.id);
		const estados = () =>
			socket.messages.filter((m) => m.type === "estado").map((m) => m.estado as string);
		const closed = await patch(`/api/v1/rifas/${rifa.id}`, { estado: "cerrada" }, admin.token);
		expect(closed.status).toBe(200);

		// A run scheduled a minute before the close that only starts now (delayed or retried).
		await runCron(new Date(Date.parse(closed.body.actualizado_en) - 60_000));
		const row = await env.DB.prepare("SELECT estado, resuelta_en FROM rifas WHERE id = ?")
			.bind(rifa.id)
			.first<{ estado: string; resuelta_en: string }>();
		expect(row?.estado).toBe("resuelta");
		await waitFor(() => estados().includes("resuelta"), { what: "the resuelta event" });
		expect(estados()).toEqual(["cerrada", "resuelta"]);
		expect((row?.resuelta_en ?? "") >= closed.body.actualizado_en).toBe(true);
		socket.close();
	});
});
