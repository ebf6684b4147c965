import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { runScheduled } from "../src/jobs/scheduler";
import {
	createCast,
	createCategoria,
	createLoteria,
	createRifa,
	expectProblem,
	get,
	inDays,
	patch,
	post,
	rifaBody,
	type TestUser,
} from "./helpers";

let admin: TestUser;
let operador: TestUser;
let jugador: TestUser;
let categoriaId: string;
let loteriaId: string;

beforeAll(async () => {
	({ admin, operador, jugador } = await createCast());
	categoriaId = (await createCategoria(admin.token)).id;
	loteriaId = (await createLoteria(admin.token)).id;
});

/** The latest end of sales the margin allows before the rifa's draw. */
const lastMinuteOf = (res: { body: { fecha_sorteo: string } }) =>
	new Date(Date.parse(res.body.fecha_sorteo) - 30 * 60_000).toISOString();

const sellTicket = async (rifaId: string, numero: number, estado = "vendido") => {
	const now = new Date().toISOString();
	await env.DB.prepare(
		"INSERT INTO tickets (id, rifa_id, usuario_id, numero, comprado_en, estado, precio, creado_en, actualizado_en) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	)
		.bind(crypto.randomUUID(), rifaId, jugador.id, numero, now, estado, 1_000_000, now, now)
		.run();
};

describe("create", () => {
	it("creates a pendiente rifa with defaults, normalised UTC dates and full rules", async () => {
		const res = await post(
			"/api/v1/rifas",
			{
				nombre: "Rifa Plata del jueves",
				categoria_id: categoriaId,
				loteria_id: loteriaId,
				fecha_inicio: "2030-01-01T00:00:00-05:00",
				fecha_fin: "2030-01-03T17:00:00-05:00",
				reglas: { asignacion: "aleatoria" },
			},
			operador.token,
		);
		expect(res.status).toBe(201);
		expect(res.body).toMatchObject({
			estado: "pendiente",
			total_boletas: 100,
			numero_ganadores: 1,
			fecha_inicio: "2030-01-01T05:00:00.000Z",
			fecha_fin: "2030-01-03T22:00:00.000Z",
			// The loteria's first draw at least 30 minutes after fecha_fin: Thursday 22:30 in Colombia.
			fecha_sorteo: "2030-01-04T03:30:00.000Z",
			creado_por: operador.id,
			reglas: {
				asignacion: "aleatoria",
				max_boletas_por_compra: 10,
				max_boletas_por_usuario: null,
				minutos_reserva: 15,
				base_premio: "fijo",
				numero_no_vendido: "casa",
			},
		});
		const audit = await env.DB.prepare("SELECT action, actor_id FROM audit_log WHERE entity_id = ?")
			.bind(res.body.id)
			.first();
		expect(audit).toEqual({ action: "rifa.created", actor_id: operador.id });
	});

	it("is for admin/operador only", async () => {
		const body = rifaBody(categoriaId, loteriaId);
		expectProblem(await post("/api/v1/rifas", body), 401);
		expectProblem(await post("/api/v1/rifas", body, jugador.token), 403);
		expect((await post("/api/v1/rifas", body, admin.token)).status).toBe(201);
	});

	it("never takes estado, ids or authorship from the body", async () => {
		for (const extra of [
			{ estado: "activa" },
			{ id: crypto.randomUUID() },
			{ creado_por: jugador.id },
		]) {
			const res = await post("/api/v1/rifas", rifaBody(categoriaId, loteriaId, extra), admin.token);
			expectProblem(res, 422);
		}
	});

	it("validates dates, sizes, references and rules with field paths", async () => {
		const cases: [Record<string, unknown>, string][] = [
			[{ fecha_fin: inDays(0.5) }, "fecha_fin"],
			[{ fecha_sorteo: inDays(4) }, "fecha_sorteo"],
			[{ fecha_inicio: inDays(-10), fecha_fin: inDays(-1), fecha_sorteo: inDays(-1) }, "fecha_fin"],
			[{ fecha_fin: "mañana" }, "fecha_fin"],
			[{ fecha_fin: "2030-01-03T17:00:00" }, "fecha_fin"],
			[{ total_boletas: 500 }, "total_boletas"],
			[{ numero_ganadores: 0 }, "numero_ganadores"],
			[{ categoria_id: crypto.randomUUID() }, "categoria_id"],
			[{ loteria_id: crypto.randomUUID() }, "loteria_id"],
			[{ reglas: { asignacion: "por_orden" } }, "reglas.asignacion"],
			[{ reglas: { max_boletas_por_compra: 0 } }, "reglas.max_boletas_por_compra"],
			[{ reglas: { comision_secreta: 1 } }, "reglas.comision_secreta"],
			[{ reglas: { reparto_bps: [6000, 3000] }, numero_ganadores: 2 }, "reglas.reparto_bps"],
			[{ reglas: { reparto_bps: [10000] }, numero_ganadores: 2 }, "reglas.reparto_bps"],
		];
		for (const [overrides, path] of cases) {
			const res = await post(
				"/api/v1/rifas",
				rifaBody(categoriaId, loteriaId, overrides),
				admin.token,
			);
			const problem = expectProblem(res, 422);
			expect(
				problem.errors.map((e: { path: string }) => e.path),
				JSON.stringify(overrides),
			).toContain(path);
		}
	});

	it("accepts a prize split that sums to 100%", async () => {
		const res = await post(
			"/api/v1/rifas",
			rifaBody(categoriaId, loteriaId, {
				numero_ganadores: 2,
				reglas: { reparto_bps: [7000, 3000] },
				total_boletas: 1000,
			}),
			admin.token,
		);
		expect(res.status).toBe(201);
		expect(res.body.reglas.reparto_bps).toEqual([7000, 3000]);
	});
});

describe("read", () => {
	it("is public and 404s an unknown id", async () => {
		const rifa = await createRifa(admin.token);
		const res = await get(`/api/v1/rifas/${rifa.id}`);
		expect(res.status).toBe(200);
		expect(res.body.id).toBe(rifa.id);
		expectProblem(await get(`/api/v1/rifas/${crypto.randomUUID()}`), 404);
	});

	it("filters by estado, categoria, loteria and date range, and paginates exactly", async () => {
		const cat = await createCategoria(admin.token);
		const lot = await createLoteria(admin.token);
		const made: { id: string; fin: number }[] = [];
		for (let i = 0; i < 5; i++) {
			const res = await post(
				"/api/v1/rifas",
				rifaBody(cat.id, lot.id, {
					fecha_inicio: inDays(10 + i),
					fecha_fin: inDays(20 + i),
				}),
				admin.token,
			);
			made.push({ id: res.body.id, fin: 20 + i });
		}
		await patch(`/api/v1/rifas/${made[0]?.id}`, { estado: "activa" }, admin.token);
		await patch(`/api/v1/rifas/${made[1]?.id}`, { estado: "cancelada" }, admin.token);

		const byCat = await get(`/api/v1/rifas?categoria_id=${cat.id}&per_page=2`);
		expect(byCat.body).toMatchObject({ total: 5, page: 1, per_page: 2 });
		expect(byCat.body.items.map((r: { id: string }) => r.id)).toEqual([made[0]?.id, made[1]?.id]);
		const page3 = await get(`/api/v1/rifas?categoria_id=${cat.id}&per_page=2&page=3`);
		expect(page3.body.items.map((r: { id: string }) => r.id)).toEqual([made[4]?.id]);
		const beyond = await get(`/api/v1/rifas?categoria_id=${cat.id}&per_page=2&page=9`);
		expect(beyond.body).toMatchObject({ items: [], total: 5 });

		const activas = await get(`/api/v1/rifas?loteria_id=${lot.id}&estado=activa`);
		expect(activas.body.items.map((r: { id: string }) => r.id)).toEqual([made[0]?.id]);
		const pendientes = await get(`/api/v1/rifas?categoria_id=${cat.id}&estado=pendiente`);
		expect(pendientes.body.total).toBe(3);

		const range = await get(
			`/api/v1/rifas?categoria_id=${cat.id}&fecha_inicio=${encodeURIComponent(inDays(11.5))}&fecha_fin=${encodeURIComponent(inDays(23.5))}`,
		);
		expect(range.body.items.map((r: { id: string }) => r.id)).toEqual([made[2]?.id, made[3]?.id]);

		expectProblem(await get("/api/v1/rifas?estado=abierta"), 422);
		expectProblem(await get("/api/v1/rifas?categoria_id=123"), 422);
		expectProblem(
			await get(
				`/api/v1/rifas?fecha_inicio=${encodeURIComponent(inDays(5))}&fecha_fin=${encodeURIComponent(inDays(1))}`,
			),
			422,
		);
	});
});

describe("patch", () => {
	it("walks the legal lifecycle and audits each transition", async () => {
		const rifa = await createRifa(admin.token);
		const activa = await patch(`/api/v1/rifas/${rifa.id}`, { estado: "activa" }, admin.token);
		expect(activa.status).toBe(200);
		expect(activa.body.estado).toBe("activa");
		const again = await patch(`/api/v1/rifas/${rifa.id}`, { estado: "activa" }, admin.token);
		expect(again.status).toBe(200);
		const cerrada = await patch(`/api/v1/rifas/${rifa.id}`, { estado: "cerrada" }, admin.token);
		expect(cerrada.body.estado).toBe("cerrada");
		expectProblem(await patch(`/api/v1/rifas/${rifa.id}`, { nombre: "Otro" }, admin.token), 409);
		// Sales are over once closed: cancelling is an admin's decision with a reason.
		expectProblem(
			await patch(`/api/v1/rifas/${rifa.id}`, { estado: "cancelada" }, admin.token),
			422,
		);
		const motivo = "El operador vendió boletas fuera del sistema.";
		expect(
			(await patch(`/api/v1/rifas/${rifa.id}`, { estado: "cancelada", motivo }, admin.token)).body
				.estado,
		).toBe("cancelada");
		expectProblem(await patch(`/api/v1/rifas/${rifa.id}`, { estado: "activa" }, admin.token), 409);
		const actions = await env.DB.prepare(
			"SELECT action FROM audit_log WHERE entity_id = ? ORDER BY rowid",
		)
			.bind(rifa.id)
			.all<{ action: string }>();
		expect(actions.results.map((r) => r.action)).toEqual([
			"rifa.created",
			"rifa.activa",
			"rifa.cerrada",
			"rifa.cancelada",
		]);
	});

	it("refuses illegal transitions with 409 naming the allowed ones", async () => {
		const rifa = await createRifa(admin.token);
		const toCerrada = expectProblem(
			await patch(`/api/v1/rifas/${rifa.id}`, { estado: "cerrada" }, admin.token),
			409,
		);
		expect(toCerrada.detail).toContain("activa");
		expectProblem(
			await patch(`/api/v1/rifas/${rifa.id}`, { estado: "resuelta" }, admin.token),
			409,
		);
		await patch(`/api/v1/rifas/${rifa.id}`, { estado: "activa" }, admin.token);
		expectProblem(
			await patch(`/api/v1/rifas/${rifa.id}`, { estado: "pendiente" }, admin.token),
			409,
		);
		expectProblem(
			await patch(`/api/v1/rifas/${rifa.id}`, { estado: "resuelta" }, admin.token),
			409,
		);
	});

	it("changes fields, merges rules, and refuses structural changes once numbers are sold", async () => {
		const rifa = await createRifa(admin.token);
		const renamed = await patch(
			`/api/v1/rifas/${rifa.id}`,
			{ nombre: "Nuevo nombre", total_boletas: 1000, reglas: { max_boletas_por_usuario: 5 } },
			admin.token,
		);
		expect(renamed.status).toBe(200);
		expect(renamed.body).toMatchObject({ nombre: "Nuevo nombre", total_boletas: 1000 });
		expect(renamed.body.reglas).toMatchObject({
			max_boletas_por_usuario: 5,
			max_boletas_por_compra: 10,
		});
		expectProblem(
			await patch(`/api/v1/rifas/${rifa.id}`, { reglas: { asignacion: "x" } }, admin.token),
			422,
		);

		await patch(`/api/v1/rifas/${rifa.id}`, { estado: "activa" }, admin.token);
		await sellTicket(rifa.id, 7);
		for (const change of [
			{ total_boletas: 100 },
			{ categoria_id: categoriaId },
			{ loteria_id: loteriaId },
			{ numero_ganadores: 2 },
			{ reglas: { asignacion: "aleatoria" } },
			{ fecha_sorteo: inDays(30) },
		]) {
			expectProblem(await patch(`/api/v1/rifas/${rifa.id}`, change, admin.token), 409);
		}
		expectProblem(
			await patch(`/api/v1/rifas/${rifa.id}`, { fecha_inicio: inDays(2) }, admin.token),
			409,
		);
		const extended = await patch(
			`/api/v1/rifas/${rifa.id}`,
			{ nombre: "Sigue", fecha_fin: lastMinuteOf(await get(`/api/v1/rifas/${rifa.id}`)) },
			admin.token,
		);
		expect(extended.status).toBe(200);
		const unchanged = await get(`/api/v1/rifas/${rifa.id}`);
		expect(unchanged.body.total_boletas).toBe(1000);
	});

	it("lets an operador change only the rifas it created", async () => {
		const mine = await createRifa(operador.token);
		const other = await createRifa(admin.token);
		expect(
			(await patch(`/api/v1/rifas/${mine.id}`, { nombre: "Mía" }, operador.token)).status,
		).toBe(200);
		expectProblem(
			await patch(`/api/v1/rifas/${other.id}`, { nombre: "Ajena" }, operador.token),
			403,
		);
		expectProblem(await patch(`/api/v1/rifas/${other.id}`, { nombre: "x" }, jugador.token), 403);
		expectProblem(await patch(`/api/v1/rifas/${other.id}`, { nombre: "x" }), 401);
	});

	it("refuses to open a rifa whose sale window is over", async () => {
		const rifa = await createRifa(admin.token);
		await env.DB.prepare(
			"UPDATE rifas SET fecha_inicio = ?, fecha_fin = ?, fecha_sorteo = ? WHERE id = ?",
		)
			.bind(inDays(-3), inDays(-1), inDays(-1), rifa.id)
			.run();
		expectProblem(await patch(`/api/v1/rifas/${rifa.id}`, { estado: "activa" }, admin.token), 409);
	});

	it("applies a transition once when it is requested twice at the same time", async () => {
		const rifa = await createRifa(admin.token);
		await patch(`/api/v1/rifas/${rifa.id}`, { estado: "activa" }, admin.token);
		const results = await Promise.all([
			patch(`/api/v1/rifas/${rifa.id}`, { estado: "cancelada" }, admin.token),
			patch(`/api/v1/rifas/${rifa.id}`, { estado: "cancelada" }, admin.token),
		]);
		const statuses = results.map((r) => r.status).sort();
		expect(statuses).toEqual([200, 409]);
		const audits = await env.DB.prepare(
			"SELECT count(*) AS n FROM audit_log WHERE entity_id = ? AND action = 'rifa.cancelada'",
		)
			.bind(rifa.id)
			.first<{ n: number }>();
		expect(audits?.n).toBe(1);
	});
});

describe("a rifa that could not be settled", () => {
	/** A category that promises no prize: only a proporcional rifa can be settled in it. */
	const sinFondo = () =>
		createCategoria(admin.token, {
			total_recaudo: null,
			fondo_premios: null,
			premio_por_ganador: null,
		});
	const namesTheFund = (problem: { errors: { path: string; message: string }[] }) => {
		const error = problem.errors.find((e) => e.path === "categoria_id");
		expect(error?.message).toContain("fondo_premios");
		expect(error?.message).toContain("premio_por_ganador");
		expect(error?.message).toContain("base_premio");
	};

	it("is refused at creation, and by a change of rules or category", async () => {
		const cat = await sinFondo();
		namesTheFund(
			expectProblem(await post("/api/v1/rifas", rifaBody(cat.id, loteriaId), admin.token), 422),
		);
		const proporcional = await post(
			"/api/v1/rifas",
			rifaBody(cat.id, loteriaId, { reglas: { base_premio: "proporcional" } }),
			admin.token,
		);
		expect(proporcional.status).toBe(201);
		namesTheFund(
			expectProblem(
				await patch(
					`/api/v1/rifas/${proporcional.body.id}`,
					{ reglas: { base_premio: "fijo" } },
					admin.token,
				),
				422,
			),
		);
		const fijo = await createRifa(admin.token);
		namesTheFund(
			expectProblem(
				await patch(`/api/v1/rifas/${fijo.id}`, { categoria_id: cat.id }, admin.token),
				422,
			),
		);
	});

	it("is not opened, by hand or by the cron, when its category lost its prize", async () => {
		const rifa = await createRifa(admin.token, { fecha_inicio: inDays(-1) });
		// Data from before the check, or edited by hand.
		await env.DB.prepare(
			"UPDATE categoria_rifa SET fondo_premios = NULL, premio_por_ganador = NULL WHERE id = ?",
		)
			.bind(rifa.categoria_id)
			.run();
		namesTheFund(
			expectProblem(
				await patch(`/api/v1/rifas/${rifa.id}`, { estado: "activa" }, admin.token),
				422,
			),
		);
		const report = await runScheduled(env, new Date());
		expect(report.abiertas).not.toContain(rifa.id);
		expect(report.errores).toContainEqual({
			rifa_id: rifa.id,
			detail: expect.stringContaining("categoria_id: La categoría no tiene fondo_premios"),
		});
		expect((await get(`/api/v1/rifas/${rifa.id}`)).body.estado).toBe("pendiente");
		const cancelled = await patch(`/api/v1/rifas/${rifa.id}`, { estado: "cancelada" }, admin.token);
		expect(cancelled.status).toBe(200);
	});

	it("cannot be made by taking the prize out of its category", async () => {
		const rifa = await createRifa(admin.token);
		const conflict = expectProblem(
			await patch(
				`/api/v1/categorias/${rifa.categoria_id}`,
				{ fondo_premios: null, premio_por_ganador: null },
				admin.token,
			),
			409,
		);
		expect(conflict.detail).toContain(rifa.id);
		// No money change at all while the rifa is not over, even one it could still settle with.
		expectProblem(
			await patch(`/api/v1/categorias/${rifa.categoria_id}`, { fondo_premios: null }, admin.token),
			409,
		);
		expect(
			(await patch(`/api/v1/rifas/${rifa.id}`, { estado: "activa" }, admin.token)).status,
		).toBe(200);
	});
});
