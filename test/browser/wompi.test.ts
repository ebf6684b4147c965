// Paying with Wompi's Colombian methods on a 360-px phone, against the local Wompi
// (scripts/wompi-local.ts): its bank page, its signed events to the Worker, its card tokens.
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SANDBOX, WOMPI_CLAVES } from "../fixtures/wompi";
import { auditar, clienteApi } from "./ayudas";
import { abrirEntorno, CAPTURAS, sinRed, violacionesCsp } from "./navegador";
import type { Servidor } from "./servidor";

const JUGADOR = { email: "jugador@rifa1122.local", password: "Jugador1122!local" };
/** Seeded: "Plata del jueves — Lotería de Bogotá", 100 numbers, $750.000 to one winner. */
const RIFA = "a1f40000-0000-4000-8000-000000000001";

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

/** The same label is in every method's fields; only the chosen method's are shown. */
const visible = (l: Locator) => l.filter({ visible: true });
const estado = (page: Page, n: number) =>
	page.locator(`[data-numero="${n}"]`).getAttribute("data-estado");
const cabe = (page: Page) =>
	page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
const transacciones = (tipo: string) =>
	[...servidor.wompi.standIn.transactions.values()].filter((t) => t.payment_method_type === tipo);
/** Events from Wompi the Worker accepted (its request log: route and status, nothing else). */
const eventosAceptados = () =>
	servidor.logs.filter(
		(l) => l.includes('"route":"/api/v1/webhooks/wompi"') && l.includes('"status":200'),
	).length;

/**
 * A 360 × 740 phone with the player signed in, on the rifa with one free number chosen. Nothing
 * is reachable but this server and the local Wompi (the bank's page, card tokens).
 */
const telefono = async () => {
	const { context, fuera } = await sinRed(browser, servidor.base, {
		viewport: { width: 360, height: 740 },
	});
	await context.route(`${servidor.wompi.url}/**`, (route) => route.continue());
	const jugador = await login(JUGADOR);
	await context.addInitScript((t) => sessionStorage.setItem("rifa1122.token", t), jugador.token);
	const page = await context.newPage();
	const csp = violacionesCsp(page);
	const compras: { wompi?: unknown }[] = [];
	page.on("request", (r) => {
		if (r.method() === "POST" && r.url().endsWith("/tickets")) compras.push(r.postDataJSON());
	});
	await page.goto(`${servidor.base}/rifas/${RIFA}`);
	await page.locator('[data-numero="99"]').waitFor();
	const libre = (await api<{ mapa: string }>(`/rifas/${RIFA}/disponibilidad`)).body.mapa.indexOf(
		"L",
	);
	await page.locator(`[data-numero="${libre}"]`).click();
	return { context, fuera, page, jugador, libre, compras, csp };
};
const aceptar = (page: Page) =>
	page.getByRole("checkbox", { name: /Acepto los términos y condiciones de Wompi/ }).check();

