import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import worker from "../src/index";
import type { NotificacionMensaje } from "../src/notificaciones/tipos";
import { interceptHost } from "./fixtures/intercept-fetch";
import { get, type TestUser, waitFor } from "./helpers";

export interface Item {
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

export const mias = async (who: TestUser, query = "") => {
	const res = await get(`/api/v1/users/me/notificaciones${query}`, who.token);
	expect(res.status).toBe(200);
	return res.body as { items: Item[]; total: number; page: number; per_page: number };
};

/** Waits for the real queue's consumer to record (and finish) notifications matching `match`. */
export const esperar = async (who: TestUser, match: (i: Item) => boolean, n = 1) => {
	await waitFor(
		async () =>
			(await mias(who, "?per_page=100")).items.filter((i) => match(i) && i.estado !== "pendiente")
				.length >= n,
		{ what: "the notification", timeoutMs: 15_000 },
	);
	return (await mias(who, "?per_page=100")).items.filter(match);
};

export const nombreDe = async (rifaId: string) =>
	(await get(`/api/v1/rifas/${rifaId}`)).body.nombre as string;

export const fila = (id: string) =>
	env.DB.prepare("SELECT * FROM notificaciones WHERE id = ?")
		.bind(id)
		.first<Record<string, unknown>>();

export const filasDe = async (evento: string) =>
	(
		await env.DB.prepare("SELECT * FROM notificaciones WHERE evento = ? ORDER BY canal")
			.bind(evento)
			.all<Record<string, unknown>>()
	).results;

export const deliver = async (
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

export const compra = (
	who: TestUser,
	evento = `compra:${crypto.randomUUID()}`,
): NotificacionMensaje => ({
	evento,
	tipo: "compra",
	usuario_id: who.id,
	rifa_id: null,
	datos: { transaccion_id: crypto.randomUUID(), numeros: [7], monto: 1_000_000 },
});

/** Resend's API as the Worker sees it: each request recorded, answered by `answer` in turn. */
export const fakeResend = (answers: (() => Response)[]) => {
	const requests: { headers: Headers; body: Record<string, unknown> }[] = [];
	interceptHost("api.resend.com", async (req) => {
		requests.push({ headers: req.headers, body: (await req.json()) as Record<string, unknown> });
		const answer = answers[Math.min(requests.length - 1, answers.length - 1)];
		return answer ? answer() : Response.json({ id: crypto.randomUUID() });
	});
	return requests;
};
export const ok = () => Response.json({ id: `re_${crypto.randomUUID()}` });
export const RESEND = { RESEND_API_KEY: "re_test_rifa1122_recorded_only" };

/** Twilio's Messages API as the Worker sees it: each request recorded, answered by `answer` in turn. */
export const fakeTwilio = (answers: (() => Response)[]) => {
	const requests: { url: string; headers: Headers; form: Record<string, string> }[] = [];
	interceptHost("api.twilio.com", async (req) => {
		requests.push({
			url: req.url,
			headers: req.headers,
			form: Object.fromEntries(new URLSearchParams(await req.text())),
		});
		const answer = answers[Math.min(requests.length - 1, answers.length - 1)];
		return answer ? answer() : twilioOk();
	});
	return requests;
};
export const twilioOk = () =>
	Response.json(
		{ sid: `SM${crypto.randomUUID().replaceAll("-", "")}`, status: "accepted" },
		{ status: 201 },
	);
export const TWILIO = {
	TWILIO_ACCOUNT_SID: "ACa1b2c3d4e5f60718293a4b5c6d7e8f90",
	TWILIO_AUTH_TOKEN: "f00dfeedcafe1122f00dfeedcafe1122",
	TWILIO_MESSAGING_SERVICE_SID: "MG00112233445566778899aabbccddeeff",
};
