import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { CLAIM_MS } from "../src/notificaciones/consumidor";
import { MAX_SMS } from "../src/notificaciones/sms-text";
import { buyNumbers, setupRifa } from "./draw-helpers";
import { interceptHost } from "./fixtures/intercept-fetch";
import twilioErrores from "./fixtures/proveedores/twilio-errores.json";
import { createUser, expectProblem, get, patch, type TestUser } from "./helpers";
import {
	compra,
	deliver,
	esperar,
	fakeTwilio,
	fila,
	filasDe,
	TWILIO,
	twilioOk,
} from "./notificaciones-helpers";

let admin: TestUser;

beforeAll(async () => {
	admin = await createUser({ rol: "admin" });
});

afterEach(() => {
	vi.restoreAllMocks();
});

const CELULAR = "+573001234567";

/** A user who gave a mobile and turned SMS on (and email off, so only SMS goes out). */
const conSms = async (telefono = CELULAR) => {
	const u = await createUser({ nombre: "Rosa Núñez" });
	const res = await patch(
		"/api/v1/users/me",
		{ telefono, notificaciones: { email: false, sms: true } },
		u.token,
	);
	expect(res.status).toBe(200);
	return u;
};

const smsDe = async (evento: string) => (await filasDe(evento)).find((f) => f.canal === "sms");

