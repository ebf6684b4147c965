import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import worker from "../src/index";
import { runScheduled } from "../src/jobs/scheduler";
import { tokenDeBaja } from "../src/notificaciones/baja";
import { CLAIM_MS } from "../src/notificaciones/consumidor";
import type { NotificacionMensaje } from "../src/notificaciones/tipos";
import { buyNumbers, mockWinner, moveToDraw, setupRifa } from "./draw-helpers";
import { fakeStripe } from "./fixtures/fake-stripe";
import { interceptHost } from "./fixtures/intercept-fetch";
import {
	call,
	createActiveRifa,
	createUser,
	expectProblem,
	expireHolds,
	get,
	patch,
	post,
	runCron,
	type TestUser,
	waitFor,
} from "./helpers";

let admin: TestUser;
let jugador: TestUser;

beforeAll(async () => {
	admin = await createUser({ rol: "admin" });
	jugador = await createUser({ nombre: "Ana Gómez" });
});

afterEach(() => {
	vi.restoreAllMocks();
});

interface Item {
	id: string;
	tipo: string;
	canal: string;
	estado: string;
	asunto: string;
	cuerpo_texto: string;
	rifa_id: string | null;
	creado_en: string;
	enviado_en: string | null;
}

const mias = async (who: TestUser, query = "") => {
	const res = await get(`/api/v1/users/me/notificaciones${query}`, who.token);
	expect(res.status).toBe(200);
	return res.body as { items: Item[]; total: number; page: number; per_page: number };
};

/** Waits for the real queue's consumer to record (and finish) notifications matching `match`. */
const esperar = async (who: TestUser, match: (i: Item) => boolean, n = 1) => {
	await waitFor(
		async () =>
			(await mias(who, "?per_page=100")).items.filter((i) => match(i) && i.estado !== "pendiente")
				.length >= n,
		{ what: "the notification", timeoutMs: 15_000 },
	);
	return (await mias(who, "?per_page=100")).items.filter(match);
};

const nombreDe = async (rifaId: string) =>
	(await get(`/api/v1/rifas/${rifaId}`)).body.nombre as string;

const fila = (id: string) =>
	env.DB.prepare("SELECT * FROM notificaciones WHERE id = ?")
		.bind(id)
		.first<Record<string, unknown>>();

const filasDe = async (evento: string) =>
	(
		await env.DB.prepare("SELECT * FROM notificaciones WHERE evento = ? ORDER BY canal")
			.bind(evento)
			.all<Record<string, unknown>>()
	).results;

const deliver = async (
	queue: string,
	bodies: NotificacionMensaje[],
	overrides: Partial<Env> = {},
	attempts = 1,
) => {
	const batch = createMessageBatch<NotificacionMensaje>(
		queue,
		bodies.map((body, i) => ({
			id: `msg-${i}-${crypto.randomUUID()}`,
			timestamp: new Date(),
			attempts,
			body,
		})),
	);
	const ctx = createExecutionContext();
	await worker.queue(batch, { ...env, ...overrides }, ctx);
	return getQueueResult(batch, ctx);
};

const compra = (who: TestUser, evento = `compra:${crypto.randomUUID()}`): NotificacionMensaje => ({
	evento,
	tipo: "compra",
	usuario_id: who.id,
	rifa_id: null,
	datos: { transaccion_id: crypto.randomUUID(), numeros: [7], monto: 1_000_000 },
});

/** Resend's API as the Worker sees it: each request recorded, answered by `answer` in turn. */
const fakeResend = (answers: (() => Response)[]) => {
	const requests: { headers: Headers; body: Record<string, unknown> }[] = [];
	interceptHost("api.resend.com", async (req) => {
		requests.push({ headers: req.headers, body: (await req.json()) as Record<string, unknown> });
		const answer = answers[Math.min(requests.length - 1, answers.length - 1)];
		return answer ? answer() : Response.json({ id: crypto.randomUUID() });
	});
	return requests;
};
const ok = () => Response.json({ id: `re_${crypto.randomUUID()}` });
const RESEND = { RESEND_API_KEY: "re_test_rifa1122_recorded_only" };

