import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { buyNumbers, mockWinner, moveToDraw, setupRifa } from "./draw-helpers";
import {
	createActiveRifa,
	createCast,
	createCategoria,
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

	it("recomputes under corrected rules, replaces the winners once, and changes nothing twice", async () => {
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

		const invalid = expectProblem(
			await recalcular(rifa.id, { motivo: "Reparto", reglas: { reparto_bps: [7000, 2000] } }),
			422,
		);
		expect(invalid.errors[0].path).toBe("reglas.reparto_bps");

		const body = { motivo: "La categoría prometía 70/30", reglas: { reparto_bps: [7000, 3000] } };
		const changed = await recalcular(rifa.id, body);
		expect(changed.status).toBe(200);
		expect(changed.body.cambios).toBe(true);
		expect(
			changed.body.ganadores.map(
				(g: { posicion: number; monto_ganado: number; estado_pago: string }) => [
					g.posicion,
					g.monto_ganado,
					g.estado_pago,
				],
			),
		).toEqual([
			[1, 52_500_000, "pendiente"],
			[2, 22_500_000, "pendiente"],
		]);
		expect(changed.body.desglose).toMatchObject({ premios: 75_000_000, casa: 0, acumula: 0 });
		expect((await get(`/api/v1/rifas/${rifa.id}`)).body.reglas.reparto_bps).toEqual([7000, 3000]);

		const again = await recalcular(rifa.id, body);
		expect(again.body.cambios).toBe(false);
		expect(again.body.ganadores).toEqual(changed.body.ganadores);
		expect(await audits(rifa.id)).toBe(1);
		const rows = await env.DB.prepare("SELECT count(*) AS n FROM ganadores WHERE rifa_id = ?")
			.bind(rifa.id)
			.first();
		expect(rows).toEqual({ n: 2 });
	});

	it("keeps the prize promise the rifa settled with, whatever the category says later", async () => {
		const { rifa, categoriaId } = await settledTwoWinners("medellin");
		// Every rifa of the category is over, so its money may change now.
		const cut = await patch(
			`/api/v1/categorias/${categoriaId}`,
			{ fondo_premios: 1_000, premio_por_ganador: 1_000 },
			admin.token,
		);
		expect(cut.status, JSON.stringify(cut.body)).toBe(200);
		const res = await recalcular(rifa.id, {
			motivo: "La categoría prometía 70/30",
			reglas: { reparto_bps: [7000, 3000] },
		});
		expect(res.status).toBe(200);
		expect(res.body.desglose).toMatchObject({ fondo: 75_000_000, premios: 75_000_000 });
		expect(res.body.desglose.promesa).toMatchObject({ fondo_premios: 75_000_000 });
	});

	it("moves the ganador mark when a rule change gives the prize to the house", async () => {
		const result = await mockWinner("cundinamarca");
		const ultimas = Number(result.numero.slice(-2));
		const near = (ultimas + 1) % 100;
		const { rifa } = await setupRifa(admin, "cundinamarca", {
			reglas: { numero_no_vendido: "mas_cercano" },
		});
		await buyNumbers(rifa.id, jugador, [near]);
		await moveToDraw(rifa.id);
		await runCron();
		const won = (await get(`/api/v1/rifas/${rifa.id}/resultados`)).body;
		expect(won.ganadores).toMatchObject([{ numero: near, por_cercania: true }]);

		const res = await recalcular(rifa.id, {
			motivo: "El reglamento publicado decía que la casa conserva el premio",
			reglas: { numero_no_vendido: "casa" },
		});
		expect(res.body).toMatchObject({ cambios: true, ganadores: [] });
		expect(res.body.desglose).toMatchObject({ premios: 0, casa: 75_000_000 });
		const ticket = await env.DB.prepare("SELECT estado FROM tickets WHERE rifa_id = ?")
			.bind(rifa.id)
			.first();
		expect(ticket).toEqual({ estado: "vendido" });
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
		const res = expectProblem(
			await recalcular(rifa.id, { motivo: "Reparto", reglas: { reparto_bps: [7000, 3000] } }),
			409,
		);
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

		const toHouse = await recalcular(first.rifa.id, {
			motivo: "La casa conserva",
			reglas: { numero_no_vendido: "casa" },
		});
		expect(toHouse.body.desglose).toMatchObject({ casa: 75_000_000, acumula: 0 });
		expect(await acumulado(first.categoriaId)).toBe(0);
		await recalcular(first.rifa.id, {
			motivo: "Vuelve a acumular",
			reglas: { numero_no_vendido: "acumula" },
		});
		expect(await acumulado(first.categoriaId)).toBe(75_000_000);

		const second = await setupRifa(admin, "boyaca", {}, first.categoriaId);
		expect((await get(`/api/v1/rifas/${second.rifa.id}`)).body.acumulado_asignado).toBe(75_000_000);
		expect(await acumulado(first.categoriaId)).toBe(0);
		await buyNumbers(second.rifa.id, jugador, [unsold]);
		await moveToDraw(second.rifa.id);
		await runCron();
		expect((await get(`/api/v1/rifas/${second.rifa.id}`)).body.estado).toBe("resuelta");
		const refused = expectProblem(
			await recalcular(first.rifa.id, {
				motivo: "La casa conserva",
				reglas: { numero_no_vendido: "casa" },
			}),
			409,
		);
		expect(refused.detail).toContain("acumulado");
	});
});

describe("recalcular with rules its category cannot pay", () => {
	it("answers 422 naming the missing prize, never 500", async () => {
		const cat = await createCategoria(admin.token, {
			total_recaudo: null,
			fondo_premios: null,
			premio_por_ganador: null,
		});
		const result = await mockWinner("huila");
		const { rifa } = await setupRifa(
			admin,
			"huila",
			{ reglas: { base_premio: "proporcional" } },
			cat.id,
		);
		expect((await buyNumbers(rifa.id, jugador, [Number(result.numero.slice(-2))])).status).toBe(
			201,
		);
		await moveToDraw(rifa.id);
		await runCron();
		expect((await get(`/api/v1/rifas/${rifa.id}`)).body.estado).toBe("resuelta");
		const refused = expectProblem(
			await recalcular(rifa.id, { motivo: "Premio fijo", reglas: { base_premio: "fijo" } }),
			422,
		);
		expect(refused.errors).toContainEqual({
			path: "categoria_id",
			message: expect.stringContaining("fondo_premios"),
		});
		expect(await audits(rifa.id)).toBe(0);
	});
});
