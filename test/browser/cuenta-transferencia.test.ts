// The operador's account for transfers, on a 360 px phone: set on /operador/comprobantes (a bad
// number refused under its field before sending, a bad Bre-B key under its own by the API), and
// shown to a buyer paying by transfer on the rifa's page; a rifa whose operador has no account
// does not offer transfers; an operador without one is told so first; an admin chooses whose.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditar, cabe, clienteApi, entrar, JUGADOR, OPERADOR, RIFA_100, telefono } from "./ayudas";
import { abrirEntorno, CAPTURAS } from "./navegador";
import { ADMIN, type Servidor } from "./servidor";

/** Seeded: "Esmeralda mil números — Lotería de Boyacá", a rifa of no operador's. */
const RIFA_SIN_OPERADOR = "a1f40000-0000-4000-8000-000000000003";
const NUEVO = {
	nombre: "Rifas del Pacífico",
	email: "pacifico@operador.rifa1122.local",
	password: "Pacifico1122!segura",
};

let servidor: Servidor;
let browser: Browser;
let cerrar: (() => Promise<void>) | undefined;
let api: ReturnType<typeof clienteApi>["api"];

beforeAll(async () => {
	({ servidor, browser, cerrar } = await abrirEntorno());
	({ api } = clienteApi(servidor.base));
});

afterAll(() => cerrar?.());

/** The payment choices the rifa page offers, as their labels read. */
const metodos = async (rifaId: string) => {
	const { context, page } = await telefono(browser, servidor.base, `/rifas/${rifaId}`);
	await page.locator("fieldset.metodo").waitFor();
	const nombres = await page
		.locator("fieldset.metodo label")
		.evaluateAll((ls) => ls.map((l) => l.textContent?.trim()));
	await context.close();
	return nombres;
};

