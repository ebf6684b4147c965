import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { mockAdapter } from "../src/integrations/loterias/mock";
import { formatBps, formatCop } from "../src/lib/format";
import {
	INGRESOS_SQL,
	PARTICIPACION_SQL,
	participacionStatements,
	rangoUtc,
	ingresos as reporteIngresos,
} from "../src/services/reportes.service";
import { sealAt } from "./draw-helpers";
import {
	call,
	createActiveRifa,
	createCategoria,
	createLoteria,
	createUser,
	expectProblem,
	get,
	post,
	runCron,
	type TestUser,
	usePaymentProvider,
} from "./helpers";

let admin: TestUser;
let operador: TestUser;
let jugador: TestUser;
let otro: TestUser;

beforeAll(async () => {
	admin = await createUser({ rol: "admin" });
	operador = await createUser({ rol: "operador" });
	jugador = await createUser();
	otro = await createUser();
});

const NBSP = "\u00a0";
const cop = (centavos: number) => ({ centavos, texto: formatCop(centavos) });

/** `seller` sells to `buyer`; a jugador sells only to itself. */
const buy = (rifaId: string, buyer: TestUser, numeros: number[], seller = buyer) =>
	call("POST", `/api/v1/rifas/${rifaId}/tickets`, {
		token: seller.token,
		body: { user_id: buyer.id, quantity: numeros.length, payment_method: "sandbox", numeros },
		headers: { "Idempotency-Key": crypto.randomUUID() },
	});

const run = (query: string, ...params: unknown[]) =>
	env.DB.prepare(query)
		.bind(...params)
		.run();

/** Dates a rifa's purchases by buyer, as if they had happened at `at`. */
const datePurchases = (rifaId: string, buyer: TestUser, at: string) =>
	Promise.all([
		run(
			"UPDATE transacciones SET created_at = ? WHERE rifa_id = ? AND user_id = ?",
			at,
			rifaId,
			buyer.id,
		),
		run(
			"UPDATE tickets SET comprado_en = ? WHERE rifa_id = ? AND usuario_id = ? AND comprado_en IS NOT NULL",
			at,
			rifaId,
			buyer.id,
		),
	]);

const ingresos = (desde: string, hasta: string, token?: string) =>
	get(`/api/v1/admin/reportes/ingresos?desde=${desde}&hasta=${hasta}`, token);
const participacion = (rifaId: string, token?: string) =>
	get(`/api/v1/admin/reportes/participacion?rifa_id=${rifaId}`, token);

/** The draw of Thursday 2026-01-15, 22:30 in Colombia (the mock adapter has a result for it). */
const DRAW = { fecha: "2026-01-15", instant: "2026-01-16T03:30:00.000Z" };

const winningNumber = async (slug: string) => {
	const r = await mockAdapter(() => new Date()).getResult(
		{ id: "x", nombre: slug, horaSorteo: "22:30", meta: { adapter: "mock", slug } },
		DRAW.fecha,
	);
	if (!r) throw new Error("mock result missing");
	return Number(r.numero.slice(-2));
};

const zero = {
	ventas_brutas: cop(0),
	reembolsos: cop(0),
	rake: cop(0),
	premios_causados: cop(0),
	premios_pagados: cop(0),
	premios_por_pagar: cop(0),
	neto: cop(0),
};

describe("formatCop", () => {
	it("writes es-CO pesos as workerd's Intl does, keeping every centavo", () => {
		expect(formatCop(100_000_000)).toBe(`$${NBSP}1.000.000`);
		expect(formatCop(0)).toBe(`$${NBSP}0`);
		expect(formatCop(150)).toBe(`$${NBSP}1,50`);
		expect(formatCop(1)).toBe(`$${NBSP}0,01`);
		expect(formatCop(-62_963_000)).toBe(`-$${NBSP}629.630`);
		expect(formatCop(-629_630)).toBe(`-$${NBSP}6.296,30`);
		expect(formatCop(Number.MAX_SAFE_INTEGER)).toBe(`$${NBSP}90.071.992.547.409,91`);
		// Intl with its defaults on cents / 100 would show "$ 1.235" here.
		expect(formatCop(123_450)).toBe(`$${NBSP}1.234,50`);
		expect(() => formatCop(1.5)).toThrow(RangeError);
		expect(formatBps(500)).toBe("5%");
		expect(formatBps(1234)).toBe("12,34%");
		expect(formatBps(10_000)).toBe("100%");
	});
});

