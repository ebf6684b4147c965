// Where a winner is paid, on /mis-boletas at 360 px: a Bre-B key resolved by the local Wompi
// (scripts/wompi-local.ts) to its masked holder and bank, confirmed; a bank account; the API's
// refusals in its own words; and no section where prizes are not paid through Wompi.
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditar, clienteApi } from "./ayudas";
import { abrirEntorno, CAPTURAS, sinRed } from "./navegador";
import type { Servidor } from "./servidor";

const JUGADOR = { email: "jugador@rifa1122.local", password: "Jugador1122!local" };
const SECCION = "Dónde recibir sus premios";

let servidor: Servidor;
let browser: Browser;
let cerrar: (() => Promise<void>) | undefined;
let api: ReturnType<typeof clienteApi>["api"];
let login: ReturnType<typeof clienteApi>["login"];

beforeAll(async () => {
	({ servidor, browser, cerrar } = await abrirEntorno());
	({ api, login } = clienteApi(servidor.base));
});

afterAll(() => cerrar?.());

const cabe = (page: Page) =>
	page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

/** A 360 × 740 phone on /mis-boletas, signed in through the page's own form. */
const telefono = async (
	preparar?: (c: BrowserContext) => Promise<void>,
): Promise<{ context: BrowserContext; fuera: string[]; page: Page }> => {
	const { context, fuera } = await sinRed(browser, servidor.base, {
		viewport: { width: 360, height: 740 },
	});
	await preparar?.(context);
	const page = await context.newPage();
	await page.goto(`${servidor.base}/mis-boletas`);
	await page.getByLabel("Correo").fill(JUGADOR.email);
	await page.getByLabel("Contraseña").fill(JUGADOR.password);
	await page.getByRole("button", { name: "Entrar" }).click();
	await page.getByText(/^.+: \d+ boletas\.$/).waitFor();
	return { context, fuera, page };
};

const registrarLlave = async (seccion: Locator, llave: string) => {
	await seccion.getByLabel("Su llave Bre-B").fill(llave);
	await seccion.getByRole("button", { name: "Registrar" }).click();
};

