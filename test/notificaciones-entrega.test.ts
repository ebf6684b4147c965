import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { tokenDeBaja } from "../src/notificaciones/baja";
import { CLAIM_MS } from "../src/notificaciones/consumidor";
import type { NotificacionMensaje } from "../src/notificaciones/tipos";
import { interceptHost } from "./fixtures/intercept-fetch";
import { call, createUser, expectProblem, get, patch, type TestUser } from "./helpers";
import {
	compra,
	deliver,
	fakeResend,
	fila,
	filasDe,
	mias,
	ok,
	RESEND,
} from "./notificaciones-helpers";

let admin: TestUser;
let jugador: TestUser;

beforeAll(async () => {
	admin = await createUser({ rol: "admin" });
	jugador = await createUser({ nombre: "Ana Gómez" });
});

afterEach(() => {
	vi.restoreAllMocks();
});

describe("preferences and consent", () => {
	it("email turned off records the message as omitida and sends nothing", async () => {
		const u = await createUser();
		const off = await patch("/api/v1/users/me", { notificaciones: { email: false } }, u.token);
		expect(off.status).toBe(200);
		expect(off.body.notificaciones).toEqual({ email: false, whatsapp: false, sms: false });
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
		expect(me.body.notificaciones).toEqual({ email: true, whatsapp: false, sms: false });
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
			notificaciones: { email: true, whatsapp: true, sms: false },
		});
		const audit = await get(`/api/v1/admin/auditoria?entity=user&entity_id=${u.id}`, admin.token);
		expect(audit.body.items[0]).toMatchObject({
			action: "user.notificaciones",
			before: { telefono: null, notificaciones: { email: true, whatsapp: false, sms: false } },
			after: {
				telefono: "+573001234567",
				notificaciones: { email: true, whatsapp: true, sms: false },
			},
		});

		const result = await deliver("rifa1122-notificaciones", [compra(u)]);
		expect(result.explicitAcks).toHaveLength(1);
		const canales = (await mias(u)).items.map((i) => [i.canal, i.estado]).sort();
		// SMS has its own consent: off until turned on.
		expect(canales).toEqual([
			["email", "enviada"],
			["sms", "omitida"],
			["whatsapp", "enviada"],
		]);
		// Without the phone, WhatsApp goes off with it.
		const sinFono = await patch("/api/v1/users/me", { telefono: null }, u.token);
		expect(sinFono.body.notificaciones).toEqual({ email: true, whatsapp: false, sms: false });
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
			["sms", "omitida", "preferencia"],
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
