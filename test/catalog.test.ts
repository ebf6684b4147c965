import { beforeAll, describe, expect, it } from "vitest";
import {
	createCast,
	createCategoria,
	createLoteria,
	createRifa,
	del,
	expectProblem,
	get,
	patch,
	post,
	rifaBody,
	type TestUser,
} from "./helpers";

let admin: TestUser;
let operador: TestUser;
let jugador: TestUser;

beforeAll(async () => {
	({ admin, operador, jugador } = await createCast());
});

describe("categorias", () => {
	it("creates with integer cents and a fractional rake, readable by anyone", async () => {
		const res = await post(
			"/api/v1/categorias",
			{
				nombre: "Plata Test",
				color: "#C0C0C0",
				valor_boleta: 1_000_000,
				total_recaudo: 100_000_000,
				rake: 0.25,
				fondo_premios: 75_000_000,
				premio_por_ganador: 75_000_000,
			},
			admin.token,
		);
		expect(res.status).toBe(201);
		expect(res.body).toMatchObject({
			valor_boleta: 1_000_000,
			rake: 0.25,
			fondo_premios: 75_000_000,
		});
		const read = await get(`/api/v1/categorias/${res.body.id}`);
		expect(read.status).toBe(200);
		expect(read.body).toEqual(res.body);
		const list = await get("/api/v1/categorias?q=plata%20test");
		expect(list.body.items.map((c: { id: string }) => c.id)).toContain(res.body.id);
	});

	it("rejects floats for money, a rake outside [0, 1) and incoherent funds", async () => {
		const base = { nombre: "Mala", valor_boleta: 1000 };
		for (const body of [
			{ ...base, valor_boleta: 10.5 },
			{ ...base, valor_boleta: 0 },
			{ ...base, valor_boleta: "1000" },
			{ ...base, rake: 1 },
			{ ...base, rake: -0.1 },
			{ ...base, rake: 0.12345 },
			{ ...base, total_recaudo: 100, fondo_premios: 200 },
			{ ...base, fondo_premios: 100, premio_por_ganador: 200 },
		]) {
			expectProblem(await post("/api/v1/categorias", body, admin.token), 422);
		}
	});

	it("enforces roles: anyone reads, only an admin writes (a category is a money promise)", async () => {
		const cat = await createCategoria(admin.token);
		expectProblem(await post("/api/v1/categorias", { nombre: "X", valor_boleta: 1 }), 401);
		for (const who of [jugador, operador]) {
			expectProblem(
				await post("/api/v1/categorias", { nombre: "X", valor_boleta: 1 }, who.token),
				403,
			);
			expectProblem(await patch(`/api/v1/categorias/${cat.id}`, { color: "red" }, who.token), 403);
			expectProblem(await del(`/api/v1/categorias/${cat.id}`, who.token), 403);
		}
		expect((await get(`/api/v1/categorias/${cat.id}`)).status).toBe(200);
	});

	it("rejects a duplicate name in any case with 409", async () => {
		const cat = await createCategoria(admin.token);
		expectProblem(
			await post(
				"/api/v1/categorias",
				{ nombre: cat.nombre.toUpperCase(), valor_boleta: 1000 },
				admin.token,
			),
			409,
		);
	});

	it("patches, checks merged funds, and freezes money once a rifa of it is open", async () => {
		const cat = await createCategoria(admin.token);
		const ok = await patch(
			`/api/v1/categorias/${cat.id}`,
			{ color: "#000000", rake: 0.3 },
			admin.token,
		);
		expect(ok.status).toBe(200);
		expect(ok.body).toMatchObject({ color: "#000000", rake: 0.3 });
		const tooBig = expectProblem(
			await patch(`/api/v1/categorias/${cat.id}`, { fondo_premios: 999_000_000 }, admin.token),
			422,
		);
		// total_recaudo of createCategoria: 100,000,000 centavos, shown as es-CO pesos.
		expect(tooBig.errors).toEqual([
			{ path: "fondo_premios", message: "No puede superar total_recaudo ($\u00a01.000.000)" },
		]);
		expectProblem(
			await patch(`/api/v1/categorias/${cat.id}`, { nombre: "x", extra: 1 }, admin.token),
			422,
		);

		const rifa = await createRifa(admin.token);
		await patch(`/api/v1/rifas/${rifa.id}`, { estado: "activa" }, admin.token);
		expectProblem(
			await patch(`/api/v1/categorias/${rifa.categoria_id}`, { valor_boleta: 1 }, admin.token),
			409,
		);
		expect(
			(await patch(`/api/v1/categorias/${rifa.categoria_id}`, { color: "blue" }, admin.token))
				.status,
		).toBe(200);
	});

	it("deletes an unused categoria and refuses one that rifas use", async () => {
		const cat = await createCategoria(admin.token);
		expect((await del(`/api/v1/categorias/${cat.id}`, admin.token)).status).toBe(204);
		expectProblem(await get(`/api/v1/categorias/${cat.id}`), 404);
		expectProblem(await del(`/api/v1/categorias/${cat.id}`, admin.token), 404);
		const rifa = await createRifa(admin.token);
		expectProblem(await del(`/api/v1/categorias/${rifa.categoria_id}`, admin.token), 409);
	});
});

