import { env } from "cloudflare:workers";
import { decodeJwt } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { createDb, type Database } from "../src/db/client";
import { settle } from "../src/services/settlement.service";
import { buyNumbers, mockWinner, moveToDraw } from "./draw-helpers";
import {
	call,
	createCategoria,
	createLoteria,
	createUser,
	expectProblem,
	get,
	inDays,
	patch,
	post,
	rifaBody,
	runCron,
	type TestUser,
} from "./helpers";

let admin: TestUser;
let operador: TestUser;
let jugador: TestUser;
let complice: TestUser;

beforeAll(async () => {
	admin = await createUser({ rol: "admin" });
	operador = await createUser({ rol: "operador" });
	jugador = await createUser();
	complice = await createUser();
});

const ACUMULA = { numero_no_vendido: "acumula" };

/** The category's fund for one winner: each rifa below pays 75,000,000 of its own. */
const FONDO = 75_000_000;

/**
 * A rifa of the category drawing at `sorteo` (its sales end an hour before). `activa` opens it
 * through the API; otherwise it stays `pendiente` (its sales start tomorrow, so no cron opens it).
 */
const nuevaRifa = async (
	categoriaId: string,
	loteriaId: string,
	o: {
		sorteo: string;
		activa?: boolean;
		/** Sales started yesterday, as for `activa`, but left `pendiente` (until a cron runs). */
		abierta?: boolean;
		token?: string;
		reglas?: Record<string, unknown>;
		numero_ganadores?: number;
	},
) => {
	const token = o.token ?? admin.token;
	const body = rifaBody(categoriaId, loteriaId, {
		fecha_inicio: inDays(o.activa || o.abierta ? -1 : 1),
		reglas: o.reglas ?? {},
		numero_ganadores: o.numero_ganadores ?? 1,
	});
	const res = await post("/api/v1/rifas", body, token);
	expect(res.status).toBe(201);
	const id = res.body.id as string;
	await env.DB.prepare("UPDATE rifas SET fecha_fin = ?, fecha_sorteo = ? WHERE id = ?")
		.bind(new Date(Date.parse(o.sorteo) - 3_600_000).toISOString(), o.sorteo, id)
		.run();
	if (o.activa)
		expect((await patch(`/api/v1/rifas/${id}`, { estado: "activa" }, token)).status).toBe(200);
	return id;
};

const setup = async (slug: string) => {
	const result = await mockWinner(slug);
	return {
		cat: (await createCategoria(admin.token)).id,
		lot: (await createLoteria(admin.token, { meta: { adapter: "mock", slug } })).id,
		ultimas: Number(result.numero.slice(-2)),
		primeras: Number(result.numero.slice(0, 2)),
	};
};

const asignado = async (rifaId: string) => {
	const res = await get(`/api/v1/rifas/${rifaId}`);
	expect(res.status).toBe(200);
	return res.body.acumulado_asignado as number;
};

const potCategoria = async (categoriaId: string) =>
	(
		(await env.DB.prepare("SELECT acumulado FROM categoria_rifa WHERE id = ?")
			.bind(categoriaId)
			.first()) as { acumulado: number }
	).acumulado;

const resultados = async (rifaId: string) => (await get(`/api/v1/rifas/${rifaId}/resultados`)).body;

const premios = async (rifaId: string) =>
	((await resultados(rifaId)).ganadores as { monto_ganado: number }[]).map((g) => g.monto_ganado);

interface Entry {
	action: string;
	before: Record<string, unknown>;
	after: Record<string, unknown>;
}

/** The pot's audit entries of a rifa or category, oldest first. */
const potAudits = async (entity: "rifa" | "categoria", id: string): Promise<Entry[]> => {
	const res = await get(
		`/api/v1/admin/auditoria?entity=${entity}&entity_id=${id}&per_page=100`,
		admin.token,
	);
	expect(res.status).toBe(200);
	return (res.body.items as Entry[]).filter((e) => e.action.endsWith(".acumulado")).reverse();
};

