import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { signAccessToken } from "../src/auth/jwt";
import { createDb } from "../src/db/client";
import { reconcileCreditos } from "../src/jobs/reconcile";
import { createLogger } from "../src/lib/logger";
import { usarCredito } from "../src/services/creditos.service";
import {
	call,
	createActiveRifa,
	createUser,
	expectProblem,
	expireHolds,
	get,
	post,
	type TestUser,
} from "./helpers";
import { entregar, nequi, transaccionDe, usarWompi } from "./wompi-helpers";

let operador: TestUser;
let jugador: TestUser;
let vendedor: { id: string; token: string };
const stand = usarWompi();

beforeAll(async () => {
	operador = await createUser({ rol: "operador" });
	jugador = await createUser({ rol: "jugador" });
	const res = await post(
		"/api/v1/vendedores",
		{
			nombre: "Vendedor en línea",
			email: `linea-${crypto.randomUUID().slice(0, 8)}@pos.rifa1122.co`,
			telefono: "3001234567",
			password: "Vende1122!segura",
		},
		operador.token,
	);
	vendedor = { id: res.body.id, token: (await signAccessToken(res.body.id, env)).token };
});

const rifaConAbonos = (abonos: Record<string, unknown> = { minimo_bps: 2000 }) =>
	createActiveRifa(operador.token, { reglas: { abonos } });

/** A seller starts the plan for a registered jugador with a first abono in cash. */
const plan = async (rifaId: string, monto: number, numero: number) => {
	const res = await call("POST", `/api/v1/rifas/${rifaId}/tickets`, {
		token: vendedor.token,
		body: {
			user_id: jugador.id,
			quantity: 1,
			numeros: [numero],
			payment_method: "abonos",
			abono: { monto, medio: "efectivo" },
		},
		headers: { "Idempotency-Key": crypto.randomUUID() },
	});
	expect(res.status).toBe(201);
	return { ticketId: res.body.tickets[0].id as string, tx: res.body.transaccion_id as string };
};

const abonar = (
	ticketId: string,
	body: unknown,
	clave = crypto.randomUUID(),
	token = jugador.token,
) =>
	call("POST", `/api/v1/tickets/${ticketId}/abonos`, {
		token,
		body,
		headers: { "Idempotency-Key": clave },
	});

const estado = async (rifaId: string, tx: string) =>
	(await get(`/api/v1/rifas/${rifaId}/transacciones/${tx}`, jugador.token)).body;

const wompiTxs = () =>
	stand.wompi.requests.filter((r) => r.method === "POST" && r.path === "/v1/transactions");

/** Makes every online abono's next question due now and runs the room's alarm. */
const consultarAbonos = async (rifaId: string) => {
	const room = env.RIFA_ROOM.getByName(rifaId);
	await runInDurableObject(room, (_i, state) => {
		state.storage.sql.exec(
			"UPDATE abonos_en_linea SET proxima_consulta = ? WHERE proxima_consulta IS NOT NULL",
			Date.now() - 1,
		);
	});
	await runDurableObjectAlarm(room);
};

const vencer = (rifaId: string, tx: string) =>
	runInDurableObject(env.RIFA_ROOM.getByName(rifaId), (_i, state) => {
		state.storage.sql.exec(
			"UPDATE transacciones SET expires_at = ? WHERE id = ?",
			Date.now() - 1,
			tx,
		);
	});

const creditos = async (token = jugador.token) =>
	(await get("/api/v1/users/me/creditos", token)).body;

