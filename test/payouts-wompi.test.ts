import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import worker from "../src/index";
import { runScheduled } from "../src/jobs/scheduler";
import type { PayoutMessage } from "../src/payouts/payouts";
import { interceptHost } from "./fixtures/intercept-fetch";
import { payout, payoutEvent, WOMPI_PAGOS_CLAVES } from "./fixtures/wompi";
import { type WompiStandIn, wompiStandIn } from "./fixtures/wompi-standin";
import { call, createActiveRifa, createUser, expectProblem, post, type TestUser } from "./helpers";

const HOST = "api.sandbox.payouts.wompi.co";
const PREMIO = 75_000_000;

let admin: TestUser;
let standIn: WompiStandIn;
/** What the Worker sent to the PAYOUTS queue. */
let enviados: string[];

const cola = {
	send: async (body: PayoutMessage) => {
		enviados.push(body.ganador_id);
	},
	sendBatch: async (msgs: Iterable<{ body: PayoutMessage }>) => {
		for (const m of msgs) enviados.push(m.body.ganador_id);
	},
} as unknown as Queue;

/** This deployment with PAYOUTS_PROVIDER=wompi and the stand-in's payouts credentials. */
const wompiEnv = () => ({ PAYOUTS_PROVIDER: "wompi", ...WOMPI_PAGOS_CLAVES, PAYOUTS: cola });

beforeAll(async () => {
	admin = await createUser({ rol: "admin" });
});

beforeEach(() => {
	standIn = wompiStandIn();
	interceptHost(HOST, (r) => standIn.handle(r));
	enviados = [];
});

afterEach(() => {
	vi.restoreAllMocks();
});

const api = (method: string, path: string, token: string, body?: unknown) =>
	call(method, path, { token, body, env: wompiEnv() });

/** A winner with a pending prize for a ticket they bought, as settlement writes it. */
const ganadorCon = async (jugador: TestUser) => {
	const rifa = await createActiveRifa(admin.token);
	const sale = await call("POST", `/api/v1/rifas/${rifa.id}/tickets`, {
		token: jugador.token,
		body: { user_id: jugador.id, quantity: 1, payment_method: "sandbox" },
		headers: { "Idempotency-Key": crypto.randomUUID() },
	});
	expect(sale.status).toBe(201);
	const id = crypto.randomUUID();
	await env.DB.prepare(
		"INSERT INTO ganadores (id, rifa_id, ticket_id, posicion, monto_ganado, estado_pago, creado_en) VALUES (?, ?, ?, 1, ?, 'pendiente', ?)",
	)
		.bind(id, rifa.id, sale.body.tickets[0].id, PREMIO, new Date().toISOString())
		.run();
	return id;
};

const deliver = async (ids: string[], opts: { attempts?: number; dlq?: boolean } = {}) => {
	const batch = createMessageBatch<PayoutMessage>(
		opts.dlq ? "rifa1122-payouts-dlq" : "rifa1122-payouts",
		ids.map((id, i) => ({
			id: `msg-${i}`,
			timestamp: new Date(),
			attempts: opts.attempts ?? 1,
			body: { ganador_id: id },
		})),
	);
	const ctx = createExecutionContext();
	await worker.queue(batch, { ...env, ...wompiEnv() } as Env, ctx);
	return getQueueResult(batch, ctx);
};

const ganador = (id: string) =>
	env.DB.prepare("SELECT estado_pago, referencia_pago FROM ganadores WHERE id = ?")
		.bind(id)
		.first();

const pagosRegistrados = async (id: string) =>
	(
		await env.DB.prepare(
			"SELECT count(*) AS n FROM audit_log WHERE entity_id = ? AND action = 'ganador.pagado'",
		)
			.bind(id)
			.first<{ n: number }>()
	)?.n;

const lotesCreados = () =>
	standIn.requests.filter((r) => r.method === "POST" && /^\/v[12]\/payouts$/.test(r.path));

const loteDe = (reference: string) => {
	const lote = [...standIn.payouts.values()].find((l) => l.payout.reference === reference);
	if (!lote) throw new Error(`no batch ${reference}`);
	return lote;
};

const registrarBreb = async (jugador: TestUser, llave = "@elias123") =>
	api("PUT", `/api/v1/users/${jugador.id}/cuenta-cobro`, jugador.token, { tipo: "breb", llave });

const confirmar = (jugador: TestUser) =>
	api("POST", `/api/v1/users/${jugador.id}/cuenta-cobro/confirmar`, jugador.token);

const evento = (firmado: { body: string; checksum: string }, checksum = firmado.checksum) =>
	call("POST", "/api/v1/webhooks/wompi-pagos", {
		raw: firmado.body,
		headers: { "Content-Type": "application/json", "X-Event-Checksum": checksum },
		env: wompiEnv(),
	});

