import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { buyNumbers, mockWinner, moveToDraw, setupRifa } from "./draw-helpers";
import {
	createActiveRifa,
	createCast,
	expectProblem,
	get,
	patch,
	post,
	runCron,
	type TestUser,
} from "./helpers";

let admin: TestUser;
let operador: TestUser;
let jugador: TestUser;

beforeAll(async () => {
	({ admin, operador, jugador } = await createCast());
});

const recalcular = (rifaId: string, body: unknown, token = admin.token) =>
	post(`/api/v1/rifas/${rifaId}/recalcular`, body, token);

const acumulado = async (categoriaId: string) =>
	(
		(await env.DB.prepare("SELECT acumulado FROM categoria_rifa WHERE id = ?")
			.bind(categoriaId)
			.first()) as { acumulado: number }
	).acumulado;

const audits = async (rifaId: string) =>
	(
		(await env.DB.prepare(
			"SELECT count(*) AS n FROM audit_log WHERE entity_id = ? AND action = 'rifa.recalculada'",
		)
			.bind(rifaId)
			.first()) as { n: number }
	).n;

/** A resolved two-winner rifa whose two winning numbers (last and first two digits) were sold. */
const settledTwoWinners = async (slug: string) => {
	const result = await mockWinner(slug);
	const ultimas = Number(result.numero.slice(-2));
	const primeras = Number(result.numero.slice(0, 2));
	const { rifa, categoriaId } = await setupRifa(admin, slug, { numero_ganadores: 2 });
	expect((await buyNumbers(rifa.id, jugador, [...new Set([ultimas, primeras])])).status).toBe(201);
	await moveToDraw(rifa.id);
	await runCron();
	expect((await get(`/api/v1/rifas/${rifa.id}`)).body.estado).toBe("resuelta");
	return { rifa, categoriaId, ultimas, primeras };
};

/**
 * Writes into D1 a settlement the sealed rules do not give (as a bug, or someone with access to
 * the database, would): each winner's amount, and the breakdown's fields given.
 */
const falsear = async (
	rifaId: string,
	montos: number[],
	desglose: Record<string, unknown> = {},
) => {
	const ganadores = await env.DB.prepare(
		"SELECT id FROM ganadores WHERE rifa_id = ? ORDER BY posicion",
	)
		.bind(rifaId)
		.all<{ id: string }>();
	for (const [i, g] of ganadores.results.entries()) {
		await env.DB.prepare("UPDATE ganadores SET monto_ganado = ? WHERE id = ?")
			.bind(montos[i], g.id)
			.run();
	}
	const row = await env.DB.prepare("SELECT desglose FROM rifas WHERE id = ?")
		.bind(rifaId)
		.first<{ desglose: string }>();
	const d = JSON.parse(row?.desglose ?? "{}");
	d.por_posicion = d.por_posicion.map((p: { monto: number }, i: number) => ({
		...p,
		monto: montos[i] ?? p.monto,
	}));
	await env.DB.prepare("UPDATE rifas SET desglose = ? WHERE id = ?")
		.bind(JSON.stringify({ ...d, ...desglose }), rifaId)
		.run();
};

