import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
	type CasoDudoso,
	CONFLICTOS,
	INCOMPLETOS,
	UNA_SOLA_FUENTE,
} from "./fixtures/resultados-dudosos";
import {
	call,
	createCast,
	createLoteria,
	createUser,
	expectProblem,
	get,
	post,
	runCron,
	type TestUser,
	waitFor,
} from "./helpers";
import {
	estadoRifa,
	loteriaWebhookAdmin,
	observe,
	push,
	rifaOnDraw as rifaOnDrawOf,
} from "./resultado-helpers";

let admin: TestUser;
let admin2: TestUser;
let admin3: TestUser;
let operador: TestUser;
let jugador: TestUser;

beforeAll(async () => {
	({ admin, operador, jugador } = await createCast());
	admin2 = await createUser({ rol: "admin" });
	admin3 = await createUser({ rol: "admin" });
});

afterEach(() => {
	vi.restoreAllMocks();
});

const COLOMBIA_MS = 5 * 3_600_000;

const loteria = (dia: string, extra: Record<string, unknown> = {}) =>
	loteriaWebhookAdmin(admin, dia, extra);
const rifaOnDraw = (loteriaId: string, fecha: string, numero: number) =>
	rifaOnDrawOf(admin, jugador, loteriaId, fecha, numero);

const conflictsMetric = async () => {
	const res = await call("GET", "/metrics", {
		headers: { Authorization: `Bearer ${env.METRICS_TOKEN}` },
	});
	const line = res.text.split("\n").find((l) => l.startsWith("rifa1122_result_conflicts_total"));
	return Number(line?.split(" ").at(-1));
};