/** A rifa that rolls its whole prize over: its only sold number is not the winning one. */
const rollsOver = async (s: { cat: string; lot: string; ultimas: number }, sorteo = inDays(3)) => {
	const id = await nuevaRifa(s.cat, s.lot, { sorteo, activa: true, reglas: ACUMULA });
	expect((await buyNumbers(id, jugador, [(s.ultimas + 50) % 100])).status).toBe(201);
	return id;
};

const settles = async (...ids: string[]) => {
	for (const id of ids) await moveToDraw(id);
	await runCron();
	for (const id of ids) expect((await get(`/api/v1/rifas/${id}`)).body.estado).toBe("resuelta");
};

describe("the category's pot goes by rule, not by race", () => {
	it("goes to the rifa named at settlement; a smaller rifa that settles first gets none of it", async () => {
		const s = await setup("medellin");
		const primera = await rollsOver(s);
		const grande = await nuevaRifa(s.cat, s.lot, { sorteo: inDays(30), activa: true });
		await settles(primera);
		expect((await resultados(primera)).desglose).toMatchObject({
			acumulado_recibido: 0,
			acumula: FONDO,
			acumula_a: grande,
		});
		expect(await asignado(grande)).toBe(FONDO);
		expect(await potCategoria(s.cat)).toBe(0);

		// An operador opens a small rifa with an earlier draw than the big one and sells its one
		// ticket, the winning number, to an accomplice; it settles first.
		const chica = await nuevaRifa(s.cat, s.lot, {
			sorteo: inDays(10),
			activa: true,
			token: operador.token,
		});
		expect(await asignado(chica)).toBe(0);
		expect((await buyNumbers(chica, complice, [s.ultimas])).status).toBe(201);
		await settles(chica);
		expect((await resultados(chica)).desglose).toMatchObject({ acumulado_recibido: 0, acumula: 0 });
		expect(await premios(chica)).toEqual([FONDO]);
		expect(await asignado(grande)).toBe(FONDO);

		// The named rifa receives it at its own settlement, to the centavo.
		expect((await buyNumbers(grande, jugador, [s.ultimas])).status).toBe(201);
		await settles(grande);
		expect((await resultados(grande)).desglose).toMatchObject({
			acumulado_recibido: FONDO,
			premios: 2 * FONDO,
			acumula: 0,
			acumula_a: null,
		});
		expect(await premios(grande)).toEqual([2 * FONDO]);
		expect(await asignado(grande)).toBe(FONDO);
		expect(await potCategoria(s.cat)).toBe(0);
		// The acta names the pot it received after its seal, and the rifa it came from.
		const acta = decodeJwt((await get(`/api/v1/rifas/${grande}/acta`)).body.acta);
		expect(acta.acumulado).toEqual([{ desde_rifa: primera, monto: FONDO }]);
		expect(acta.premios).toMatchObject({ acumulado_recibido: FONDO });

		expect(await potAudits("rifa", grande)).toEqual([
			expect.objectContaining({
				action: "rifa.acumulado",
				before: { acumulado_asignado: 0 },
				after: {
					acumulado_asignado: FONDO,
					cambio: FONDO,
					motivo: "liquidacion",
					desde_rifa: primera,
				},
			}),
		]);
		expect(await potAudits("rifa", chica)).toEqual([]);
	});

	it("names the next open rifa by fecha_sorteo, then creado_en, skipping closed ones and other categories", async () => {
		const s = await setup("bogota");
		const primera = await rollsOver(s);
		const sorteo = inDays(12);
		const cerrada = await nuevaRifa(s.cat, s.lot, { sorteo: inDays(6), activa: true });
		expect((await post(`/api/v1/rifas/${cerrada}/cerrar`, {}, admin.token)).status).toBe(200);
		const otra = await setup("bogota");
		const ajena = await nuevaRifa(otra.cat, s.lot, { sorteo: inDays(5), activa: true });
		const pendiente = await nuevaRifa(s.cat, s.lot, { sorteo });
		const activa = await nuevaRifa(s.cat, s.lot, { sorteo, activa: true });
		await settles(primera);
		expect((await resultados(primera)).desglose.acumula_a).toBe(pendiente);
		expect(await asignado(pendiente)).toBe(FONDO);
		for (const id of [cerrada, ajena, activa]) expect(await asignado(id)).toBe(0);
	});
});

