import { beforeAll, describe, expect, it } from "vitest";
import {
	createCast,
	createCategoria,
	createLoteria,
	expectProblem,
	patch,
	post,
	rifaBody,
	type TestUser,
} from "./helpers";

let admin: TestUser;
let categoriaId: string;
/** Lotería de Bogotá's schedule: Thursdays at 22:30, Colombia time. */
let bogotaId: string;

beforeAll(async () => {
	({ admin } = await createCast());
	categoriaId = (await createCategoria(admin.token)).id;
	bogotaId = (await createLoteria(admin.token, { dia_sorteo: "jueves", hora_sorteo: "22:30" })).id;
});

const create = (overrides: Record<string, unknown>, loteriaId = bogotaId) =>
	post("/api/v1/rifas", rifaBody(categoriaId, loteriaId, overrides), admin.token);

describe("a rifa's draw is one of its loteria's draws", () => {
	it("refuses sales that end after the draw they would be decided by (Thursday 23:59 vs 22:30)", async () => {
		const res = await create({
			fecha_inicio: "2030-01-01T00:00:00-05:00",
			fecha_fin: "2030-01-03T23:59:00-05:00",
			fecha_sorteo: "2030-01-03T23:59:00-05:00",
		});
		const problem = expectProblem(res, 422);
		expect(problem.errors).toEqual([
			expect.objectContaining({ path: "fecha_sorteo", code: "no_es_sorteo" }),
		]);
		// The nearest draws, before and after, are named.
		expect(problem.detail).toContain(
			"2030-01-04T03:30:00.000Z (2030-01-03 22:30 hora de Colombia)",
		);
		expect(problem.detail).toContain(
			"2030-01-11T03:30:00.000Z (2030-01-10 22:30 hora de Colombia)",
		);

		// Without a fecha_sorteo the same sales window is decided by the next Thursday's draw.
		const next = await create({
			fecha_inicio: "2030-01-01T00:00:00-05:00",
			fecha_fin: "2030-01-03T23:59:00-05:00",
		});
		expect(next.status).toBe(201);
		expect(next.body.fecha_sorteo).toBe("2030-01-11T03:30:00.000Z");
	});

	it("ends sales at least MINUTOS_CIERRE_ANTES_SORTEO (30) minutes before the draw", async () => {
		const draw = "2030-01-03T22:30:00-05:00";
		const late = expectProblem(
			await create({ fecha_fin: "2030-01-03T22:15:00-05:00", fecha_sorteo: draw }),
			422,
		);
		expect(late.errors).toEqual([
			expect.objectContaining({ path: "fecha_sorteo", code: "cierre_tardio" }),
		]);
		expect(late.detail).toContain("2030-01-04T03:00:00.000Z");
		const onTime = await create({ fecha_fin: "2030-01-03T22:00:00-05:00", fecha_sorteo: draw });
		expect(onTime.status).toBe(201);
		expect(onTime.body.fecha_sorteo).toBe("2030-01-04T03:30:00.000Z");

		// Omitted, the draw is the first one at or after fecha_fin plus the margin.
		const sameDay = await create({ fecha_fin: "2030-01-03T22:00:00-05:00" });
		expect(sameDay.body.fecha_sorteo).toBe("2030-01-04T03:30:00.000Z");
		const nextWeek = await create({ fecha_fin: "2030-01-03T22:01:00-05:00" });
		expect(nextWeek.body.fecha_sorteo).toBe("2030-01-11T03:30:00.000Z");
	});

	it("follows holidays: Jueves Santo's draw moves past Viernes Santo to Saturday", async () => {
		// Easter 2030 is April 21: Thursday 18 and Friday 19 are holidays.
		const res = expectProblem(
			await create({
				fecha_fin: "2030-04-18T20:00:00-05:00",
				fecha_sorteo: "2030-04-18T22:30:00-05:00",
			}),
			422,
		);
		expect(res.detail).toContain("2030-04-21T03:30:00.000Z (2030-04-20 22:30 hora de Colombia)");
		const moved = await create({ fecha_fin: "2030-04-18T20:00:00-05:00" });
		expect(moved.body.fecha_sorteo).toBe("2030-04-21T03:30:00.000Z");
	});

	it("follows a move the lottery published, over the holiday rule", async () => {
		const lot = await createLoteria(admin.token, {
			dia_sorteo: "viernes",
			hora_sorteo: "23:00",
			movimientos: [{ fecha_nominal: "2030-12-06", fecha_real: "2030-12-05", hora: "22:00" }],
		});
		expectProblem(
			await create(
				{ fecha_fin: "2030-12-04T20:00:00-05:00", fecha_sorteo: "2030-12-06T23:00:00-05:00" },
				lot.id,
			),
			422,
		);
		const res = await create({ fecha_fin: "2030-12-04T20:00:00-05:00" }, lot.id);
		expect(res.body.fecha_sorteo).toBe("2030-12-06T03:00:00.000Z");
	});

	it("refuses a loteria without a calendar unless told the draw, and then only a draw", async () => {
		const lot = await createLoteria(admin.token, { dia_sorteo: null, hora_sorteo: null });
		const res = expectProblem(await create({}, lot.id), 422);
		expect(res.errors[0]).toMatchObject({ path: "fecha_sorteo", code: "sin_sorteos" });
	});

	it("applies the same rules to PATCH", async () => {
		const created = await create({ fecha_fin: "2030-01-03T22:00:00-05:00" });
		const id = created.body.id;
		const moved = expectProblem(
			await patch(
				`/api/v1/rifas/${id}`,
				{ fecha_sorteo: "2030-01-05T22:30:00-05:00" },
				admin.token,
			),
			422,
		);
		expect(moved.errors[0].code).toBe("no_es_sorteo");
		const lateEnd = expectProblem(
			await patch(`/api/v1/rifas/${id}`, { fecha_fin: "2030-01-03T22:10:00-05:00" }, admin.token),
			422,
		);
		expect(lateEnd.errors[0].code).toBe("cierre_tardio");
		const otherLot = await createLoteria(admin.token, {
			dia_sorteo: "lunes",
			hora_sorteo: "22:30",
		});
		expectProblem(
			await patch(`/api/v1/rifas/${id}`, { loteria_id: otherLot.id }, admin.token),
			422,
		);
		const ok = await patch(
			`/api/v1/rifas/${id}`,
			{ fecha_fin: "2030-01-10T21:00:00-05:00", fecha_sorteo: "2030-01-10T22:30:00-05:00" },
			admin.token,
		);
		expect(ok.status).toBe(200);
		expect(ok.body.fecha_sorteo).toBe("2030-01-11T03:30:00.000Z");
	});
});
