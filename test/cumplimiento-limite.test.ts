import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import {
	call,
	createCategoria,
	createLoteria,
	createUser,
	expectProblem,
	inDays,
	rifaBody,
	type TestUser,
} from "./helpers";

// Legal mode colombia: at most MAX_RIFAS_MES (2) non-cancelled rifas of one operador drawing in
// one calendar month, Colombia time, decided by the write itself (src/cumplimiento/limite-mensual.ts).

const COLOMBIA: Partial<Env> = { MODO_LEGAL: "colombia" };

let admin: TestUser;
let categoriaId: string;
let loteriaId: string;

beforeAll(async () => {
	admin = await createUser({ rol: "admin" });
	categoriaId = (await createCategoria(admin.token)).id;
	// Draws every day at 22:30 Colombia time: any date can be a rifa's draw.
	loteriaId = (await createLoteria(admin.token, { frecuencia: "diaria", dia_sorteo: null })).id;
});

/** Year and month (1–12) `k` months from now, in UTC. */
const mes = (k: number) => {
	const d = new Date();
	const m = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + k, 1));
	return { y: m.getUTCFullYear(), m: m.getUTCMonth() + 1 };
};
const ultimoDia = ({ y, m }: { y: number; m: number }) => new Date(Date.UTC(y, m, 0)).getUTCDate();
const pad = (n: number) => String(n).padStart(2, "0");
/** 22:30 in Colombia on that day: already the next day in UTC. */
const sorteo = ({ y, m }: { y: number; m: number }, dia: number) =>
	`${y}-${pad(m)}-${pad(dia)}T22:30:00-05:00`;
const fechas = (draw: string) => ({
	fecha_inicio: inDays(1),
	fecha_fin: new Date(Date.parse(draw) - 3_600_000).toISOString(),
	fecha_sorteo: draw,
});

const crear = (operador: TestUser, draw: string, modo: "colombia" | "libre" = "colombia") =>
	call("POST", "/api/v1/rifas", {
		token: operador.token,
		body: rifaBody(categoriaId, loteriaId, fechas(draw)),
		env: modo === "colombia" ? COLOMBIA : undefined,
	});

const creada = async (operador: TestUser, draw: string) => {
	const res = await crear(operador, draw);
	if (res.status !== 201) throw new Error(`crear: ${res.status} ${res.text}`);
	return res.body as { id: string };
};

const limite = (res: Awaited<ReturnType<typeof crear>>) => {
	const problem = expectProblem(res, 422);
	expect(problem.errors).toEqual([
		expect.objectContaining({ path: "fecha_sorteo", code: "limite_mensual" }),
	]);
	return problem;
};

describe("at most two rifas a month per operador (colombia)", () => {
	it("refuses the third, counting months in Colombia time; a cancelled one frees its place", async () => {
		const operador = await createUser({ rol: "operador" });
		const M = mes(3);
		const M1 = mes(4);
		await creada(operador, sorteo(M1, 5));
		// The last day of M at 22:30 in Bogotá is the 1st of M+1 in UTC: it counts in M.
		await creada(operador, sorteo(M, ultimoDia(M)));
		const segunda = await creada(operador, sorteo(M, 10));
		const tercera = limite(await crear(operador, sorteo(M, 20)));
		expect(tercera.detail).toContain(`${M.y}-${pad(M.m)}`);
		// M+1 has one: had the last-day rifa counted by its UTC date, this one would be refused.
		await creada(operador, sorteo(M1, 2));
		limite(await crear(operador, sorteo(M1, 20)));
		// Another operador has its own two.
		const otro = await createUser({ rol: "operador" });
		await creada(otro, sorteo(M, 20));

		const cancelar = await call("PATCH", `/api/v1/rifas/${segunda.id}`, {
			token: operador.token,
			body: { estado: "cancelada" },
			env: COLOMBIA,
		});
		expect(cancelar.status).toBe(200);
		await creada(operador, sorteo(M, 20));
		limite(await crear(operador, sorteo(M, 21)));
		const n = await env.DB.prepare(
			"SELECT count(*) AS n FROM rifas WHERE creado_por = ? AND estado <> 'cancelada'",
		)
			.bind(operador.id)
			.first<{ n: number }>();
		expect(n?.n).toBe(4);
	});

	it("two creations at once for the last place: exactly one is written", async () => {
		const operador = await createUser({ rol: "operador" });
		const M = mes(5);
		await creada(operador, sorteo(M, 3));
		const res = await Promise.all([crear(operador, sorteo(M, 12)), crear(operador, sorteo(M, 13))]);
		expect(res.map((r) => r.status).sort()).toEqual([201, 422]);
		limite(res.find((r) => r.status === 422) as (typeof res)[number]);
		const n = await env.DB.prepare("SELECT count(*) AS n FROM rifas WHERE creado_por = ?")
			.bind(operador.id)
			.first<{ n: number }>();
		expect(n?.n).toBe(2);
		// Nothing audited for the refused one.
		const audit = await env.DB.prepare(
			"SELECT count(*) AS n FROM audit_log WHERE actor_id = ? AND action = 'rifa.created'",
		)
			.bind(operador.id)
			.first<{ n: number }>();
		expect(audit?.n).toBe(2);
	});

	it("applies when a change moves fecha_sorteo into a full month, not within its own", async () => {
		const operador = await createUser({ rol: "operador" });
		const M = mes(6);
		const M1 = mes(7);
		await creada(operador, sorteo(M, 3));
		await creada(operador, sorteo(M, 4));
		const movida = await creada(operador, sorteo(M1, 8));
		const mover = (draw: string) =>
			call("PATCH", `/api/v1/rifas/${movida.id}`, {
				token: operador.token,
				body: fechas(draw),
				env: COLOMBIA,
			});
		limite(await mover(sorteo(M, 25)));
		expect((await mover(sorteo(M1, 15))).status).toBe(200);
		// In libre mode the change goes through.
		const libre = await call("PATCH", `/api/v1/rifas/${movida.id}`, {
			token: operador.token,
			body: fechas(sorteo(M, 25)),
		});
		expect(libre.status).toBe(200);
	});

	it("does not apply in libre mode", async () => {
		const operador = await createUser({ rol: "operador" });
		const M = mes(3);
		for (const dia of [3, 4, 5]) {
			expect((await crear(operador, sorteo(M, dia), "libre")).status).toBe(201);
		}
	});
});