describe("settling twice, or two rifas at once", () => {
	it("spends a pot once when the same rifa is settled several times at once", async () => {
		const s = await setup("boyaca");
		const primera = await rollsOver(s);
		const segunda = await nuevaRifa(s.cat, s.lot, { sorteo: inDays(10), activa: true });
		await settles(primera);
		expect(await asignado(segunda)).toBe(FONDO);
		const tercera = await nuevaRifa(s.cat, s.lot, { sorteo: inDays(20), activa: true });

		expect((await buyNumbers(segunda, jugador, [s.ultimas])).status).toBe(201);
		await moveToDraw(segunda);
		await Promise.all([
			post(`/api/v1/rifas/${segunda}/cerrar`, {}, admin.token),
			post(`/api/v1/rifas/${segunda}/cerrar`, {}, admin.token),
			runCron(),
		]);
		await runCron();
		expect((await get(`/api/v1/rifas/${segunda}`)).body.estado).toBe("resuelta");
		expect(await premios(segunda)).toEqual([2 * FONDO]);
		expect((await resultados(segunda)).desglose).toMatchObject({
			acumulado_recibido: FONDO,
			acumula: 0,
			acumula_a: tercera,
		});
		const resueltas = await env.DB.prepare(
			"SELECT count(*) AS n FROM audit_log WHERE entity_id = ? AND action = 'rifa.resuelta'",
		)
			.bind(segunda)
			.first();
		expect(resueltas).toEqual({ n: 1 });
		expect(await asignado(tercera)).toBe(0);
		expect(await potAudits("rifa", tercera)).toEqual([]);
	});

	it("adds each rollover once when two rifas naming the same next rifa settle in one run", async () => {
		const s = await setup("cundinamarca");
		const a = await rollsOver(s);
		const b = await rollsOver(s);
		const siguiente = await nuevaRifa(s.cat, s.lot, { sorteo: inDays(10), activa: true });
		await settles(a, b);
		expect(await asignado(siguiente)).toBe(2 * FONDO);
		expect((await potAudits("rifa", siguiente)).map((e) => e.after.desde_rifa).sort()).toEqual(
			[a, b].sort(),
		);
		expect(await potCategoria(s.cat)).toBe(0);
	});

	/** A database whose next batch first lets `meanwhile` run, as a request landing in between would. */
	const interleaved = (meanwhile: () => Promise<unknown>): Database => {
		const db = createDb(env.DB);
		let pending = true;
		return new Proxy(db, {
			get(target, prop) {
				if (prop === "batch") {
					return async (statements: Parameters<Database["batch"]>[0]) => {
						// Settlement's own batch, not the reads of the result before it.
						if (pending && statements.length > 2) {
							pending = false;
							await meanwhile();
						}
						return target.batch(statements);
					};
				}
				const value = Reflect.get(target, prop);
				return typeof value === "function" ? value.bind(target) : value;
			},
		});
	};

	it("retries, writing nothing, when the named rifa closes between reading and writing", async () => {
		const s = await setup("huila");
		const primera = await rollsOver(s);
		const nombrada = await nuevaRifa(s.cat, s.lot, { sorteo: inDays(10), activa: true });
		const despues = await nuevaRifa(s.cat, s.lot, { sorteo: inDays(20), activa: true });
		await moveToDraw(primera);
		expect(
			(await patch(`/api/v1/rifas/${primera}`, { estado: "cerrada" }, admin.token)).status,
		).toBe(200);

		const cancel = () => post(`/api/v1/rifas/${nombrada}/cancelar`, {}, admin.token);
		const outcome = await settle(env, interleaved(cancel), primera, { actorId: null });
		expect(outcome).toMatchObject({ outcome: "reintentar" });
		expect((await get(`/api/v1/rifas/${primera}`)).body.estado).toBe("cerrada");
		expect(await asignado(nombrada)).toBe(0);

		await runCron();
		expect((await resultados(primera)).desglose).toMatchObject({ acumula_a: despues });
		expect(await asignado(despues)).toBe(FONDO);
	});

	it("retries when the rifa's own pot changes between reading and writing, then receives all of it", async () => {
		const s = await setup("santander");
		const primera = await rollsOver(s);
		const segunda = await nuevaRifa(s.cat, s.lot, { sorteo: inDays(10), activa: true });
		await settles(primera);
		expect((await buyNumbers(segunda, jugador, [s.ultimas])).status).toBe(201);
		await moveToDraw(segunda);
		expect(
			(await patch(`/api/v1/rifas/${segunda}`, { estado: "cerrada" }, admin.token)).status,
		).toBe(200);

		const oneMore = () =>
			env.DB.prepare("UPDATE rifas SET acumulado_asignado = acumulado_asignado + 1 WHERE id = ?")
				.bind(segunda)
				.run();
		const outcome = await settle(env, interleaved(oneMore), segunda, { actorId: null });
		expect(outcome).toMatchObject({ outcome: "reintentar" });
		expect((await get(`/api/v1/rifas/${segunda}`)).body.estado).toBe("cerrada");

		expect(await settle(env, createDb(env.DB), segunda, { actorId: null })).toEqual({
			outcome: "resuelta",
		});
		expect((await resultados(segunda)).desglose.acumulado_recibido).toBe(FONDO + 1);
		expect(await premios(segunda)).toEqual([2 * FONDO + 1]);
	});
});