describe("abonos paid online through Wompi", () => {
	it("creates one Wompi transaction per abono, counts it only on Wompi's signed word, and sells when paid in full", async () => {
		const rifa = await rifaConAbonos();
		const { ticketId, tx } = await plan(rifa.id, 400_000, 7);
		const clave = crypto.randomUUID();
		const res = await abonar(ticketId, { monto: 300_000, medio: "wompi", wompi: nequi() }, clave);
		expect(res.status).toBe(202);
		expect(res.body).toMatchObject({ estado: "abonado", pagado: 400_000, pendiente: 600_000 });
		expect(res.body.pago).toMatchObject({ monto: 300_000, estado: "pendiente" });
		expect(res.body.pago.referencia).toMatch(new RegExp(`^${tx}\\.[0-9a-f]{16}$`));
		const creada = wompiTxs();
		expect(creada).toHaveLength(1);
		expect(creada[0]?.body).toMatchObject({
			reference: res.body.pago.referencia,
			amount_in_cents: 300_000,
			customer_email: jugador.email,
		});

		// A retry with the same key asks nothing new of Wompi; the same key for another amount is refused.
		const otra = await abonar(ticketId, { monto: 300_000, medio: "wompi", wompi: nequi() }, clave);
		expect(otra.status).toBe(202);
		expect(otra.body.pago.referencia).toBe(res.body.pago.referencia);
		expect(wompiTxs()).toHaveLength(1);
		expectProblem(
			await abonar(ticketId, { monto: 200_000, medio: "wompi", wompi: nequi() }, clave),
			422,
		);
		// What is left counts the payment in progress: 600.000 less 300.000 on its way.
		expectProblem(await abonar(ticketId, { monto: 400_000, medio: "wompi", wompi: nequi() }), 422);
		expectProblem(
			await abonar(
				ticketId,
				{ monto: 400_000, medio: "efectivo" },
				crypto.randomUUID(),
				vendedor.token,
			),
			422,
		);

		// Nothing counts until Wompi says so, by its signed event.
		expect((await estado(rifa.id, tx)).abonos.pagado).toBe(400_000);
		const wtx = transaccionDe(stand.wompi, res.body.pago.referencia);
		stand.wompi.finalizar(wtx.id);
		const evento = await stand.wompi.evento(wtx.id);
		expect((await entregar(evento)).body.result).toBe("abono_abonado");
		expect((await entregar(evento)).body.result).toBe("duplicate");
		const despues = await estado(rifa.id, tx);
		expect(despues.abonos.pagado).toBe(700_000);
		expect(despues.abonos.en_linea).toEqual([
			expect.objectContaining({ referencia: res.body.pago.referencia, estado: "aprobado" }),
		]);
		expect(despues.abonos.lista.map((a: { medio: string }) => a.medio)).toEqual([
			"efectivo",
			"wompi",
		]);

		// The last 300.000 online completes it: sold, with its receipt, in the ledger.
		const ultimo = await abonar(ticketId, { monto: 300_000, medio: "wompi", wompi: nequi() });
		const ultimaTx = transaccionDe(stand.wompi, ultimo.body.pago.referencia);
		stand.wompi.finalizar(ultimaTx.id);
		expect((await entregar(await stand.wompi.evento(ultimaTx.id))).body.result).toBe(
			"abono_vendido",
		);
		expect((await estado(rifa.id, tx)).status).toBe("succeeded");
		expect((await get(`/api/v1/tickets/${ticketId}/recibo`, jugador.token)).status).toBe(200);
		expect((await get(`/api/v1/rifas/${rifa.id}/registro`)).body.total).toBe(1);
		// The buyer is told of each abono.
		const avisos = await env.DB.prepare(
			"SELECT count(*) AS n FROM avisos WHERE tipo = 'abono' AND rifa_id = ?",
		)
			.bind(rifa.id)
			.first<{ n: number }>();
		expect(avisos?.n).toBe(3);
	});

	it("counts an abono by asking Wompi when no event comes, and frees its amount when declined", async () => {
		const rifa = await rifaConAbonos();
		const { ticketId, tx } = await plan(rifa.id, 200_000, 8);
		const aprobado = await abonar(ticketId, { monto: 300_000, medio: "wompi", wompi: nequi() });
		const rechazado = await abonar(ticketId, {
			monto: 500_000,
			medio: "wompi",
			wompi: nequi("3991111111"),
		});
		expect(rechazado.status).toBe(202);
		await consultarAbonos(rifa.id);
		expect((await estado(rifa.id, tx)).abonos.pagado).toBe(200_000);
		stand.wompi.finalizar(transaccionDe(stand.wompi, aprobado.body.pago.referencia).id);
		stand.wompi.finalizar(
			transaccionDe(stand.wompi, rechazado.body.pago.referencia).id,
			"DECLINED",
		);
		await consultarAbonos(rifa.id);
		const e = await estado(rifa.id, tx);
		expect(e.abonos.pagado).toBe(500_000);
		expect(e.abonos.en_linea.map((a: { estado: string }) => a.estado).sort()).toEqual([
			"aprobado",
			"fallido",
		]);
		// The declined 500.000 no longer sets anything aside: the rest can be paid in cash.
		const resto = await abonar(
			ticketId,
			{ monto: 500_000, medio: "efectivo" },
			crypto.randomUUID(),
			vendedor.token,
		);
		expect(resto.body.estado).toBe("vendido");
	});

	it("keeps as credit, and alerts, a payment Wompi approves after the plan stopped waiting", async () => {
		const rifa = await rifaConAbonos();
		const { ticketId, tx } = await plan(rifa.id, 200_000, 9);
		const res = await abonar(ticketId, { monto: 300_000, medio: "wompi", wompi: nequi() });
		await vencer(rifa.id, tx);
		await expireHolds(rifa.id);
		const wtx = transaccionDe(stand.wompi, res.body.pago.referencia);
		stand.wompi.finalizar(wtx.id);
		expect((await entregar(await stand.wompi.evento(wtx.id))).body.result).toBe("abono_tarde");
		const e = await estado(rifa.id, tx);
		expect(e.status).toBe("failed");
		expect(e.abonos.pagado).toBe(200_000);
		const c = await creditos();
		expect(c.movimientos).toEqual(
			expect.arrayContaining([
				expect.objectContaining({ origen: "abono_tarde", monto: 300_000, transaccion_id: tx }),
			]),
		);
		const alerta = await env.DB.prepare(
			"SELECT count(*) AS n FROM avisos WHERE id LIKE 'alerta:abono_tarde:%' AND rifa_id = ?",
		)
			.bind(rifa.id)
			.first<{ n: number }>();
		expect(alerta?.n).toBe(1);
		// The cash abono is owed back as a refund; the late online one is already the buyer's credit.
		const deuda = await env.DB.prepare("SELECT monto FROM reembolsos WHERE id = ?")
			.bind(tx)
			.first();
		expect(deuda).toMatchObject({ monto: 200_000 });
	});

	it("refuses an online first abono, a missing wompi, and a closed plan", async () => {
		const rifa = await rifaConAbonos();
		const primero = await call("POST", `/api/v1/rifas/${rifa.id}/tickets`, {
			token: jugador.token,
			body: {
				user_id: jugador.id,
				quantity: 1,
				numeros: [20],
				payment_method: "abonos",
				abono: { monto: 300_000, medio: "wompi" },
			},
			headers: { "Idempotency-Key": crypto.randomUUID() },
		});
		expectProblem(primero, 422);
		const { ticketId, tx } = await plan(rifa.id, 200_000, 21);
		expectProblem(await abonar(ticketId, { monto: 100_000, medio: "wompi" }), 422);
		await vencer(rifa.id, tx);
		expectProblem(await abonar(ticketId, { monto: 100_000, medio: "wompi", wompi: nequi() }), 409);
		expect(wompiTxs()).toHaveLength(0);
		// Someone else's ticket.
		const otro = await createUser({ rol: "jugador" });
		expectProblem(
			await abonar(
				ticketId,
				{ monto: 100_000, medio: "wompi", wompi: nequi() },
				undefined,
				otro.token,
			),
			403,
		);
	});
});