describe("a winner paid through a Bre-B key", () => {
	it("shows the key's holder, waits for confirmation, then pays once through the queue", async () => {
		const jugador = await createUser();
		const id = await ganadorCon(jugador);

		const registrada = await registrarBreb(jugador);
		expect(registrada.status).toBe(200);
		expect(registrada.body).toMatchObject({
			tipo: "breb",
			llave: "@elias123",
			titular: "Eli*** Can*** Mor***",
			entidad: "BANCO DAVIVIENDA",
			estado: "por_confirmar",
			confirmada_en: null,
		});
		// Not confirmed yet: the prize waits and no batch is created.
		expect((await deliver([id])).explicitAcks).toEqual(["msg-0"]);
		expect(standIn.payouts.size).toBe(0);

		const confirmada = await confirmar(jugador);
		expect(confirmada.status).toBe(200);
		expect(confirmada.body).toMatchObject({ estado: "confirmada", premios_en_cola: 1 });
		expect(enviados).toEqual([id]);

		// Delivered twice at once: one batch, and both messages come back later to poll it.
		const primera = await deliver([id, id]);
		expect(primera.explicitAcks).toEqual([]);
		expect(primera.retryMessages.map((m) => m.msgId).sort()).toEqual(["msg-0", "msg-1"]);
		expect(standIn.payouts.size).toBe(1);
		const [creado] = lotesCreados();
		expect(creado?.path).toBe("/v2/payouts");
		expect(creado?.headers["idempotency-key"]).toBe(id);
		expect(creado?.body).toMatchObject({
			reference: id,
			accountId: WOMPI_PAGOS_CLAVES.WOMPI_PAYOUTS_ACCOUNT_ID,
			paymentType: "OTHER",
			transactions: [{ key: "@elias123", amount: PREMIO, reference: id }],
		});
		expect(await ganador(id)).toEqual({ estado_pago: "pendiente", referencia_pago: null });
		// Still under way after a few polls: acked, not dead-lettered; the cron's backstop goes on.
		expect((await deliver([id], { attempts: 4 })).explicitAcks).toEqual(["msg-0"]);
		expect(standIn.payouts.size).toBe(1);

		const lote = loteDe(id);
		standIn.finalizarPayout(lote.payout.id, "APPROVED");
		expect((await deliver([id])).explicitAcks).toEqual(["msg-0"]);
		expect(await ganador(id)).toEqual({ estado_pago: "pagado", referencia_pago: lote.payout.id });

		expect((await deliver([id])).explicitAcks).toEqual(["msg-0"]);
		expect(lotesCreados()).toHaveLength(1);
		expect(await pagosRegistrados(id)).toBe(1);
	});

	it("finds the batch of a request whose answer was lost instead of creating another", async () => {
		const jugador = await createUser();
		const id = await ganadorCon(jugador);
		await registrarBreb(jugador, "3001234567");
		await confirmar(jugador);
		let perdida = true;
		interceptHost(HOST, async (r) => {
			const res = await standIn.handle(r);
			if (perdida && r.method === "POST") {
				perdida = false;
				throw new TypeError("Network connection lost.");
			}
			return res;
		});
		const caida = await deliver([id]);
		expect(caida.retryMessages.map((m) => m.msgId)).toEqual(["msg-0"]);
		expect(standIn.payouts.size).toBe(1);

		// Meanwhile no manual payment and no change of destination: the batch may still pay.
		await env.DB.prepare("UPDATE ganadores SET procesando_desde = ? WHERE id = ?")
			.bind(new Date(Date.now() - 31 * 60_000).toISOString(), id)
			.run();
		expectProblem(
			await post(`/api/v1/ganadores/${id}/pago`, { referencia_pago: "TRF-1" }, admin.token),
			409,
		);
		expectProblem(await registrarBreb(jugador, "@elias123"), 409);

		await deliver([id], { attempts: 2 });
		expect(lotesCreados()).toHaveLength(1);
		expect(standIn.requests.some((r) => r.path === `/v1/payouts?reference=${id}`)).toBe(true);
		standIn.finalizarPayout(loteDe(id).payout.id);
		expect((await deliver([id], { attempts: 3 })).explicitAcks).toEqual(["msg-0"]);
		expect(await ganador(id)).toMatchObject({ estado_pago: "pagado" });
		expect(standIn.payouts.size).toBe(1);
		expect((await registrarBreb(jugador, "@elias123")).status).toBe(200);
	});

	it("answers 422 for keys Wompi cannot pay, 502 when it is unavailable, and only to the winner", async () => {
		const jugador = await createUser();
		const otro = await createUser();
		for (const llave of ["noexiste@test.com", "12345", "inactiva@test.com"]) {
			const p = expectProblem(await registrarBreb(jugador, llave), 422);
			expect(p.errors[0].path).toBe("llave");
		}
		expectProblem(await registrarBreb(jugador, "error@test.com"), 502);
		expectProblem(await api("GET", `/api/v1/users/${jugador.id}/cuenta-cobro`, jugador.token), 404);
		expectProblem(
			await api("PUT", `/api/v1/users/${jugador.id}/cuenta-cobro`, otro.token, {
				tipo: "breb",
				llave: "@elias123",
			}),
			403,
		);
		expectProblem(
			await api("PUT", `/api/v1/users/${jugador.id}/cuenta-cobro`, admin.token, {
				tipo: "breb",
				llave: "@elias123",
			}),
			403,
		);
		await registrarBreb(jugador);
		const visto = await api("GET", `/api/v1/users/${jugador.id}/cuenta-cobro`, admin.token);
		expect(visto.body).toMatchObject({ titular: "Eli*** Can*** Mor***" });
		expectProblem(await api("GET", `/api/v1/users/${jugador.id}/cuenta-cobro`, otro.token), 403);
		const audit = await env.DB.prepare(
			"SELECT actor_id FROM audit_log WHERE entity_id = ? AND action = 'cuenta_cobro.registrada'",
		)
			.bind(jugador.id)
			.all();
		expect(audit.results).toEqual([{ actor_id: jugador.id }]);
	});
});