describe("GET /admin/reportes/ingresos", () => {
	it("sums sales, refunds, rake and prizes to the centavo, by Colombia day and by category", async () => {
		// A proportional rifa with an odd price, settled: rake and prize come from its desglose.
		const catA = await createCategoria(admin.token, {
			valor_boleta: 1_234_567,
			rake: 0.1,
			total_recaudo: null,
			fondo_premios: null,
			premio_por_ganador: null,
		});
		const lot = await createLoteria(admin.token, { meta: { adapter: "mock", slug: "bogota" } });
		const r1 = await createActiveRifa(admin.token, {
			categoria_id: catA.id,
			loteria_id: lot.id,
			reglas: { base_premio: "proporcional" },
		});
		const winning = await winningNumber("bogota");
		expect((await buy(r1.id, jugador, [winning])).status).toBe(201);
		expect((await buy(r1.id, otro, [(winning + 1) % 100, (winning + 2) % 100])).status).toBe(201);
		await run(
			"UPDATE rifas SET fecha_inicio = ?, fecha_fin = ?, fecha_sorteo = ? WHERE id = ?",
			"2026-01-08T05:00:00.000Z",
			"2026-01-16T03:00:00.000Z",
			DRAW.instant,
			r1.id,
		);
		await sealAt(r1.id, "2026-01-16T03:00:00.000Z");
		await runCron();
		expect((await get(`/api/v1/rifas/${r1.id}`)).body.estado).toBe("resuelta");

		// A fixed-prize rifa cancelled after three paid numbers and one declined payment.
		const catB = await createCategoria(admin.token, { valor_boleta: 1_000_000 });
		const r2 = await createActiveRifa(admin.token, { categoria_id: catB.id });
		expect((await buy(r2.id, jugador, [1, 2])).status).toBe(201);
		expect((await buy(r2.id, otro, [3])).status).toBe(201);
		await usePaymentProvider(r2.id, () => ({
			status: "failed",
			providerRef: null,
			reason: "Fondos insuficientes",
		}));
		expect((await buy(r2.id, jugador, [4])).status).toBe(402);
		expect((await post(`/api/v1/rifas/${r2.id}/cancelar`, undefined, admin.token)).status).toBe(
			200,
		);

		// Colombia days: 2020-02-29T04:59:59.999Z is still 2020-02-28 there.
		await datePurchases(r1.id, jugador, "2020-02-29T04:59:59.999Z");
		await datePurchases(r1.id, otro, "2020-02-29T05:00:00.000Z");
		await run(
			"UPDATE transacciones SET created_at = ? WHERE rifa_id = ? AND user_id = ? AND status = 'refunded'",
			"2020-02-29T15:00:00.000Z",
			r2.id,
			jugador.id,
		);
		await run(
			"UPDATE transacciones SET created_at = ? WHERE rifa_id = ? AND status = 'failed'",
			"2020-02-29T16:00:00.000Z",
			r2.id,
		);
		await run(
			"UPDATE transacciones SET created_at = ? WHERE rifa_id = ? AND user_id = ?",
			"2020-03-03T05:00:00.000Z",
			r2.id,
			otro.id,
		);
		await run(
			"UPDATE transacciones SET updated_at = ? WHERE rifa_id = ? AND status = 'refunded'",
			"2020-03-01T12:00:00.000Z",
			r2.id,
		);
		await run("UPDATE rifas SET resuelta_en = ? WHERE id = ?", "2020-03-01T20:00:00.000Z", r1.id);
		// A recalculation rewrites the ganadores later; prizes stay dated by the settlement.
		await run(
			"UPDATE ganadores SET creado_en = ? WHERE rifa_id = ?",
			"2020-05-05T12:00:00.000Z",
			r1.id,
		);

		const ventasA = 3 * 1_234_567; // 3,703,701
		const rake = 370_370; // floor(3,703,701 × 10%)
		const premio = ventasA - rake; // 3,333,331, one winner

		const before = await ingresos("2020-02-28", "2020-03-02", admin.token);
		expect(before.status).toBe(200);
		expect(before.body.totales).toEqual({
			ventas_brutas: cop(ventasA + 2_000_000),
			reembolsos: cop(3_000_000),
			rake: cop(rake),
			premios_causados: cop(premio),
			premios_pagados: cop(0),
			premios_por_pagar: cop(premio),
			neto: cop(ventasA + 2_000_000 - 3_000_000 - premio),
		});

		const [ganador] = (
			await env.DB.prepare("SELECT id FROM ganadores WHERE rifa_id = ?")
				.bind(r1.id)
				.all<{ id: string }>()
		).results;
		if (!ganador) throw new Error("no ganador");
		const pago = await post(
			`/api/v1/ganadores/${ganador.id}/pago`,
			{ referencia_pago: "TRF-2020-0001" },
			admin.token,
		);
		expect(pago.status).toBe(200);
		await run(
			"UPDATE ganadores SET fecha_pago = ? WHERE id = ?",
			"2020-03-03T02:00:00.000Z",
			ganador.id,
		);

		const res = await ingresos("2020-02-28", "2020-03-02", admin.token);
		expect(res.status).toBe(200);
		expect(res.body).toMatchObject({
			desde: "2020-02-28",
			hasta: "2020-03-02",
			zona_horaria: "America/Bogota",
			alcance: "todas",
		});
		expect(res.body.totales).toEqual({
			ventas_brutas: { centavos: 5_703_701, texto: `$${NBSP}57.037,01` },
			reembolsos: { centavos: 3_000_000, texto: `$${NBSP}30.000` },
			rake: { centavos: 370_370, texto: `$${NBSP}3.703,70` },
			premios_causados: { centavos: 3_333_331, texto: `$${NBSP}33.333,31` },
			premios_pagados: { centavos: 3_333_331, texto: `$${NBSP}33.333,31` },
			premios_por_pagar: { centavos: 0, texto: `$${NBSP}0` },
			neto: { centavos: -629_630, texto: `-$${NBSP}6.296,30` },
		});
		expect(res.body.por_dia).toEqual([
			{ dia: "2020-02-28", ...zero, ventas_brutas: cop(1_234_567), neto: cop(1_234_567) },
			{
				dia: "2020-02-29",
				...zero,
				ventas_brutas: cop(2 * 1_234_567 + 2_000_000),
				neto: cop(2 * 1_234_567 + 2_000_000),
			},
			{
				dia: "2020-03-01",
				...zero,
				reembolsos: cop(3_000_000),
				rake: cop(rake),
				premios_causados: cop(premio),
				neto: cop(-3_000_000 - premio),
			},
			{ dia: "2020-03-02", ...zero, premios_pagados: cop(premio) },
		]);
		expect(res.body.por_categoria).toHaveLength(2);
		expect(res.body.por_categoria).toEqual(
			expect.arrayContaining([
				{
					categoria_id: catA.id,
					categoria: catA.nombre,
					...zero,
					ventas_brutas: cop(ventasA),
					rake: cop(rake),
					premios_causados: cop(premio),
					premios_pagados: cop(premio),
					neto: cop(rake),
				},
				{
					categoria_id: catB.id,
					categoria: catB.nombre,
					...zero,
					ventas_brutas: cop(2_000_000),
					reembolsos: cop(3_000_000),
					neto: cop(-1_000_000),
				},
			]),
		);

		// One more Colombia day takes in the sale of 2020-03-03T05:00Z; one less drops the refunds.
		const wider = await ingresos("2020-02-28", "2020-03-03", admin.token);
		expect(wider.body.totales.ventas_brutas).toEqual(cop(5_703_701 + 1_000_000));
		const first = await ingresos("2020-02-28", "2020-02-28", admin.token);
		expect(first.body.totales).toEqual({
			...zero,
			ventas_brutas: cop(1_234_567),
			neto: cop(1_234_567),
		});
		const none = await ingresos("2019-01-01", "2019-01-31", admin.token);
		expect(none.body).toMatchObject({ totales: zero, por_dia: [], por_categoria: [] });
	});

	it("shows an operador only its own rifas, and refuses jugadores and anonymous callers", async () => {
		const mine = await createActiveRifa(operador.token);
		const theirs = await createActiveRifa(admin.token);
		expect((await buy(mine.id, jugador, [7], operador)).status).toBe(201);
		expect((await buy(theirs.id, jugador, [7, 8])).status).toBe(201);
		await datePurchases(mine.id, jugador, "2020-06-10T12:00:00.000Z");
		await datePurchases(theirs.id, jugador, "2020-06-10T13:00:00.000Z");

		const all = await ingresos("2020-06-10", "2020-06-10", admin.token);
		expect(all.body.alcance).toBe("todas");
		expect(all.body.totales.ventas_brutas).toEqual(cop(3_000_000));
		const own = await ingresos("2020-06-10", "2020-06-10", operador.token);
		expect(own.status).toBe(200);
		expect(own.body.alcance).toBe("propias");
		expect(own.body.totales.ventas_brutas).toEqual(cop(1_000_000));
		expect(own.body.por_categoria.map((c: { categoria_id: string }) => c.categoria_id)).toEqual([
			mine.categoria_id,
		]);

		expectProblem(await ingresos("2020-06-10", "2020-06-10", jugador.token), 403);
		expectProblem(await ingresos("2020-06-10", "2020-06-10"), 401);
		expectProblem(await participacion(mine.id, jugador.token), 403);
		expectProblem(await participacion(mine.id), 401);
		expect((await participacion(mine.id, operador.token)).status).toBe(200);
		expectProblem(await participacion(theirs.id, operador.token), 403);
		expect((await participacion(mine.id, admin.token)).status).toBe(200);
	});

	it("rejects impossible, inverted and overlong ranges with 422", async () => {
		const bad: [string, string][] = [
			["desde=2020-01-01", "hasta"],
			["desde=2020-13-01&hasta=2020-12-31", "desde"],
			["desde=2021-02-29&hasta=2021-03-01", "desde"],
			["desde=20200101&hasta=2020-01-02", "desde"],
			["desde=2020-01-01T00:00:00Z&hasta=2020-01-02", "desde"],
			["desde=2020-03-02&hasta=2020-03-01", "hasta"],
			["desde=2020-01-01&hasta=2021-01-01", "hasta"],
		];
		for (const [query, path] of bad) {
			const res = expectProblem(
				await get(`/api/v1/admin/reportes/ingresos?${query}`, admin.token),
				422,
			);
			expect(
				res.errors.map((e: { path: string }) => e.path),
				query,
			).toEqual([path]);
		}
		// 2020 is a leap year: 366 days is the longest range allowed.
		expect((await ingresos("2020-01-01", "2020-12-31", admin.token)).status).toBe(200);
		expect((await ingresos("2020-05-05", "2020-05-05", admin.token)).status).toBe(200);
	});
});