describe("migration 0015_sms", () => {
	it("rebuilds notificaciones keeping every row and index, and lets canal be sms", async () => {
		const u = await createUser();
		const at = new Date().toISOString();
		const insert = (canal: string, evento = `compra:${crypto.randomUUID()}`) =>
			env.DB.prepare(
				"INSERT INTO notificaciones (id, evento, tipo, canal, usuario_id, idioma, asunto, cuerpo_texto, estado, creado_en, actualizado_en) VALUES (?, ?, 'compra', ?, ?, 'es', 'a', 'b', 'enviada', ?, ?)",
			)
				.bind(crypto.randomUUID(), evento, canal, u.id, at, at)
				.run();
		await insert("email");
		await insert("whatsapp");
		const todas = () => env.DB.prepare("SELECT * FROM notificaciones ORDER BY id").all();
		const antes = (await todas()).results;
		const migracion = env.TEST_MIGRATIONS.find((m) => m.name === "0015_sms.sql");
		// Run its rebuild again over rows that exist (users already has its column).
		const rebuild = (migracion?.queries ?? []).filter((q) => !q.includes("ALTER TABLE `users`"));
		expect(rebuild.join("\n")).not.toMatch(/^PRAGMA/im);
		expect(rebuild.join("\n")).toContain("DROP TABLE `notificaciones`");
		await env.DB.batch(rebuild.map((q) => env.DB.prepare(q)));
		expect((await todas()).results).toEqual(antes);
		const indices = await env.DB.prepare(
			"SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'notificaciones' AND name NOT LIKE 'sqlite_%' ORDER BY name",
		).all<{ name: string }>();
		expect(indices.results.map((r) => r.name)).toEqual([
			"notificaciones_creado_idx",
			"notificaciones_evento_unique",
			"notificaciones_rifa_idx",
			"notificaciones_usuario_idx",
		]);
		await insert("sms");
		await expect(insert("fax")).rejects.toThrow(/CHECK/);
		const evento = `compra:${crypto.randomUUID()}`;
		await insert("sms", evento);
		await expect(insert("sms", evento)).rejects.toThrow(/UNIQUE/);
		const sinUsuario = env.DB.prepare(
			"INSERT INTO notificaciones (id, evento, tipo, canal, usuario_id, idioma, asunto, cuerpo_texto, creado_en, actualizado_en) VALUES (?, 'x', 'compra', 'sms', ?, 'es', 'a', 'b', ?, ?)",
		).bind(crypto.randomUUID(), crypto.randomUUID(), at, at);
		await expect(sinUsuario.run()).rejects.toThrow(/FOREIGN KEY/);
		const u2 = await env.DB.prepare("SELECT notif_sms FROM users WHERE id = ?")
			.bind(u.id)
			.first<{ notif_sms: number }>();
		expect(u2?.notif_sms).toBe(0);
	});
});
describe("through the queue", () => {
	it("a real purchase is texted to a consenting buyer with a phone, with its receipt", async () => {
		const u = await conSms();
		const { rifa } = await setupRifa(admin, "bogota");
		const sale = await buyNumbers(rifa.id, u, [7]);
		expect(sale.status).toBe(201);
		const [n] = await esperar(u, (i) => i.tipo === "compra" && i.canal === "sms");
		expect(n?.estado).toBe("enviada");
		const [ticket] = sale.body.tickets as { recibo: string }[];
		expect(n?.cuerpo_texto).toContain(`/verificar#recibo=${ticket?.recibo}`);
		expect(n?.cuerpo_texto.length).toBeLessThanOrEqual(MAX_SMS);
		const row = await fila(String(n?.id));
		expect(row).toMatchObject({ destino: CELULAR, proveedor: "local" });
	});

	it("sends once through Twilio even when the message is delivered twice", async () => {
		const u = await conSms();
		const sent = fakeTwilio([twilioOk]);
		const m = compra(u);
		await Promise.all([
			deliver("rifa1122-notificaciones", [m], TWILIO),
			deliver("rifa1122-notificaciones", [m], TWILIO),
		]);
		await deliver("rifa1122-notificaciones", [m, m], TWILIO, 2);
		expect(sent).toHaveLength(1);
		expect(sent[0]?.form).toMatchObject({
			To: CELULAR,
			MessagingServiceSid: TWILIO.TWILIO_MESSAGING_SERVICE_SID,
		});
		expect(sent[0]?.form.Body).toMatch(/^Rifa1122: compra confirmada/);
		const rows = (await filasDe(m.evento)).filter((r) => r.canal === "sms");
		expect(rows).toHaveLength(1);
		expect(rows[0]).toMatchObject({ estado: "enviada", intentos: 1, proveedor: "twilio" });
		expect(String(rows[0]?.proveedor_id)).toMatch(/^SM/);
		expect(rows[0]?.cuerpo_texto).toBe(sent[0]?.form.Body);
		const lista = await get(
			`/api/v1/admin/notificaciones?canal=sms&usuario_id=${u.id}`,
			admin.token,
		);
		expect(lista.body.items).toMatchObject([
			{ canal: "sms", estado: "enviada", proveedor: "twilio" },
		]);
	});

	it("texts no one who has not consented, or who has no phone", async () => {
		const sent = fakeTwilio([twilioOk]);
		const sinConsentimiento = await createUser();
		await patch("/api/v1/users/me", { telefono: CELULAR }, sinConsentimiento.token);
		const m1 = compra(sinConsentimiento);
		await deliver("rifa1122-notificaciones", [m1], TWILIO);
		expect(await smsDe(m1.evento)).toMatchObject({ estado: "omitida", motivo: "preferencia" });

		// Consent stored without a phone (by hand: the API refuses it) still sends nothing.
		const sinTelefono = await createUser();
		await env.DB.prepare("UPDATE users SET notif_sms = 1 WHERE id = ?").bind(sinTelefono.id).run();
		const m2 = compra(sinTelefono);
		await deliver("rifa1122-notificaciones", [m2], TWILIO);
		expect((await filasDe(m2.evento)).map((r) => r.canal)).toEqual(["email"]);

		// A landline stored before it was checked: omitida, never handed to Twilio.
		const fijo = await conSms();
		await env.DB.prepare("UPDATE users SET telefono = '+576015551234' WHERE id = ?")
			.bind(fijo.id)
			.run();
		const m3 = compra(fijo);
		await deliver("rifa1122-notificaciones", [m3], TWILIO);
		expect(await smsDe(m3.evento)).toMatchObject({
			estado: "omitida",
			motivo: "telefono_invalido",
		});
		expect(sent).toHaveLength(0);
	});

	it("a number Twilio refuses (4xx) is fallida at once, and the message is acked", async () => {
		const u = await conSms();
		const { status, body } = twilioErrores["21211"];
		const sent = fakeTwilio([() => Response.json(body, { status })]);
		const m = compra(u);
		const r = await deliver("rifa1122-notificaciones", [m], TWILIO);
		expect(r.explicitAcks).toHaveLength(1);
		expect(r.retryMessages).toHaveLength(0);
		expect(sent).toHaveLength(1);
		const row = await smsDe(m.evento);
		expect(row).toMatchObject({ estado: "fallida", intentos: 1, proveedor: "twilio" });
		expect(String(row?.motivo)).toContain("code 21211");
	});

	it.each([
		["429", twilioErrores["20429"]],
		["5xx", twilioErrores["20500"]],
	])("a %s from Twilio is retried with backoff, and the retry sends it", async (_caso, error) => {
		const u = await conSms();
		const sent = fakeTwilio([() => Response.json(error.body, { status: error.status }), twilioOk]);
		const m = compra(u);
		const first = await deliver("rifa1122-notificaciones", [m], TWILIO, 1);
		expect(first.explicitAcks).toHaveLength(0);
		expect(first.retryMessages).toHaveLength(1);
		const row = await smsDe(m.evento);
		expect(row).toMatchObject({ estado: "pendiente", intentos: 1, reclamado_en: null });
		const second = await deliver("rifa1122-notificaciones", [m], TWILIO, 2);
		expect(second.explicitAcks).toHaveLength(1);
		expect(await fila(String(row?.id))).toMatchObject({ estado: "enviada", intentos: 2 });
		expect(sent).toHaveLength(2);
	});

	it("never resends a text whose send had no answer, nor one a stopped attempt claimed", async () => {
		const u = await conSms();
		const requests: Request[] = [];
		interceptHost("api.twilio.com", async (req) => {
			requests.push(req);
			throw new TypeError("Network connection lost.");
		});
		const m = compra(u);
		const r = await deliver("rifa1122-notificaciones", [m], TWILIO);
		expect(r.explicitAcks).toHaveLength(1);
		expect(requests).toHaveLength(1);
		const row = await smsDe(m.evento);
		expect(row).toMatchObject({ estado: "fallida", proveedor: "twilio" });
		expect(String(row?.motivo)).toMatch(/^resultado_incierto/);
		await deliver("rifa1122-notificaciones", [m], TWILIO, 2);
		expect(requests).toHaveLength(1);

		// A claim left behind by an attempt that stopped, now stale: not sent again.
		const m2 = compra(u);
		vi.restoreAllMocks();
		const sent = fakeTwilio([twilioOk]);
		await deliver("rifa1122-notificaciones", [m2]);
		const row2 = await smsDe(m2.evento);
		const stale = new Date(Date.now() - CLAIM_MS - 1000).toISOString();
		await env.DB.prepare(
			"UPDATE notificaciones SET estado = 'pendiente', reclamado_en = ? WHERE id = ?",
		)
			.bind(stale, row2?.id)
			.run();
		await deliver("rifa1122-notificaciones", [m2], TWILIO);
		expect(sent).toHaveLength(0);
		expect(await fila(String(row2?.id))).toMatchObject({
			estado: "fallida",
			motivo: "resultado_incierto",
		});
	});
});