describe("a winner paid to a bank account", () => {
	it("pays the account through /v1/payouts, settled by a payouts event", async () => {
		const jugador = await createUser();
		const id = await ganadorCon(jugador);
		const bancos = await call("GET", "/api/v1/pagos/bancos-premios", { env: wompiEnv() });
		expect(bancos.status).toBe(200);
		// With the credentials set but prizes paid by hand, there is nowhere to register.
		const manual = { ...wompiEnv(), PAYOUTS_PROVIDER: "manual" };
		expect((await call("GET", "/api/v1/pagos/bancos-premios", { env: manual })).status).toBe(404);
		expect(
			(
				await call("PUT", `/api/v1/users/${jugador.id}/cuenta-cobro`, {
					token: jugador.token,
					body: { tipo: "breb", llave: "@elias123" },
					env: manual,
				})
			).status,
		).toBe(404);
		const bancolombia = bancos.body.bancos.find(
			(b: { codigo: string }) => b.codigo === "BANCOLOMBIA",
		);
		const cuenta = {
			tipo: "banco",
			banco_id: bancolombia.id,
			tipo_cuenta: "AHORROS",
			numero: "00123456789",
			tipo_documento: "CC",
			documento: "1020304050",
			titular: "Laura Ríos",
		};
		const ruta = `/api/v1/users/${jugador.id}/cuenta-cobro`;
		expectProblem(await api("PUT", ruta, jugador.token, { ...cuenta, banco_id: "no-existe" }), 422);
		const registrada = await api("PUT", ruta, jugador.token, cuenta);
		expect(registrada.body).toMatchObject({
			tipo: "banco",
			banco: "Bancolombia",
			titular: "Laura Ríos",
			estado: "por_confirmar",
		});
		await confirmar(jugador);
		await deliver([id]);
		const [creado] = lotesCreados();
		expect(creado?.path).toBe("/v1/payouts");
		expect(creado?.body).toMatchObject({
			reference: id,
			transactions: [
				{
					bankId: bancolombia.id,
					accountType: "AHORROS",
					accountNumber: "00123456789",
					legalIdType: "CC",
					legalId: "1020304050",
					name: "Laura Ríos",
					amount: PREMIO,
				},
			],
		});

		const lote = loteDe(id);
		standIn.finalizarPayout(lote.payout.id);
		const firmado = await standIn.payoutEvento(lote.payout.id);
		const recibido = await evento(firmado);
		expect(recibido.body).toEqual({ received: true, result: "pagado" });
		expect(await ganador(id)).toEqual({ estado_pago: "pagado", referencia_pago: lote.payout.id });
		expect((await evento(firmado)).body.result).toBe("ya_pagado");
		expect((await deliver([id])).explicitAcks).toEqual(["msg-0"]);
		expect(lotesCreados()).toHaveLength(1);
		expect(await pagosRegistrados(id)).toBe(1);
	});
});

