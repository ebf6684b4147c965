import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { cambioDeRifa } from "../src/cumplimiento/guardas";
import { createDb } from "../src/db/client";
import { rifas } from "../src/db/schema";
import { fechaColombia, sumarDias } from "../src/domain/calendario";
import { runScheduled } from "../src/jobs/scheduler";
import { subirPremio } from "./cumplimiento-helpers";
import { call, createRifa, createUser, del, expectProblem, inDays, type TestUser } from "./helpers";

// Legal mode (src/cumplimiento/, docs/cumplimiento.md), through HTTP. A prize's files are in
// cumplimiento-archivos.test.ts, the monthly limit in cumplimiento-limite.test.ts, the pure parts in
// cumplimiento-unidad.test.ts.

/** The deployment in legal mode colombia, request by request (the tests' default is libre). */
const COLOMBIA: Partial<Env> = { MODO_LEGAL: "colombia" };

const hoy = () => fechaColombia(new Date());
/** A Colombian date `n` days from today. */
const dia = (n: number) => sumarDias(hoy(), n);

const autorizacionValida = () => ({
	autoridad: "Lotería de Bogotá",
	numero: `GESTORES-${crypto.randomUUID().slice(0, 6)}`,
	fecha: dia(-10),
	vigencia_hasta: dia(60),
	fecha_solicitud: dia(-50),
});

const garantiaValida = () => ({
	aseguradora: "Seguros del Estado S.A.",
	numero: `CU-${crypto.randomUUID().slice(0, 6)}`,
	valor: 30_000_000_000,
	vigencia_hasta: dia(90),
});

/** Authorization, guarantee and one prize with its invoice: what a one-winner rifa needs to open. */
const completar = async (rifaId: string, token: string) => {
	const a = await call("PUT", `/api/v1/rifas/${rifaId}/autorizacion`, {
		token,
		body: autorizacionValida(),
	});
	const g = await call("PUT", `/api/v1/rifas/${rifaId}/garantia`, {
		token,
		body: garantiaValida(),
	});
	const p = await subirPremio(rifaId, token);
	if (a.status !== 200 || g.status !== 200 || p.status !== 201) {
		throw new Error(`completar: ${a.status} ${g.status} ${p.status} ${JSON.stringify(p.body)}`);
	}
	return p.body as {
		id: string;
		fotos: string[];
		soporte_propiedad: { archivo: string; sha256: string };
	};
};

const abrir = (rifaId: string, token: string, modo: "colombia" | "libre" = "colombia") =>
	call("PATCH", `/api/v1/rifas/${rifaId}`, {
		token,
		body: { estado: "activa" },
		env: modo === "colombia" ? COLOMBIA : undefined,
	});

// --- Tests ----------------------------------------------------------------------------------------

let admin: TestUser;
let operador: TestUser;
let otroOperador: TestUser;
let jugador: TestUser;

beforeAll(async () => {
	admin = await createUser({ rol: "admin" });
	operador = await createUser({ rol: "operador" });
	otroOperador = await createUser({ rol: "operador" });
	jugador = await createUser();
});

const cumplimiento = (rifaId: string, token = operador.token) =>
	call("GET", `/api/v1/rifas/${rifaId}/cumplimiento`, { token });

const estadoDe = async (rifaId: string) =>
	(
		await env.DB.prepare("SELECT estado FROM rifas WHERE id = ?")
			.bind(rifaId)
			.first<{ estado: string }>()
	)?.estado;

const fila = (rifaId: string) =>
	env.DB.prepare(
		"SELECT valor_emision, derechos, administracion, fijado_en FROM rifas_cumplimiento WHERE rifa_id = ?",
	)
		.bind(rifaId)
		.first<{
			valor_emision: number | null;
			derechos: number | null;
			administracion: number | null;
			fijado_en: string | null;
		}>();

describe("legal mode libre (the default)", () => {
	it("changes nothing: a rifa opens with no authorization, guarantee or prize; the view only informs", async () => {
		const rifa = await createRifa(operador.token);
		const vista = await cumplimiento(rifa.id);
		expect(vista.status).toBe(200);
		expect(vista.body).toMatchObject({
			modo: "libre",
			completa: false,
			autorizacion: null,
			premios: [],
		});
		expect(vista.body.faltantes.map((f: { campo: string }) => f.campo)).toEqual([
			"autorizacion",
			"premios",
			"garantia",
		]);
		expect((await abrir(rifa.id, operador.token, "libre")).status).toBe(200);
		expect(await fila(rifa.id)).toBeNull();
		expect((await cumplimiento(rifa.id)).body.emision.fijada).toBe(false);
	});
});

