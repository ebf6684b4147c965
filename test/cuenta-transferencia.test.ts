import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { signAccessToken } from "../src/auth/jwt";
import { normalizarLlaveBreb } from "../src/services/cuentas-transferencia.service";
import {
	call,
	createActiveRifa,
	createUser,
	expectProblem,
	get,
	post,
	type TestUser,
} from "./helpers";

let admin: TestUser;
let operador: TestUser;
let otroOperador: TestUser;
let jugador: TestUser;
let vendedor: { id: string; token: string };

beforeAll(async () => {
	admin = await createUser({ rol: "admin" });
	operador = await createUser({ rol: "operador" });
	otroOperador = await createUser({ rol: "operador" });
	jugador = await createUser();
	const res = await post(
		"/api/v1/vendedores",
		{
			nombre: "Vendedora de la cuenta",
			email: `cuenta-${crypto.randomUUID().slice(0, 8)}@pos.rifa1122.co`,
			telefono: "3001234567",
			password: "Vende1122!segura",
		},
		operador.token,
	);
	vendedor = { id: res.body.id, token: (await signAccessToken(res.body.id, env)).token };
});

const CUENTA = {
	banco: "Bancolombia",
	tipo_cuenta: "ahorros",
	numero: "001-2345 6789",
	titular: "Rifas del Valle S.A.S.",
	documento_titular: "900.123.456-7",
	llave_breb: "+57 300 123 4567",
};

const ruta = (id: string) => `/api/v1/operadores/${id}/cuenta-transferencia`;
const fijar = (id: string, body: unknown, token: string) => call("PUT", ruta(id), { body, token });

const comprarPorTransferencia = (rifaId: string, who: TestUser = jugador) =>
	call("POST", `/api/v1/rifas/${rifaId}/tickets`, {
		token: who.token,
		body: { user_id: who.id, quantity: 1, payment_method: "transferencia" },
		headers: { "Idempotency-Key": crypto.randomUUID() },
	});

describe("an operador's transfer account", () => {
	it("is set by the operador, normalised, audited, read back, and shown on its rifas", async () => {
		expect((await get(ruta(operador.id), operador.token)).body).toEqual({ cuenta: null });
		const rifa = await createActiveRifa(operador.token);
		expect((await get(`/api/v1/rifas/${rifa.id}`)).body.cuenta_transferencia).toBeNull();

		const res = await fijar(operador.id, CUENTA, operador.token);
		expect(res.status).toBe(200);
		const esperada = {
			banco: "Bancolombia",
			tipo_cuenta: "ahorros",
			numero: "00123456789",
			titular: "Rifas del Valle S.A.S.",
			documento_titular: "900123456-7",
			llave_breb: "3001234567",
		};
		expect(res.body.cuenta).toEqual({
			...esperada,
			operador_id: operador.id,
			actualizado_en: expect.any(String),
		});
		expect((await get(ruta(operador.id), operador.token)).body).toEqual(res.body);
		expect((await get(ruta(operador.id), admin.token)).body).toEqual(res.body);
		// Public on each of its rifas, without the record's bookkeeping.
		const publica = await get(`/api/v1/rifas/${rifa.id}`);
		expect(publica.status).toBe(200);
		expect(publica.body.cuenta_transferencia).toEqual(esperada);
		expect(publica.body.id).toBe(rifa.id);

		// An admin changes it (optional fields dropped); both changes are audited.
		const cambio = await fijar(
			operador.id,
			{ banco: "Nequi", tipo_cuenta: "deposito_electronico", numero: "3109876543", titular: "Ana" },
			admin.token,
		);
		expect(cambio.body.cuenta).toMatchObject({
			banco: "Nequi",
			documento_titular: null,
			llave_breb: null,
		});
		const audit = await env.DB.prepare(
			"SELECT actor_id, before, after FROM audit_log WHERE action = 'cuenta_transferencia.fijada' AND entity_id = ? ORDER BY created_at, rowid",
		)
			.bind(operador.id)
			.all<{ actor_id: string; before: string | null; after: string }>();
		expect(audit.results.map((a) => a.actor_id)).toEqual([operador.id, admin.id]);
		expect(audit.results[0]?.before).toBeNull();
		expect(JSON.parse(audit.results[1]?.before ?? "{}")).toEqual(esperada);
		expect(JSON.parse(audit.results[1]?.after ?? "{}")).toMatchObject({ banco: "Nequi" });
	});

	it("belongs to the operador alone: other operadores, its sellers and jugadores are refused", async () => {
		expectProblem(await fijar(operador.id, CUENTA, otroOperador.token), 403);
		expectProblem(await get(ruta(operador.id), otroOperador.token), 403);
		expectProblem(await fijar(operador.id, CUENTA, vendedor.token), 403);
		expectProblem(await get(ruta(operador.id), vendedor.token), 403);
		expectProblem(await fijar(jugador.id, CUENTA, jugador.token), 403);
		expectProblem(await get(ruta(operador.id)), 401);
		// An admin may set one for an operador or an admin, never for a jugador or nobody.
		expectProblem(await fijar(jugador.id, CUENTA, admin.token), 404);
		expectProblem(await fijar(crypto.randomUUID(), CUENTA, admin.token), 404);
	});

	it.each([
		["a number with letters", { numero: "12345A789" }, "numero"],
		["a number too short", { numero: "12345" }, "numero"],
		["a number too long", { numero: "1".repeat(21) }, "numero"],
		["another kind of account", { tipo_cuenta: "cdt" }, "tipo_cuenta"],
		["no holder", { titular: "" }, "titular"],
		["a Bre-B key that is none", { llave_breb: "mi llave" }, "llave_breb"],
		["a landline as a key", { llave_breb: "+57 601 555 1234" }, "llave_breb"],
		["an unknown field", { clabe: "123" }, ""],
	])("refuses %s with a 422 naming the field", async (_caso, cambio, campo) => {
		const problema = expectProblem(
			await fijar(operador.id, { ...CUENTA, ...cambio }, operador.token),
			422,
		);
		if (campo) expect(problema.errors.map((e: { path: string }) => e.path)).toContain(campo);
	});

	it("takes the Bre-B keys people have: ID, mobile, email, alias, merchant code", () => {
		expect(normalizarLlaveBreb("1.020.304.050")).toBe("1020304050");
		expect(normalizarLlaveBreb("300 123 4567")).toBe("3001234567");
		expect(normalizarLlaveBreb("+573001234567")).toBe("3001234567");
		expect(normalizarLlaveBreb(" Pagos@Rifas.CO ")).toBe("pagos@rifas.co");
		expect(normalizarLlaveBreb("@elias123")).toBe("@elias123");
		expect(normalizarLlaveBreb("0012345")).toBe("0012345");
		expect(normalizarLlaveBreb("@a")).toBeNull();
		expect(normalizarLlaveBreb("rifas.co")).toBeNull();
		expect(normalizarLlaveBreb("1234")).toBeNull();
	});
});