describe("a pot with no open rifa to go to", () => {
	it("stays in the category, and is assigned by the rule when a rifa of the category opens", async () => {
		const s = await setup("medellin");
		const primera = await rollsOver(s);
		await settles(primera);
		expect((await resultados(primera)).desglose).toMatchObject({
			acumula: FONDO,
			acumula_a: null,
		});
		expect(await potCategoria(s.cat)).toBe(FONDO);
		expect(await potAudits("categoria", s.cat)).toEqual([
			expect.objectContaining({
				action: "categoria.acumulado",
				before: { acumulado: 0 },
				after: { acumulado: FONDO, cambio: FONDO, motivo: "liquidacion", desde_rifa: primera },
			}),
		]);

		// Creating a rifa assigns nothing; opening any rifa of the category assigns the pot to the
		// next one by fecha_sorteo, which need not be the one that opened.
		const temprana = await nuevaRifa(s.cat, s.lot, { sorteo: inDays(10), abierta: true });
		expect(await asignado(temprana)).toBe(0);
		expect(await potCategoria(s.cat)).toBe(FONDO);
		const tardia = await nuevaRifa(s.cat, s.lot, { sorteo: inDays(20), abierta: true });
		const opened = await patch(`/api/v1/rifas/${tardia}`, { estado: "activa" }, admin.token);
		expect(opened.body).toMatchObject({ estado: "activa", acumulado_asignado: 0 });
		expect(await asignado(temprana)).toBe(FONDO);
		expect(await potCategoria(s.cat)).toBe(0);
		expect((await potAudits("categoria", s.cat)).at(-1)).toMatchObject({
			before: { acumulado: FONDO },
			after: { acumulado: 0, cambio: -FONDO, motivo: "activacion", hacia_rifa: temprana },
		});

		// Opening the named one changes nothing; the later one settles first and receives nothing.
		const own = await patch(`/api/v1/rifas/${temprana}`, { estado: "activa" }, admin.token);
		expect(own.body).toMatchObject({ estado: "activa", acumulado_asignado: FONDO });
		expect((await buyNumbers(tardia, complice, [s.ultimas])).status).toBe(201);
		await settles(tardia);
		expect(await premios(tardia)).toEqual([FONDO]);
		expect((await buyNumbers(temprana, jugador, [s.ultimas])).status).toBe(201);
		await settles(temprana);
		expect(await premios(temprana)).toEqual([2 * FONDO]);
	});

	it("is assigned once when two rifas of the category open at the same time", async () => {
		const s = await setup("boyaca");
		await settles(await rollsOver(s));
		const a = await nuevaRifa(s.cat, s.lot, { sorteo: inDays(10) });
		const b = await nuevaRifa(s.cat, s.lot, { sorteo: inDays(10) });
		const res = await Promise.all(
			[b, a].map((id) => patch(`/api/v1/rifas/${id}`, { estado: "activa" }, admin.token)),
		);
		expect(res.map((r) => r.status)).toEqual([200, 200]);
		// Same draw: the one created first is next.
		expect([await asignado(a), await asignado(b), await potCategoria(s.cat)]).toEqual([
			FONDO,
			0,
			0,
		]);
	});
});

