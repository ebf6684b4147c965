import { env } from "cloudflare:workers";
import { decodeJwt } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { problemasResultado } from "../src/verificacion/acta";
import type { ActaPayload } from "../src/verificacion/tipos";
import {
	createCast,
	createLoteria,
	createUser,
	expectProblem,
	get,
	patch,
	post,
	type TestUser,
	waitFor,
} from "./helpers";
import { estadoRifa, loteriaWebhookAdmin, observe, push, rifaOnDraw } from "./resultado-helpers";

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

const FECHA = "2025-11-24";
const URL_NOTA = "https://www.noticiascaracol.com/economia/resultados-loteria-de-cundinamarca";
const ACTA = {
	url: "https://www.loteriadecundinamarca.com.co/actas/4778.pdf",
	sha256: "3b1f6c0e9d8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c",
};
const MOTIVO = "Acta oficial del sorteo 4778 consultada en la página de la lotería.";

const said = (numero: string, serie: string) => ({ numero, serie, evidencia: { url: URL_NOTA } });
const resolucion = (lotId: string) => `/api/v1/loterias/${lotId}/resultados/${FECHA}/resolucion`;
const confirmar = (lotId: string, propuestaId: string, who: TestUser) =>
	post(`${resolucion(lotId)}/${propuestaId}/confirmacion`, undefined, who.token);
const vista = async (lotId: string) =>
	(await get(`/api/v1/loterias/${lotId}/resultados/${FECHA}`)).body;

/** A draw in conflict: an admin said 1111/111, the webhook 2222/222; a closed rifa waits on it. */
const enConflicto = async (numeroVendido: number) => {
	const lot = await loteriaWebhookAdmin(admin, "lunes");
	const rifa = await rifaOnDraw(admin, jugador, lot.id, FECHA, numeroVendido);
	expect((await observe(admin, lot.id, FECHA, said("1111", "111"))).status).toBe(201);
	const pushed = await push({ loteria_id: lot.id, fecha: FECHA, numero: "2222", serie: "222" });
	expect(pushed.body.estado).toBe("en_conflicto");
	return { lot, rifa };
};

describe("one admin is one voice", () => {
	it("refuses an admin's second, different result for a draw: no conflict with itself", async () => {
		const lot = await loteriaWebhookAdmin(admin, "lunes");
		const rifa = await rifaOnDraw(admin, jugador, lot.id, FECHA, 33);
		const first = await observe(admin, lot.id, FECHA, said("1111", "111"));
		expect(first.status).toBe(201);
		expect(first.body.estado).toBe("pendiente");
		// The same again is a repeat.
		const again = await observe(admin, lot.id, FECHA, said("1111", "111"));
		expect(again.status).toBe(201);
		expect(again.body.observaciones).toHaveLength(1);

		const other = expectProblem(await observe(admin, lot.id, FECHA, said("2222", "222")), 409);
		expect(other.detail).toContain("1111/111");
		expect(other.detail).toContain("resolución");
		expect(await vista(lot.id)).toMatchObject({
			estado: "pendiente",
			observaciones: [expect.objectContaining({ numero: "1111", serie: "111" })],
		});
		expect((await vista(lot.id)).observaciones).toHaveLength(1);

		// So there is nothing to resolve, and the number nobody reported decides nothing.
		expectProblem(
			await post(
				resolucion(lot.id),
				{ numero: "3333", serie: "333", motivo: MOTIVO, evidencia: ACTA },
				admin.token,
			),
			409,
		);
		expect(await estadoRifa(rifa.id)).toBe("cerrada");
	});

	it("keeps one observation per admin when two different ones arrive at once", async () => {
		const lot = await loteriaWebhookAdmin(admin, "lunes");
		const answers = await Promise.all([
			observe(admin, lot.id, FECHA, said("1111", "111")),
			observe(admin, lot.id, FECHA, said("2222", "222")),
			observe(admin, lot.id, FECHA, said("4444", "444")),
		]);
		expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409]);
		const obs = (await vista(lot.id)).observaciones;
		expect(obs).toHaveLength(1);
		expect((await vista(lot.id)).estado).toBe("pendiente");
	});
});

