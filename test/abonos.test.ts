import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { signAccessToken } from "../src/auth/jwt";
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

// createCategoria: boletas of $10.000 (1,000,000 centavos).
const PRECIO = 1_000_000;

let operador: TestUser;
let vendedor: { id: string; token: string };

beforeAll(async () => {
	operador = await createUser({ rol: "operador" });
	const res = await post(
		"/api/v1/vendedores",
		{
			nombre: "Vendedora de abonos",
			email: `abonos-${crypto.randomUUID().slice(0, 8)}@pos.rifa1122.co`,
			telefono: "3001234567",
			password: "Vende1122!segura",
		},
		operador.token,
	);
	vendedor = { id: res.body.id, token: (await signAccessToken(res.body.id, env)).token };
});

const auditoria = async (transaccionId: string) =>
	(
		await env.DB.prepare(
			"SELECT action FROM audit_log WHERE entity = 'transaccion' AND entity_id = ? ORDER BY created_at, action",
		)
			.bind(transaccionId)
			.all<{ action: string }>()
	).results.map((r) => r.action);

const rifaConAbonos = (abonos: Record<string, unknown> = { minimo_bps: 2000 }) =>
	createActiveRifa(operador.token, { reglas: { abonos } });

const cliente = () => ({
	nombre: "Luz Marina Ortiz",
	telefono: `301${Math.floor(1_000_000 + Math.random() * 8_999_999)}`,
	acepta_whatsapp: false,
});

const comprarConAbono = (rifaId: string, monto: number, numeros = [11], token = vendedor.token) =>
	call("POST", `/api/v1/rifas/${rifaId}/tickets`, {
		token,
		body: {
			quantity: numeros.length,
			numeros,
			payment_method: "abonos",
			abono: { monto, medio: "efectivo" },
			cliente: cliente(),
		},
		headers: { "Idempotency-Key": crypto.randomUUID() },
	});

const abonar = (
	ticketId: string,
	body: unknown,
	clave = crypto.randomUUID(),
	token = vendedor.token,
) =>
	call("POST", `/api/v1/tickets/${ticketId}/abonos`, {
		token,
		body,
		headers: { "Idempotency-Key": clave },
	});