describe("cancelling a rifa that holds a pot", () => {
	it("moves the pot to the next rifa, or back to the category, never losing it", async () => {
		const s = await setup("bogota");
		const primera = await rollsOver(s);
		const nombrada = await nuevaRifa(s.cat, s.lot, { sorteo: inDays(10), activa: true });
		const siguiente = await nuevaRifa(s.cat, s.lot, { sorteo: inDays(20) });
		await settles(primera);
		expect(await asignado(nombrada)).toBe(FONDO);

		const cancelled = await post(`/api/v1/rifas/${nombrada}/cancelar`, {}, admin.token);
		expect(cancelled.body).toMatchObject({ estado: "cancelada", acumulado_asignado: 0 });
		expect(await asignado(siguiente)).toBe(FONDO);
		expect(await potAudits("rifa", nombrada)).toEqual([
			expect.objectContaining({ after: expect.objectContaining({ motivo: "liquidacion" }) }),
			expect.objectContaining({
				before: { acumulado_asignado: FONDO },
				after: {
					acumulado_asignado: 0,
					cambio: -FONDO,
					motivo: "cancelacion",
					hacia_rifa: siguiente,
				},
			}),
		]);
		expect((await potAudits("rifa", siguiente)).at(-1)).toMatchObject({
			before: { acumulado_asignado: 0 },
			after: { acumulado_asignado: FONDO, motivo: "cancelacion", desde_rifa: nombrada },
		});

		// The last open rifa of the category: back to the category's unassigned pot.
		const last = await patch(`/api/v1/rifas/${siguiente}`, { estado: "cancelada" }, admin.token);
		expect(last.body.acumulado_asignado).toBe(0);
		expect(await potCategoria(s.cat)).toBe(FONDO);

		// A rifa moved to another category takes no pot with it.
		const nueva = await nuevaRifa(s.cat, s.lot, { sorteo: inDays(30), activa: true });
		expect(await asignado(nueva)).toBe(FONDO);
		const otra = await createCategoria(admin.token);
		const moved = await patch(`/api/v1/rifas/${nueva}`, { categoria_id: otra.id }, admin.token);
		expect(moved.body).toMatchObject({ categoria_id: otra.id, acumulado_asignado: 0 });
		expect(await potCategoria(s.cat)).toBe(FONDO);
		expect(await potCategoria(otra.id)).toBe(0);
	});
});