describe("all admins together are one source", () => {
	it("two admins agreeing are not a quorum of two: the webhook is needed", async () => {
		const lot = await loteriaWebhookAdmin(admin, "lunes");
		const rifa = await rifaOnDraw(admin, jugador, lot.id, FECHA, 20);
		expect((await observe(admin, lot.id, FECHA, said("4820", "123"))).body.estado).toBe(
			"pendiente",
		);
		expect((await observe(admin2, lot.id, FECHA, said("4820", "123"))).body.estado).toBe(
			"pendiente",
		);
		expect(await estadoRifa(rifa.id)).toBe("cerrada");
		const pushed = await push({ loteria_id: lot.id, fecha: FECHA, numero: "4820", serie: "123" });
		expect(pushed.body.estado).toBe("confirmado");
		expect(await vista(lot.id)).toMatchObject({
			estado: "confirmado",
			fuente: "quorum:admin+webhook",
		});
		expect(await estadoRifa(rifa.id)).toBe("resuelta");
	});

	it("admins who disagree with each other still make a conflict", async () => {
		const lot = await loteriaWebhookAdmin(admin, "lunes");
		await observe(admin, lot.id, FECHA, said("4820", "123"));
		const res = await observe(admin2, lot.id, FECHA, said("4801", "009"));
		expect(res.body.estado).toBe("en_conflicto");
	});

	it("refuses a loteria whose quorum its distinct sources cannot reach", async () => {
		const nombre = () => `Lotería ${crypto.randomUUID().slice(0, 8)}`;
		const soloAdmins = expectProblem(
			await post(
				"/api/v1/loterias",
				{ nombre: nombre(), fuentes: ["admin"], fuentes_requeridas: 2 },
				admin.token,
			),
			422,
		);
		expect(soloAdmins.errors).toEqual([
			expect.objectContaining({ path: "fuentes_requeridas", code: "quorum_imposible" }),
		]);
		expectProblem(
			await post(
				"/api/v1/loterias",
				{ nombre: nombre(), fuentes: ["webhook", "admin"], fuentes_requeridas: 3 },
				admin.token,
			),
			422,
		);
		const lot = await createLoteria(admin.token, { fuentes: ["webhook", "admin"] });
		const raise = expectProblem(
			await patch(`/api/v1/loterias/${lot.id}`, { fuentes_requeridas: 3 }, admin.token),
			422,
		);
		expect(raise.errors[0].code).toBe("quorum_imposible");
		const narrow = await patch(
			`/api/v1/loterias/${lot.id}`,
			{ fuentes: ["admin"], fuentes_requeridas: 1 },
			admin.token,
		);
		expect(narrow.status).toBe(200);
	});
});