describe("abonos", () => {
	it("holds the number as abonado until paid in full, then sells it with its receipt; the cash goes to the seller's box", async () => {
		const rifa = await rifaConAbonos();
		const compra = await comprarConAbono(rifa.id, 400_000);
		expect(compra.status).toBe(201);
		expect(compra.body.tickets[0]).toMatchObject({ numero: 11, estado: "abonado" });
		expect(compra.body.payment.status).toBe("requires_payment");
		const ticketId = compra.body.tickets[0].id;

		const registro = async () => (await get(`/api/v1/rifas/${rifa.id}/registro`)).body.total;
		expect(await registro()).toBe(0);

		expectProblem(await abonar(ticketId, { monto: 600_001, medio: "efectivo" }), 422);
		const clave = crypto.randomUUID();
		const segundo = await abonar(ticketId, { monto: 350_000, medio: "efectivo" }, clave);
		expect(segundo.body).toMatchObject({ estado: "abonado", pagado: 750_000, pendiente: 250_000 });
		// A retry with the same key adds nothing; the same key with another amount is refused.
		expect((await abonar(ticketId, { monto: 350_000, medio: "efectivo" }, clave)).body.pagado).toBe(
			750_000,
		);
		expectProblem(await abonar(ticketId, { monto: 1_000, medio: "efectivo" }, clave), 422);

		const ultimo = await abonar(ticketId, { monto: 250_000, medio: "efectivo" });
		expect(ultimo.body).toMatchObject({ estado: "vendido", pagado: PRECIO, pendiente: 0 });
		expect(await registro()).toBe(1);
		expectProblem(await abonar(ticketId, { monto: 1, medio: "efectivo" }), 409);

		const tx = await get(
			`/api/v1/rifas/${rifa.id}/transacciones/${compra.body.transaccion_id}`,
			vendedor.token,
		);
		expect(tx.body).toMatchObject({ status: "succeeded", provider: "abonos" });
		expect(tx.body.abonos.lista.map((a: { monto: number }) => a.monto)).toEqual([
			400_000, 350_000, 250_000,
		]);

		const caja = await get("/api/v1/cajas/actual", vendedor.token);
		expect(caja.body.cuadre).toMatchObject({ abonos: PRECIO, boletas: 1 });
		expect(await auditoria(compra.body.transaccion_id)).toEqual([
			"abono.registrado",
			"abono.registrado",
			"abono.registrado",
		]);
	});

	it("refuses a first abono below the minimum, above the price, in a rifa without abonos, or in cash from a jugador", async () => {
		const rifa = await rifaConAbonos({ minimo_bps: 3000 });
		expectProblem(await comprarConAbono(rifa.id, 299_999), 422);
		expectProblem(await comprarConAbono(rifa.id, PRECIO + 1), 422);
		const sin = await createActiveRifa(operador.token);
		expectProblem(await comprarConAbono(sin.id, 500_000), 422);
		const jugador = await createUser();
		const propio = await call("POST", `/api/v1/rifas/${rifa.id}/tickets`, {
			token: jugador.token,
			body: {
				user_id: jugador.id,
				quantity: 1,
				payment_method: "abonos",
				abono: { monto: 500_000, medio: "efectivo" },
			},
			headers: { "Idempotency-Key": crypto.randomUUID() },
		});
		expectProblem(propio, 403);
		// Nothing of that took a number.
		expect((await get(`/api/v1/rifas/${rifa.id}/disponibilidad`)).body.libres).toBe(100);
	});

	it("a jugador pays online in instalments (sandbox) and completes it", async () => {
		const rifa = await rifaConAbonos();
		const jugador = await createUser();
		const compra = await call("POST", `/api/v1/rifas/${rifa.id}/tickets`, {
			token: jugador.token,
			body: {
				user_id: jugador.id,
				quantity: 2,
				numeros: [20, 21],
				payment_method: "abonos",
				abono: { monto: 1_000_000, medio: "sandbox" },
			},
			headers: { "Idempotency-Key": crypto.randomUUID() },
		});
		expect(compra.status).toBe(201);
		const ticketId = compra.body.tickets[0].id;
		expectProblem(
			await abonar(
				ticketId,
				{ monto: 1_000_000, medio: "sandbox" },
				undefined,
				(await createUser()).token,
			),
			403,
		);
		const fin = await abonar(
			ticketId,
			{ monto: 1_000_000, medio: "sandbox" },
			undefined,
			jugador.token,
		);
		expect(fin.body).toMatchObject({ estado: "vendido", pendiente: 0 });
	});

	it("an unpaid plan is released at its deadline, owes back what was paid, never enters the seal, and takes no late abono", async () => {
		const rifa = await rifaConAbonos();
		const compra = await comprarConAbono(rifa.id, 400_000, [33]);
		const ticketId = compra.body.tickets[0].id;
		// The deadline passes: an abono that arrives before the alarm runs is refused all the same.
		await runInDurableObject(env.RIFA_ROOM.getByName(rifa.id), (_i, state) => {
			state.storage.sql.exec(
				"UPDATE transacciones SET expires_at = ? WHERE id = ?",
				Date.now() - 1,
				compra.body.transaccion_id,
			);
		});
		expectProblem(await abonar(ticketId, { monto: 600_000, medio: "efectivo" }), 409);
		await expireHolds(rifa.id);
		const tx = await get(
			`/api/v1/rifas/${rifa.id}/transacciones/${compra.body.transaccion_id}`,
			vendedor.token,
		);
		expect(tx.body.status).toBe("failed");
		expect(tx.body.abonos.pagado).toBe(400_000);
		const deuda = await env.DB.prepare(
			"SELECT monto, estado, proveedor FROM reembolsos WHERE id = ?",
		)
			.bind(compra.body.transaccion_id)
			.first();
		expect(deuda).toMatchObject({ monto: 400_000, estado: "pendiente", proveedor: "abonos" });
		expect(await auditoria(compra.body.transaccion_id)).toEqual([
			"abono.registrado",
			"abonos.vencidos",
		]);
		expect((await get(`/api/v1/rifas/${rifa.id}/registro`)).body.total).toBe(0);
		// The number is free again: another buyer takes it.
		expect((await comprarConAbono(rifa.id, PRECIO, [33])).body.tickets[0].estado).toBe("vendido");
	});

	it("closing sales seals only the fully paid plans and releases the others, owing back what they paid", async () => {
		const rifa = await rifaConAbonos();
		const pagada = await comprarConAbono(rifa.id, PRECIO, [1]);
		const pendiente = await comprarConAbono(rifa.id, 500_000, [2]);
		expect(pagada.body.tickets[0].estado).toBe("vendido");
		expect(pendiente.body.tickets[0].estado).toBe("abonado");
		const cierre = await call("PATCH", `/api/v1/rifas/${rifa.id}`, {
			token: operador.token,
			body: { estado: "cerrada" },
		});
		expect(cierre.status).toBe(200);
		const sello = await get(`/api/v1/rifas/${rifa.id}/sello`);
		expect(sello.body).toMatchObject({ tamano: 1, vendidos: 1 });
		const deuda = await env.DB.prepare("SELECT monto FROM reembolsos WHERE id = ?")
			.bind(pendiente.body.transaccion_id)
			.first<{ monto: number }>();
		expect(deuda?.monto).toBe(500_000);
		expectProblem(
			await abonar(pendiente.body.tickets[0].id, { monto: 500_000, medio: "efectivo" }),
			404,
		);
	});
});
