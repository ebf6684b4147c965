import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { signAccessToken } from "../src/auth/jwt";
import { call, createActiveRifa, createUser, expectProblem, get, post } from "./helpers";

/** The local SMS provider writes each text to the log: the code is read from there. */
const codigoEnviado = async (fn: () => Promise<unknown>) => {
	const lineas: string[] = [];
	const spy = vi.spyOn(console, "log").mockImplementation((l: unknown) => {
		lineas.push(String(l));
	});
	try {
		await fn();
	} finally {
		spy.mockRestore();
	}
	const texto = lineas.find((l) => l.includes("reclamar su cuenta"));
	return texto?.match(/es (\d{6})/)?.[1] ?? null;
};

/** A walk-in buyer a seller sold to: a customer without a password, known by its phone. */
const clienteEnPersona = async () => {
	const operador = await createUser({ rol: "operador" });
	const rifa = await createActiveRifa(operador.token);
	const v = await post(
		"/api/v1/vendedores",
		{
			nombre: "Vendedor",
			email: `v-${crypto.randomUUID().slice(0, 8)}@pos.rifa1122.co`,
			telefono: "3001234567",
			password: "Vende1122!segura",
		},
		operador.token,
	);
	const { token } = await signAccessToken(v.body.id, env);
	const telefono = `+57310${Math.floor(1_000_000 + Math.random() * 8_999_999)}`;
	const venta = await call("POST", `/api/v1/rifas/${rifa.id}/tickets`, {
		token,
		body: {
			quantity: 1,
			numeros: [5],
			payment_method: "efectivo",
			cliente: { nombre: "Gloria Inés Patiño", telefono },
		},
		headers: { "Idempotency-Key": crypto.randomUUID() },
	});
	expect(venta.status).toBe(201);
	return { telefono, ticketId: venta.body.tickets[0].id as string };
};

describe("a walk-in buyer claims its account", () => {
	it("gets a code by SMS, sets its email and password, and finds its tickets", async () => {
		const { telefono, ticketId } = await clienteEnPersona();
		const codigo = await codigoEnviado(async () => {
			const r = await post("/api/v1/auth/reclamo", { telefono });
			expect(r.status).toBe(202);
		});
		expect(codigo).toMatch(/^\d{6}$/);
		const email = `gloria-${crypto.randomUUID().slice(0, 6)}@correo.co`;
		const otro = codigo === "000000" ? "000001" : "000000";
		expectProblem(
			await post("/api/v1/auth/reclamo/confirmacion", {
				telefono,
				codigo: otro,
				email,
				password: "Gloria1122!segura",
			}),
			422,
		);
		const ok = await post("/api/v1/auth/reclamo/confirmacion", {
			telefono,
			codigo,
			email,
			password: "Gloria1122!segura",
		});
		expect(ok.status).toBe(200);
		const yo = await get("/api/v1/users/me", ok.body.access_token);
		expect(yo.body).toMatchObject({ email, rol: "jugador" });
		const mias = await get(`/api/v1/users/${yo.body.id}/tickets`, ok.body.access_token);
		expect(mias.body.items.map((x: { id: string }) => x.id)).toEqual([ticketId]);
		expect(
			(await post("/api/v1/auth/login", { email, password: "Gloria1122!segura" })).status,
		).toBe(200);
		// The code is spent, and a claimed account cannot be claimed again.
		expectProblem(
			await post("/api/v1/auth/reclamo/confirmacion", {
				telefono,
				codigo,
				email: `x-${email}`,
				password: "Otra1122!segura",
			}),
			422,
		);
		expect(await codigoEnviado(() => post("/api/v1/auth/reclamo", { telefono }))).toBeNull();
	});

	it("answers the same for a phone with nothing to claim, and stops after five wrong codes", async () => {
		const nadie = await codigoEnviado(async () => {
			const r = await post("/api/v1/auth/reclamo", { telefono: "+573209998877" });
			expect(r.status).toBe(202);
			expect(r.body).toEqual({ enviado: true });
		});
		expect(nadie).toBeNull();
		expectProblem(await post("/api/v1/auth/reclamo", { telefono: "6012345678" }), 422);

		const { telefono } = await clienteEnPersona();
		const codigo = await codigoEnviado(() => post("/api/v1/auth/reclamo", { telefono }));
		const errado = codigo === "111111" ? "222222" : "111111";
		const intento = (c: string) =>
			post("/api/v1/auth/reclamo/confirmacion", {
				telefono,
				codigo: c,
				email: `e-${crypto.randomUUID().slice(0, 6)}@correo.co`,
				password: "Gloria1122!segura",
			});
		for (let i = 0; i < 5; i++) expectProblem(await intento(errado), 422);
		expectProblem(await intento(codigo ?? ""), 422);
	});
});