describe("a resolution needs two admins", () => {
	it("is proposed by one admin, alerted to all, and decided only when another confirms it", async () => {
		const { lot, rifa } = await enConflicto(33);
		const path = resolucion(lot.id);

		// A number no source reported needs the official document.
		const sinEvidencia = expectProblem(
			await post(path, { numero: "3333", serie: "333", motivo: MOTIVO }, admin.token),
			422,
		);
		expect(sinEvidencia.errors).toEqual([
			expect.objectContaining({ path: "evidencia", code: "evidencia_requerida" }),
		]);
		const http = expectProblem(
			await post(
				path,
				{
					numero: "3333",
					serie: "333",
					motivo: MOTIVO,
					evidencia: { ...ACTA, url: "http://example.org/acta.pdf" },
				},
				admin.token,
			),
			422,
		);
		expect(http.errors[0].path).toBe("evidencia.url");
		expectProblem(
			await post(
				path,
				{ numero: "3333", serie: "333", motivo: MOTIVO, evidencia: { url: ACTA.url } },
				admin.token,
			),
			422,
		);
		expectProblem(
			await post(path, { numero: "1111", serie: "111", motivo: MOTIVO }, operador.token),
			403,
		);

		const propuesta = await post(
			path,
			{ numero: "3333", serie: "333", motivo: MOTIVO, evidencia: ACTA },
			admin.token,
		);
		expect(propuesta.status).toBe(201);
		expect(propuesta.body).toEqual({
			id: expect.any(String),
			loteria_id: lot.id,
			fecha: FECHA,
			numero: "3333",
			serie: "333",
			motivo: MOTIVO,
			evidencia: ACTA,
			propuesta_por: admin.id,
			creada_en: expect.any(String),
			estado: "propuesta",
		});
		// The same proposal again is the first one.
		const repetida = await post(
			path,
			{ numero: "3333", serie: "333", motivo: `${MOTIVO} Otra vez.`, evidencia: ACTA },
			admin.token,
		);
		expect(repetida.status).toBe(200);
		expect(repetida.body).toMatchObject({ id: propuesta.body.id, motivo: MOTIVO });
		// A result an observation reported needs no document.
		const competidora = await post(
			path,
			{ numero: "2222", serie: "222", motivo: "El webhook del proveedor trae el acta." },
			admin2.token,
		);
		expect(competidora.status).toBe(201);
		expect(competidora.body.evidencia).toBeNull();

		// Nothing is decided yet, and the proposer cannot confirm its own proposal.
		expect((await vista(lot.id)).estado).toBe("en_conflicto");
		const propia = expectProblem(await confirmar(lot.id, propuesta.body.id, admin), 403);
		expect(propia.detail).toContain("otro administrador");
		expectProblem(await confirmar(lot.id, propuesta.body.id, operador), 403);
		expectProblem(await confirmar(lot.id, crypto.randomUUID(), admin2), 404);
		expect((await vista(lot.id)).estado).toBe("en_conflicto");
		expect(await estadoRifa(rifa.id)).toBe("cerrada");

		const listed = await get(path, admin3.token);
		expect(listed.body.items.map((p: { id: string; estado: string }) => [p.id, p.estado])).toEqual([
			[propuesta.body.id, "propuesta"],
			[competidora.body.id, "propuesta"],
		]);
		expectProblem(await get(path, jugador.token), 403);

		const confirmada = await confirmar(lot.id, propuesta.body.id, admin2);
		expect(confirmada.status).toBe(200);
		expect(confirmada.body).toMatchObject({
			estado: "confirmado",
			numero: "3333",
			serie: "333",
			fuente: "resolucion",
			motivo: MOTIVO,
			rifas_resueltas: [rifa.id],
			rifas_por_reintentar: [],
		});
		expect(await estadoRifa(rifa.id)).toBe("resuelta");
		// Public: the result, never the admins.
		expect(JSON.stringify(await vista(lot.id))).not.toContain(admin2.id);

		// Once decided: a second confirmation, or one of the other proposal, writes nothing.
		expect(expectProblem(await confirmar(lot.id, propuesta.body.id, admin3), 409).detail).toContain(
			"ya fue confirmada",
		);
		expectProblem(await confirmar(lot.id, competidora.body.id, admin), 409);
		expectProblem(
			await post(path, { numero: "1111", serie: "111", motivo: MOTIVO }, admin3.token),
			409,
		);
		expect(
			(await get(path, admin.token)).body.items.map((p: { estado: string }) => p.estado),
		).toEqual(["confirmada", "sin_efecto"]);
		expect((await get(path, admin.token)).body.items[0]).toMatchObject({
			confirmada_por: admin2.id,
			confirmada_en: expect.any(String),
		});

		// What the acta needs: both admins, the motivo, the document, when proposed and confirmed.
		const row = await env.DB.prepare(
			`SELECT r.fuente, r.resuelto_por, r.confirmado_por, r.motivo, r.evidencia_url, r.evidencia_sha256,
			        r.recibido_en, p.creada_en FROM resultados r JOIN propuestas_resolucion p ON p.id = r.propuesta_id
			  WHERE r.loteria_id = ? AND r.fecha = ?`,
		)
			.bind(lot.id, FECHA)
			.first<Record<string, string>>();
		expect(row).toMatchObject({
			fuente: "resolucion",
			resuelto_por: admin.id,
			confirmado_por: admin2.id,
			motivo: MOTIVO,
			evidencia_url: ACTA.url,
			evidencia_sha256: ACTA.sha256,
		});
		expect((row?.creada_en ?? "") <= (row?.recibido_en ?? "")).toBe(true);

		const audit = (
			await env.DB.prepare(
				"SELECT actor_id, action, after FROM audit_log WHERE entity = 'resultado' AND entity_id = ? AND action LIKE 'resultado.res%' ORDER BY created_at",
			)
				.bind(`${lot.id}:${FECHA}`)
				.all<{ actor_id: string; action: string; after: string }>()
		).results;
		expect(audit.map((a) => [a.action, a.actor_id])).toEqual([
			["resultado.resolucion_propuesta", admin.id],
			["resultado.resolucion_propuesta", admin2.id],
			["resultado.resuelto", admin2.id],
		]);
		expect(JSON.parse(audit[2]?.after ?? "{}")).toMatchObject({
			numero: "3333",
			propuesta_id: propuesta.body.id,
			propuesta_por: admin.id,
			confirmada_por: admin2.id,
			evidencia: ACTA,
		});

		// Every admin heard of each proposal, once.
		const alertas = async () =>
			(
				await env.DB.prepare(
					"SELECT evento, cuerpo_texto FROM notificaciones WHERE usuario_id = ? AND evento LIKE 'alerta:resolucion_propuesta:%' ORDER BY evento",
				)
					.bind(admin3.id)
					.all<{ evento: string; cuerpo_texto: string }>()
			).results.filter((a) =>
				[propuesta.body.id, competidora.body.id].some((id) => a.evento.endsWith(id)),
			);
		await waitFor(async () => (await alertas()).length === 2, {
			what: "the proposals' alerts",
			timeoutMs: 20_000,
		});
		const [alerta] = (await alertas()).filter((a) => a.evento.endsWith(propuesta.body.id));
		expect(alerta?.cuerpo_texto).toContain("otro administrador lo confirme");
		expect(alerta?.cuerpo_texto).toContain("numero: 3333");

		// The acta lists every observation, disagreeing ones too, and the two admins as two pseudonyms.
		const acta = (await get(`/api/v1/rifas/${rifa.id}/acta`)).body.acta as string;
		const payload = decodeJwt(acta) as unknown as ActaPayload;
		expect(payload.resultado).toMatchObject({
			numero: "3333",
			confirmado_por: "resolucion",
			resolucion: { numero: "3333", motivo: MOTIVO, evidencia_sha256: ACTA.sha256 },
		});
		expect(
			payload.resultado.observaciones.map((o) => [o.fuente, o.numero, o.observador !== null]),
		).toEqual([
			["admin", "1111", true],
			["webhook", "2222", false],
		]);
		const res = payload.resultado.resolucion;
		expect(res?.propuesta_por).toMatch(/^admin-[0-9a-f]{16}$/);
		expect(res?.confirmada_por).toMatch(/^admin-[0-9a-f]{16}$/);
		expect(res?.propuesta_por).not.toBe(res?.confirmada_por);
		// The admin who observed 1111 is the one who proposed: the same pseudonym.
		expect(payload.resultado.observaciones[0]?.observador).toBe(res?.propuesta_por);
		expect(JSON.stringify(payload)).not.toContain(admin.id);
		expect(problemasResultado(payload)).toEqual([]);
	}, 60_000);

	it("writes one result when two admins confirm competing proposals at once", async () => {
		const { lot, rifa } = await enConflicto(11);
		const path = resolucion(lot.id);
		const a = await post(path, { numero: "1111", serie: "111", motivo: MOTIVO }, admin.token);
		const b = await post(path, { numero: "2222", serie: "222", motivo: MOTIVO }, admin2.token);
		expect([a.status, b.status]).toEqual([201, 201]);
		const answers = await Promise.all([
			confirmar(lot.id, a.body.id, admin3),
			confirmar(lot.id, b.body.id, admin),
		]);
		expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
		const ganadora = answers.find((r) => r.status === 200)?.body.numero;
		const counts = await env.DB.prepare(
			`SELECT (SELECT count(*) FROM resultados WHERE loteria_id = ?1 AND fecha = ?2) AS resultados,
			        (SELECT count(*) FROM audit_log WHERE entity_id = ?1 || ':' || ?2 AND action = 'resultado.resuelto') AS auditorias`,
		)
			.bind(lot.id, FECHA)
			.first<{ resultados: number; auditorias: number }>();
		expect(counts).toEqual({ resultados: 1, auditorias: 1 });
		expect((await vista(lot.id)).numero).toBe(ganadora);
		expect(await estadoRifa(rifa.id)).toBe("resuelta");
	});
});