describe("legal mode colombia: opening a rifa", () => {
	it("is refused naming each missing item, until it is complete; then the emission is fixed in exact centavos", async () => {
		// 1,000 boletas of $10.000 (createCategoria's price).
		const rifa = await createRifa(operador.token, { total_boletas: 1000 });
		const base = `/api/v1/rifas/${rifa.id}`;
		const caminos = (res: { body: { errors: { path: string }[] } }) =>
			res.body.errors.map((e) => e.path);

		let res = await abrir(rifa.id, operador.token);
		expectProblem(res, 422);
		expect(caminos(res)).toEqual(["autorizacion", "premios", "garantia"]);
		expect(res.body.errors.every((e: { code: string }) => e.code === "requisito_legal")).toBe(true);

		// Requested only 20 days before: less than the 45 the authority asks.
		const tarde = { ...autorizacionValida(), fecha_solicitud: dia(-20) };
		expect(
			(await call("PUT", `${base}/autorizacion`, { token: operador.token, body: tarde })).status,
		).toBe(200);
		// A prize without its ownership proof.
		const sinSoporte = await subirPremio(rifa.id, operador.token, { soporte: null });
		expect(sinSoporte.status).toBe(201);
		expect(sinSoporte.body.soporte_propiedad).toBeNull();
		// A guarantee that ends before the draw.
		const corta = { ...garantiaValida(), vigencia_hasta: dia(0) };
		expect(
			(await call("PUT", `${base}/garantia`, { token: operador.token, body: corta })).status,
		).toBe(200);
		res = await abrir(rifa.id, operador.token);
		expectProblem(res, 422);
		expect(caminos(res)).toEqual([
			"autorizacion.fecha_solicitud",
			"premios[0].soporte_propiedad",
			"garantia",
		]);
		expect(res.body.errors[0].message).toContain("al menos 45 días");
		expect((await cumplimiento(rifa.id)).body.faltantes).toHaveLength(3);

		expect(
			(
				await call("PUT", `${base}/autorizacion`, {
					token: operador.token,
					body: autorizacionValida(),
				})
			).status,
		).toBe(200);
		expect((await del(`${base}/premios/${sinSoporte.body.id}`, operador.token)).status).toBe(204);
		const premio = await subirPremio(rifa.id, operador.token);
		expect(premio.status).toBe(201);
		expect(
			(await call("PUT", `${base}/garantia`, { token: operador.token, body: garantiaValida() }))
				.status,
		).toBe(200);
		const lista = await cumplimiento(rifa.id);
		expect(lista.body).toMatchObject({ completa: true, faltantes: [] });
		expect(lista.body.emision).toEqual({
			total_boletas: 1000,
			valor_boleta: 1_000_000,
			valor_emision: 1_000_000_000,
			derechos: 140_000_000,
			administracion: 1_400_000,
			fijada: false,
			fijada_en: null,
		});

		res = await abrir(rifa.id, operador.token);
		expect(res.status).toBe(200);
		expect(res.body.estado).toBe("activa");
		expect(await fila(rifa.id)).toMatchObject({
			valor_emision: 1_000_000_000,
			derechos: 140_000_000,
			administracion: 1_400_000,
			fijado_en: expect.any(String),
		});
		const vista = await cumplimiento(rifa.id, admin.token);
		expect(vista.body.modo).toBe("libre");
		expect(vista.body.emision).toMatchObject({ valor_emision: 1_000_000_000, fijada: true });
		const audit = await call(
			"GET",
			`/api/v1/admin/auditoria?entity=rifa&entity_id=${rifa.id}&per_page=50`,
			{
				token: admin.token,
			},
		);
		const acciones = audit.body.items.map((i: { action: string }) => i.action);
		expect(acciones).toEqual(
			expect.arrayContaining([
				"cumplimiento.autorizacion",
				"cumplimiento.garantia",
				"cumplimiento.premio_creado",
				"cumplimiento.premio_eliminado",
				"cumplimiento.emision_fijada",
				"rifa.activa",
			]),
		);

		// Open: nobody changes what was authorized, neither its record nor what the emission covers.
		expectProblem(
			await call("PUT", `${base}/garantia`, { token: operador.token, body: garantiaValida() }),
			409,
		);
		expectProblem(
			await call("PUT", `${base}/autorizacion`, { token: admin.token, body: autorizacionValida() }),
			409,
		);
		expectProblem(await subirPremio(rifa.id, operador.token, { posicion: 2 }), 409);
		expectProblem(await del(`${base}/premios/${premio.body.id}`, operador.token), 409);
		const cambio = await call("PATCH", base, {
			token: operador.token,
			body: { total_boletas: 100 },
			env: COLOMBIA,
		});
		expect(expectProblem(cambio, 409).errors[0]).toMatchObject({
			path: "total_boletas",
			code: "definicion_autorizada",
		});
	});

	it("a change of the record between the check and the opening cannot slip in: the opening is conditional on it", async () => {
		const rifa = await createRifa(operador.token);
		await completar(rifa.id, operador.token);
		// The version the checklist read is what the opening's UPDATE requires: bumped behind its back,
		// the opening is a 409 and nothing is fixed.
		const version = await env.DB.prepare("SELECT version FROM rifas_cumplimiento WHERE rifa_id = ?")
			.bind(rifa.id)
			.first<{ version: number }>();
		const db = createDb(env.DB);
		const current = await db.query.rifas.findFirst({ where: eq(rifas.id, rifa.id) });
		if (!current) throw new Error("no rifa");
		const next = { ...current, estado: "activa" as const, actualizadoEn: new Date().toISOString() };
		const quien = { actorId: null, requestId: null };
		const colombia = { ...env, ...COLOMBIA } as Env;
		const cambio = await cambioDeRifa(db, colombia, current, next, [], quien);
		await env.DB.prepare("UPDATE rifas_cumplimiento SET version = version + 1 WHERE rifa_id = ?")
			.bind(rifa.id)
			.run();
		const [updated, ...rest] = await db.batch([
			db
				.update(rifas)
				.set({ estado: "activa", actualizadoEn: next.actualizadoEn })
				.where(and(eq(rifas.id, rifa.id), eq(rifas.estado, "pendiente"), cambio.condicion))
				.returning(),
			...cambio.sentencias,
		]);
		expect(version?.version).toBeGreaterThan(0);
		expect(updated).toEqual([]);
		expect(rest).toHaveLength(2);
		expect(await estadoDe(rifa.id)).toBe("pendiente");
		expect(await fila(rifa.id)).toMatchObject({ fijado_en: null });
	});

	it("the cron leaves an incomplete rifa pendiente and opens a complete one, fixing its emission", async () => {
		const incompleta = await createRifa(operador.token, { fecha_inicio: inDays(-1) });
		const completa = await createRifa(operador.token, { fecha_inicio: inDays(-1) });
		await completar(completa.id, operador.token);
		const report = await runScheduled({ ...env, ...COLOMBIA } as Env, new Date());
		expect(report.sin_requisitos).toContain(incompleta.id);
		expect(report.abiertas).not.toContain(incompleta.id);
		expect(report.abiertas).toContain(completa.id);
		expect(report.errores.filter((e) => e.rifa_id === incompleta.id)).toEqual([]);
		expect(await estadoDe(incompleta.id)).toBe("pendiente");
		expect(await estadoDe(completa.id)).toBe("activa");
		expect(await fila(completa.id)).toMatchObject({
			valor_emision: 100_000_000,
			derechos: 14_000_000,
			administracion: 140_000,
		});
	});
});

