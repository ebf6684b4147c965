import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../src/index";
import { tokenDeBaja } from "../src/notificaciones/baja";
import type { NotificacionMensaje } from "../src/notificaciones/tipos";
import { interceptHost } from "./fixtures/intercept-fetch";
import { call, createUser, expectProblem, get, type TestUser } from "./helpers";

afterEach(() => {
	vi.restoreAllMocks();
});

/** The unsubscribe link of the email the consumer sends `who` through Resend. */
const enlaceDelCorreo = async (who: TestUser) => {
	const enviados: Record<string, unknown>[] = [];
	interceptHost("api.resend.com", async (req) => {
		enviados.push((await req.json()) as Record<string, unknown>);
		return Response.json({ id: `re_${crypto.randomUUID()}` });
	});
	const batch = createMessageBatch<NotificacionMensaje>("rifa1122-notificaciones", [
		{
			id: crypto.randomUUID(),
			timestamp: new Date(),
			attempts: 1,
			body: {
				evento: `compra:${crypto.randomUUID()}`,
				tipo: "compra",
				usuario_id: who.id,
				rifa_id: null,
				datos: { transaccion_id: crypto.randomUUID(), numeros: [7], monto: 1_000_000 },
			},
		},
	]);
	const ctx = createExecutionContext();
	await worker.queue(batch, { ...env, RESEND_API_KEY: "re_test_rifa1122_recorded_only" }, ctx);
	expect((await getQueueResult(batch, ctx)).explicitAcks).toHaveLength(1);
	const headers = enviados[0]?.headers as Record<string, string>;
	const url = /^<(.+)>$/.exec(headers["List-Unsubscribe"] ?? "")?.[1] ?? "";
	return url.replace(env.APP_URL, "");
};

const baja = (path: string, overrides: Partial<Env>) =>
	call("POST", path, {
		raw: "List-Unsubscribe=One-Click",
		headers: { "Content-Type": "application/x-www-form-urlencoded" },
		env: overrides,
	});

const emailEncendido = async (who: TestUser) =>
	(await get("/api/v1/users/me", who.token)).body.notificaciones.email as boolean;

// docs/security.md: the JWT rotation replaces JWT_SECRET, keeps the old one as
// JWT_PREVIOUS_SECRET for a token lifetime, then deletes it.
const NUEVO_JWT = "rotated-jwt-secret-0123456789abcdefghijklmnopqrstuv";
const DURANTE_ROTACION = { JWT_SECRET: NUEVO_JWT, JWT_PREVIOUS_SECRET: env.JWT_SECRET };
const TRAS_ROTACION = { JWT_SECRET: NUEVO_JWT, JWT_PREVIOUS_SECRET: undefined };

describe("one-click unsubscribe and the JWT key rotation", () => {
	it("a link emailed before a JWT rotation still unsubscribes after the rotation completes", async () => {
		const u = await createUser();
		const path = await enlaceDelCorreo(u);
		expect(path).toMatch(/^\/api\/v1\/notificaciones\/baja\?token=/);

		expect((await call("GET", path, { env: DURANTE_ROTACION })).status).toBe(200);
		expect((await call("GET", path, { env: TRAS_ROTACION })).status).toBe(200);
		const res = await baja(path, TRAS_ROTACION);
		expect(res.status).toBe(200);
		expect(res.body).toEqual({ email: false });
		expect(await emailEncendido(u)).toBe(false);
	});

	it("the link is not keyed on the JWT secret: another unsubscribe secret refuses it", async () => {
		const u = await createUser();
		const path = await enlaceDelCorreo(u);
		expectProblem(
			await baja(path, {
				NOTIFICACIONES_BAJA_SECRET: "another-unsubscribe-secret-0123456789abcdef",
			}),
			422,
		);
		expect(await emailEncendido(u)).toBe(true);
	});

	it("links made under the JWT secret before this change work while that secret is current or previous", async () => {
		const u = await createUser();
		const antiguo = await tokenDeBaja({ NOTIFICACIONES_BAJA_SECRET: env.JWT_SECRET }, u.id);
		const path = `/api/v1/notificaciones/baja?token=${antiguo}`;
		expect((await call("GET", path)).status).toBe(200);
		expect((await call("GET", path, { env: DURANTE_ROTACION })).status).toBe(200);
		expectProblem(await call("GET", path, { env: TRAS_ROTACION }), 422);
		expect((await baja(path, DURANTE_ROTACION)).status).toBe(200);
		expect(await emailEncendido(u)).toBe(false);
	});

	it("no link is made without an unsubscribe secret of its own: no silent JWT fallback", async () => {
		for (const secreto of [undefined, "short"]) {
			await expect(
				tokenDeBaja({ NOTIFICACIONES_BAJA_SECRET: secreto }, crypto.randomUUID()),
			).rejects.toThrow(/NOTIFICACIONES_BAJA_SECRET/);
		}
	});
});