describe("recalculating the rifa a pot came from", () => {
	const recalcular = (rifaId: string, lang = "es") =>
		call("POST", `/api/v1/rifas/${rifaId}/recalcular`, {
			token: admin.token,
			body: { motivo: "La liquidación guardada no sigue las reglas selladas" },
			headers: { "Accept-Language": lang },
		});

	/** A stored settlement that rolled `acumula` over, with the named rifa holding it (a bad write). */
	const falsear = async (rifaId: string, nombrada: string, acumula: number) => {
		const row = await env.DB.prepare("SELECT desglose FROM rifas WHERE id = ?")
			.bind(rifaId)
			.first<{ desglose: string }>();
		const d = JSON.parse(row?.desglose ?? "{}");
		await env.DB.batch([
			env.DB.prepare("UPDATE rifas SET desglose = ? WHERE id = ?").bind(
				JSON.stringify({ ...d, acumula }),
				rifaId,
			),
			env.DB.prepare("UPDATE rifas SET acumulado_asignado = ? WHERE id = ?").bind(
				acumula,
				nombrada,
			),
		]);
	};

	it("adjusts the named rifa's pot while it has not settled, and refuses after", async () => {
		const s = await setup("cundinamarca");
		expect(s.ultimas).not.toBe(s.primeras);
		// Two positions, 66.67% / 33.33%; only position 1's number is sold, position 2 rolls over.
		const primera = await nuevaRifa(s.cat, s.lot, {
			sorteo: inDays(3),
			activa: true,
			numero_ganadores: 2,
			reglas: { ...ACUMULA, reparto_bps: [6667, 3333] },
		});
		expect((await buyNumbers(primera, jugador, [s.ultimas])).status).toBe(201);
		const nombrada = await nuevaRifa(s.cat, s.lot, { sorteo: inDays(10), activa: true });
		await settles(primera);
		expect(await premios(primera)).toEqual([50_002_500]);
		expect((await resultados(primera)).desglose).toMatchObject({
			acumula: 24_997_500,
			acumula_a: nombrada,
		});
		expect(await asignado(nombrada)).toBe(24_997_500);

		await falsear(primera, nombrada, 22_500_000);
		const fixed = await recalcular(primera);
		expect(fixed.status).toBe(200);
		expect(fixed.body.desglose).toMatchObject({ acumula: 24_997_500, acumula_a: nombrada });
		expect(await asignado(nombrada)).toBe(24_997_500);
		expect((await potAudits("rifa", nombrada)).at(-1)).toMatchObject({
			before: { acumulado_asignado: 22_500_000 },
			after: {
				acumulado_asignado: 24_997_500,
				cambio: 2_497_500,
				motivo: "recalculo",
				desde_rifa: primera,
			},
		});

		expect((await buyNumbers(nombrada, jugador, [s.ultimas])).status).toBe(201);
		await settles(nombrada);
		expect(await premios(nombrada)).toEqual([FONDO + 24_997_500]);

		const row = await env.DB.prepare("SELECT desglose FROM rifas WHERE id = ?")
			.bind(primera)
			.first<{ desglose: string }>();
		await env.DB.prepare("UPDATE rifas SET desglose = ? WHERE id = ?")
			.bind(JSON.stringify({ ...JSON.parse(row?.desglose ?? "{}"), acumula: 22_500_000 }), primera)
			.run();
		const refused = expectProblem(await recalcular(primera), 409);
		expect(refused.detail).toContain(nombrada);
		expect(refused.detail).toContain("resuelta");
		const en = expectProblem(await recalcular(primera, "en"), 409);
		expect(en.detail).toContain("already went to rifa");
		expect(await premios(nombrada)).toEqual([FONDO + 24_997_500]);
	});
});

describe("the rifa shows its pot", () => {
	it("documents acumulado_asignado in the OpenAPI schema of a rifa", async () => {
		const doc = (await get("/openapi.json")).body;
		expect(doc.components.schemas.Rifa.properties.acumulado_asignado).toMatchObject({
			type: "integer",
		});
		expect(doc.components.schemas.Rifa.required).toContain("acumulado_asignado");
	});
});
