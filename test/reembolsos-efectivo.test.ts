import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { signAccessToken } from "../src/auth/jwt";
import {
	call,
	createActiveRifa,
	createUser,
	expectProblem,
	get,
	post,
	type TestUser,
	waitFor,
} from "./helpers";
import { filasDe } from "./notificaciones-helpers";

// createCategoria: boletas of $10.000 (1,000,000 centavos).
const PRECIO = 1_000_000;

let admin: TestUser;
let operador: TestUser;
let otroOperador: TestUser;
let vendedor: { id: string; token: string };
let ajeno: { id: string; token: string };

const nuevoVendedor = async (de: TestUser) => {
	const res = await post(
		"/api/v1/vendedores",
		{
			nombre: "Vendedor de la plaza",
			email: `caja-${crypto.randomUUID().slice(0, 8)}@pos.rifa1122.co`,
			telefono: "3001234567",
			password: "Vende1122!segura",
		},
		de.token,
	);
	expect(res.status).toBe(201);
	return { id: res.body.id as string, token: (await signAccessToken(res.body.id, env)).token };
};

beforeAll(async () => {
	admin = await createUser({ rol: "admin" });
	operador = await createUser({ rol: "operador" });
	otroOperador = await createUser({ rol: "operador" });
	vendedor = await nuevoVendedor(operador);
	ajeno = await nuevoVendedor(otroOperador);
});

const celular = () => `+57300${Math.floor(1_000_000 + Math.random() * 8_999_999)}`;

const ventaEnEfectivo = async (rifaId: string, numero: number, token = vendedor.token) => {
	const res = await call("POST", `/api/v1/rifas/${rifaId}/tickets`, {
		token,
		body: {
			quantity: 1,
			numeros: [numero],
			payment_method: "efectivo",
			cliente: {
				nombre: "Rosa Elena Díaz",
				telefono: celular(),
				acepta_whatsapp: false,
				acepta_sms: true,
			},
		},
		headers: { "Idempotency-Key": crypto.randomUUID() },
	});
	expect(res.status).toBe(201);
	return res.body.transaccion_id as string;
};

const cancelar = async (rifaId: string) => {
	const res = await post(`/api/v1/rifas/${rifaId}/cancelar`, {}, operador.token);
	expect(res.status).toBe(200);
};

const entregar = (id: string, token: string, body: unknown = {}) =>
	call("POST", `/api/v1/reembolsos/${id}/entrega-efectivo`, { token, body });

const lista = async (token: string, query = "") => {
	const res = await get(`/api/v1/reembolsos${query}`, token);
	expect(res.status).toBe(200);
	return res.body as { items: { id: string }[]; total: number };
};

const caja = async (token: string) => {
	const res = await get("/api/v1/cajas/actual", token);
	expect(res.status).toBe(200);
	return res.body;
};

const contar = async (sql: string, ...params: string[]) =>
	(
		await env.DB.prepare(sql)
			.bind(...params)
			.first<{ n: number }>()
	)?.n;

const movimientos = (id: string) =>
	contar("SELECT count(*) AS n FROM caja_movimientos WHERE id = ?", `reembolso:${id}`);

/** A refund row written as a room would for a purchase paid some other way. */
const reembolsoDirecto = async (
	rifaId: string,
	proveedor: string,
	vendedorId: string | null = null,
) => {
	const id = crypto.randomUUID();
	const comprador = await createUser();
	const at = new Date().toISOString();
	await env.DB.batch([
		env.DB.prepare(
			"INSERT INTO transacciones (id, user_id, rifa_id, tipo, amount, currency, provider, provider_ref, status, created_at, updated_at, vendedor_id) VALUES (?, ?, ?, 'compra', 500000, 'COP', ?, NULL, 'refunded', ?, ?, ?)",
		).bind(id, comprador.id, rifaId, proveedor, at, at, vendedorId),
		env.DB.prepare(
			"INSERT INTO reembolsos (id, rifa_id, usuario_id, monto, proveedor, metodo, referencia_proveedor, motivo, estado, creado_en) VALUES (?, ?, ?, 500000, ?, ?, NULL, 'rifa_cancelada', 'pendiente', ?)",
		).bind(id, rifaId, comprador.id, proveedor, proveedor === "wompi" ? "NEQUI" : "efectivo", at),
	]);
	return id;
};