describe("GET /admin/reportes/participacion", () => {
	it("takes sold, held and free numbers from the room and buyers from the sold tickets", async () => {
		const rifa = await createActiveRifa(admin.token);
		const tercero = await createUser();
		expect((await buy(rifa.id, jugador, [10, 11, 12])).status).toBe(201);
		expect((await buy(rifa.id, otro, [20])).status).toBe(201);
		expect((await buy(rifa.id, tercero, [30])).status).toBe(201);
		await usePaymentProvider(rifa.id, (id) => ({
			status: "requires_payment",
			providerRef: `pi_${id}`,
			clientSecret: `pi_${id}_secret`,
		}));
		const held = await buy(rifa.id, otro, [40, 41]);
		expect(held.body.payment.status).toBe("requires_payment");
		await datePurchases(rifa.id, jugador, "2020-04-02T04:59:00.000Z");
		await datePurchases(rifa.id, otro, "2020-04-02T05:00:00.000Z");
		await datePurchases(rifa.id, tercero, "2020-04-03T01:00:00.000Z");

		const res = await participacion(rifa.id, admin.token);
		expect(res.status).toBe(200);
		expect(res.body).toEqual({
			rifa_id: rifa.id,
			nombre: expect.any(String),
			estado: "activa",
			zona_horaria: "America/Bogota",
			numeros: { total: 100, vendidos: 5, reservados: 2, libres: 93, anulados: 0 },
			porcentaje_vendido: { bps: 500, texto: "5%" },
			compradores_unicos: 3,
			recaudo: { centavos: 5_000_000, texto: `$${NBSP}50.000` },
			ventas_por_dia: [
				{ dia: "2020-04-01", boletas: 3, monto: cop(3_000_000) },
				{ dia: "2020-04-02", boletas: 2, monto: cop(2_000_000) },
			],
			boletas_por_comprador: [
				{ boletas: 1, compradores: 2 },
				{ boletas: 3, compradores: 1 },
			],
		});
	});

	it("reports a cancelled rifa's refunded numbers as anulados", async () => {
		const rifa = await createActiveRifa(admin.token);
		expect((await buy(rifa.id, jugador, [1, 2])).status).toBe(201);
		expect((await buy(rifa.id, otro, [3])).status).toBe(201);
		expect((await post(`/api/v1/rifas/${rifa.id}/cancelar`, undefined, admin.token)).status).toBe(
			200,
		);
		const res = await participacion(rifa.id, admin.token);
		expect(res.body).toMatchObject({
			estado: "cancelada",
			numeros: { total: 100, vendidos: 0, reservados: 0, libres: 97, anulados: 3 },
			porcentaje_vendido: { bps: 0, texto: "0%" },
			compradores_unicos: 0,
			recaudo: cop(0),
			ventas_por_dia: [],
			boletas_por_comprador: [],
		});
	});

	it("answers an unknown rifa with 404 and a malformed id with 422", async () => {
		expectProblem(await participacion(crypto.randomUUID(), admin.token), 404);
		expectProblem(await participacion("no-es-uuid", admin.token), 422);
		expectProblem(await get("/api/v1/admin/reportes/participacion", admin.token), 422);
	});
});