describe("credit from lapsed plans", () => {
	beforeEach(async () => {
		jugador = await createUser({ rol: "jugador" });
	});

	it("keeps what a lapsed plan paid as credit when the rule says so, and pays a later abono with it", async () => {
		const rifa = await rifaConAbonos({ minimo_bps: 2000, al_vencer: "credito" });
		const viejo = await plan(rifa.id, 400_000, 30);
		await vencer(rifa.id, viejo.tx);
		await expireHolds(rifa.id);
		expect(
			await env.DB.prepare("SELECT 1 FROM reembolsos WHERE id = ?").bind(viejo.tx).first(),
		).toBeNull();
		const c = await creditos();
		expect(c.saldos).toEqual([
			{ operador_id: operador.id, operador: expect.any(String), saldo: 400_000 },
		]);
		const aviso = await env.DB.prepare("SELECT datos FROM avisos WHERE id = ?")
			.bind(`abonos_vencidos:${viejo.tx}`)
			.first<{ datos: string }>();
		expect(JSON.parse(aviso?.datos ?? "{}")).toMatchObject({ monto: 400_000, destino: "credito" });

		// A new plan in another rifa of the same operador takes the credit for a later abono.
		const otra = await rifaConAbonos();
		const nuevo = await plan(otra.id, 200_000, 31);
		expectProblem(await abonar(nuevo.ticketId, { monto: 500_000, medio: "credito" }), 422);
		const clave = crypto.randomUUID();
		const pago = await abonar(nuevo.ticketId, { monto: 300_000, medio: "credito" }, clave);
		expect(pago.status).toBe(201);
		expect(pago.body).toMatchObject({ estado: "abonado", pagado: 500_000 });
		// The same key again takes nothing more.
		expect((await abonar(nuevo.ticketId, { monto: 300_000, medio: "credito" }, clave)).status).toBe(
			201,
		);
		expect((await creditos()).saldos[0].saldo).toBe(100_000);

		// A plan that refuses the abono (paid off meanwhile) gives the credit back.
		await abonar(
			nuevo.ticketId,
			{ monto: 500_000, medio: "efectivo" },
			crypto.randomUUID(),
			vendedor.token,
		);
		expectProblem(await abonar(nuevo.ticketId, { monto: 100_000, medio: "credito" }), 409);
		expect((await creditos()).saldos[0].saldo).toBe(100_000);
		// Credit with one operador is not credit with another.
		const ajeno = await createUser({ rol: "operador" });
		const rifaAjena = await createActiveRifa(ajeno.token, {
			reglas: { abonos: { minimo_bps: 2000 } },
		});
		const compraAjena = await call("POST", `/api/v1/rifas/${rifaAjena.id}/tickets`, {
			token: ajeno.token,
			body: {
				user_id: jugador.id,
				quantity: 1,
				numeros: [1],
				payment_method: "abonos",
				abono: { monto: 200_000, medio: "efectivo" },
			},
			headers: { "Idempotency-Key": crypto.randomUUID() },
		});
		expectProblem(
			await abonar(compraAjena.body.tickets[0].id, { monto: 100_000, medio: "credito" }),
			422,
		);
	});

	it("gives back a credit use whose abono never reached the room, and no retry can then record it", async () => {
		const rifa = await rifaConAbonos({ minimo_bps: 2000, al_vencer: "credito" });
		const viejo = await plan(rifa.id, 300_000, 40);
		await vencer(rifa.id, viejo.tx);
		await expireHolds(rifa.id);
		const nuevo = await plan(rifa.id, 200_000, 41);
		const clave = crypto.randomUUID();
		const abonoId = `${nuevo.tx}:${clave}`;
		// The request took the credit and died before the room.
		await usarCredito(createDb(env.DB), {
			abonoId,
			usuarioId: jugador.id,
			operadorId: operador.id,
			rifaId: rifa.id,
			transaccionId: nuevo.tx,
			monto: 300_000,
		});
		await env.DB.prepare("UPDATE creditos SET creado_en = ? WHERE id = ?")
			.bind(new Date(Date.now() - 3_600_000).toISOString(), `uso:${abonoId}`)
			.run();
		expect((await creditos()).saldos).toEqual([]);
		const log = createLogger(env);
		expect(await reconcileCreditos(env, createDb(env.DB), log)).toBe(1);
		expect(await reconcileCreditos(env, createDb(env.DB), log)).toBe(0);
		expect((await creditos()).saldos[0].saldo).toBe(300_000);
		// The retry of that request is refused: the credit is back and cannot be spent twice.
		expectProblem(await abonar(nuevo.ticketId, { monto: 300_000, medio: "credito" }, clave), 409);
		expect((await creditos()).saldos[0].saldo).toBe(300_000);
		expect((await estado(rifa.id, nuevo.tx)).abonos.pagado).toBe(200_000);
	});

	it("spends a balance once when two abonos race for it, and two online payments never pass the price", async () => {
		const rifa = await rifaConAbonos({ minimo_bps: 2000, al_vencer: "credito" });
		const viejo = await plan(rifa.id, 500_000, 50);
		await vencer(rifa.id, viejo.tx);
		await expireHolds(rifa.id);
		const a = await plan(rifa.id, 200_000, 51);
		const b = await plan(rifa.id, 200_000, 52);
		const [ra, rb] = await Promise.all([
			abonar(a.ticketId, { monto: 400_000, medio: "credito" }),
			abonar(b.ticketId, { monto: 400_000, medio: "credito" }),
		]);
		expect([ra.status, rb.status].sort()).toEqual([201, 422]);
		expect((await creditos()).saldos[0].saldo).toBe(100_000);

		const c = await plan(rifa.id, 200_000, 53);
		const pagos = await Promise.all(
			[1, 2].map(() => abonar(c.ticketId, { monto: 500_000, medio: "wompi", wompi: nequi() })),
		);
		expect(pagos.map((p) => p.status).sort()).toEqual([202, 422]);
		expect(wompiTxs()).toHaveLength(1);
	});
});