describe("paying with Wompi's Colombian methods, on a phone", () => {
	it("offers them first, says what is won and how, and every method's form passes axe at 360 px", async () => {
		const { context, fuera, page } = await telefono();
		const nombres = await page
			.locator("fieldset.metodo label")
			.evaluateAll((ls) => ls.map((l) => l.textContent?.trim()));
		expect(nombres).toEqual([
			"Nequi",
			"PSE (débito desde su banco)",
			"Botón Bancolombia (transferencia)",
			"Daviplata",
			"Tarjeta de crédito o débito",
			"Efectivo en un corresponsal Bancolombia",
			"Tarjeta u otro medio (Stripe)",
			"Transferencia (Nequi, banco)",
			"Sandbox (pruebas, sin dinero)",
		]);
		expect(await page.getByRole("radio", { name: "Nequi", exact: true }).isChecked()).toBe(true);
		expect(await page.locator("[data-como-se-gana]").textContent()).toMatch(
			/^Gana \$\s?750\.000 el número igual a las dos últimas cifras del premio mayor de la Lotería de Bogotá del jueves \d{1,2} de [a-z]+ a las 10:30\sp\.\sm\. \(hora de Colombia\)\.$/,
		);
		await page.getByText("si el premio mayor cae en 9307 con la serie 233, gana el 07").waitFor();
		// The terms and the personal-data authorization are Wompi's own documents.
		expect(
			await page
				.getByRole("link", { name: "términos y condiciones de Wompi" })
				.getAttribute("href"),
		).toMatch(/^https:\/\/wompi\.co\//);
		expect(
			await page
				.getByRole("link", { name: "tratamiento de mis datos personales" })
				.getAttribute("href"),
		).toMatch(/^https:\/\/wompi\.com\//);
		const vistos: Record<string, string[]> = {};
		for (const nombre of nombres.slice(0, 6)) {
			await page.getByRole("radio", { name: nombre, exact: true }).check();
			if (nombre?.startsWith("PSE"))
				await visible(page.getByLabel("Banco", { exact: true }))
					.locator("option", { hasText: "Banco que aprueba" })
					.waitFor({ state: "attached" });
			vistos[nombre ?? ""] = await auditar(page);
			expect(await cabe(page), nombre).toBe(true);
			await page.screenshot({
				path: `${CAPTURAS}/wompi-${(nombre ?? "").split(" ")[0]?.toLowerCase()}.png`,
				fullPage: true,
			});
		}
		expect(vistos).toEqual(Object.fromEntries(Object.keys(vistos).map((k) => [k, []])));
		expect(fuera).toEqual([]);
		await context.close();
	});

	it("Nequi: the number is held while the buyer accepts in the app, then Wompi's signed event sells it live", async () => {
		const { context, fuera, page, jugador, libre, compras, csp } = await telefono();
		await page.getByLabel("Celular Nequi").fill("399 111 1111");
		// Wompi's terms must be accepted: nothing is sent until they are.
		await page.getByRole("button", { name: "Comprar" }).click();
		await page.getByRole("alert").filter({ hasText: "acepte sus términos" }).waitFor();
		expect(compras).toEqual([]);
		await aceptar(page);
		const eventos = eventosAceptados();
		await page.getByRole("button", { name: "Comprar" }).click();
		await page.getByRole("heading", { name: "Reserva pendiente de pago" }).waitFor();
		await page.getByText("Acepte el pago en su app Nequi.").waitFor();
		expect(await estado(page, libre)).toBe("reservado");
		expect(compras).toEqual([
			{
				user_id: jugador.id,
				quantity: 1,
				payment_method: "wompi",
				numeros: [libre],
				wompi: { metodo: "NEQUI", acepta_terminos: true, telefono: SANDBOX.nequiAprobado },
			},
		]);
		const [tx] = transacciones("NEQUI");
		expect(tx?.status).toBe("PENDING");
		expect(await auditar(page)).toEqual([]);
		await page.screenshot({ path: `${CAPTURAS}/wompi-nequi-pendiente.png`, fullPage: true });

		// The local Wompi approves it and POSTs its signed event; the page shows it sold, no reload.
		await page.getByRole("heading", { name: "Compra confirmada" }).waitFor({ timeout: 30_000 });
		expect(tx?.status).toBe("APPROVED");
		expect(eventosAceptados()).toBeGreaterThan(eventos);
		expect(await estado(page, libre)).toBe("vendido");
		expect(
			(await page.locator("a[data-recibo]").first().getAttribute("data-recibo"))?.split("."),
		).toHaveLength(3);
		expect(await cabe(page)).toBe(true);
		expect(csp).toEqual([]);
		expect(fuera).toEqual([]);
		await context.close();
	});

	it("PSE: a bank from Wompi's list, the bank's page approves, and back on the rifa the purchase shows sold, as the API says and never as the address says", async () => {
		const { context, fuera, page, libre, compras, csp } = await telefono();
		await page.getByRole("radio", { name: /^PSE/ }).check();
		const banco = visible(page.getByLabel("Banco", { exact: true }));
		await banco.locator("option", { hasText: "Banco que aprueba" }).waitFor({ state: "attached" });
		expect(await banco.locator("option").allTextContents()).toEqual([
			"Elija su banco",
			"Banco que aprueba",
			"Banco que declina",
			"Banco que simula un error",
		]);
		await banco.selectOption({ label: "Banco que aprueba" });
		await visible(page.getByLabel("Tipo de persona")).selectOption("natural");
		await visible(page.getByLabel("Tipo de documento")).selectOption("CC");
		await visible(page.getByLabel("Número de documento")).fill("1999888777");
		await visible(page.getByLabel("Celular", { exact: true })).fill("300 123 4567");
		await aceptar(page);
		await page.getByRole("button", { name: "Comprar" }).click();
		await page.waitForURL(`${servidor.wompi.url}/banco/**`);
		await page.getByRole("heading", { name: "Banco de pruebas" }).waitFor();
		expect(compras.map((c) => c.wompi)).toEqual([
			{
				metodo: "PSE",
				acepta_terminos: true,
				banco: SANDBOX.bancoAprobado,
				tipo_persona: "natural",
				tipo_documento: "CC",
				documento: "1999888777",
				telefono: "3001234567",
			},
		]);
		const [tx] = transacciones("PSE");
		expect(tx?.status).toBe("PENDING");

		// The address back from the bank, opened before paying and claiming approval, shows the
		// purchase as the rifa holds it: pending, the number still held.
		const otra = await context.newPage();
		await otra.goto(
			`${servidor.base}/rifas/${RIFA}?transaccion=${tx?.reference}&id=${tx?.id}&env=test&status=APPROVED`,
		);
		await otra.getByText("Esperando la confirmación de su banco.", { exact: false }).waitFor();
		expect(await otra.getByRole("link", { name: "Volver a la página del banco" }).count()).toBe(1);
		expect(await otra.getByRole("heading", { name: "Compra confirmada" }).count()).toBe(0);
		expect(await estado(otra, libre)).toBe("reservado");
		await otra.close();

		await page.getByRole("button", { name: "Aprobar" }).click();
		await page.waitForURL(`${servidor.base}/rifas/${RIFA}?transaccion=*`);
		await page.getByRole("heading", { name: "Compra confirmada" }).waitFor({ timeout: 30_000 });
		expect(tx?.status).toBe("APPROVED");
		expect(await estado(page, libre)).toBe("vendido");
		// Once it is known, the address is the rifa's again.
		await page.waitForURL(`${servidor.base}/rifas/${RIFA}`);
		expect(await page.locator("a[data-recibo]").count()).toBe(1);
		expect(await auditar(page)).toEqual([]);
		expect(await cabe(page)).toBe(true);
		await page.screenshot({ path: `${CAPTURAS}/wompi-pse-vuelta.png`, fullPage: true });
		expect(csp).toEqual([]);
		expect(fuera).toEqual([]);
		await context.close();
	});

	it("cash at a corresponsal: convenio, reference and deadline in Colombia's time, printable; once paid the page shows it sold", async () => {
		const { context, fuera, page, jugador, libre, csp } = await telefono();
		await page.getByRole("radio", { name: /^Efectivo/ }).check();
		await aceptar(page);
		await page.getByRole("button", { name: "Comprar" }).click();
		const ficha = page.locator("[data-efectivo]");
		await ficha.waitFor();
		const [tx] = transacciones("BANCOLOMBIA_COLLECT");
		const extra = tx?.payment_method.extra ?? {};
		expect(await ficha.locator("[data-convenio]").textContent()).toBe(
			extra.business_agreement_code,
		);
		expect(await ficha.locator("[data-referencia]").textContent()).toBe(
			extra.payment_intention_identifier,
		);
		// Printed alone: the rest of the page is hidden on paper, the slip and its data are not.
		await page.emulateMedia({ media: "print" });
		const impreso = await page.evaluate(() => {
			const v = (s: string) => (document.querySelector(s) as Element).checkVisibility();
			return { grilla: v(".grilla"), barra: v(".barra"), ficha: v("[data-referencia]") };
		});
		await page.screenshot({ path: `${CAPTURAS}/wompi-efectivo-impreso.png` });
		await page.emulateMedia({ media: "screen" });
		expect(impreso).toEqual({ grilla: false, barra: false, ficha: true });
		expect(await page.getByRole("button", { name: "Imprimir" }).count()).toBe(1);
		expect(await estado(page, libre)).toBe("reservado");

		// The deadline is the hold's end (24 h for cash), written in Colombia's time.
		const compra = await api<{ expires_at: string }>(
			`/rifas/${RIFA}/transacciones/${tx?.reference}`,
			{ token: jugador.token },
		);
		const fin = new Date(compra.body.expires_at);
		expect(fin.getTime() - Date.now()).toBeGreaterThan(23 * 3_600_000);
		// Node's ICU and Chromium's may differ in which space they put before "p. m.".
		const espacios = (t: string) => t.replace(/\s/g, " ");
		const en = (o: Intl.DateTimeFormatOptions) =>
			espacios(new Intl.DateTimeFormat("es-CO", { timeZone: "America/Bogota", ...o }).format(fin));
		const plazo = espacios((await ficha.locator("[data-plazo]").textContent()) ?? "");
		expect(plazo).toContain(`${en({ weekday: "long" })} ${en({ day: "numeric" })} de`);
		expect(plazo).toContain(en({ hour: "numeric", minute: "2-digit" }));
		expect(plazo).toMatch(/\(hora de Colombia\)$/);
		await page.screenshot({ path: `${CAPTURAS}/wompi-efectivo.png`, fullPage: true });

		// Paid at the corresponsal: the local Wompi approves it, its event sells the number, and the
		// rifa's WebSocket tells the page at once (it asks about a cash payment only every 30 s).
		await page.getByRole("heading", { name: "Compra confirmada" }).waitFor({ timeout: 30_000 });
		expect(tx?.status).toBe("APPROVED");
		expect(await estado(page, libre)).toBe("vendido");
		expect(await auditar(page)).toEqual([]);
		expect(await cabe(page)).toBe(true);
		expect(csp).toEqual([]);
		expect(fuera).toEqual([]);
		await context.close();
	});

	it("a card is tokenized by Wompi from the browser: only the token reaches this API", async () => {
		const { context, fuera, page, libre, compras, csp } = await telefono();
		await page.getByRole("radio", { name: "Tarjeta de crédito o débito" }).check();
		await page.getByLabel("Número de la tarjeta").fill("4242 4242 4242 4242");
		await page.getByLabel("Mes de vencimiento").fill("12");
		await page.getByLabel("Año de vencimiento").fill(String((new Date().getFullYear() + 3) % 100));
		await page.getByLabel("Código de seguridad (CVC)").fill("123");
		await page.getByLabel("Nombre en la tarjeta").fill("Pedro Pérez");
		await aceptar(page);
		const tokens = () =>
			servidor.wompi.standIn.requests.filter((r) => r.path === "/v1/tokens/cards");
		expect(tokens()).toEqual([]);
		await page.getByRole("button", { name: "Comprar" }).click();
		await page.getByRole("heading", { name: "Reserva pendiente de pago" }).waitFor();
		// Chromium here runs with --disable-web-security (@sparticuz/chromium), so CORS is not
		// checked; the CSP is, and lets the page reach Wompi's API origin.
		expect(tokens().map((r) => r.headers.authorization)).toEqual([
			`Bearer ${WOMPI_CLAVES.WOMPI_PUBLIC_KEY}`,
		]);
		expect(compras.map((c) => c.wompi)).toEqual([
			{
				metodo: "CARD",
				acepta_terminos: true,
				token: expect.stringMatching(/^tok_test_/),
				cuotas: 1,
			},
		]);
		expect(JSON.stringify(compras)).not.toContain("4242");
		expect(await page.getByLabel("Número de la tarjeta").inputValue()).toBe("");
		expect(await page.getByLabel("Código de seguridad (CVC)").inputValue()).toBe("");
		await page.getByRole("heading", { name: "Compra confirmada" }).waitFor({ timeout: 30_000 });
		expect(await estado(page, libre)).toBe("vendido");
		expect(csp).toEqual([]);
		expect(fuera).toEqual([]);
		await context.close();
	});
});