describe("where a winner is paid, on a phone", () => {
	it("registers a Bre-B key, shows whose it is, confirms it; an unknown key and Wompi down say why", async () => {
		const { context, fuera, page } = await telefono();
		const seccion = page.getByRole("region", { name: SECCION });
		await seccion.getByText("Aún no ha registrado dónde recibir sus premios.").waitFor();
		expect(await seccion.getAttribute("data-estado")).toBe("ninguna");
		expect(await seccion.locator("[data-premio-pendiente]").isVisible()).toBe(false);
		expect(await auditar(page)).toEqual([]);

		await registrarLlave(seccion, "noexiste@test.com");
		await seccion
			.getByRole("alert")
			.filter({
				hasText:
					"No se pudo registrar el destino: La llave Bre-B no está registrada o no está activa.",
			})
			.waitFor();
		await registrarLlave(seccion, "error@test.com");
		await seccion
			.getByRole("alert")
			.filter({ hasText: "Wompi no respondió; intente de nuevo en unos minutos." })
			.waitFor();
		expect(await auditar(page)).toEqual([]);

		await registrarLlave(seccion, " @elias123 ");
		const pregunta = seccion.getByText(
			"Titular: Eli*** Can*** Mor*** · BANCO DAVIVIENDA — ¿Es usted?",
		);
		await pregunta.waitFor();
		expect(await seccion.getByRole("alert").textContent()).toBe("");
		expect(await pregunta.evaluate((p) => p === document.activeElement)).toBe(true);
		expect(await seccion.locator("[data-estado-cuenta]").textContent()).toBe("por confirmar");
		expect(await seccion.locator("form").isVisible()).toBe(false);
		expect(await cabe(page)).toBe(true);
		expect(await auditar(page)).toEqual([]);
		await page.screenshot({ path: `${CAPTURAS}/cobro-por-confirmar.png`, fullPage: true });

		await seccion.getByRole("button", { name: "Confirmar" }).click();
		await seccion.locator('[data-estado-cuenta="confirmada"]').waitFor();
		await seccion.getByRole("status").filter({ hasText: "Confirmado" }).waitFor();
		expect(await seccion.getByText("Llave Bre-B @elias123 · Estado: confirmada").count()).toBe(1);
		expect(await seccion.getByRole("button", { name: "Confirmar" }).count()).toBe(0);
		const jugador = await login(JUGADOR);
		const cuenta = await api(`/users/${jugador.id}/cuenta-cobro`, { token: jugador.token });
		expect(cuenta.body).toMatchObject({
			tipo: "breb",
			llave: "@elias123",
			estado: "confirmada",
			titular: "Eli*** Can*** Mor***",
			entidad: "BANCO DAVIVIENDA",
		});
		expect(await auditar(page)).toEqual([]);
		await page.screenshot({ path: `${CAPTURAS}/cobro-confirmada.png`, fullPage: true });

		// It stays confirmed after a reload; changing it to a bank account asks to confirm again.
		await page.reload();
		await seccion.locator('[data-estado-cuenta="confirmada"]').waitFor();
		await seccion.getByRole("button", { name: "Cambiar destino" }).click();
		await seccion.getByRole("radio", { name: "Cuenta bancaria" }).check();
		await seccion.getByLabel("Banco", { exact: true }).selectOption({ label: "Bancolombia" });
		await seccion.getByLabel("Número de cuenta").fill("001-234567-89");
		await seccion.getByLabel("Nombre del titular").fill("Laura Ríos");
		await seccion.getByLabel("Número de documento").fill("1.020.304.050");
		expect(await cabe(page)).toBe(true);
		expect(await auditar(page)).toEqual([]);
		await page.screenshot({ path: `${CAPTURAS}/cobro-cuenta.png`, fullPage: true });
		await seccion.getByRole("button", { name: "Registrar" }).click();
		await seccion
			.getByText("Titular: Laura Ríos · Bancolombia — ¿Son correctos estos datos?")
			.waitFor();
		expect(
			await seccion.getByText("Bancolombia, cuenta de ahorros terminada en 6789").count(),
		).toBe(1);
		const banco = await api(`/users/${jugador.id}/cuenta-cobro`, { token: jugador.token });
		expect(banco.body).toMatchObject({
			tipo: "banco",
			estado: "por_confirmar",
			banco: "Bancolombia",
			tipo_cuenta: "AHORROS",
			numero: "00123456789",
			tipo_documento: "CC",
			documento: "1020304050",
		});
		expect(fuera).toEqual([]);
		await context.close();
	});

	it("shows no section where prizes are not paid through Wompi, and only a key while its banks do not load", async () => {
		const apagado = await telefono((c) =>
			c.route("**/api/v1/pagos/bancos-premios", (r) =>
				r.fulfill({
					status: 404,
					contentType: "application/problem+json",
					body: JSON.stringify({ status: 404, detail: "No configurado." }),
				}),
			),
		);
		expect(await apagado.page.locator("[data-cobro]").count()).toBe(0);
		await apagado.context.close();

		const sinBancos = await telefono((c) =>
			c.route("**/api/v1/pagos/bancos-premios", (r) =>
				r.fulfill({
					status: 502,
					contentType: "application/problem+json",
					body: JSON.stringify({ status: 502, detail: "Wompi no respondió." }),
				}),
			),
		);
		const seccion = sinBancos.page.getByRole("region", { name: SECCION });
		// The first test left a bank account to confirm; changing it offers a key only.
		await seccion.getByRole("button", { name: "Cambiar", exact: true }).click();
		expect(await seccion.getByRole("radio", { name: "Cuenta bancaria" }).isDisabled()).toBe(true);
		await seccion.getByText("La lista de bancos no respondió").waitFor();
		expect(await auditar(sinBancos.page)).toEqual([]);
		await sinBancos.context.close();
	});
});