/**
 * A platform's half year, written straight into D1: 2,000 buyers, 5 categories, 60 rifas (40
 * settled, half their prizes paid), 60,000 purchases of which 3% refunded, and one rifa of 10,000
 * numbers with 6,000 sold to 2,000 buyers. All in 2021, away from the other tests' dates.
 */
const seedHalfYear = async () => {
	const at = (base: string, offset: string) => `strftime('%Y-%m-%dT%H:%M:%fZ', ${base}, ${offset})`;
	await env.DB.batch(
		[
			`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
			INSERT INTO users (id, nombre, email, rol, is_active, creado_en, actualizado_en)
			SELECT printf('bench-u-%05d', i), 'Comprador', printf('bench-%05d@bench.rifa1122.co', i), 'jugador', 1,
				'2021-01-01T00:00:00.000Z', '2021-01-01T00:00:00.000Z' FROM n`,
			`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5)
			INSERT INTO categoria_rifa (id, nombre, valor_boleta, rake_bps, creado_en, actualizado_en)
			SELECT printf('bench-cat-%d', i), printf('Bench %d', i), 500000 * i, 2000,
				'2021-01-01T00:00:00.000Z', '2021-01-01T00:00:00.000Z' FROM n`,
			`INSERT INTO loterias (id, nombre, creado_en, actualizado_en)
			VALUES ('bench-lot', 'Bench Lotería', '2021-01-01T00:00:00.000Z', '2021-01-01T00:00:00.000Z')`,
			`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 61)
			INSERT INTO rifas (id, nombre, categoria_id, loteria_id, fecha_inicio, fecha_fin, fecha_sorteo, estado,
				reglas, total_boletas, desglose, resuelta_en, creado_en, actualizado_en)
			SELECT printf('bench-rifa-%02d', i), 'Bench', printf('bench-cat-%d', i % 5 + 1), 'bench-lot',
				'2021-01-01T00:00:00.000Z', '2021-07-01T00:00:00.000Z', '2021-07-01T00:00:00.000Z',
				CASE WHEN i <= 40 THEN 'resuelta' ELSE 'activa' END, '{}', CASE WHEN i = 61 THEN 10000 ELSE 1000 END,
				CASE WHEN i <= 40 THEN json_object('rake', 100000 * i) END,
				CASE WHEN i <= 40 THEN ${at("'2021-01-01'", "printf('+%d hours', i * 107)")} END,
				'2021-01-01T00:00:00.000Z', '2021-01-01T00:00:00.000Z' FROM n`,
			`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60000)
			INSERT INTO transacciones (id, user_id, rifa_id, tipo, amount, provider, provider_ref, status, created_at, updated_at)
			SELECT printf('bench-tx-%06d', i), printf('bench-u-%05d', (i * 7919) % 2000 + 1),
				printf('bench-rifa-%02d', i % 60 + 1), 'compra', 1000000 * (i % 3 + 1), 'sandbox', printf('bench-ref-%06d', i),
				CASE WHEN i % 100 < 85 THEN 'succeeded' WHEN i % 100 < 88 THEN 'refunded'
					WHEN i % 100 < 98 THEN 'failed' ELSE 'pending' END,
				${at("'2021-01-01'", "printf('+%d seconds', i * 259)")},
				${at("'2021-01-01'", "printf('+%d seconds', i * 259 + CASE WHEN i % 100 BETWEEN 85 AND 87 THEN 172800 ELSE 1 END)")}
			FROM n`,
			`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 5999)
			INSERT INTO tickets (id, rifa_id, usuario_id, numero, comprado_en, estado, precio, creado_en, actualizado_en)
			SELECT printf('bench-tk-%05d', i), 'bench-rifa-61', printf('bench-u-%05d', (i * 7919) % 2000 + 1), i,
				${at("'2021-03-01'", "printf('+%d seconds', i * 431)")}, 'vendido', 1000000,
				'2021-03-01T00:00:00.000Z', '2021-03-01T00:00:00.000Z' FROM n`,
			`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40)
			INSERT INTO tickets (id, rifa_id, usuario_id, numero, comprado_en, estado, precio, creado_en, actualizado_en)
			SELECT printf('bench-tkw-%02d', i), printf('bench-rifa-%02d', i), 'bench-u-00001', 7,
				'2021-01-01T00:00:00.000Z', 'ganador', 1000000, '2021-01-01T00:00:00.000Z', '2021-01-01T00:00:00.000Z' FROM n`,
			`INSERT INTO ganadores (id, rifa_id, ticket_id, posicion, monto_ganado, estado_pago, fecha_pago, creado_en)
			SELECT 'bench-g-' || substr(r.id, 12), r.id, 'bench-tkw-' || substr(r.id, 12), 1, 50000000,
				CASE WHEN CAST(substr(r.id, 12) AS INTEGER) % 2 = 0 THEN 'pagado' ELSE 'pendiente' END,
				CASE WHEN CAST(substr(r.id, 12) AS INTEGER) % 2 = 0 THEN ${at("r.resuelta_en", "'+1 day'")} END,
				r.resuelta_en
			FROM rifas AS r WHERE r.id LIKE 'bench-rifa-%' AND r.estado = 'resuelta'`,
		].map((q) => env.DB.prepare(q)),
	);
};