describe("POST /rifas/{id}/recalcular", () => {
	it("is for admins, needs a reason, and only for resolved rifas", async () => {
		const rifa = await createActiveRifa(admin.token);
		const body = { motivo: "Corrección del reparto" };
		expectProblem(await post(`/api/v1/rifas/${rifa.id}/recalcular`, body), 401);
		expectProblem(await recalcular(rifa.id, body, operador.token), 403);
		expectProblem(await recalcular(rifa.id, body, jugador.token), 403);
		expectProblem(await recalcular(rifa.id, {}), 422);
		expectProblem(await recalcular(rifa.id, { ...body, estado: "resuelta" }), 422);
		expectProblem(await recalcular(crypto.randomUUID(), body), 404);
		const activa = expectProblem(await recalcular(rifa.id, body), 409);
		expect(activa.detail).toContain("activa");
	});

	it("cannot change the sealed rules after the draw: a number nobody bought stays with the house", async () => {
		const result = await mockWinner("caldas");
		const ultimas = Number(result.numero.slice(-2));
		const { rifa } = await setupRifa(admin, "caldas");
		expect((await buyNumbers(rifa.id, jugador, [(ultimas + 1) % 100])).status).toBe(201);
		await moveToDraw(rifa.id);
		await runCron();
		const before = (await get(`/api/v1/rifas/${rifa.id}/resultados`, admin.token)).body;
		expect(before.ganadores).toEqual([]);
		expect(before.desglose).toMatchObject({ casa: 75_000_000, premios: 0 });

		const refused = expectProblem(
			await recalcular(rifa.id, {
				motivo: "Que gane el número más cercano",
				reglas: { numero_no_vendido: "mas_cercano" },
			}),
			409,
		);
		expect(refused.errors).toEqual([
			{ path: "reglas.numero_no_vendido", message: "Regla sellada", code: "reglas_selladas" },
		]);
		const after = (await get(`/api/v1/rifas/${rifa.id}/resultados`, admin.token)).body;
		expect(after.ganadores).toEqual([]);
		expect(after.desglose).toEqual(before.desglose);
		expect((await get(`/api/v1/rifas/${rifa.id}`)).body.reglas.numero_no_vendido).toBe("casa");
		expect(await audits(rifa.id)).toBe(0);
	});

	it("repairs a stored settlement that does not follow the sealed rules, once", async () => {
		const { rifa } = await settledTwoWinners("bogota");
		const before = (await get(`/api/v1/rifas/${rifa.id}/resultados`, admin.token)).body;
		expect(before.ganadores.map((g: { monto_ganado: number }) => g.monto_ganado)).toEqual([
			37_500_000, 37_500_000,
		]);

		const same = await recalcular(rifa.id, { motivo: "Revisión sin cambios" });
		expect(same.status).toBe(200);
		expect(same.body.cambios).toBe(false);
		expect(same.body.ganadores).toEqual(before.ganadores);
		expect(await audits(rifa.id)).toBe(0);

		await falsear(rifa.id, [52_500_000, 22_500_000]);
		const body = { motivo: "La liquidación guardada no sigue las reglas selladas" };
		const fixed = await recalcular(rifa.id, body);
		expect(fixed.status).toBe(200);
		expect(fixed.body.cambios).toBe(true);
		expect(
			fixed.body.ganadores.map(
				(g: { posicion: number; monto_ganado: number; estado_pago: string }) => [
					g.posicion,
					g.monto_ganado,
					g.estado_pago,
				],
			),
		).toEqual([
			[1, 37_500_000, "pendiente"],
			[2, 37_500_000, "pendiente"],
		]);
		expect(fixed.body.desglose).toMatchObject({ premios: 75_000_000, casa: 0, acumula: 0 });

		const again = await recalcular(rifa.id, body);
		expect(again.body.cambios).toBe(false);
		expect(again.body.ganadores).toEqual(fixed.body.ganadores);
		expect(await audits(rifa.id)).toBe(1);
		const rows = await env.DB.prepare("SELECT count(*) AS n FROM ganadores WHERE rifa_id = ?")
			.bind(rifa.id)
			.first();
		expect(rows).toEqual({ n: 2 });
	});

	it("keeps the prize promise the seal fixed, whatever the category says later", async () => {
		const { rifa, categoriaId } = await settledTwoWinners("medellin");
		// Every rifa of the category is over, so its money may change now.
		const cut = await patch(
			`/api/v1/categorias/${categoriaId}`,
			{ fondo_premios: 1_000, premio_por_ganador: 1_000 },
			admin.token,
		);
		expect(cut.status, JSON.stringify(cut.body)).toBe(200);
		await falsear(rifa.id, [1_000, 1_000]);
		const res = await recalcular(rifa.id, { motivo: "Revisión" });
		expect(res.status).toBe(200);
		expect(res.body.desglose).toMatchObject({ fondo: 75_000_000, premios: 75_000_000 });
		expect(res.body.desglose.promesa).toMatchObject({ fondo_premios: 75_000_000 });
	});

	it("refuses once a prize has been paid", async () => {
		const { rifa } = await settledTwoWinners("medellin");
		const [first] = (await get(`/api/v1/rifas/${rifa.id}/resultados`)).body.ganadores as {
			ticket_id: string;
		}[];
		const ganador = (await env.DB.prepare("SELECT id FROM ganadores WHERE ticket_id = ?")
			.bind(first?.ticket_id)
			.first()) as { id: string };
		const paid = await post(
			`/api/v1/ganadores/${ganador.id}/pago`,
			{ referencia_pago: "TRF-2026-0001" },
			admin.token,
		);
		expect(paid.status).toBe(200);
		const res = expectProblem(await recalcular(rifa.id, { motivo: "Revisión" }), 409);
		expect(res.detail).toContain("pago");
	});

	it("keeps the category's unassigned rollover consistent, and refuses once a rifa received it", async () => {
		const result = await mockWinner("boyaca");
		const unsold = (Number(result.numero.slice(-2)) + 50) % 100;
		const first = await setupRifa(admin, "boyaca", { reglas: { numero_no_vendido: "acumula" } });
		await buyNumbers(first.rifa.id, jugador, [unsold]);
		await moveToDraw(first.rifa.id);
		await runCron();
		expect(await acumulado(first.categoriaId)).toBe(75_000_000);

		// A stored settlement that kept the pot for the house, and a category that never got it.
		await falsear(first.rifa.id, [], { casa: 75_000_000, acumula: 0 });
		await env.DB.prepare("UPDATE categoria_rifa SET acumulado = 0 WHERE id = ?")
			.bind(first.categoriaId)
			.run();
		const repaired = await recalcular(first.rifa.id, { motivo: "El reglamento sellado acumula" });
		expect(repaired.body.desglose).toMatchObject({ casa: 0, acumula: 75_000_000 });
		expect(await acumulado(first.categoriaId)).toBe(75_000_000);

		const second = await setupRifa(admin, "boyaca", {}, first.categoriaId);
		expect((await get(`/api/v1/rifas/${second.rifa.id}`)).body.acumulado_asignado).toBe(75_000_000);
		expect(await acumulado(first.categoriaId)).toBe(0);
		await buyNumbers(second.rifa.id, jugador, [unsold]);
		await moveToDraw(second.rifa.id);
		await runCron();
		expect((await get(`/api/v1/rifas/${second.rifa.id}`)).body.estado).toBe("resuelta");
		// Had it rolled over more than the rules give, the excess is already gone from the category.
		await falsear(first.rifa.id, [], { acumula: 100_000_000 });
		const refused = expectProblem(
			await recalcular(first.rifa.id, { motivo: "El reglamento sellado acumula" }),
			409,
		);
		expect(refused.detail).toContain("acumulado");
	});
});