describe("the operador's account for transfers", () => {
	it("a rifa offers transfers only where its operador has an account", async () => {
		const sin = await api<{ cuenta_transferencia: unknown }>(`/rifas/${RIFA_SIN_OPERADOR}`);
		expect(sin.body.cuenta_transferencia).toBeNull();
		expect(await metodos(RIFA_SIN_OPERADOR)).not.toContain("Transferencia (Nequi, banco)");
		const con = await api<{ cuenta_transferencia: unknown }>(`/rifas/${RIFA_100}`);
		expect(con.body.cuenta_transferencia).not.toBeNull();
		expect(await metodos(RIFA_100)).toContain("Transferencia (Nequi, banco)");
	});

	it("the operador changes its account, and a buyer paying by transfer sees the new one", async () => {
		const { context, fuera, csp, page } = await telefono(
			browser,
			servidor.base,
			"/operador/comprobantes",
			OPERADOR,
		);
		const seccion = page.getByRole("region", { name: "Cuenta para transferencias" });
		await seccion.waitFor();
		// The seeded account, as its rifas show it.
		expect(await seccion.locator("[data-numero]").textContent()).toBe("3001122334");
		expect(await seccion.locator("[data-tipo]").getAttribute("data-tipo")).toBe(
			"deposito_electronico",
		);
		expect(await seccion.getByRole("form").isHidden()).toBe(true);
		expect(await cabe(page)).toBe(true);
		expect(await auditar(page)).toEqual([]);

		await seccion.getByRole("button", { name: "Cambiar la cuenta" }).click();
		const form = seccion.getByRole("form", { name: "Cuenta para transferencias" });
		await form.getByLabel("Banco o billetera").fill("Bancolombia");
		await form.getByLabel("Tipo de cuenta").selectOption("ahorros");
		await form.getByLabel("Número de cuenta").fill("12");
		await form.getByLabel("Titular", { exact: true }).fill("Rifas del Valle S.A.S.");
		await form.getByLabel("Documento del titular (opcional)").fill("900.123.456-7");
		await form.getByLabel("Llave Bre-B (opcional)").fill("no es una llave");
		const puts: unknown[] = [];
		page.on("request", (r) => {
			if (r.method() === "PUT") puts.push(r.postDataJSON());
		});
		await form.getByRole("button", { name: "Guardar la cuenta" }).click();
		await form.getByText("Escriba el número: de 6 a 20 dígitos.").waitFor();
		expect(await form.getByLabel("Número de cuenta").getAttribute("aria-invalid")).toBe("true");
		expect(puts).toEqual([]);
		expect(await auditar(page)).toEqual([]);

		// The key is the API's to judge: its refusal shows under the key.
		await form.getByLabel("Número de cuenta").fill("001-234567-89");
		await form.getByRole("button", { name: "Guardar la cuenta" }).click();
		const llave = form.getByLabel("Llave Bre-B (opcional)");
		await expect.poll(() => llave.getAttribute("aria-invalid")).toBe("true");
		expect(await form.getByLabel("Número de cuenta").getAttribute("aria-invalid")).toBeNull();
		expect(puts).toHaveLength(1);
		expect(await auditar(page)).toEqual([]);
		await page.screenshot({ path: `${CAPTURAS}/operador-cuenta-error.png`, fullPage: true });

		await llave.fill("@rifasdelvalle");
		await form.getByRole("button", { name: "Guardar la cuenta" }).click();
		await seccion.getByText("Cuenta guardada").waitFor();
		expect(puts[1]).toEqual({
			banco: "Bancolombia",
			tipo_cuenta: "ahorros",
			numero: "001-234567-89",
			titular: "Rifas del Valle S.A.S.",
			documento_titular: "900.123.456-7",
			llave_breb: "@rifasdelvalle",
		});
		expect(await seccion.locator("[data-numero]").textContent()).toBe("00123456789");
		expect(await seccion.locator("[data-llave]").textContent()).toBe("@rifasdelvalle");
		expect(await form.isHidden()).toBe(true);
		expect(await cabe(page)).toBe(true);
		expect(await auditar(page)).toEqual([]);
		await page.screenshot({ path: `${CAPTURAS}/operador-cuenta.png`, fullPage: true });
		expect(csp).toEqual([]);
		expect(fuera).toEqual([]);
		await context.close();

		// A buyer of one of its rifas pays by transfer: the step shows that account.
		const comprador = await telefono(browser, servidor.base, `/rifas/${RIFA_100}`);
		const p = comprador.page;
		const libre = (
			await api<{ mapa: string }>(`/rifas/${RIFA_100}/disponibilidad`)
		).body.mapa.indexOf("L");
		await p.locator(`.grilla [data-numero="${libre}"]`).click();
		await p.getByRole("button", { name: "Comprar" }).click();
		await entrar(p, JUGADOR);
		await p.getByRole("radio", { name: "Transferencia (Nequi, banco)" }).check();
		await p.getByRole("button", { name: "Comprar" }).click();
		await p.getByRole("heading", { name: "Reserva pendiente de transferencia" }).waitFor();
		expect(await p.locator("[data-plazo]").textContent()).toMatch(
			/^Transfiera el valor exacto, .+, a esta cuenta del operador de la rifa, y suba el comprobante antes del .+ \(hora de Colombia\)\.$/,
		);
		const cuenta = p.locator("[data-cuenta]");
		expect(
			await cuenta.evaluate((dl) =>
				[...dl.querySelectorAll("dt")].map(
					(dt) => `${dt.textContent}: ${dt.nextElementSibling?.textContent}`,
				),
			),
		).toEqual([
			"Banco: Bancolombia",
			"Tipo de cuenta: Ahorros",
			"Número: 00123456789",
			"Titular: Rifas del Valle S.A.S.",
			"Documento del titular: 900123456-7",
			"Llave Bre-B: @rifasdelvalle",
		]);
		expect(await p.getByText("que anuncia el operador").count()).toBe(0);
		expect(await cabe(p)).toBe(true);
		expect(await auditar(p)).toEqual([]);
		await p.screenshot({ path: `${CAPTURAS}/transferencia-cuenta.png`, fullPage: true });
		expect(comprador.csp).toEqual([]);
		expect(comprador.fuera).toEqual([]);
		await comprador.context.close();
	});

	it("an operador without an account is told first, and registers one; an admin chooses whose", async () => {
		const { login } = clienteApi(servidor.base);
		const registro = await api<{ id: string }>("/auth/register", {
			method: "POST",
			body: NUEVO,
		});
		expect(registro.status).toBe(201);
		const admin = await login(ADMIN);
		const ascenso = await api(`/users/${registro.body.id}`, {
			method: "PATCH",
			token: admin.token,
			body: { rol: "operador" },
		});
		expect(ascenso.status).toBe(200);

		const { context, fuera, csp, page } = await telefono(
			browser,
			servidor.base,
			"/operador/comprobantes",
			NUEVO,
		);
		const seccion = page.getByRole("region", { name: "Cuenta para transferencias" });
		await seccion.locator("[data-sin-cuenta]").waitFor();
		// First on the page, before the queue, with its form open.
		expect(
			await page.evaluate(() =>
				[...document.querySelectorAll("main > *")].findIndex((n) => n.matches("section")),
			),
		).toBe(2);
		const form = seccion.getByRole("form", { name: "Cuenta para transferencias" });
		expect(await form.isVisible()).toBe(true);
		expect(await seccion.getByRole("button", { name: "Cambiar la cuenta" }).isHidden()).toBe(true);
		expect(await cabe(page)).toBe(true);
		expect(await auditar(page)).toEqual([]);
		await page.screenshot({ path: `${CAPTURAS}/operador-sin-cuenta.png`, fullPage: true });
		await form.getByLabel("Banco o billetera").fill("Nequi");
		await form.getByLabel("Tipo de cuenta").selectOption("deposito_electronico");
		await form.getByLabel("Número de cuenta").fill("310 555 6677");
		await form.getByLabel("Titular", { exact: true }).fill(NUEVO.nombre);
		await form.getByRole("button", { name: "Guardar la cuenta" }).click();
		await seccion.getByText("Cuenta guardada").waitFor();
		expect(await seccion.locator("[data-numero]").textContent()).toBe("3105556677");
		expect(await seccion.locator("[data-llave]").count()).toBe(0);
		const guardada = await api<{ cuenta: { numero: string } | null }>(
			`/operadores/${registro.body.id}/cuenta-transferencia`,
			{ token: admin.token },
		);
		expect(guardada.body.cuenta?.numero).toBe("3105556677");
		expect(csp).toEqual([]);
		expect(fuera).toEqual([]);
		await context.close();

		// An admin reads any operador's: it chooses which.
		const a = await telefono(browser, servidor.base, "/operador/comprobantes", ADMIN);
		const deAdmin = a.page.getByRole("region", { name: "Cuenta para transferencias" });
		await deAdmin.getByLabel("Operador").selectOption(registro.body.id);
		await deAdmin.locator("[data-numero]").filter({ hasText: "3105556677" }).waitFor();
		await a.page.screenshot({ path: `${CAPTURAS}/admin-cuenta.png`, fullPage: true });
		expect(await cabe(a.page)).toBe(true);
		expect(await auditar(a.page)).toEqual([]);
		expect(a.csp).toEqual([]);
		expect(a.fuera).toEqual([]);
		await a.context.close();
	});
});