describe("SMS preference", () => {
	it("is off by default, needs a mobile, goes off with the phone, and is audited", async () => {
		const u = await createUser();
		expect((await get("/api/v1/users/me", u.token)).body.notificaciones).toEqual({
			email: true,
			whatsapp: false,
			sms: false,
		});
		const sinTelefono = await patch("/api/v1/users/me", { notificaciones: { sms: true } }, u.token);
		expectProblem(sinTelefono, 422);
		expect(sinTelefono.body.errors[0].path).toBe("notificaciones.sms");
		// A Colombian landline takes no text messages.
		expectProblem(
			await patch(
				"/api/v1/users/me",
				{ telefono: "601 555 1234", notificaciones: { sms: true } },
				u.token,
			),
			422,
		);
		const on = await patch(
			"/api/v1/users/me",
			{ telefono: "300 123 4567", notificaciones: { sms: true } },
			u.token,
		);
		expect(on.status).toBe(200);
		expect(on.body.notificaciones).toEqual({ email: true, whatsapp: false, sms: true });
		expect((await get("/api/v1/users/me", u.token)).body.notificaciones.sms).toBe(true);
		const audit = await get(`/api/v1/admin/auditoria?entity=user&entity_id=${u.id}`, admin.token);
		expect(audit.body.items[0]).toMatchObject({
			action: "user.notificaciones",
			before: { telefono: null, notificaciones: { sms: false } },
			after: { telefono: CELULAR, notificaciones: { sms: true } },
		});
		const off = await patch("/api/v1/users/me", { notificaciones: { sms: false } }, u.token);
		expect(off.body.notificaciones.sms).toBe(false);
		await patch("/api/v1/users/me", { notificaciones: { sms: true } }, u.token);
		const fijo = await patch("/api/v1/users/me", { telefono: "601 555 1234" }, u.token);
		expect(fijo.body.notificaciones.sms).toBe(false);
		await patch(
			"/api/v1/users/me",
			{ telefono: CELULAR, notificaciones: { sms: true, whatsapp: true } },
			u.token,
		);
		const sinFono = await patch("/api/v1/users/me", { telefono: null }, u.token);
		expect(sinFono.body.notificaciones).toEqual({ email: true, whatsapp: false, sms: false });

		// An admin removing a user's phone turns SMS off with it.
		await patch("/api/v1/users/me", { telefono: CELULAR, notificaciones: { sms: true } }, u.token);
		const porAdmin = await patch(`/api/v1/users/${u.id}`, { telefono: null }, admin.token);
		expect(porAdmin.status).toBe(200);
		expect(porAdmin.body.notificaciones.sms).toBe(false);
	});
});