describe("loterias", () => {
	it("creates with its results sources and filters by draw weekday", async () => {
		const lot = await createLoteria(admin.token, { dia_sorteo: "sabado", hora_sorteo: "22:30" });
		const read = await get(`/api/v1/loterias/${lot.id}`);
		expect(read.body).toMatchObject({
			dia_sorteo: "sabado",
			hora_sorteo: "22:30",
			meta: { adapter: "mock", slug: "bogota" },
			fuentes: ["mock"],
			fuentes_requeridas: 1,
		});
		const sabado = await get("/api/v1/loterias?dia_sorteo=sabado&per_page=100");
		expect(sabado.body.items.every((l: { dia_sorteo: string }) => l.dia_sorteo === "sabado")).toBe(
			true,
		);
		expect(sabado.body.items.map((l: { id: string }) => l.id)).toContain(lot.id);
		const defaulted = await post(
			"/api/v1/loterias",
			{ nombre: `Sin meta ${crypto.randomUUID()}` },
			admin.token,
		);
		// In development a new loteria defaults to the deterministic mock, alone.
		expect(defaulted.body).toMatchObject({ meta: {}, fuentes: ["mock"], fuentes_requeridas: 1 });
	});

	it("validates adapter, weekday, time and url", async () => {
		for (const body of [
			{ nombre: "A", meta: { adapter: "scraper-inexistente" } },
			{ nombre: "B", meta: { adapter: "mock", token: "x" } },
			{ nombre: "B2", meta: { adapter: "resultadosloterias" } },
			{ nombre: "C", dia_sorteo: "thursday" },
			{ nombre: "D", hora_sorteo: "25:00" },
			{ nombre: "E", url_resultados: "javascript:alert(1)" },
		]) {
			expectProblem(await post("/api/v1/loterias", body, admin.token), 422);
		}
		expectProblem(await get("/api/v1/loterias?dia_sorteo=funday"), 422);
	});

	it("enforces roles (admin only writes) and refuses deleting a loteria with rifas", async () => {
		const lot = await createLoteria(admin.token);
		expectProblem(await post("/api/v1/loterias", { nombre: "J" }, jugador.token), 403);
		expectProblem(await post("/api/v1/loterias", { nombre: "O" }, operador.token), 403);
		expectProblem(await patch(`/api/v1/loterias/${lot.id}`, { hora_sorteo: "23:00" }), 401);
		expectProblem(
			await patch(`/api/v1/loterias/${lot.id}`, { hora_sorteo: "23:00" }, operador.token),
			403,
		);
		expectProblem(await del(`/api/v1/loterias/${lot.id}`, operador.token), 403);
		const changed = await patch(
			`/api/v1/loterias/${lot.id}`,
			{ hora_sorteo: "23:00" },
			admin.token,
		);
		expect(changed.body.hora_sorteo).toBe("23:00");
		const rifa = await createRifa(admin.token);
		expectProblem(await del(`/api/v1/loterias/${rifa.loteria_id}`, admin.token), 409);
		expect((await del(`/api/v1/loterias/${lot.id}`, admin.token)).status).toBe(204);
	});
});

describe("a prize no sale can fund", () => {
	it("needs an admin's premio_garantizado, recorded in the rifa's definition", async () => {
		// An operador cannot write the category that promises it…
		const promesa = { nombre: "Imposible", valor_boleta: 1, premio_por_ganador: 1_000_000_000_000 };
		expectProblem(await post("/api/v1/categorias", promesa, operador.token), 403);
		// …and a rifa on it, once an admin made it, is refused unless an admin guarantees the prize.
		const cat = await createCategoria(admin.token, {
			valor_boleta: 1,
			total_recaudo: null,
			fondo_premios: null,
			premio_por_ganador: 1_000_000_000_000,
		});
		const lot = await createLoteria(admin.token);
		const sinFondos = expectProblem(
			await post("/api/v1/rifas", rifaBody(cat.id, lot.id), operador.token),
			422,
		);
		expect(sinFondos.errors).toContainEqual(
			expect.objectContaining({ path: "premio_garantizado", code: "premio_sin_fondos" }),
		);
		expectProblem(
			await post(
				"/api/v1/rifas",
				rifaBody(cat.id, lot.id, { premio_garantizado: true }),
				operador.token,
			),
			403,
		);
		const garantizada = await post(
			"/api/v1/rifas",
			rifaBody(cat.id, lot.id, { premio_garantizado: true }),
			admin.token,
		);
		expect(garantizada.status).toBe(201);
		expect(garantizada.body.premio_garantizado).toBe(true);

		// A prize the rifa's own sales fund needs no guarantee.
		const normal = await post(
			"/api/v1/rifas",
			rifaBody((await createCategoria(admin.token)).id, lot.id),
			operador.token,
		);
		expect(normal.status).toBe(201);
		expect(normal.body.premio_garantizado).toBe(false);
		// Nor can the operador grant it later.
		expectProblem(
			await patch(`/api/v1/rifas/${normal.body.id}`, { premio_garantizado: true }, operador.token),
			403,
		);
	});
});