describe("a cash refund handed back in person", () => {
	it("is the seller's to see and hand back once: the refund is done and its box gives the cash back", async () => {
		const rifa = await createActiveRifa(operador.token);
		const txId = await ventaEnEfectivo(rifa.id, 5);
		await cancelar(rifa.id);

		const mia = await lista(vendedor.token, `?estado=pendiente&rifa_id=${rifa.id}`);
		expect(mia.items).toHaveLength(1);
		expect(mia.items[0]).toMatchObject({
			id: txId,
			rifa_id: rifa.id,
			monto: PRECIO,
			proveedor: "efectivo",
			motivo: "rifa_cancelada",
			estado: "pendiente",
			comprador: { nombre: "Rosa Elena Díaz" },
		});
		// Its operador sees it too; another operador, its seller and a jugador do not.
		expect((await lista(operador.token, `?rifa_id=${rifa.id}`)).items.map((r) => r.id)).toEqual([
			txId,
		]);
		expect((await lista(otroOperador.token, `?rifa_id=${rifa.id}`)).total).toBe(0);
		expect((await lista(ajeno.token)).total).toBe(0);
		expectProblem(await get("/api/v1/reembolsos", (await createUser()).token), 403);

		const antes = await caja(vendedor.token);
		expect(antes.cuadre).toMatchObject({ ventas: PRECIO, reembolsos: 0 });

		expectProblem(await entregar(txId, ajeno.token), 403);
		expectProblem(await entregar(txId, otroOperador.token), 403);

		const hecho = await entregar(txId, vendedor.token, { nota: "Entregado en la plaza" });
		expect(hecho.status).toBe(200);
		expect(hecho.body).toMatchObject({
			id: txId,
			estado: "hecho",
			referencia_transferencia: `efectivo:${vendedor.id}`,
			nota: "Entregado en la plaza",
			hecho_por: vendedor.id,
		});
		const despues = await caja(vendedor.token);
		expect(despues.id).toBe(antes.id);
		expect(despues.cuadre.reembolsos).toBe(-PRECIO);
		expect(despues.cuadre.a_entregar).toBe(antes.cuadre.a_entregar - PRECIO);
		const detalle = await get(`/api/v1/cajas/${despues.id}`, vendedor.token);
		expect(detalle.body.movimientos).toContainEqual(
			expect.objectContaining({
				id: `reembolso:${txId}`,
				tipo: "reembolso",
				monto: -PRECIO,
				boletas: 0,
				rifa_id: rifa.id,
				transaccion_id: txId,
			}),
		);

		// Again by the same seller: the same record, nothing moves twice.
		const otraVez = await entregar(txId, vendedor.token, { nota: "Entregado en la plaza" });
		expect(otraVez.status).toBe(200);
		expect(otraVez.body).toEqual(hecho.body);
		expect((await caja(vendedor.token)).cuadre.a_entregar).toBe(despues.cuadre.a_entregar);
		expect(await movimientos(txId)).toBe(1);
		expect(
			await contar(
				"SELECT count(*) AS n FROM audit_log WHERE entity_id = ? AND action = 'reembolso.entregado_efectivo'",
				txId,
			),
		).toBe(1);
		// Done in cash, it is done: an admin's transfer or someone else's cash is a 409.
		expectProblem(
			await post(`/api/v1/admin/reembolsos/${txId}`, { referencia: "NEQUI-M0001" }, admin.token),
			409,
		);
		expectProblem(await entregar(txId, operador.token), 409);
		expect((await lista(vendedor.token, "?estado=hecho")).items.map((r) => r.id)).toContain(txId);

		// The buyer is told, by the SMS it consented to at the sale.
		const evento = `reembolso_hecho:${txId}`;
		await waitFor(
			async () =>
				(await filasDe(evento)).some((f) => f.canal === "sms" && f.estado !== "pendiente"),
			{ what: "the refund's SMS", timeoutMs: 15_000 },
		);
		const sms = (await filasDe(evento)).find((f) => f.canal === "sms");
		expect(sms).toMatchObject({ tipo: "reembolso", estado: "enviada" });
		expect(String(sms?.cuerpo_texto)).toMatch(
			/^Rifa1122: le devolvimos \$ 10\.000 en efectivo porque la rifa fue cancelada\. /,
		);
	});

	it("goes to the box of whoever hands it back, an operador too; a transfer refund is an admin's", async () => {
		const rifa = await createActiveRifa(operador.token);
		const txId = await ventaEnEfectivo(rifa.id, 7, operador.token);
		const abonos = await reembolsoDirecto(rifa.id, "abonos", vendedor.id);
		const wompi = await reembolsoDirecto(rifa.id, "wompi");
		await cancelar(rifa.id);

		const antes = await caja(operador.token);
		expect(antes.cuadre.ventas).toBe(PRECIO);
		expect((await entregar(txId, operador.token)).status).toBe(200);
		expect((await caja(operador.token)).cuadre).toMatchObject({
			reembolsos: -PRECIO,
			a_entregar: antes.cuadre.a_entregar - PRECIO,
		});

		// A lapsed plan's abonos were taken in person too; its seller sees and hands them back.
		expect((await lista(vendedor.token, `?rifa_id=${rifa.id}`)).items.map((r) => r.id)).toEqual([
			abonos,
		]);
		const cajaAntes = await caja(vendedor.token);
		expect((await entregar(abonos, vendedor.token)).status).toBe(200);
		expect((await caja(vendedor.token)).cuadre.reembolsos).toBe(
			cajaAntes.cuadre.reembolsos - 500_000,
		);

		const problema = expectProblem(await entregar(wompi, admin.token), 422);
		expect(problema.detail).toContain("transferencia");
		expect(await movimientos(wompi)).toBe(0);
		expectProblem(await entregar(crypto.randomUUID(), admin.token), 404);
		expectProblem(
			await call("POST", `/api/v1/reembolsos/${abonos}/entrega-efectivo`, {
				token: vendedor.token,
				body: { otra: 1 },
			}),
			422,
		);
	});

	it("two hand-backs at once record one refund and one movement", async () => {
		const rifa = await createActiveRifa(operador.token);
		const mismo = await ventaEnEfectivo(rifa.id, 1);
		const distinto = await ventaEnEfectivo(rifa.id, 2);
		await cancelar(rifa.id);

		const [a, b] = await Promise.all([
			entregar(mismo, vendedor.token),
			entregar(mismo, vendedor.token),
		]);
		expect([a.status, b.status]).toEqual([200, 200]);
		expect(a.body).toEqual(b.body);
		expect(await movimientos(mismo)).toBe(1);

		// The seller and its operador at once: one of them did it, the other hears 409.
		const [v, o] = await Promise.all([
			entregar(distinto, vendedor.token),
			entregar(distinto, operador.token),
		]);
		expect([v.status, o.status].sort()).toEqual([200, 409]);
		expect(await movimientos(distinto)).toBe(1);
		const quien = v.status === 200 ? vendedor.id : operador.id;
		const mov = await env.DB.prepare(
			"SELECT c.vendedor_id FROM caja_movimientos m JOIN cajas c ON c.id = m.caja_id WHERE m.id = ?",
		)
			.bind(`reembolso:${distinto}`)
			.first<{ vendedor_id: string }>();
		expect(mov?.vendedor_id).toBe(quien);
		expect(
			await contar("SELECT count(*) AS n FROM avisos WHERE id = ?", `reembolso_hecho:${distinto}`),
		).toBe(1);
	});
});