describe("a result is confirmed by independent sources", () => {
	it("needs two distinct sources: one article alone (Tolima) leaves the rifa waiting", async () => {
		const lot = await loteria("lunes");
		const rifa = await rifaOnDraw(lot.id, UNA_SOLA_FUENTE.fecha, 20);
		const { numero, serie, url } = UNA_SOLA_FUENTE;
		const first = await observe(admin, lot.id, UNA_SOLA_FUENTE.fecha, {
			numero,
			serie,
			evidencia: { url },
		});
		expect(first.status).toBe(201);
		expect(first.body).toMatchObject({ estado: "pendiente", fuentes_requeridas: 2 });
		// The same admin again, or a second admin, is still the one source `admin`.
		await observe(admin, lot.id, UNA_SOLA_FUENTE.fecha, { numero, serie, evidencia: { url } });
		const second = await observe(admin2, lot.id, UNA_SOLA_FUENTE.fecha, {
			numero,
			serie,
			evidencia: { url: "https://www.loteriadeltolima.com/resultados" },
		});
		expect(second.body.estado).toBe("pendiente");
		await runCron();
		expect(await estadoRifa(rifa.id)).toBe("cerrada");

		// The webhook is the second source: confirmed, and the rifa settles at once.
		const pushed = await push({ loteria_id: lot.id, fecha: UNA_SOLA_FUENTE.fecha, numero, serie });
		expect(pushed.body).toMatchObject({ estado: "confirmado", rifas_resueltas: [rifa.id] });
		expect(
			(await get(`/api/v1/loterias/${lot.id}/resultados/${UNA_SOLA_FUENTE.fecha}`)).body,
		).toMatchObject({
			estado: "confirmado",
			numero: "4820",
			serie: "123",
			fuente: "quorum:admin+webhook",
		});
		expect(await estadoRifa(rifa.id)).toBe("resuelta");
		const resultado = (await get(`/api/v1/rifas/${rifa.id}/resultados`)).body;
		expect(resultado.ganadores[0]).toMatchObject({ numero: 20 });
	});

	it("confirms when the webhook and an admin agree, keeping each one's evidence", async () => {
		const lot = await loteria("jueves");
		const fecha = "2026-01-15";
		const rifa = await rifaOnDraw(lot.id, fecha, 49);
		const pushed = await push({
			loteria_id: lot.id,
			fecha,
			numero: "3649",
			serie: "188",
			url: "https://www.loteriadebogota.com/resultados",
		});
		expect(pushed.body).toMatchObject({ estado: "pendiente", nuevo: true, rifas_resueltas: [] });
		const agreed = await observe(admin, lot.id, fecha, {
			numero: "3649",
			serie: "188",
			evidencia: {
				url: "https://www.loteriadebogota.com/resultados",
				sha256: "a".repeat(64),
			},
		});
		expect(agreed.body.estado).toBe("confirmado");
		expect(await estadoRifa(rifa.id)).toBe("resuelta");
		const publicView = await get(`/api/v1/loterias/${lot.id}/resultados/${fecha}`);
		expect(publicView.status).toBe(200);
		expect(publicView.body).toMatchObject({
			estado: "confirmado",
			instante: "2026-01-16T03:30:00.000Z",
			numero: "3649",
			serie: "188",
		});
		expect(publicView.body.observaciones).toEqual([
			expect.objectContaining({
				fuente: "webhook",
				evidencia: {
					url: "https://www.loteriadebogota.com/resultados",
					sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
				},
			}),
			expect.objectContaining({
				fuente: "admin",
				evidencia: expect.objectContaining({ sha256: "a".repeat(64) }),
			}),
		]);
		// Nothing in the public view names the admin.
		expect(JSON.stringify(publicView.body)).not.toContain(admin.id);
	});

	describe.each(CONFLICTOS)("sources that disagree: $caso", (caso: CasoDudoso) => {
		it("holds the result en_conflicto, settles nothing, alerts, and two admins resolve it once", async () => {
			const lot = await loteria(
				caso.dia,
				caso.movimiento ? { movimientos: [caso.movimiento] } : {},
			);
			const rifa = await rifaOnDraw(
				lot.id,
				caso.fecha,
				Number(caso.observaciones[0]?.numero.slice(-2)),
			);
			const before = await conflictsMetric();
			const warn = vi.spyOn(console, "warn");
			const [a, b] = caso.observaciones;
			if (!a || !b) throw new Error("a conflict needs two observations");
			const first = await push({
				loteria_id: lot.id,
				fecha: caso.fecha,
				numero: a.numero,
				serie: a.serie,
				url: a.url,
			});
			expect(first.body.estado).toBe("pendiente");
			const second = await observe(admin, lot.id, caso.fecha, {
				numero: b.numero,
				serie: b.serie,
				evidencia: { url: b.url },
			});
			expect(second.body.estado).toBe("en_conflicto");
			expect(await conflictsMetric()).toBe(before + 1);
			expect(warn.mock.calls.some(([l]) => String(l).includes("result sources disagree"))).toBe(
				true,
			);
			const audit = await env.DB.prepare(
				"SELECT action FROM audit_log WHERE entity = 'resultado' AND entity_id = ? ORDER BY created_at",
			)
				.bind(`${lot.id}:${caso.fecha}`)
				.all();
			expect(audit.results.map((r) => r.action)).toContain("resultado.en_conflicto");

			// A third source agreeing with one side does not settle a conflict either (and alerts too).
			await observe(admin2, lot.id, caso.fecha, {
				numero: a.numero,
				serie: a.serie,
				evidencia: { url: a.url },
			});
			expect(await conflictsMetric()).toBe(before + 2);
			await runCron();
			expect(await estadoRifa(rifa.id)).toBe("cerrada");
			expect((await get(`/api/v1/loterias/${lot.id}/resultados/${caso.fecha}`)).body.estado).toBe(
				"en_conflicto",
			);

			const path = `/api/v1/loterias/${lot.id}/resultados/${caso.fecha}/resolucion`;
			const decision = {
				numero: a.numero,
				serie: a.serie,
				motivo: "Acta oficial del sorteo consultada en la página de la lotería.",
			};
			expectProblem(await post(path, decision, operador.token), 403);
			expectProblem(await post(path, { numero: a.numero, serie: a.serie }, admin.token), 422);
			const propuesta = await post(path, decision, admin.token);
			expect(propuesta.status).toBe(201);
			expect(propuesta.body).toMatchObject({ estado: "propuesta", propuesta_por: admin.id });
			expect(await estadoRifa(rifa.id)).toBe("cerrada");
			const confirmacion = `${path}/${propuesta.body.id}/confirmacion`;
			expectProblem(await post(confirmacion, undefined, admin.token), 403);
			const resolved = await post(confirmacion, undefined, admin3.token);
			expect(resolved.status).toBe(200);
			expect(resolved.body).toMatchObject({
				estado: "confirmado",
				fuente: "resolucion",
				numero: a.numero,
				motivo: decision.motivo,
				rifas_resueltas: [rifa.id],
			});
			expect(await estadoRifa(rifa.id)).toBe("resuelta");
			expectProblem(await post(confirmacion, undefined, admin2.token), 409);
			expectProblem(
				await post(path, { ...decision, numero: b.numero, serie: b.serie }, admin2.token),
				409,
			);
			const resolution = await env.DB.prepare(
				"SELECT actor_id, before, after FROM audit_log WHERE action = 'resultado.resuelto' AND entity_id = ?",
			)
				.bind(`${lot.id}:${caso.fecha}`)
				.first<{ actor_id: string; before: string; after: string }>();
			expect(resolution?.actor_id).toBe(admin3.id);
			expect(JSON.parse(resolution?.before ?? "{}").estado).toBe("en_conflicto");
			expect(JSON.parse(resolution?.after ?? "{}")).toMatchObject({
				numero: a.numero,
				motivo: decision.motivo,
				propuesta_por: admin.id,
				confirmada_por: admin3.id,
			});

			// A later disagreeing push is recorded and alerted; the confirmed result stays.
			const late = await push({
				loteria_id: lot.id,
				fecha: caso.fecha,
				numero: b.numero,
				serie: b.serie,
			});
			expectProblem(late, 409);
			expect(await conflictsMetric()).toBe(before + 3);
			const after = (await get(`/api/v1/loterias/${lot.id}/resultados/${caso.fecha}`)).body;
			expect(after).toMatchObject({ estado: "confirmado", numero: a.numero, serie: a.serie });

			// Every admin was told by email, once per kind of disagreement, whatever the repeats.
			const alertas = async () =>
				(
					await env.DB.prepare(
						"SELECT evento, estado FROM notificaciones WHERE usuario_id = ? AND tipo = 'alerta' AND evento LIKE ? ORDER BY evento",
					)
						.bind(admin2.id, `%:${lot.id}:${caso.fecha}`)
						.all<{ evento: string; estado: string }>()
				).results;
			await waitFor(
				async () => (await alertas()).filter((x) => x.estado === "enviada").length === 2,
				{
					what: "the admins' alerts",
					timeoutMs: 20_000,
				},
			);
			expect((await alertas()).map((x) => x.evento)).toEqual([
				`alerta:resultado_en_conflicto:contradice_confirmado:${lot.id}:${caso.fecha}`,
				`alerta:resultado_en_conflicto:en_conflicto:${lot.id}:${caso.fecha}`,
			]);
		}, 60_000);
	});

	it.each(INCOMPLETOS)("refuses a row that cannot be confirmed: $caso", async ({ body }) => {
		const lot = await loteria("viernes");
		const res = await observe(admin, lot.id, "2025-09-26", {
			...body,
			evidencia: { url: "https://www.infobae.com/colombia/" },
		});
		expectProblem(res, 422);
		expect(
			(await get(`/api/v1/loterias/${lot.id}/resultados/2025-09-26`)).body.observaciones,
		).toEqual([]);
	});

	it("refuses an observation before the draw, on a day without a draw, and from an unlisted source", async () => {
		const ahora = new Date();
		const enDosHoras = new Date(ahora.getTime() + 2 * 3_600_000 - COLOMBIA_MS);
		const fecha = enDosHoras.toISOString().slice(0, 10);
		const hora = enDosHoras.toISOString().slice(11, 16);
		const lot = await createLoteria(admin.token, {
			frecuencia: "diaria",
			hora_sorteo: hora,
			fuentes: ["webhook", "admin"],
			fuentes_requeridas: 2,
		});
		const warn = vi.spyOn(console, "warn");
		const early = expectProblem(
			await push({ loteria_id: lot.id, fecha, numero: "3649", serie: "188" }),
			422,
		);
		expect(early.errors[0]).toMatchObject({ path: "fecha", code: "antes_del_sorteo" });
		expect(warn.mock.calls.some(([l]) => String(l).includes("before the draw refused"))).toBe(true);
		expect((await get(`/api/v1/loterias/${lot.id}/resultados/${fecha}`)).body).toMatchObject({
			estado: "pendiente",
			observaciones: [],
		});

		const weekly = await loteria("jueves");
		const noDraw = expectProblem(
			await observe(admin, weekly.id, "2026-01-14", {
				numero: "3649",
				serie: "188",
				evidencia: { url: "https://example.org/" },
			}),
			422,
		);
		expect(noDraw.errors[0].code).toBe("sin_sorteo");

		const webhookOnly = await createLoteria(admin.token, { fuentes: ["webhook"] });
		const unlisted = expectProblem(
			await observe(admin, webhookOnly.id, "2026-01-15", {
				numero: "3649",
				serie: "188",
				evidencia: { url: "https://example.org/" },
			}),
			422,
		);
		expect(unlisted.errors[0].code).toBe("fuente_no_admitida");
		expectProblem(
			await observe(jugador, weekly.id, "2026-01-15", {
				numero: "3649",
				serie: "188",
				evidencia: { url: "https://example.org/" },
			}),
			403,
		);
	});
});

