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
} from "./helpers";

/** A seller made by `operador` through the API, signed in. */
const nuevoVendedor = async (operador: TestUser, nombre = "Carlos Andrés Muñoz") => {
	const email = `vende-${crypto.randomUUID().slice(0, 8)}@pos.rifa1122.co`;
	const res = await post(
		"/api/v1/vendedores",
		{ nombre, email, telefono: "3001234567", password: "Vende1122!segura" },
		operador.token,
	);
	expect(res.status).toBe(201);
	const { token } = await signAccessToken(res.body.id, env);
	return { id: res.body.id as string, token, body: res.body };
};

const venta = (rifaId: string, token: string, body: Record<string, unknown>) =>
	call("POST", `/api/v1/rifas/${rifaId}/tickets`, {
		token,
		body: { quantity: 1, payment_method: "efectivo", ...body },
		headers: { "Idempotency-Key": crypto.randomUUID() },
	});

const put = (path: string, body: unknown, token: string) => call("PUT", path, { body, token });

const cliente = (telefono = `300${Math.floor(1_000_000 + Math.random() * 8_999_999)}`) => ({
	nombre: "Rosa Elena Díaz",
	telefono,
	acepta_whatsapp: true,
	acepta_sms: true,
});

let admin: TestUser;
let operador: TestUser;
let otroOperador: TestUser;

beforeAll(async () => {
	admin = await createUser({ rol: "admin" });
	operador = await createUser({ rol: "operador" });
	otroOperador = await createUser({ rol: "operador" });
});

describe("vendedores", () => {
	it("an operador creates its sellers, lists them and deactivates one; a seller signs in as vendedor", async () => {
		const v = await nuevoVendedor(operador);
		expect(v.body).toMatchObject({ rol: "vendedor", operador_id: operador.id, is_active: true });
		const lista = await get("/api/v1/vendedores", operador.token);
		expect(lista.body.items.map((x: { id: string }) => x.id)).toContain(v.id);
		expect((await get("/api/v1/vendedores", otroOperador.token)).body.items).toEqual([]);

		const login = await post("/api/v1/auth/login", {
			email: v.body.email,
			password: "Vende1122!segura",
		});
		expect(login.status).toBe(200);
		const yo = await get("/api/v1/users/me", login.body.access_token);
		expect(yo.body).toMatchObject({ rol: "vendedor", operador_id: operador.id });
		expect((await get(`/api/v1/users/${v.id}`, admin.token)).body.rol).toBe("vendedor");

		expectProblem(
			await post(`/api/v1/vendedores/${v.id}/desactivacion`, {}, otroOperador.token),
			403,
		);
		const off = await post(`/api/v1/vendedores/${v.id}/desactivacion`, {}, operador.token);
		expect(off.body.is_active).toBe(false);
		expectProblem(await get("/api/v1/cajas/actual", v.token), 401);
	});

	it("refuses sellers made by a jugador, by a seller, for another operador, or with a taken email", async () => {
		const jugador = await createUser();
		const body = {
			nombre: "X",
			email: `x-${crypto.randomUUID().slice(0, 6)}@pos.rifa1122.co`,
			telefono: "3001234567",
			password: "Vende1122!segura",
		};
		expectProblem(await post("/api/v1/vendedores", body, jugador.token), 403);
		const v = await nuevoVendedor(operador);
		expectProblem(await post("/api/v1/vendedores", body, v.token), 403);
		expectProblem(
			await post("/api/v1/vendedores", { ...body, operador_id: otroOperador.id }, operador.token),
			403,
		);
		expectProblem(await post("/api/v1/vendedores", body, admin.token), 422);
		expect(
			(await post("/api/v1/vendedores", { ...body, operador_id: operador.id }, admin.token)).status,
		).toBe(201);
		expectProblem(await post("/api/v1/vendedores", body, operador.token), 409);
	});
});