describe("a purchase by transfer", () => {
	it("is refused in a rifa whose operador has no account, and held once it has one", async () => {
		const sinCuenta = await createUser({ rol: "operador" });
		const rifa = await createActiveRifa(sinCuenta.token);
		const problema = expectProblem(await comprarPorTransferencia(rifa.id), 422);
		expect(problema.detail).toBe("El operador de esta rifa no tiene cuenta para transferencias.");
		// Nothing was held for it.
		expect((await get(`/api/v1/rifas/${rifa.id}/disponibilidad`)).body.libres).toBe(100);
		const en = await call("POST", `/api/v1/rifas/${rifa.id}/tickets`, {
			token: jugador.token,
			body: { user_id: jugador.id, quantity: 1, payment_method: "transferencia" },
			headers: { "Idempotency-Key": crypto.randomUUID(), "Accept-Language": "en" },
		});
		expect(expectProblem(en, 422).detail).toBe(
			"This rifa's operador has no account for transfers.",
		);
		// Other methods still sell there.
		const sandbox = await call("POST", `/api/v1/rifas/${rifa.id}/tickets`, {
			token: jugador.token,
			body: { user_id: jugador.id, quantity: 1, payment_method: "sandbox" },
			headers: { "Idempotency-Key": crypto.randomUUID() },
		});
		expect(sandbox.status).toBe(201);

		expect((await fijar(sinCuenta.id, CUENTA, sinCuenta.token)).status).toBe(200);
		const ahora = await comprarPorTransferencia(rifa.id);
		expect(ahora.status).toBe(201);
		expect(ahora.body.payment).toMatchObject({
			provider: "transferencia",
			status: "requires_payment",
		});
	});

	it("GET /pagos says which rifas take it, and who sells in cash and by abonos", async () => {
		// Without Wompi's keys: this test reaches no Wompi.
		const pagos = await call("GET", "/api/v1/pagos", { env: { WOMPI_PUBLIC_KEY: undefined } });
		expect(pagos.status).toBe(200);
		const por = Object.fromEntries(
			(pagos.body.detalle as { metodo: string }[]).map((d) => [d.metodo, d]),
		);
		expect(por.transferencia).toEqual({
			metodo: "transferencia",
			quien: "comprador",
			venta: "revision_comprobante",
			requiere: "cuenta_transferencia",
		});
		expect(por.efectivo).toMatchObject({ quien: "personal", requiere: null });
		expect(por.abonos).toMatchObject({ quien: "personal", requiere: "reglas.abonos" });
		// The fields the pages read are still there.
		expect(pagos.body).toHaveProperty("metodos");
		expect(pagos.body).toHaveProperty("stripe");
		expect(pagos.body).toHaveProperty("wompi");
		for (const m of pagos.body.metodos) expect(por[m]).toMatchObject({ quien: "comprador" });
	});
});