describe("the mock source outside development", () => {
	const staging = { ...env, ENVIRONMENT: "staging" } as Env;

	it("is refused on create and update, and new loterias default to the real sources", async () => {
		const create = (body: Record<string, unknown>) =>
			call("POST", "/api/v1/loterias", { token: admin.token, body, env: staging });
		const nombre = () => `Lotería ${crypto.randomUUID().slice(0, 8)}`;
		const mock = expectProblem(
			await create({ nombre: nombre(), fuentes: ["mock"], fuentes_requeridas: 2 }),
			422,
		);
		expect(mock.errors.map((e: { code: string }) => e.code)).toContain("mock_solo_desarrollo");
		const legacy = expectProblem(
			await create({ nombre: nombre(), meta: { adapter: "mock" } }),
			422,
		);
		expect(legacy.errors.map((e: { code: string }) => e.code)).toContain("mock_solo_desarrollo");
		const single = expectProblem(
			await create({
				nombre: nombre(),
				meta: { slug: "bogota" },
				fuentes: ["resultadosloterias", "webhook"],
				fuentes_requeridas: 1,
			}),
			422,
		);
		expect(single.errors[0].code).toBe("quorum_minimo");
		const defaulted = await create({
			nombre: nombre(),
			dia_sorteo: "jueves",
			hora_sorteo: "22:30",
			meta: { slug: "bogota" },
		});
		expect(defaulted.status).toBe(201);
		expect(defaulted.body).toMatchObject({
			fuentes: ["resultadosloterias", "webhook"],
			fuentes_requeridas: 2,
		});
		const repoint = await call("PATCH", `/api/v1/loterias/${defaulted.body.id}`, {
			token: admin.token,
			body: { fuentes: ["mock", "webhook"] },
			env: staging,
		});
		expectProblem(repoint, 422);
	});

	it("settles nothing from the mock: anyone could compute its number", async () => {
		const lot = await createLoteria(admin.token, { fuentes: ["mock"], meta: { slug: "bogota" } });
		const rifa = await rifaOnDraw(lot.id, "2026-01-15", 7);
		const error = vi.spyOn(console, "error");
		const ctx = { scheduledTime: Date.now() };
		const { runScheduled } = await import("../src/jobs/scheduler");
		const report = await runScheduled(staging, new Date(ctx.scheduledTime));
		expect(report.resueltas).not.toContain(rifa.id);
		expect(report.esperando_resultado).toContain(rifa.id);
		expect(
			error.mock.calls.some(([l]) => String(l).includes("mock results source is refused")),
		).toBe(true);
		expect(await estadoRifa(rifa.id)).toBe("cerrada");
		// In development the same rifa settles from the mock.
		await runCron();
		expect(await estadoRifa(rifa.id)).toBe("resuelta");
	});
});