describe("selling in person", () => {
	it("a seller sells for cash to a walk-in buyer, who is found again by phone", async () => {
		const rifa = await createActiveRifa(operador.token);
		const v = await nuevoVendedor(operador);
		const rosa = cliente();
		const res = await venta(rifa.id, v.token, { cliente: rosa, numeros: [7] });
		expect(res.status).toBe(201);
		expect(res.body.payment).toMatchObject({ provider: "efectivo", status: "succeeded" });
		expect(res.body.tickets[0]).toMatchObject({ numero: 7, estado: "vendido" });

		const comprador = await env.DB.prepare(
			"SELECT u.id, u.email, u.hashed_password, u.notif_email, u.notif_whatsapp, u.notif_sms, t.vendedor_id FROM tickets k JOIN users u ON u.id = k.usuario_id JOIN transacciones t ON t.id = k.transaccion_id WHERE k.id = ?",
		)
			.bind(res.body.tickets[0].id)
			.first<Record<string, unknown>>();
		expect(comprador).toMatchObject({
			hashed_password: null,
			notif_email: 0,
			notif_whatsapp: 1,
			notif_sms: 1,
			vendedor_id: v.id,
		});
		expect(String(comprador?.email)).toMatch(/@clientes\.rifa1122\.invalid$/);

		const otra = await venta(rifa.id, v.token, {
			cliente: { ...rosa, telefono: rosa.telefono },
			numeros: [8],
		});
		expect(otra.status).toBe(201);
		const duena = await env.DB.prepare("SELECT usuario_id FROM tickets WHERE id = ?")
			.bind(otra.body.tickets[0].id)
			.first<{ usuario_id: string }>();
		expect(duena?.usuario_id).toBe(comprador?.id);
	});

	it("sells only in its operador's rifas; a jugador never sells in person nor pays cash", async () => {
		const ajena = await createActiveRifa(otroOperador.token);
		const v = await nuevoVendedor(operador);
		expectProblem(await venta(ajena.id, v.token, { cliente: cliente() }), 403);
		const propia = await createActiveRifa(operador.token);
		const jugador = await createUser();
		expectProblem(await venta(propia.id, jugador.token, { user_id: jugador.id }), 403);
		expectProblem(await venta(propia.id, jugador.token, { cliente: cliente() }), 403);
		expectProblem(await venta(propia.id, v.token, {}), 422);
		expectProblem(
			await venta(propia.id, v.token, { user_id: jugador.id, cliente: cliente() }),
			422,
		);
	});

	it("two sellers taking the same number: one sale, one 409, one movement", async () => {
		const rifa = await createActiveRifa(operador.token);
		const [a, b] = await Promise.all([nuevoVendedor(operador), nuevoVendedor(operador)]);
		const [ra, rb] = await Promise.all([
			venta(rifa.id, a.token, { cliente: cliente(), numeros: [42] }),
			venta(rifa.id, b.token, { cliente: cliente(), numeros: [42] }),
		]);
		expect([ra.status, rb.status].sort()).toEqual([201, 409]);
		const { n } = (await env.DB.prepare(
			"SELECT count(*) AS n FROM caja_movimientos WHERE rifa_id = ?",
		)
			.bind(rifa.id)
			.first<{ n: number }>()) ?? { n: -1 };
		expect(n).toBe(1);
	});

	it("a seller sees only the tickets it sold", async () => {
		const rifa = await createActiveRifa(operador.token);
		const [a, b] = await Promise.all([nuevoVendedor(operador), nuevoVendedor(operador)]);
		expect((await venta(rifa.id, a.token, { cliente: cliente(), numeros: [1] })).status).toBe(201);
		expect((await venta(rifa.id, b.token, { cliente: cliente(), numeros: [2] })).status).toBe(201);
		const vistos = await get(`/api/v1/rifas/${rifa.id}/tickets`, a.token);
		expect(vistos.body.items.map((x: { numero: number }) => x.numero)).toEqual([1]);
	});
});

