import { beforeAll, describe, expect, it } from "vitest";
import { MOVIMIENTOS_MEDELLIN } from "../seeds/data";
import { drawInstants, esFestivo, festivos } from "../src/domain/calendario";
import {
	domingoDePascua,
	FESTIVOS_LEY_51_1983,
	FESTIVOS_LEY_2578_2026,
} from "./fixtures/festivos-co";
import medellinSorteos from "./fixtures/loterias/medellin-sorteos.json";
import {
	call,
	createCast,
	createLoteria,
	expectProblem,
	get,
	patch,
	post,
	type TestUser,
} from "./helpers";

const ANIOS = [2024, 2025, 2026, 2027, 2028];
const DAY = 86_400_000;

const plus = (fecha: string, days: number) =>
	new Date(Date.parse(`${fecha}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
const monday = (fecha: string) => {
	const dow = new Date(`${fecha}T00:00:00Z`).getUTCDay();
	return plus(fecha, (8 - dow) % 7);
};

/** Ley 51 de 1983 applied to a year, independently of the fixture and of the library. */
const ley51 = (y: number) => {
	const pascua = domingoDePascua(y);
	const on = (md: string) => `${y}-${md}`;
	return [
		...["01-01", "05-01", "07-20", "08-07", "12-08", "12-25"].map(on),
		plus(pascua, -3),
		plus(pascua, -2),
		...["01-06", "03-19", "06-29", "08-15", "10-12", "11-01", "11-11"].map((md) => monday(on(md))),
		monday(plus(pascua, 39)),
		monday(plus(pascua, 60)),
		monday(plus(pascua, 68)),
	];
};

const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort();

describe("Colombian public holidays", () => {
	it("computes Easter with the Gregorian algorithm", () => {
		expect(ANIOS.map(domingoDePascua)).toEqual([
			"2024-03-31",
			"2025-04-20",
			"2026-04-05",
			"2027-03-28",
			"2028-04-16",
		]);
	});

	it.each(ANIOS)("the hand-written list for %i follows Ley 51 de 1983", (y) => {
		expect(sorted(FESTIVOS_LEY_51_1983[y] ?? [])).toEqual(sorted(ley51(y)));
	});

	it.each(ANIOS)("date-holidays agrees with the official list for %i", (y) => {
		const oficial = sorted([
			...(FESTIVOS_LEY_51_1983[y] ?? []),
			...(FESTIVOS_LEY_2578_2026[y] ?? []),
		]);
		expect(sorted(festivos(y))).toEqual(oficial);
	});

	it("2025 has 17 holiday dates: two share Monday 30 June", () => {
		expect(festivos(2025).size).toBe(17);
		expect(esFestivo("2025-06-30")).toBe(true);
		// Easter Sunday is not a festivo, though the library calls it public.
		expect(esFestivo("2025-04-20")).toBe(false);
	});
});

const semanal = (dia: string, hora: string, movimientos = [] as typeof MOVIMIENTOS_MEDELLIN) => ({
	frecuencia: "semanal",
	diaSorteo: dia,
	horaSorteo: hora,
	movimientos,
});

describe("drawInstants", () => {
	it("a Monday draw on a festivo moves to Tuesday (Tolima, 2026-01-12 → 2026-01-13)", () => {
		expect(drawInstants(semanal("lunes", "22:30"), "2026-01-01", "2026-01-20")).toEqual([
			{ fecha: "2026-01-05", instante: "2026-01-06T03:30:00.000Z" },
			{ fecha: "2026-01-13", instante: "2026-01-14T03:30:00.000Z" },
			{ fecha: "2026-01-19", instante: "2026-01-20T03:30:00.000Z" },
		]);
	});

	it("a holiday Thursday and Friday push a Thursday draw to Saturday (Holy Week)", () => {
		expect(drawInstants(semanal("jueves", "22:30"), "2025-04-14", "2025-04-20")).toEqual([
			{ fecha: "2025-04-19", instante: "2025-04-20T03:30:00.000Z" },
		]);
	});

	it("reproduces the Lotería de Medellín's real calendar, 2023-08-04 … 2026-03-27", () => {
		const real = Object.keys(medellinSorteos).sort();
		expect(real).toHaveLength(139);
		const draws = drawInstants(
			semanal("viernes", "23:00", MOVIMIENTOS_MEDELLIN),
			"2023-08-04",
			"2026-03-27",
		);
		expect(draws.map((d) => d.fecha)).toEqual(real);
		// 23:00 in Colombia is 04:00 UTC the next day.
		expect(draws[0]).toEqual({ fecha: "2023-08-04", instante: "2023-08-05T04:00:00.000Z" });
	});

	it("without its published moves only the Thursday draw of 2023-12-07 is missed", () => {
		const draws = drawInstants(semanal("viernes", "23:00"), "2023-08-04", "2026-03-27");
		const real = new Set(Object.keys(medellinSorteos));
		expect(draws.map((d) => d.fecha).filter((f) => !real.has(f))).toEqual(["2023-12-09"]);
	});

	it("an explicit move may change the hour, and lands even when its nominal date is out of range", () => {
		const cal = semanal("viernes", "23:00", [
			{ fecha_nominal: "2023-12-08", fecha_real: "2023-12-07", hora: "22:30" },
		]);
		expect(drawInstants(cal, "2023-12-07", "2023-12-07")).toEqual([
			{ fecha: "2023-12-07", instante: "2023-12-08T03:30:00.000Z" },
		]);
	});

	it("monthly draws are on the first weekday of the month; daily ones every day", () => {
		const mensual = { ...semanal("sabado", "22:30"), frecuencia: "mensual" };
		expect(drawInstants(mensual, "2026-01-01", "2026-03-31").map((d) => d.fecha)).toEqual([
			"2026-01-03",
			"2026-02-07",
			"2026-03-07",
		]);
		const diaria = { ...semanal("lunes", "21:00"), frecuencia: "diaria", diaSorteo: null };
		expect(drawInstants(diaria, "2025-12-24", "2025-12-26").map((d) => d.fecha)).toEqual([
			"2025-12-24",
			"2025-12-25",
			"2025-12-26",
		]);
	});

	it("a loteria without a schedule has no draws", () => {
		expect(
			drawInstants({ ...semanal("lunes", "22:30"), horaSorteo: null }, "2026-01-01", "2026-12-31"),
		).toEqual([]);
		expect(
			drawInstants({ ...semanal("lunes", "22:30"), diaSorteo: null }, "2026-01-01", "2026-12-31"),
		).toEqual([]);
	});
});

describe("GET /api/v1/loterias/{id}/sorteos", () => {
	let medellin: string;

	beforeAll(async () => {
		const { admin } = await createCast();
		({ id: medellin } = await createLoteria(admin.token, {
			nombre: "Lotería de Medellín (calendario)",
			dia_sorteo: "viernes",
			hora_sorteo: "23:00",
			movimientos: MOVIMIENTOS_MEDELLIN,
		}));
	});

	it("lists the draws of a range, publicly, with the Inmaculada move of 2023", async () => {
		const res = await get(`/api/v1/loterias/${medellin}/sorteos?desde=2023-12-01&hasta=2023-12-31`);
		expect(res.status).toBe(200);
		expect(res.body).toEqual({
			items: [
				{ fecha: "2023-12-01", instante: "2023-12-02T04:00:00.000Z" },
				{ fecha: "2023-12-07", instante: "2023-12-08T04:00:00.000Z" },
				{ fecha: "2023-12-15", instante: "2023-12-16T04:00:00.000Z" },
				{ fecha: "2023-12-22", instante: "2023-12-23T04:00:00.000Z" },
				{ fecha: "2023-12-29", instante: "2023-12-30T04:00:00.000Z" },
			],
		});
	});

	it("Good Friday 2025's draw is on Saturday the 19th", async () => {
		const res = await get(`/api/v1/loterias/${medellin}/sorteos?desde=2025-04-14&hasta=2025-04-20`);
		expect(res.body.items).toEqual([{ fecha: "2025-04-19", instante: "2025-04-20T04:00:00.000Z" }]);
	});

	it("defaults to 90 days from today in Colombia", async () => {
		const res = await get(`/api/v1/loterias/${medellin}/sorteos`);
		expect(res.status).toBe(200);
		const items = res.body.items as { fecha: string; instante: string }[];
		const today = new Date(Date.now() - 5 * 3_600_000).toISOString().slice(0, 10);
		expect(items.length).toBeGreaterThanOrEqual(12);
		expect(items.length).toBeLessThanOrEqual(14);
		expect((items[0]?.fecha ?? "") >= today).toBe(true);
		expect((items.at(-1)?.fecha ?? "9") <= plus(today, 90)).toBe(true);
		const desde = await get(`/api/v1/loterias/${medellin}/sorteos?desde=2025-01-01`);
		expect((desde.body.items as { fecha: string }[]).at(-1)?.fecha).toBe("2025-03-28");
	});

	it("refuses bad dates, inverted ranges and ranges over 400 days with 422", async () => {
		const path = `/api/v1/loterias/${medellin}/sorteos`;
		expectProblem(await get(`${path}?desde=2025-02-30`), 422);
		expectProblem(await get(`${path}?desde=01-01-2025`), 422);
		const inverted = expectProblem(await get(`${path}?desde=2025-02-01&hasta=2025-01-31`), 422);
		expect(inverted.errors[0].path).toBe("hasta");
		const long = expectProblem(await get(`${path}?desde=2025-01-01&hasta=2026-02-06`), 422);
		expect(long.detail).toContain("400");
		const en = await call("GET", `${path}?desde=2025-01-01&hasta=2026-02-06`, {
			headers: { "Accept-Language": "en" },
		});
		expect(en.body.detail).toContain("400 days");
		expect((await get(`${path}?desde=2025-01-01&hasta=2026-02-05`)).status).toBe(200);
	});

	it("answers 404 for an unknown loteria", async () => {
		expectProblem(await get(`/api/v1/loterias/${crypto.randomUUID()}/sorteos`), 404);
	});

	it("is in the OpenAPI document", async () => {
		const doc = (await get("/openapi.json")).body;
		const op = doc.paths["/api/v1/loterias/{id}/sorteos"]?.get;
		expect(op?.operationId).toBe("listSorteosLoteria");
		expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(["200", "404", "422", "500"]));
		expect(doc.components.schemas.Loteria.properties.movimientos).toBeDefined();
	});
});

describe("loteria movimientos", () => {
	let admin: TestUser;
	let operador: TestUser;
	let jugador: TestUser;

	beforeAll(async () => {
		({ admin, operador, jugador } = await createCast());
	});

	it("is empty by default, and read back through GET", async () => {
		const lot = await createLoteria(admin.token);
		const read = await get(`/api/v1/loterias/${lot.id}`);
		expect(read.body.movimientos).toEqual([]);
	});

	it("an admin sets moves with PATCH; the calendar follows", async () => {
		const lot = await createLoteria(admin.token, { dia_sorteo: "lunes", hora_sorteo: "22:30" });
		const moves = [{ fecha_nominal: "2026-01-12", fecha_real: "2026-01-14", hora: "21:00" }];
		expectProblem(
			await patch(`/api/v1/loterias/${lot.id}`, { movimientos: moves }, operador.token),
			403,
		);
		const res = await patch(`/api/v1/loterias/${lot.id}`, { movimientos: moves }, admin.token);
		expect(res.status).toBe(200);
		expect(res.body.movimientos).toEqual(moves);
		expect((await get(`/api/v1/loterias/${lot.id}`)).body.movimientos).toEqual(moves);
		const cal = await get(`/api/v1/loterias/${lot.id}/sorteos?desde=2026-01-12&hasta=2026-01-18`);
		expect(cal.body.items).toEqual([{ fecha: "2026-01-14", instante: "2026-01-15T02:00:00.000Z" }]);
		expectProblem(
			await patch(`/api/v1/loterias/${lot.id}`, { movimientos: [] }, jugador.token),
			403,
		);
		expectProblem(await patch(`/api/v1/loterias/${lot.id}`, { movimientos: [] }), 401);
		const cleared = await patch(`/api/v1/loterias/${lot.id}`, { movimientos: [] }, admin.token);
		expect(cleared.body.movimientos).toEqual([]);
	});

	it.each([
		[[{ fecha_nominal: "2026-01-12" }]],
		[[{ fecha_nominal: "2026-02-30", fecha_real: "2026-03-01" }]],
		[[{ fecha_nominal: "2026-01-12", fecha_real: "2026-01-13", hora: "25:00" }]],
		[[{ fecha_nominal: "2026-01-12", fecha_real: "2026-03-13" }]],
		[[{ fecha_nominal: "2026-01-12", fecha_real: "2026-01-13", extra: 1 }]],
		[
			[
				{ fecha_nominal: "2026-01-12", fecha_real: "2026-01-13" },
				{ fecha_nominal: "2026-01-12", fecha_real: "2026-01-14" },
			],
		],
		["2026-01-12"],
	])("refuses invalid moves with 422: %j", async (movimientos) => {
		expectProblem(
			await post(
				"/api/v1/loterias",
				{ nombre: `M ${crypto.randomUUID()}`, movimientos },
				admin.token,
			),
			422,
		);
	});
});

describe("two draws on one date", () => {
	let admin: TestUser;

	beforeAll(async () => {
		({ admin } = await createCast());
	});

	const crear = (campos: Record<string, unknown>) =>
		post(
			"/api/v1/loterias",
			{ nombre: `D ${crypto.randomUUID()}`, hora_sorteo: "22:30", ...campos },
			admin.token,
		);

	/** A 422 on the move at `indice`, naming the date with two draws. */
	const choque = (res: Awaited<ReturnType<typeof post>>, fecha: string, indice: number) => {
		const problem = expectProblem(res, 422);
		expect(problem.detail).toContain(fecha);
		expect(problem.errors).toContainEqual({
			path: `movimientos.${indice}.fecha_real`,
			message: expect.stringContaining(fecha),
			code: "dos_sorteos_mismo_dia",
		});
	};

	it.each([
		[
			"weekly, onto another of its draws",
			{
				dia_sorteo: "jueves",
				movimientos: [{ fecha_nominal: "2026-01-15", fecha_real: "2026-01-22" }],
			},
			"2026-01-22",
			0,
		],
		[
			"weekly, onto the Tuesday a festivo pushed the Monday draw to",
			{
				dia_sorteo: "lunes",
				movimientos: [{ fecha_nominal: "2026-01-19", fecha_real: "2026-01-13" }],
			},
			"2026-01-13",
			0,
		],
		[
			"weekly, the festivo's draw onto another of its draws",
			{
				dia_sorteo: "lunes",
				movimientos: [{ fecha_nominal: "2026-01-12", fecha_real: "2026-01-05" }],
			},
			"2026-01-05",
			0,
		],
		[
			"weekly, two moves onto one free date",
			{
				dia_sorteo: "jueves",
				movimientos: [
					{ fecha_nominal: "2026-01-15", fecha_real: "2026-01-17" },
					{ fecha_nominal: "2026-01-22", fecha_real: "2026-01-17", hora: "20:00" },
				],
			},
			"2026-01-17",
			1,
		],
		[
			"monthly, onto the next month's draw",
			{
				frecuencia: "mensual",
				dia_sorteo: "viernes",
				movimientos: [{ fecha_nominal: "2026-02-06", fecha_real: "2026-03-06" }],
			},
			"2026-03-06",
			0,
		],
		[
			"daily, onto the next day",
			{
				frecuencia: "diaria",
				movimientos: [{ fecha_nominal: "2026-01-12", fecha_real: "2026-01-13" }],
			},
			"2026-01-13",
			0,
		],
	])(
		"a move that gives a date two draws is a 422 on movimientos: %s",
		async (_, campos, fecha, i) => {
			choque(await crear(campos), fecha, i);
		},
	);

	it("accepts moves onto a free date, a festivo's draw onto its rule's day, a daily draw's new hour", async () => {
		for (const campos of [
			{ dia_sorteo: "viernes", hora_sorteo: "23:00", movimientos: MOVIMIENTOS_MEDELLIN },
			{
				dia_sorteo: "jueves",
				movimientos: [{ fecha_nominal: "2026-01-15", fecha_real: "2026-01-17" }],
			},
			{
				dia_sorteo: "lunes",
				movimientos: [{ fecha_nominal: "2026-01-12", fecha_real: "2026-01-13", hora: "21:00" }],
			},
			{
				frecuencia: "mensual",
				dia_sorteo: "viernes",
				movimientos: [{ fecha_nominal: "2026-02-06", fecha_real: "2026-02-13" }],
			},
			{
				frecuencia: "diaria",
				movimientos: [{ fecha_nominal: "2026-01-12", fecha_real: "2026-01-12", hora: "23:00" }],
			},
		]) {
			expect((await crear(campos)).status).toBe(201);
		}
	});

	it("PATCH checks the loteria as it would be: a new schedule can make a published move collide", async () => {
		const movimientos = [{ fecha_nominal: "2026-01-15", fecha_real: "2026-01-16" }];
		const lot = await createLoteria(admin.token, { dia_sorteo: "jueves", movimientos });
		const path = `/api/v1/loterias/${lot.id}`;
		choque(await patch(path, { frecuencia: "diaria" }, admin.token), "2026-01-16", 0);
		choque(
			await patch(
				path,
				{ movimientos: [{ fecha_nominal: "2026-01-15", fecha_real: "2026-01-22" }] },
				admin.token,
			),
			"2026-01-22",
			0,
		);
		expect((await get(path)).body).toMatchObject({ frecuencia: "semanal", movimientos });
		const cal = await get(`${path}/sorteos?desde=2026-01-15&hasta=2026-01-22`);
		expect(cal.body.items.map((s: { fecha: string }) => s.fecha)).toEqual([
			"2026-01-16",
			"2026-01-22",
		]);
	});
});