describe("failed dispersals", () => {
	it("tries again after each failure, never two at once, then alerts an admin from the DLQ", async () => {
		const jugador = await createUser();
		const id = await ganadorCon(jugador);
		await registrarBreb(jugador);
		await confirmar(jugador);
		for (const [i, clave] of [id, `${id}-2`, `${id}-3`].entries()) {
			await deliver([id], { attempts: 2 * i + 1 });
			expect(standIn.payouts.size).toBe(i + 1);
			expect(lotesCreados().at(-1)?.headers["idempotency-key"]).toBe(clave);
			// Still pending at Wompi: polled, not tried again.
			await deliver([id], { attempts: 2 * i + 2 });
			expect(standIn.payouts.size).toBe(i + 1);
			standIn.finalizarPayout(loteDe(clave).payout.id, "FAILED");
			const fallo = await deliver([id], { attempts: 2 * i + 2 });
			expect(fallo.retryMessages.map((m) => m.msgId)).toEqual(["msg-0"]);
		}
		// Three failures to the confirmed key: no fourth batch; the message ends in the DLQ.
		expect((await deliver([id], { attempts: 5 })).retryMessages).toHaveLength(1);
		expect(standIn.payouts.size).toBe(3);
		expect((await deliver([id], { dlq: true })).explicitAcks).toEqual(["msg-0"]);
		const alerta = await env.DB.prepare("SELECT datos FROM avisos WHERE id = ?")
			.bind(`alerta:pago_en_dlq:${id}`)
			.first<{ datos: string }>();
		expect(JSON.parse(alerta?.datos ?? "null")).toMatchObject({
			clase: "pago_en_dlq",
			detalle: { ganador_id: id, dispersion: `${id}-3`, dispersion_estado: "fallida" },
		});
		expect(await ganador(id)).toEqual({ estado_pago: "pendiente", referencia_pago: null });
	});
});

describe("POST /webhooks/wompi-pagos", () => {
	it("refuses unsigned and forged events, and settles each status once", async () => {
		const jugador = await createUser();
		const id = await ganadorCon(jugador);
		await registrarBreb(jugador);
		await confirmar(jugador);
		await deliver([id]);
		const lote = loteDe(id);
		const [dispersion] = lote.transacciones;
		standIn.finalizarPayout(lote.payout.id, "FAILED");
		const fallida = await standIn.payoutTransaccionEvento(dispersion?.id ?? "");

		const sinFirma = JSON.parse(fallida.body);
		sinFirma.signature.checksum = "";
		expectProblem(
			await call("POST", "/api/v1/webhooks/wompi-pagos", {
				body: sinFirma,
				env: wompiEnv(),
			}),
			400,
		);
		const forjado = JSON.parse(fallida.body);
		forjado.data.transaction.status = "APPROVED";
		expectProblem(await evento({ body: JSON.stringify(forjado), checksum: fallida.checksum }), 401);
		expectProblem(await evento(fallida, "0".repeat(64)), 401);
		expect(enviados).toEqual([id]);
		expect(await ganador(id)).toEqual({ estado_pago: "pendiente", referencia_pago: null });

		// A failure sends the prize back to the queue once, however often it is delivered.
		expect((await evento(fallida)).body.result).toBe("fallida");
		expect((await evento(fallida)).body.result).toBe("fallida");
		expect(enviados).toEqual([id, id]);

		await deliver([id]);
		const segundo = loteDe(`${id}-2`);
		standIn.finalizarPayout(segundo.payout.id, "APPROVED");
		const aprobada = await standIn.payoutTransaccionEvento(segundo.transacciones[0]?.id ?? "");
		expect((await evento(aprobada)).body.result).toBe("pagado");
		expect((await evento(aprobada)).body.result).toBe("ya_pagado");
		expect(await ganador(id)).toEqual({
			estado_pago: "pagado",
			referencia_pago: segundo.payout.id,
		});
		expect(await pagosRegistrados(id)).toBe(1);

		const ajeno = await payoutEvent(
			payout({
				id: crypto.randomUUID(),
				reference: crypto.randomUUID(),
				amountInCents: PREMIO,
				status: "TOTAL_PAYMENT",
				totalTransactions: 1,
			}),
			{ timestamp: Date.now(), secret: WOMPI_PAGOS_CLAVES.WOMPI_PAYOUTS_EVENTS_SECRET },
		);
		const desconocido = await evento({
			body: JSON.stringify(ajeno.body),
			checksum: ajeno.checksum,
		});
		expect(desconocido.body).toEqual({ received: true, result: "unknown" });
	});
});

describe("payout backstop with Wompi", () => {
	it("sends again only the prizes of winners with a confirmed destination", async () => {
		const conDestino = await createUser();
		const sinDestino = await createUser();
		const a = await ganadorCon(conDestino);
		const b = await ganadorCon(sinDestino);
		await registrarBreb(conDestino);
		await confirmar(conDestino);
		await env.DB.prepare("UPDATE ganadores SET creado_en = ? WHERE id IN (?, ?)")
			.bind(new Date(Date.now() - 3600_000).toISOString(), a, b)
			.run();
		enviados = [];
		await runScheduled({ ...env, ...wompiEnv() } as Env, new Date());
		expect(enviados).toContain(a);
		expect(enviados).not.toContain(b);
	});
});
