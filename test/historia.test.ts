import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { comprasDeHistoria, sembrarHistoria } from "../seeds/historia";
import { auditar } from "../src/verificacion/auditoria";
import { descargarRifa } from "../src/verificacion/descarga";
import {
	BASE,
	call,
	createCategoria,
	createLoteria,
	createUser,
	expectProblem,
	get,
	post,
	rifaBody,
	type TestUser,
} from "./helpers";
import { instante } from "./resultado-helpers";

/** The Lotería de Bogotá's premio mayor of Thursday 2026-01-15, as published (resultados.csv). */
const REAL = {
	fecha: "2026-01-15",
	numero: "3649",
	serie: "188",
	fuente:
		"https://www.publimetro.co/entretenimiento/2026/01/16/loterias-de-bogota-y-quindio-numeros-ganadores-del-jueves-15-de-enero-de-2026/",
};
const SORTEO = instante(REAL.fecha);
const FIN = new Date(Date.parse(SORTEO) - 30 * 60_000).toISOString();
const INICIO = new Date(Date.parse(SORTEO) - 7 * 86_400_000).toISOString();
const api = (path: string, init?: RequestInit) =>
	exports.default.fetch(new Request(`${BASE}${path}`, init));

let admin: TestUser;
let compradores: TestUser[];

beforeAll(async () => {
	admin = await createUser({ rol: "admin" });
	compradores = await Promise.all([1, 2, 3].map(() => createUser()));
});

/** A rifa on that draw whose sales ended, as the seed leaves it: closed, its room untouched. */
const rifaCerrada = async () => {
	const cat = await createCategoria(admin.token);
	const lot = await createLoteria(admin.token, { fuentes: ["admin"], fuentes_requeridas: 1 });
	const res = await post("/api/v1/rifas", rifaBody(cat.id, lot.id), admin.token);
	expect(res.status).toBe(201);
	await env.DB.prepare(
		"UPDATE rifas SET fecha_inicio = ?, fecha_fin = ?, fecha_sorteo = ?, estado = 'cerrada' WHERE id = ?",
	)
		.bind(INICIO, FIN, SORTEO, res.body.id)
		.run();
	return { id: res.body.id as string, loteriaId: lot.id };
};

const historia = (rifaId: string, loteriaId: string) => ({
	admin: { email: admin.email, password: admin.password },
	rifaId,
	loteriaId,
	clave: env.TEST_CLAVE_HISTORICA_PRIVADA,
	compras: comprasDeHistoria(
		{ fecha_inicio: INICIO, fecha_fin: FIN },
		100,
		compradores.map((c) => c.id),
		49,
	),
	sellado_en: FIN,
	resultado: REAL,
	// Prizes are paid by hand here (PAYOUTS_PROVIDER=manual).
	esperaPagoMs: 0,
});

const importar = (rifaId: string, body: unknown, token = admin.token, extra = {}) =>
	call("POST", `/api/v1/desarrollo/rifas/${rifaId}/historia`, { body, token, ...extra });

describe("a past rifa brought in with its history (the seeded resolved rifa)", () => {
	it("sells every number that week, seals before the draw, settles on the real result and passes the full audit", async () => {
		const { id, loteriaId } = await rifaCerrada();
		const h = historia(id, loteriaId);
		const settled = await sembrarHistoria(api, h);
		expect(settled.estado).toBe("resuelta");

		const resultados = await get(`/api/v1/rifas/${id}/resultados`, admin.token);
		expect(resultados.body.resultado).toMatchObject({ numero: REAL.numero, serie: REAL.serie });
		expect(resultados.body.ganadores).toMatchObject([
			{ numero: 49, usuario_id: compradores[0]?.id, posicion: 1 },
		]);

		const registro = await get(`/api/v1/rifas/${id}/registro`);
		expect(registro.body.total).toBe(100);
		const sello = await get(`/api/v1/rifas/${id}/sello`);
		expect(sello.body.sellado_en).toBe(FIN);

		const tickets = await env.DB.prepare(
			"SELECT count(*) AS n, min(comprado_en) AS desde, max(comprado_en) AS hasta, count(recibo) AS firmados FROM tickets WHERE rifa_id = ?",
		)
			.bind(id)
			.first<{ n: number; desde: string; hasta: string; firmados: number }>();
		expect(tickets).toMatchObject({ n: 100, firmados: 100 });
		expect((tickets?.desde ?? "") >= INICIO && (tickets?.hasta ?? FIN) < FIN).toBe(true);

		const documentos = await descargarRifa(BASE, id, (input, init) =>
			exports.default.fetch(new Request(input as string, init)),
		);
		const audit = await auditar(documentos);
		expect(audit.checks.filter((c) => c.estado !== "ok")).toEqual([]);

		// Again: nothing doubles, the same seal stands.
		const otra = await importar(id, {
			clave: h.clave,
			compras: h.compras,
			sellado_en: h.sellado_en,
		});
		expect(otra.status).toBe(200);
		expect(otra.body).toMatchObject({ importada: false, vendidos: 100, raiz: sello.body.raiz });
		expect((await get(`/api/v1/rifas/${id}/registro`)).body.total).toBe(100);
	});

	it("exists only in development, and only for admins", async () => {
		const { id, loteriaId } = await rifaCerrada();
		const { clave, compras, sellado_en } = historia(id, loteriaId);
		const body = { clave, compras, sellado_en };
		const jugador = compradores[1] as TestUser;
		expectProblem(await importar(id, body, jugador.token), 403);
		expectProblem(await call("POST", `/api/v1/desarrollo/rifas/${id}/historia`, { body }), 401);
		for (const ENVIRONMENT of ["production", "staging"]) {
			expectProblem(await importar(id, body, admin.token, { env: { ENVIRONMENT } }), 404);
		}
		expect((await get("/openapi.json")).text).not.toContain("/desarrollo/");
	});

	it("refuses a key not published as retired, a history outside the key's or the rifa's time, unknown buyers and a rifa not closed", async () => {
		const { id, loteriaId } = await rifaCerrada();
		const h = historia(id, loteriaId);
		const body = { clave: h.clave, compras: h.compras, sellado_en: h.sellado_en };

		expectProblem(await importar(id, { ...body, clave: env.RECIBOS_CLAVE_PRIVADA }), 422);
		expectProblem(await importar(id, { ...body, clave: env.TEST_CLAVE_ANTERIOR_PRIVADA }), 422);
		const tarde = { ...body, sellado_en: SORTEO };
		expectProblem(await importar(id, tarde), 422);
		const [primera, ...resto] = h.compras;
		const antes = {
			...body,
			compras: [{ ...primera, vendido_en: "2026-01-07T12:00:00.000Z" }, ...resto],
		};
		expectProblem(await importar(id, antes), 422);
		const repetido = { ...body, compras: [...h.compras, { ...primera, vendido_en: FIN }] };
		expectProblem(await importar(id, repetido), 422);
		const fantasma = { ...body, compras: [{ ...primera, usuario_id: crypto.randomUUID() }] };
		expectProblem(await importar(id, fantasma), 422);
		expectProblem(await importar(id, { ...body, sellado_en: "ayer" }), 422);

		// None of that touched the room: the real history still goes in.
		expect((await importar(id, body)).status).toBe(201);

		const abierta = await post(
			"/api/v1/rifas",
			rifaBody((await createCategoria(admin.token)).id, loteriaId),
			admin.token,
		);
		expectProblem(await importar(abierta.body.id, body), 409);
		expectProblem(await importar(crypto.randomUUID(), body), 404);
	});
});