describe("the record: who writes it, what it takes", () => {
	it("only the rifa's operador or an admin reads and writes it", async () => {
		const rifa = await createRifa(operador.token);
		const base = `/api/v1/rifas/${rifa.id}`;
		for (const quien of [otroOperador, jugador]) {
			expectProblem(
				await call("PUT", `${base}/autorizacion`, {
					token: quien.token,
					body: autorizacionValida(),
				}),
				403,
			);
			expectProblem(
				await call("PUT", `${base}/garantia`, { token: quien.token, body: garantiaValida() }),
				403,
			);
			expectProblem(await subirPremio(rifa.id, quien.token), 403);
			expectProblem(await cumplimiento(rifa.id, quien.token), 403);
		}
		expectProblem(await call("GET", `${base}/cumplimiento`), 401);
		expect(
			(await call("PUT", `${base}/garantia`, { token: admin.token, body: garantiaValida() }))
				.status,
		).toBe(200);
		expectProblem(await cumplimiento(crypto.randomUUID()), 404);
	});

	it("validates dates, values and fields, each a 422 in the one error format", async () => {
		const rifa = await createRifa(operador.token);
		const url = `/api/v1/rifas/${rifa.id}/autorizacion`;
		const put = (path: string, body: unknown) => call("PUT", path, { token: operador.token, body });
		const a = autorizacionValida();
		const camino = async (res: Awaited<ReturnType<typeof put>>) =>
			expectProblem(res, 422).errors.map((e: { path: string }) => e.path);
		expect(await camino(await put(url, { ...a, vigencia_hasta: a.fecha }))).toEqual([
			"vigencia_hasta",
		]);
		expect(await camino(await put(url, { ...a, fecha_solicitud: dia(-5) }))).toEqual([
			"fecha_solicitud",
		]);
		expect(await camino(await put(url, { ...a, fecha: "2027-02-30" }))).toContain("fecha");
		expect(await camino(await put(url, { ...a, fecha: "2027-02-03T10:00:00Z" }))).toContain(
			"fecha",
		);
		expect(await camino(await put(url, { ...a, extra: 1 }))).toEqual(["extra"]);
		const g = `/api/v1/rifas/${rifa.id}/garantia`;
		expect(await camino(await put(g, { ...garantiaValida(), valor: 0 }))).toEqual(["valor"]);
		expect(await camino(await put(g, { ...garantiaValida(), valor: 10.5 }))).toEqual(["valor"]);
		expect(await camino(await put(g, { ...garantiaValida(), aseguradora: "" }))).toEqual([
			"aseguradora",
		]);
	});
});