describe("the daily cuadre de caja", () => {
	it("adds up to the centavo with a tiered commission, closes with a difference, and is confirmed by the operador", async () => {
		const op = await createUser({ rol: "operador" });
		const rifa = await createActiveRifa(op.token);
		const v = await nuevoVendedor(op);
		const esquema = {
			tipo: "tramos",
			tramos: [
				{ hasta: 2, monto: 20_000 },
				{ hasta: null, monto: 25_000 },
			],
		};
		expect((await put(`/api/v1/operadores/${op.id}/comision`, { esquema }, op.token)).status).toBe(
			200,
		);
		expectProblem(await put(`/api/v1/operadores/${op.id}/comision`, { esquema }, v.token), 403);
		expect((await get(`/api/v1/operadores/${op.id}/comision`, v.token)).body.esquema).toEqual(
			esquema,
		);

		// createCategoria: boletas of $10.000 (1,000,000 centavos).
		expect((await venta(rifa.id, v.token, { cliente: cliente(), numeros: [3] })).status).toBe(201);
		expect(
			(await venta(rifa.id, v.token, { cliente: cliente(), numeros: [4, 5], quantity: 2 })).status,
		).toBe(201);
		const caja = await get("/api/v1/cajas/actual", v.token);
		expect(caja.status).toBe(200);
		// 3 boletas reach the second tier: 3 × 25,000, retroactive.
		expect(caja.body.cuadre).toEqual({
			ventas: 3_000_000,
			abonos: 0,
			reembolsos: 0,
			ajustes: 0,
			boletas: 3,
			comision: 75_000,
			a_entregar: 2_925_000,
		});

		expectProblem(await post(`/api/v1/cajas/${caja.body.id}/confirmacion`, {}, op.token), 409);
		const cerrada = await post(
			`/api/v1/cajas/${caja.body.id}/cierre`,
			{ contado: 2_900_000 },
			v.token,
		);
		expect(cerrada.body).toMatchObject({
			estado: "cerrada",
			contado: 2_900_000,
			diferencia: -25_000,
			resultado: "faltante",
		});
		// The same close again changes nothing; another count is refused.
		expect(
			(await post(`/api/v1/cajas/${caja.body.id}/cierre`, { contado: 2_900_000 }, v.token)).status,
		).toBe(200);
		expectProblem(await post(`/api/v1/cajas/${caja.body.id}/cierre`, { contado: 1 }, v.token), 409);

		// A sale after the close goes to the next box; the closed one never changes.
		expect((await venta(rifa.id, v.token, { cliente: cliente(), numeros: [6] })).status).toBe(201);
		const cerradaDespues = await get(`/api/v1/cajas/${caja.body.id}`, v.token);
		expect(cerradaDespues.body.cuadre.ventas).toBe(3_000_000);
		expect(cerradaDespues.body.movimientos).toHaveLength(2);
		const siguiente = await get("/api/v1/cajas/actual", v.token);
		expect(siguiente.body.id).not.toBe(caja.body.id);
		expect(siguiente.body.dia > caja.body.dia).toBe(true);
		// The fourth boleta in the rifa earns the tier's rate: 4 × 25,000 − 3 × 25,000.
		expect(siguiente.body.cuadre).toMatchObject({ ventas: 1_000_000, comision: 25_000 });

		expectProblem(await post(`/api/v1/cajas/${caja.body.id}/confirmacion`, {}, v.token), 403);
		const confirmada = await post(`/api/v1/cajas/${caja.body.id}/confirmacion`, {}, op.token);
		expect(confirmada.body).toMatchObject({ estado: "confirmada", confirmada_por: op.id });

		const resumen = await get("/api/v1/cajas/resumen", op.token);
		expect(resumen.body.items).toEqual([
			expect.objectContaining({
				vendedor_id: v.id,
				rifa_id: rifa.id,
				dia: siguiente.body.dia,
				ventas: 1_000_000,
				boletas: 1,
			}),
			expect.objectContaining({
				vendedor_id: v.id,
				rifa_id: rifa.id,
				dia: caja.body.dia,
				ventas: 3_000_000,
				boletas: 3,
			}),
		]);
		expect((await get("/api/v1/cajas/resumen", otroOperador.token)).body.items).toEqual([]);

		const lista = await get(`/api/v1/cajas?vendedor_id=${v.id}`, op.token);
		expect(lista.body.items.map((c: { estado: string }) => c.estado)).toEqual([
			"abierta",
			"confirmada",
		]);
		expect((await get(`/api/v1/cajas?vendedor_id=${v.id}`, otroOperador.token)).body.items).toEqual(
			[],
		);
	});

	it("an adjustment goes to the seller's open box once, audited; only its operador or an admin make it", async () => {
		const op = await createUser({ rol: "operador" });
		const v = await nuevoVendedor(op);
		const body = {
			vendedor_id: v.id,
			monto: -200_000,
			motivo: "Faltante reconocido del día anterior",
		};
		const clave = crypto.randomUUID();
		const hacer = (token: string) =>
			call("POST", "/api/v1/cajas/ajustes", { token, body, headers: { "Idempotency-Key": clave } });
		expectProblem(await hacer(otroOperador.token), 403);
		expect((await hacer(op.token)).status).toBe(201);
		expect((await hacer(op.token)).status).toBe(201);
		const caja = await get("/api/v1/cajas/actual", v.token);
		expect(caja.body.cuadre).toMatchObject({ ajustes: -200_000, a_entregar: -200_000 });
	});

	it("a box closed while a sale is in flight: the sale is in exactly one box and the closed one never changes", async () => {
		const op = await createUser({ rol: "operador" });
		const rifa = await createActiveRifa(op.token);
		const v = await nuevoVendedor(op);
		expect((await venta(rifa.id, v.token, { cliente: cliente(), numeros: [10] })).status).toBe(201);
		const caja = await get("/api/v1/cajas/actual", v.token);
		const [cierre, enCurso] = await Promise.all([
			post(`/api/v1/cajas/${caja.body.id}/cierre`, { contado: 1_000_000 }, v.token),
			venta(rifa.id, v.token, { cliente: cliente(), numeros: [11] }),
		]);
		expect(cierre.status).toBe(200);
		expect(enCurso.status).toBe(201);
		const cerrada = await get(`/api/v1/cajas/${caja.body.id}`, v.token);
		const suma = cerrada.body.movimientos.reduce(
			(t: number, m: { monto: number }) => t + m.monto,
			0,
		);
		// What the box froze at its close is what its movements add up to.
		expect(suma - cerrada.body.cuadre.comision).toBe(
			cerrada.body.contado - cerrada.body.diferencia,
		);
		const { n } = (await env.DB.prepare(
			"SELECT count(*) AS n FROM caja_movimientos WHERE transaccion_id = ?",
		)
			.bind(enCurso.body.transaccion_id)
			.first<{ n: number }>()) ?? { n: 0 };
		expect(n).toBe(1);
	});

	it("a seller deactivated mid-sale: the sale is whole or absent, never half", async () => {
		const rifa = await createActiveRifa(operador.token);
		const v = await nuevoVendedor(operador);
		const [res] = await Promise.all([
			venta(rifa.id, v.token, { cliente: cliente(), numeros: [20, 21], quantity: 2 }),
			post(`/api/v1/vendedores/${v.id}/desactivacion`, {}, operador.token),
		]);
		const fila = await env.DB.prepare(
			"SELECT (SELECT count(*) FROM tickets WHERE rifa_id = ? AND estado = 'vendido') AS vendidos, (SELECT coalesce(sum(boletas), 0) FROM caja_movimientos WHERE rifa_id = ?) AS boletas",
		)
			.bind(rifa.id, rifa.id)
			.first<{ vendidos: number; boletas: number }>();
		expect(fila).toEqual(
			res.status === 201 ? { vendidos: 2, boletas: 2 } : { vendidos: 0, boletas: 0 },
		);
		expect([201, 401]).toContain(res.status);
		expectProblem(await venta(rifa.id, v.token, { cliente: cliente(), numeros: [22] }), 401);
	});
});