describe("what a player is told", () => {
	it("a sandbox purchase leaves a compra notification, with its numbers, amount and receipts", async () => {
		const { rifa } = await setupRifa(admin, "bogota");
		const sale = await buyNumbers(rifa.id, jugador, [7, 42]);
		expect(sale.status).toBe(201);
		const [n] = await esperar(jugador, (i) => i.tipo === "compra" && i.rifa_id === rifa.id);
		expect(n).toMatchObject({
			tipo: "compra",
			canal: "email",
			estado: "enviada",
			asunto: `Compra confirmada: ${await nombreDe(rifa.id)}`,
			rifa_id: rifa.id,
		});
		expect(n?.cuerpo_texto).toContain("Hola, Ana Gómez:");
		expect(n?.cuerpo_texto).toContain("números 07, 42, por $\u00a020.000");
		expect(n?.cuerpo_texto).toContain("(hora de Colombia)");
		for (const t of sale.body.tickets as { recibo: string }[])
			expect(n?.cuerpo_texto).toContain(`/verificar#recibo=${t.recibo}`);
		// No phone: no WhatsApp channel; and nothing secret in what is stored.
		expect((await mias(jugador)).items.every((i) => i.canal === "email")).toBe(true);
		expect(n?.cuerpo_texto).not.toMatch(/password|token=|Bearer/i);
	});

	it("settling a rifa tells the winner ganador and every other buyer resultado", async () => {
		const otro = await createUser({ nombre: "Luis" });
		const result = await mockWinner("medellin");
		const winning = Number(result.numero.slice(-2));
		const { rifa } = await setupRifa(admin, "medellin");
		expect((await buyNumbers(rifa.id, jugador, [winning])).status).toBe(201);
		expect((await buyNumbers(rifa.id, otro, [(winning + 1) % 100])).status).toBe(201);
		await moveToDraw(rifa.id);
		await runCron();
		expect((await get(`/api/v1/rifas/${rifa.id}`)).body.estado).toBe("resuelta");
		const [gano] = await esperar(jugador, (i) => i.tipo === "ganador" && i.rifa_id === rifa.id);
		expect(gano?.asunto).toBe(`¡Ganó en ${await nombreDe(rifa.id)}!`);
		expect(gano?.cuerpo_texto).toContain(
			`Su número ${String(winning).padStart(2, "0")} ganó $\u00a0750.000`,
		);
		expect(gano?.cuerpo_texto).toContain("Un administrador le contactará");
		const perdio = await esperar(
			otro,
			(i) => i.rifa_id === rifa.id && ["ganador", "resultado"].includes(i.tipo),
		);
		expect(perdio.map((i) => i.tipo)).toEqual(["resultado"]);
		expect(perdio[0]?.cuerpo_texto).toContain(`jugó el ${result.numero}`);
		expect(perdio[0]?.cuerpo_texto).toContain("no ganaron esta vez");
		// The close went out too, and the winner got no resultado besides ganador.
		expect(
			(await esperar(otro, (i) => i.tipo === "rifa_cerrada" && i.rifa_id === rifa.id)).length,
		).toBe(1);
		const suyas = (await mias(jugador, "?per_page=100")).items.filter((i) => i.rifa_id === rifa.id);
		expect(suyas.filter((i) => i.tipo === "resultado")).toEqual([]);
		// A second cron run dispatches nothing again.
		await runCron();
		const despues = (await mias(otro, "?per_page=100")).items.filter((i) => i.rifa_id === rifa.id);
		expect(despues.filter((i) => i.tipo === "resultado")).toHaveLength(1);

		// The prize paid by hand: premio_pagado.
		const [g] = (
			await env.DB.prepare("SELECT id FROM ganadores WHERE rifa_id = ?")
				.bind(rifa.id)
				.all<{ id: string }>()
		).results;
		const paid = await post(
			`/api/v1/ganadores/${g?.id}/pago`,
			{ referencia_pago: "TRF-0001" },
			admin.token,
		);
		expect(paid.status).toBe(200);
		const [pagado] = await esperar(
			jugador,
			(i) => i.tipo === "premio_pagado" && i.rifa_id === rifa.id,
		);
		expect(pagado?.cuerpo_texto).toContain("Pagamos su premio de $\u00a0750.000");
	}, 120_000);

	it("a result whose winning number no one bought still names it", async () => {
		const result = await mockWinner("cundinamarca");
		const winning = Number(result.numero.slice(-2));
		const { rifa } = await setupRifa(admin, "cundinamarca");
		const u = await createUser();
		expect((await buyNumbers(rifa.id, u, [(winning + 1) % 100])).status).toBe(201);
		await moveToDraw(rifa.id);
		await runCron();
		const [r] = await esperar(u, (i) => i.tipo === "resultado" && i.rifa_id === rifa.id);
		expect(r?.cuerpo_texto).toContain(`ganó el número ${String(winning).padStart(2, "0")}.`);
	}, 120_000);

	it("a Stripe hold says until when it is held, and its expiry says the numbers went back", async () => {
		fakeStripe();
		const rifa = await createActiveRifa(admin.token);
		const hold = await call("POST", `/api/v1/rifas/${rifa.id}/tickets`, {
			token: jugador.token,
			body: { user_id: jugador.id, quantity: 1, payment_method: "stripe", numeros: [5] },
			headers: { "Idempotency-Key": crypto.randomUUID() },
		});
		expect(hold.status).toBe(201);
		const [reserva] = await esperar(jugador, (i) => i.tipo === "reserva" && i.rifa_id === rifa.id);
		expect(reserva?.cuerpo_texto).toContain("Reservamos el número 05 por $\u00a010.000 hasta el");
		await expireHolds(rifa.id);
		const [expirada] = await esperar(
			jugador,
			(i) => i.tipo === "reserva_expirada" && i.rifa_id === rifa.id,
		);
		expect(expirada?.cuerpo_texto).toContain("No se le cobró nada");
	});

	it("cancelling a rifa refunds its buyers and tells them", async () => {
		const rifa = await createActiveRifa(admin.token);
		expect((await buyNumbers(rifa.id, jugador, [3])).status).toBe(201);
		const res = await patch(`/api/v1/rifas/${rifa.id}`, { estado: "cancelada" }, admin.token);
		expect(res.status).toBe(200);
		const [r] = await esperar(jugador, (i) => i.tipo === "reembolso" && i.rifa_id === rifa.id);
		expect(r?.cuerpo_texto).toContain("Le devolvimos $\u00a010.000 porque la rifa fue cancelada");
	});

	it("speaks English to a user whose idioma is en, with amounts and times as in Colombia", async () => {
		const en = await createUser({ nombre: "Sam" });
		expect((await patch("/api/v1/users/me", { idioma: "en" }, en.token)).body.idioma).toBe("en");
		const { rifa } = await setupRifa(admin, "boyaca");
		expect((await buyNumbers(rifa.id, en, [9])).status).toBe(201);
		const [n] = await esperar(en, (i) => i.tipo === "compra");
		expect(n?.asunto).toBe(`Purchase confirmed: ${await nombreDe(rifa.id)}`);
		expect(n?.cuerpo_texto).toContain("Hello Sam,");
		expect(n?.cuerpo_texto).toContain("number 09, for $\u00a010.000");
		expect(n?.cuerpo_texto).toContain("(Colombia time)");
	});
});