const countRows = async (query: string, ...params: unknown[]) =>
	(
		await env.DB.prepare(query)
			.bind(...params)
			.first<{ n: number }>()
	)?.n ?? 0;

// Seeding half a year of movements takes seconds on its own, more on a loaded machine.
describe("report cost in D1", { timeout: 30_000 }, () => {
	it("reads rows in proportion to the period's movements, on indexes", async () => {
		await seedHalfYear();
		const plans: string[] = [];
		for (const query of [...Object.values(INGRESOS_SQL), ...Object.values(PARTICIPACION_SQL)]) {
			const params = query.includes("?3")
				? ["a", "b", null]
				: query.includes("?2")
					? ["a", "b"]
					: ["a"];
			const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${query}`)
				.bind(...params)
				.all<{ detail: string }>();
			const detail = plan.results.map((r) => r.detail).join(" | ");
			plans.push(detail);
			expect(detail, query).not.toMatch(/SCAN (transacciones|ganadores|rifas|tickets)\b/);
		}
		const uses = plans.join(" || ");
		for (const index of [
			"transacciones_status_created_idx",
			"transacciones_reembolsos_idx",
			"ganadores_rifa_posicion_unique",
			"ganadores_estado_pago_fecha_idx",
			"rifas_estado_resuelta_en_idx",
			"tickets_rifa_estado_idx",
		]) {
			expect(uses).toContain(index);
		}

		const measured: Record<string, unknown>[] = [];
		for (const [desde, hasta] of [
			["2021-03-01", "2021-03-01"],
			["2021-03-01", "2021-03-30"],
			["2021-01-01", "2021-06-30"],
		] as const) {
			const { inicio, fin } = rangoUtc(desde, hasta);
			const movimientos =
				(await countRows(
					"SELECT count(*) AS n FROM transacciones WHERE status IN ('succeeded', 'refunded') AND created_at >= ? AND created_at < ?",
					inicio,
					fin,
				)) +
				(await countRows(
					"SELECT count(*) AS n FROM transacciones WHERE status = 'refunded' AND updated_at >= ? AND updated_at < ?",
					inicio,
					fin,
				));
			const r = await reporteIngresos(env.DB, desde, hasta, null);
			measured.push({ reporte: "ingresos", desde, hasta, movimientos, rows_read: r.filasLeidas });
			// Per movement: its index entry and its row, then one pass and one rifa lookup per (rifa, day).
			expect(r.filasLeidas).toBeLessThanOrEqual(3 * movimientos + 1_000);
		}
		const part = await env.DB.batch(participacionStatements(env.DB, "bench-rifa-61"));
		const partRows = part.reduce((n, r) => n + (r.meta.rows_read ?? 0), 0);
		measured.push({
			reporte: "participacion",
			rifa: "10.000 números, 6.000 vendidos",
			rows_read: partRows,
		});
		// Two passes over the sold tickets (by day, by buyer), each an index entry and a row.
		expect(partRows).toBeLessThanOrEqual(5 * 6_000);

		// The refunds index is partial: a paid purchase writes no entry in it, a refunded one does.
		const written = async (status: string) =>
			(
				await env.DB.prepare(
					`INSERT INTO transacciones (id, user_id, rifa_id, tipo, amount, provider, provider_ref, status, created_at, updated_at)
					VALUES (?, 'bench-u-00001', 'bench-rifa-01', 'compra', 1000000, 'sandbox', ?, ?, '2021-08-01T00:00:00.000Z', '2021-08-01T00:00:00.000Z')`,
				)
					.bind(crypto.randomUUID(), crypto.randomUUID(), status)
					.run()
			).meta.rows_written;
		expect(await written("refunded")).toBe((await written("succeeded")) + 1);
		console.log(JSON.stringify({ d1_rows_read: measured }));
	});
});

describe("contract", () => {
	it("documents both reports under the reportes tag, with days in Colombia time", async () => {
		const doc = (await get("/openapi.json")).body;
		const ingresosOp = doc.paths["/api/v1/admin/reportes/ingresos"].get;
		expect(ingresosOp.tags).toEqual(["reportes"]);
		expect(ingresosOp.description).toContain("America/Bogota");
		expect(ingresosOp.parameters.map((p: { name: string }) => p.name).sort()).toEqual([
			"desde",
			"hasta",
		]);
		expect(doc.paths["/api/v1/admin/reportes/participacion"].get.tags).toEqual(["reportes"]);
		expect(doc.tags.map((t: { name: string }) => t.name)).toContain("reportes");
	});
});
