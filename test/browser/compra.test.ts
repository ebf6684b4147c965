// Buying on a rifa's page, in a real browser with no network: the sandbox purchase by keyboard up
// to the receipt, which /verificar finds valid (and invalid once changed); Stripe's Payment
// Element, from a hold to the sale Stripe's signed webhook makes; a purchase whose answer is lost,
// retried with the same key after a reload; and a refused one, which keeps nothing to retry.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditar, clienteApi, conStripe, estados, JUGADOR, RIFA_100_B } from "./ayudas";
import { abrirEntorno, CAPTURAS, sinRed, violacionesCsp } from "./navegador";
import { ADMIN, type Servidor } from "./servidor";

let servidor: Servidor;
let browser: Browser;
let api: ReturnType<typeof clienteApi>["crudo"];
let login: ReturnType<typeof clienteApi>["login"];
let buy: ReturnType<typeof clienteApi>["comprar"];

let context: BrowserContext;
let fuera: string[];
const nueva = async (viewport = { width: 1280, height: 900 }): Promise<Page> => {
	({ context, fuera } = await sinRed(browser, servidor.base, { viewport }));
	return context.newPage();
};

let cerrar: (() => Promise<void>) | undefined;

beforeAll(async () => {
	({ servidor, browser, cerrar } = await abrirEntorno());
	({ crudo: api, login, comprar: buy } = clienteApi(servidor.base));
});

afterAll(() => cerrar?.());