describe("preferences and consent", () => {
	it("email turned off records the message as omitida and sends nothing", async () => {
		const u = await createUser();
		const off = await patch("/api/v1/users/me", { notificaciones: { email: false } }, u.token);
		expect(off.status).toBe(200);
		expect(off.body.notificaciones).toEqual({ email: false, whatsapp: false });
		const sent = fakeResend([ok]);
		const result = await deliver("rifa1122-notificaciones", [compra(u)], RESEND);
		expect(result.explicitAcks).toHaveLength(1);
		expect(sent).toHaveLength(0);
		const [n] = (await mias(u)).items;
		expect(n).toMatchObject({
			tipo: "compra",
			canal: "email",
			estado: "omitida",
			enviado_en: null,
		});
		const admin_ = await get(`/api/v1/admin/notificaciones?usuario_id=${u.id}`, admin.token);
		expect(admin_.body.items[0]).toMatchObject({
			estado: "omitida",
			motivo: "preferencia",
			intentos: 0,
		});
	});

	it("WhatsApp is off until the user turns it on, needs a phone, and is audited", async () => {
		const u = await createUser();
		const me = await get("/api/v1/users/me", u.token);
		expect(me.body.notificaciones).toEqual({ email: true, whatsapp: false });
		const sinTelefono = await patch(
			"/api/v1/users/me",
			{ notificaciones: { whatsapp: true } },
			u.token,
		);
		expectProblem(sinTelefono, 422);
		expect(sinTelefono.body.errors[0].path).toBe("notificaciones.whatsapp");
		for (const telefono of ["+57 123", "+57 200 123 4567", "12", "+0573001234567", "hola"]) {
			expectProblem(await patch("/api/v1/users/me", { telefono }, u.token), 422);
		}
		expectProblem(await patch("/api/v1/users/me", { idioma: "fr" }, u.token), 422);
		expectProblem(await patch("/api/v1/users/me", { rol: "admin" }, u.token), 422);
		expectProblem(await patch("/api/v1/users/me", {}, u.token), 422);
		expectProblem(await patch("/api/v1/users/me", { notificaciones: {} }, u.token), 422);
		const on = await patch(
			"/api/v1/users/me",
			{ telefono: "300 123 4567", notificaciones: { whatsapp: true } },
			u.token,
		);
		expect(on.status).toBe(200);
		expect(on.body).toMatchObject({
			telefono: "+573001234567",
			rol: "jugador",
			notificaciones: { email: true, whatsapp: true },
		});
		const audit = await get(`/api/v1/admin/auditoria?entity=user&entity_id=${u.id}`, admin.token);
		expect(audit.body.items[0]).toMatchObject({
			action: "user.notificaciones",
			before: { telefono: null, notificaciones: { email: true, whatsapp: false } },
			after: { telefono: "+573001234567", notificaciones: { email: true, whatsapp: true } },
		});

		const result = await deliver("rifa1122-notificaciones", [compra(u)]);
		expect(result.explicitAcks).toHaveLength(1);
		const canales = (await mias(u)).items.map((i) => [i.canal, i.estado]).sort();
		expect(canales).toEqual([
			["email", "enviada"],
			["whatsapp", "enviada"],
		]);
		// Without the phone, WhatsApp goes off with it.
		const sinFono = await patch("/api/v1/users/me", { telefono: null }, u.token);
		expect(sinFono.body.notificaciones).toEqual({ email: true, whatsapp: false });
	});

	it("every email carries a one-click unsubscribe that turns email off for that user only", async () => {
		const u = await createUser();
		const sent = fakeResend([ok]);
		await deliver("rifa1122-notificaciones", [compra(u)], RESEND);
		expect(sent).toHaveLength(1);
		const headers = sent[0]?.body.headers as Record<string, string>;
		expect(headers["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
		const url = /^<(.+)>$/.exec(headers["List-Unsubscribe"] ?? "")?.[1] ?? "";
		expect(url).toMatch(/^http:\/\/localhost:8787\/api\/v1\/notificaciones\/baja\?token=/);
		expect(sent[0]?.body.text).toContain(url);
		expect(sent[0]?.body.html).toContain(url.replaceAll("&", "&amp;"));
		const path = url.replace("http://localhost:8787", "");
		// The stored message has no token in it.
		expect((await mias(u)).items[0]?.cuerpo_texto).not.toContain("token=");

		// Opening the link only shows a button.
		const page = await call("GET", path);
		expect(page.status).toBe(200);
		expect(page.text).toContain('<form method="post"');
		expect((await get("/api/v1/users/me", u.token)).body.notificaciones.email).toBe(true);

		const res = await call("POST", path, {
			raw: "List-Unsubscribe=One-Click",
			headers: { "Content-Type": "application/x-www-form-urlencoded" },
		});
		expect(res.status).toBe(200);
		expect(res.body).toEqual({ email: false });
		expect((await get("/api/v1/users/me", u.token)).body.notificaciones.email).toBe(false);
		expect((await get("/api/v1/users/me", jugador.token)).body.notificaciones.email).toBe(true);
		// Repeating it changes nothing.
		expect((await call("POST", path, { raw: "List-Unsubscribe=One-Click" })).status).toBe(200);

		const token = new URL(url).searchParams.get("token") ?? "";
		const otro = token.replace(/.$/, (c) => (c === "0" ? "1" : "0"));
		for (const bad of [otro, `${jugador.id}.${token.split(".")[1]}`, "x", `${token}.x`]) {
			expectProblem(
				await call("POST", `/api/v1/notificaciones/baja?token=${encodeURIComponent(bad)}`),
				422,
			);
		}
		expectProblem(await call("POST", "/api/v1/notificaciones/baja"), 422);
		// A link signed under the JWT secret before the unsubscribe secret existed still works
		// (test/notificaciones-baja.test.ts follows it through a rotation).
		const previo = await tokenDeBaja({ NOTIFICACIONES_BAJA_SECRET: env.JWT_SECRET }, jugador.id);
		expect((await call("GET", `/api/v1/notificaciones/baja?token=${previo}`)).status).toBe(200);
	});
});

describe("delivery", () => {
	it("a redelivered or concurrent message sends once", async () => {
		const u = await createUser();
		const sent = fakeResend([ok]);
		const m = compra(u);
		const [a, b] = await Promise.all([
			deliver("rifa1122-notificaciones", [m], RESEND),
			deliver("rifa1122-notificaciones", [m], RESEND),
		]);
		await deliver("rifa1122-notificaciones", [m, m], RESEND, 2);
		expect(sent).toHaveLength(1);
		const rows = await filasDe(m.evento);
		expect(rows).toHaveLength(1);
		expect(rows[0]).toMatchObject({ estado: "enviada", intentos: 1, proveedor: "resend" });
		// The one still in flight when the other looked waits for it instead of sending.
		expect(a.explicitAcks.length + b.explicitAcks.length).toBeGreaterThanOrEqual(1);
		expect(sent[0]?.headers.get("Idempotency-Key")).toBe(rows[0]?.id);
		expect(sent[0]?.headers.get("Authorization")).toBe(`Bearer ${RESEND.RESEND_API_KEY}`);
	});

	it("a provider failure is retried with backoff, and the retry sends it", async () => {
		const u = await createUser();
		const sent = fakeResend([
			() =>
				Response.json(
					{ statusCode: 500, name: "internal_server_error", message: "boom" },
					{ status: 500 },
				),
			ok,
		]);
		const m = compra(u);
		const first = await deliver("rifa1122-notificaciones", [m], RESEND, 1);
		expect(first.explicitAcks).toHaveLength(0);
		expect(first.retryMessages).toHaveLength(1);
		const [row] = await filasDe(m.evento);
		expect(row).toMatchObject({ estado: "pendiente", intentos: 1, reclamado_en: null });
		expect(String(row?.motivo)).toContain("500");
		const second = await deliver("rifa1122-notificaciones", [m], RESEND, 2);
		expect(second.explicitAcks).toHaveLength(1);
		expect(await fila(String(row?.id))).toMatchObject({ estado: "enviada", intentos: 2 });
		expect(sent.map((s) => s.headers.get("Idempotency-Key"))).toEqual([row?.id, row?.id]);
	});

	it("a refusal for good is fallida at once; a message out of retries becomes fallida", async () => {
		const u = await createUser();
		fakeResend([
			() =>
				Response.json(
					{ statusCode: 422, name: "validation_error", message: "Invalid `to` field." },
					{ status: 422 },
				),
		]);
		const m = compra(u);
		const r = await deliver("rifa1122-notificaciones", [m], RESEND);
		expect(r.explicitAcks).toHaveLength(1);
		expect((await filasDe(m.evento))[0]).toMatchObject({ estado: "fallida", intentos: 1 });

		vi.restoreAllMocks();
		fakeResend([() => new Response("unavailable", { status: 503 })]);
		const m2 = compra(u);
		await deliver("rifa1122-notificaciones", [m2], RESEND, 6);
		expect((await filasDe(m2.evento))[0]).toMatchObject({ estado: "pendiente" });
		const dead = await deliver("rifa1122-notificaciones-dlq", [m2]);
		expect(dead.explicitAcks).toHaveLength(1);
		const [row] = await filasDe(m2.evento);
		expect(row?.estado).toBe("fallida");
		expect(String(row?.motivo)).toContain("(reintentos agotados)");
	});

	it("never resends when an earlier attempt may have sent it and the provider cannot drop repeats", async () => {
		const u = await createUser();
		await patch(
			"/api/v1/users/me",
			{ telefono: "+573105550000", notificaciones: { email: false, whatsapp: true } },
			u.token,
		);
		const requests: Request[] = [];
		interceptHost("graph.facebook.com", async (req) => {
			requests.push(req);
			throw new TypeError("Network connection lost.");
		});
		const wa = { WHATSAPP_TOKEN: "EAAtest", WHATSAPP_PHONE_ID: "1234567890" };
		const m = compra(u);
		const r = await deliver("rifa1122-notificaciones", [m], wa);
		expect(requests).toHaveLength(1);
		expect(r.explicitAcks).toHaveLength(1);
		const whatsapp = (await filasDe(m.evento)).find((x) => x.canal === "whatsapp");
		expect(whatsapp).toMatchObject({ estado: "fallida", proveedor: "whatsapp-cloud" });
		expect(String(whatsapp?.motivo)).toMatch(/^resultado_incierto/);

		// An attempt that stopped after claiming its row (its claim left behind, now stale): the
		// next delivery cannot know whether it went out, so it does not call again.
		const m3 = compra(u);
		vi.restoreAllMocks();
		await deliver("rifa1122-notificaciones", [m3]);
		const w3 = (await filasDe(m3.evento)).find((x) => x.canal === "whatsapp");
		const stale = new Date(Date.now() - CLAIM_MS - 1000).toISOString();
		await env.DB.prepare(
			"UPDATE notificaciones SET estado = 'pendiente', reclamado_en = ? WHERE id = ?",
		)
			.bind(stale, w3?.id)
			.run();
		const before = requests.length;
		interceptHost("graph.facebook.com", async (req) => {
			requests.push(req);
			return Response.json({ messages: [{ id: "wamid.x" }] });
		});
		await deliver("rifa1122-notificaciones", [m3], wa);
		expect(requests.length).toBe(before);
		expect(await fila(String(w3?.id))).toMatchObject({
			estado: "fallida",
			motivo: "resultado_incierto",
		});
	});

	it("a message it cannot render retries, and out of retries is still recorded fallida", async () => {
		const u = await createUser();
		const raro = {
			evento: `alerta:${crypto.randomUUID()}`,
			tipo: "alerta",
			usuario_id: u.id,
			rifa_id: null,
			datos: { clase: "desconocida", detalle: {} },
		} as unknown as NotificacionMensaje;
		const ok1 = compra(u);
		const r = await deliver("rifa1122-notificaciones", [raro, ok1]);
		// Its neighbour goes out; the bad one alone retries.
		expect(r.explicitAcks).toHaveLength(1);
		expect(r.retryMessages).toHaveLength(1);
		expect((await filasDe(ok1.evento))[0]).toMatchObject({ estado: "enviada" });
		expect(await filasDe(raro.evento)).toEqual([]);
		await deliver("rifa1122-notificaciones-dlq", [raro]);
		expect((await filasDe(raro.evento))[0]).toMatchObject({
			estado: "fallida",
			motivo: "reintentos agotados sin registro",
			canal: "email",
		});
	});

	it("a phone stored before phones were checked is not used for WhatsApp", async () => {
		const u = await createUser();
		await env.DB.prepare(
			"UPDATE users SET telefono = '300 123 4567', notif_whatsapp = 1 WHERE id = ?",
		)
			.bind(u.id)
			.run();
		const m = compra(u);
		await deliver("rifa1122-notificaciones", [m]);
		expect((await filasDe(m.evento)).map((x) => [x.canal, x.estado, x.motivo])).toEqual([
			["email", "enviada", null],
			["whatsapp", "omitida", "telefono_invalido"],
		]);
		expectProblem(
			await patch("/api/v1/users/me", { notificaciones: { whatsapp: true } }, u.token),
			422,
		);
	});

	it("a channel with no provider outside development is omitida, not lost silently", async () => {
		const u = await createUser();
		const m = compra(u);
		const r = await deliver("rifa1122-notificaciones", [m], { ENVIRONMENT: "staging" });
		expect(r.explicitAcks).toHaveLength(1);
		expect((await filasDe(m.evento))[0]).toMatchObject({
			estado: "omitida",
			motivo: "canal_no_configurado",
		});
	});
});

describe("admin", () => {
	it("lists every notification with filters, for admins only; a dead payout alerts them", async () => {
		const otroAdmin = await createUser({ rol: "admin" });
		const ganadorId = crypto.randomUUID();
		const r = await deliver("rifa1122-payouts-dlq", [{ ganador_id: ganadorId } as never]);
		expect(r.explicitAcks).toHaveLength(1);
		await waitFor(
			async () =>
				(
					await get(
						`/api/v1/admin/notificaciones?tipo=alerta&usuario_id=${otroAdmin.id}`,
						admin.token,
					)
				).body.total === 1,
			{ what: "the alert", timeoutMs: 15_000 },
		);
		const list = await get(
			`/api/v1/admin/notificaciones?tipo=alerta&usuario_id=${otroAdmin.id}`,
			admin.token,
		);
		expect(list.body.items[0]).toMatchObject({
			tipo: "alerta",
			canal: "email",
			usuario_id: otroAdmin.id,
		});
		expect(list.body.items[0].cuerpo_texto).toContain(`ganador_id: ${ganadorId}`);
		// Redelivered, it alerts once.
		await deliver("rifa1122-payouts-dlq", [{ ganador_id: ganadorId } as never]);
		await runCron();
		const again = await get(
			`/api/v1/admin/notificaciones?tipo=alerta&usuario_id=${otroAdmin.id}`,
			admin.token,
		);
		expect(again.body.total).toBe(1);

		const jug = await get("/api/v1/admin/notificaciones", jugador.token);
		expectProblem(jug, 403);
		expectProblem(await get("/api/v1/admin/notificaciones?estado=perdida", admin.token), 422);
		expectProblem(await get("/api/v1/users/me/notificaciones"), 401);
	});
});

describe("fan-out", () => {
	it("a 10,000-buyer result goes out in batches within one cron run, once, and each is sent once", async () => {
		const rifa = await createActiveRifa(admin.token, { total_boletas: 10_000 });
		const prefix = crypto.randomUUID().slice(0, 8);
		const now = new Date().toISOString();
		await env.DB.batch([
			env.DB.prepare(
				`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 9999)
				INSERT INTO users (id, nombre, email, rol, is_active, creado_en, actualizado_en)
				SELECT printf('%s-0000-4000-8000-%012d', ?1, i), 'Comprador ' || i, printf('fan-%s-%d@test.rifa1122.co', ?1, i), 'jugador', 1, ?2, ?2 FROM n`,
			).bind(prefix, now),
			env.DB.prepare(
				`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 9999)
				INSERT INTO tickets (id, rifa_id, usuario_id, numero, comprado_en, estado, precio, creado_en, actualizado_en)
				SELECT printf('%s-1111-4000-8000-%012d', ?1, i), ?2, printf('%s-0000-4000-8000-%012d', ?1, i), i, ?3, CASE WHEN i = 4801 THEN 'ganador' ELSE 'vendido' END, 1000000, ?3, ?3 FROM n`,
			).bind(prefix, rifa.id, now),
			env.DB.prepare(
				"INSERT INTO ganadores (id, rifa_id, ticket_id, posicion, monto_ganado, estado_pago, creado_en) VALUES (?, ?, printf('%s-1111-4000-8000-%012d', ?, 4801), 1, 75000000, 'pendiente', ?)",
			).bind(crypto.randomUUID(), rifa.id, prefix, now),
			env.DB.prepare("UPDATE rifas SET estado = 'resuelta' WHERE id = ?").bind(rifa.id),
			env.DB.prepare(
				"INSERT INTO avisos (id, tipo, rifa_id, datos, creado_en) VALUES (?, 'resultado', ?, ?, ?)",
			).bind(
				`resultado:${rifa.id}`,
				rifa.id,
				JSON.stringify({ loteria_numero: "4801", pago: "manual" }),
				now,
			),
		]);
		const batches: MessageSendRequest<NotificacionMensaje>[][] = [];
		const queue = {
			send: async () => {
				throw new Error("one at a time");
			},
			sendBatch: async (msgs: Iterable<MessageSendRequest<NotificacionMensaje>>) => {
				batches.push([...msgs]);
			},
		} as unknown as Queue;
		const report = await runScheduled({ ...env, NOTIFICACIONES: queue }, new Date());
		expect(report.errores).toEqual([]);
		const messages = batches.flat().map((m) => m.body);
		expect(messages).toHaveLength(10_000);
		expect(batches.every((b) => b.length <= 100)).toBe(true);
		expect(new Set(messages.map((m) => m.usuario_id)).size).toBe(10_000);
		expect(messages.filter((m) => m.tipo === "ganador").map((m) => m.datos)).toEqual([
			{
				numeros: [4801],
				ganadores: [4801],
				loteria_numero: "4801",
				premios: [{ numero: 4801, monto: 75_000_000 }],
				pago: "manual",
			},
		]);
		expect(messages.filter((m) => m.tipo === "resultado")).toHaveLength(9_999);
		// Dispatched once: the next run sends nothing for it.
		await runScheduled({ ...env, NOTIFICACIONES: queue }, new Date());
		expect(batches.flat()).toHaveLength(10_000);

		// The consumer sends each once, in the queue's batches of 100, and a redelivery sends nothing.
		for (const batch of batches)
			await deliver(
				"rifa1122-notificaciones",
				batch.map((b) => b.body),
			);
		const count = async () =>
			(
				await env.DB.prepare(
					"SELECT estado, count(*) AS n FROM notificaciones WHERE evento = ? GROUP BY estado",
				)
					.bind(`resultado:${rifa.id}`)
					.all<{ estado: string; n: number }>()
			).results;
		expect(await count()).toEqual([{ estado: "enviada", n: 10_000 }]);
		await deliver(
			"rifa1122-notificaciones",
			(batches[3] ?? []).map((b) => b.body),
		);
		expect(await count()).toEqual([{ estado: "enviada", n: 10_000 }]);
	}, 120_000);
});