describe("buying on a rifa's page, in a real browser with no network", () => {
	it("buys with the sandbox: choose a number, sign in, and the receipt shows; /verificar says it is valid", async () => {
		const page = await nueva();
		await page.goto(`${servidor.base}/rifas/${RIFA_100_B}`);
		await page.locator('[data-numero="0"]').waitFor();
		const libre = (await estados(page)).find(([, e]) => e === "libre")?.[0] as number;
		// By keyboard: a number is a button; Space chooses it, and its label says so.
		await page.locator(`[data-numero="${libre}"]`).focus();
		await page.keyboard.press("Space");
		expect(await page.locator(`[data-numero="${libre}"]`).getAttribute("aria-pressed")).toBe(
			"true",
		);
		expect(await page.locator(`[data-numero="${libre}"]`).getAttribute("aria-label")).toMatch(
			/libre, elegido$/,
		);
		await page.getByRole("button", { name: "Comprar" }).click();
		await page.getByLabel("Correo").fill(JUGADOR.email);
		await page.getByLabel("Contraseña").fill(JUGADOR.password);
		await page.getByRole("button", { name: "Entrar" }).click();
		// Wompi and Stripe are configured too, and the page offers the Colombian methods first.
		expect(await page.getByRole("radio", { name: "Nequi", exact: true }).isChecked()).toBe(true);
		await page.getByRole("radio", { name: /Sandbox/ }).check();
		let compras = 0;
		page.on("request", (r) => {
			if (r.method() === "POST" && r.url().endsWith("/tickets")) compras++;
		});
		// A double click sends one purchase.
		await page.getByRole("button", { name: "Comprar" }).dblclick();
		await page.getByRole("heading", { name: "Compra confirmada" }).waitFor();
		expect(compras).toBe(1);
		const enlace = page.locator("a[data-recibo]").first();
		const recibo = (await enlace.getAttribute("data-recibo")) as string;
		expect(recibo.split(".")).toHaveLength(3);
		expect(await page.locator(`[data-numero="${libre}"]`).getAttribute("data-estado")).toBe(
			"vendido",
		);
		await page.screenshot({ path: `${CAPTURAS}/compra.png`, fullPage: true });

		await enlace.click();
		await page.locator("[data-verificacion]").waitFor();
		expect(await page.locator("[data-verificacion]").getAttribute("data-verificacion")).toBe(
			"valido",
		);
		expect(await page.locator('[data-check="recibo.firma"]').getAttribute("data-estado")).toBe(
			"ok",
		);
		expect(await page.locator('[data-check="prueba.inclusion"]').getAttribute("data-estado")).toBe(
			"ok",
		);
		// Not sealed yet: the seal and the acta are pending, and the receipt still valid.
		expect(await page.locator('[data-check="sello.firma"]').getAttribute("data-estado")).toBe(
			"pendiente",
		);
		expect(await page.locator('[data-check="acta.firma"]').getAttribute("data-estado")).toBe(
			"pendiente",
		);
		await page.screenshot({ path: `${CAPTURAS}/verificar.png`, fullPage: true });

		// The same receipt with its number changed is refused.
		const [h, p, s] = recibo.split(".");
		const payload = JSON.parse(Buffer.from(p as string, "base64url").toString());
		const otro = Buffer.from(
			JSON.stringify({ ...payload, numero: (payload.numero + 1) % 100 }),
		).toString("base64url");
		await page.goto(`${servidor.base}/verificar#recibo=${h}.${otro}.${s}`);
		await page.locator("[data-verificacion]").waitFor();
		expect(await page.locator("[data-verificacion]").getAttribute("data-verificacion")).toBe(
			"invalido",
		);
		expect(await page.locator('[data-check="recibo.firma"]').getAttribute("data-estado")).toBe(
			"falla",
		);
		expect(fuera).toEqual([]);
		await context.close();
	});

	it("buys with Stripe's Payment Element: a hold, the card form from js.stripe.com, a declined card, then Stripe's webhook sells it", async () => {
		const jugador = await login(JUGADOR);
		const page = await nueva();
		await conStripe(context);
		const csp = violacionesCsp(page);
		await context.addInitScript((t) => sessionStorage.setItem("rifa1122.token", t), jugador.token);
		await page.goto(`${servidor.base}/rifas/${RIFA_100_B}`);
		await page.locator('[data-numero="0"]').waitFor();
		// Nothing loads from Stripe until a card payment starts.
		expect(await page.evaluate(() => "Stripe" in window)).toBe(false);
		const libre = (await estados(page)).find(([, e]) => e === "libre")?.[0] as number;
		await page.locator(`[data-numero="${libre}"]`).click();
		await page.getByRole("radio", { name: /Stripe/ }).check();
		const claves: string[] = [];
		page.on("request", (r) => {
			if (r.method() === "POST" && r.url().endsWith("/tickets"))
				claves.push(r.headers()["idempotency-key"] ?? "");
		});
		await page.getByRole("button", { name: "Comprar" }).click();
		await page.getByRole("heading", { name: "Reserva pendiente de pago" }).waitFor();
		expect(await page.locator(`[data-numero="${libre}"]`).getAttribute("data-estado")).toBe(
			"reservado",
		);
		// A reload brings the same hold back to pay: the same key answers with the same purchase.
		await page.reload();
		await page.getByRole("heading", { name: "Reserva pendiente de pago" }).waitFor();
		expect(claves).toHaveLength(2);
		expect(claves[1]).toBe(claves[0]);
		await page
			.frameLocator('iframe[title="Campos de pago seguros"]')
			.getByLabel("Número de tarjeta")
			.fill("4000 0000 0000 0002");
		const stripe = await page.evaluate(
			() =>
				(
					window as unknown as {
						__stripe: {
							claves: string[];
							opciones: unknown[];
							elements: { clientSecret: string }[];
						};
					}
				).__stripe,
		);
		const [intent] = [...servidor.stripe.intents.values()];
		expect(stripe.claves).toEqual(["pk_test_rifa1122_browser_tests"]);
		expect(stripe.opciones).toEqual([{ locale: "es-419" }]);
		expect(servidor.stripe.intents.size).toBe(1);
		expect(stripe.elements.map((e) => e.clientSecret)).toEqual([intent?.client_secret]);
		// The Worker created one PaymentIntent, keyed by the purchase.
		expect(servidor.stripe.requests).toEqual([
			{
				ruta: "POST /v1/payment_intents",
				idempotencyKey: `rifa1122-pi-${intent?.metadata.transaccion_id}`,
			},
		]);

		expect(await auditar(page)).toEqual([]);

		// A declined card: Stripe's message, and Stripe's failed event frees the number at once.
		await page.evaluate(() => {
			(window as unknown as { __stripe: { rechazar: boolean } }).__stripe.rechazar = true;
		});
		await page.getByRole("button", { name: /^Pagar \$/ }).click();
		await page.getByRole("alert").filter({ hasText: "Su tarjeta fue rechazada." }).waitFor();
		expect(await page.getByRole("button", { name: /^Pagar \$/ }).count()).toBe(0);
		expect((await servidor.stripe.fallar(servidor.base, intent?.id ?? "")).status).toBe(200);
		await page.locator(`[data-numero="${libre}"][data-estado="libre"]`).waitFor();

		// Bought again: a new purchase and a new PaymentIntent.
		await page.locator(`[data-numero="${libre}"]`).click();
		await page.getByRole("radio", { name: /Stripe/ }).check();
		await page.getByRole("button", { name: "Comprar" }).click();
		await page.getByRole("heading", { name: "Reserva pendiente de pago" }).waitFor();
		expect(claves).toHaveLength(3);
		expect(claves[2]).not.toBe(claves[0]);
		expect(servidor.stripe.intents.size).toBe(2);
		const segundo = [...servidor.stripe.intents.values()][1];
		await page.getByRole("button", { name: /^Pagar \$/ }).click();
		await page.getByText("Pago recibido. Confirmando sus boletas…").waitFor();
		expect(
			await page.evaluate(
				() =>
					(window as unknown as { __stripe: { confirmaciones: unknown[] } }).__stripe
						.confirmaciones,
			),
		).toEqual([
			{ return_url: `${servidor.base}/mis-boletas`, redirect: "if_required" },
			{ return_url: `${servidor.base}/mis-boletas`, redirect: "if_required" },
		]);
		// Stripe.js saying yes sells nothing: the number is sold when Stripe's signed event arrives.
		expect(await page.locator(`[data-numero="${libre}"]`).getAttribute("data-estado")).toBe(
			"reservado",
		);
		// Reloaded after paying: the page waits for the rifa, and asks for no payment again.
		await page.reload();
		await page.getByText("Pago recibido. Confirmando sus boletas…").waitFor();
		expect(await page.getByRole("button", { name: /^Pagar \$/ }).count()).toBe(0);
		expect((await servidor.stripe.cobrar(servidor.base, segundo?.id ?? "")).status).toBe(200);
		await page.getByRole("heading", { name: "Compra confirmada" }).waitFor();
		expect(await page.locator(`[data-numero="${libre}"]`).getAttribute("data-estado")).toBe(
			"vendido",
		);
		expect(
			(await page.locator("a[data-recibo]").first().getAttribute("data-recibo"))?.split("."),
		).toHaveLength(3);
		expect(claves).toHaveLength(4);
		expect(claves[3]).toBe(claves[2]);
		const tx = (
			await api(`/users/${jugador.id}/tickets?per_page=100`, { token: jugador.token })
		).body.items.filter(
			(t: { rifa_id: string; numero: number }) => t.rifa_id === RIFA_100_B && t.numero === libre,
		);
		expect(tx).toEqual([
			expect.objectContaining({
				estado: "vendido",
				transaccion_id: segundo?.metadata.transaccion_id,
			}),
		]);
		await page.screenshot({ path: `${CAPTURAS}/compra-stripe.png`, fullPage: true });
		expect(csp).toEqual([]);
		expect(fuera).toEqual([]);
		await context.close();
	});

	it("a purchase whose answer is lost is sent again with the same key, and buys once", async () => {
		const jugador = await login(JUGADOR);
		const page = await nueva();
		await context.addInitScript((t) => sessionStorage.setItem("rifa1122.token", t), jugador.token);
		const claves: string[] = [];
		let perder = true;
		// The first answer is lost on its way back: the rifa sold, the browser saw a reset connection.
		await page.route("**/api/v1/rifas/*/tickets", async (route) => {
			if (route.request().method() !== "POST") return route.continue();
			claves.push(route.request().headers()["idempotency-key"] ?? "");
			if (!perder) return route.continue();
			perder = false;
			await route.fetch();
			return route.abort("connectionreset");
		});
		await page.goto(`${servidor.base}/rifas/${RIFA_100_B}`);
		await page.locator('[data-numero="99"]').waitFor();
		const libre = (await estados(page)).find(([, e]) => e === "libre")?.[0] as number;
		await page.locator(`[data-numero="${libre}"]`).click();
		await page.getByRole("radio", { name: /Sandbox/ }).check();
		await page.getByRole("button", { name: "Comprar" }).click();
		await page.getByRole("alert").filter({ hasText: "No se supo si la compra se hizo" }).waitFor();
		// Even after a reload the page offers the same purchase again, not a new one.
		await page.reload();
		await page.getByRole("button", { name: "Reintentar la misma compra" }).click();
		await page.getByRole("heading", { name: "Compra confirmada" }).waitFor();
		expect(claves).toHaveLength(2);
		expect(claves[1]).toBe(claves[0]);
		const mias = (
			await api(`/users/${jugador.id}/tickets?per_page=100`, { token: jugador.token })
		).body.items.filter(
			(t: { rifa_id: string; numero: number }) => t.rifa_id === RIFA_100_B && t.numero === libre,
		);
		expect(mias).toHaveLength(1);
		expect(await page.locator("a[data-recibo]").count()).toBe(1);
		await context.close();
	});

	it("a refused purchase ends there: the page says why and keeps nothing to retry", async () => {
		const jugador = await login(JUGADOR);
		const page = await nueva();
		await context.addInitScript((t) => sessionStorage.setItem("rifa1122.token", t), jugador.token);
		await page.goto(`${servidor.base}/rifas/${RIFA_100_B}`);
		await page.locator('[data-numero="99"]').waitFor();
		const libre = (await estados(page)).find(([, e]) => e === "libre")?.[0] as number;
		await page.locator(`[data-numero="${libre}"]`).click();
		await page.getByRole("radio", { name: /Sandbox/ }).check();
		// Someone else takes the number just before this purchase reaches the rifa.
		const admin = await login(ADMIN);
		await page.route("**/api/v1/rifas/*/tickets", async (route) => {
			await buy(RIFA_100_B, admin, route.request().postDataJSON().numeros);
			await route.continue();
		});
		await page.getByRole("button", { name: "Comprar" }).click();
		await page.getByRole("alert").filter({ hasText: /\S/ }).waitFor();
		expect(await page.getByRole("alert").first().textContent()).not.toContain("No se supo");
		await page.reload();
		await page.locator('[data-numero="99"]').waitFor();
		expect(await page.getByRole("button", { name: "Reintentar la misma compra" }).count()).toBe(0);
		expect(
			await page.evaluate((id) => sessionStorage.getItem(`rifa1122.compra.${id}`), RIFA_100_B),
		).toBeNull();
		await context.close();
	});
});
