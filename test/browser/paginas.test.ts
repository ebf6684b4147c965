// The pages everyone reads, in a real browser with no network: / with the rifas on sale, a rifa's
// grid live from its WebSocket (one of 10,000 numbers too, and on a 360 px phone), the sales chart
// for staff, /mis-boletas, the 404, and axe-core over every page. Buying on a rifa's page is in
// compra.test.ts, a rifa followed through its draw in sorteo.test.ts.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditar, clienteApi, estados, JUGADOR, RIFA_100, RIFA_100_B } from "./ayudas";
import { abrirEntorno, CAPTURAS, sinRed } from "./navegador";
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

describe("pages, in a real browser with no network", () => {
	it("/ lists the rifas on sale with price, prize, sold share and time left", async () => {
		const page = await nueva();
		await page.goto(`${servidor.base}/`);
		await page.locator(`[data-rifa="${RIFA_100}"]`).waitFor();
		const card = (await page.locator(`[data-rifa="${RIFA_100}"]`).textContent()) ?? "";
		expect(card).toMatch(/Boleta\s*\$\s?[\d.]+/);
		expect(card).toMatch(/Premio\s*\$\s?[\d.]+/);
		expect(card).toMatch(/Vendido\s*\d+ %/);
		expect(card).toMatch(/Cierra en\s*\d+/);
		expect(fuera).toEqual([]);
		await context.close();
	});

	it("the grid shows every number with its state, and a sale elsewhere turns its cell vendido live", async () => {
		const jugador = await login(JUGADOR);
		await buy(RIFA_100, jugador, [3, 4]);
		const page = await nueva();
		await page.goto(`${servidor.base}/rifas/${RIFA_100}`);
		await page.locator('[data-numero="99"]').waitFor();
		const antes = new Map(await estados(page));
		expect(antes.size).toBe(100);
		expect(antes.get(3)).toBe("vendido");
		expect(antes.get(4)).toBe("vendido");
		expect(
			[...antes.values()].every((e) => e === "libre" || e === "vendido" || e === "reservado"),
		).toBe(true);
		// Count the cells the page repaints when one number is sold by another client.
		await page.evaluate(() => {
			const touched = new Set<string>();
			(window as unknown as { touched: Set<string> }).touched = touched;
			new MutationObserver((ms) => {
				for (const m of ms) touched.add((m.target as HTMLElement).dataset.numero ?? "?");
			}).observe(document.querySelector(".grilla") as Node, {
				attributes: true,
				subtree: true,
				childList: true,
			});
		});
		const libre = [...antes].find(([, e]) => e === "libre")?.[0] as number;
		await buy(RIFA_100, jugador, [libre]);
		await page
			.locator(`[data-numero="${libre}"][data-estado="vendido"]`)
			.waitFor({ timeout: 2_000 });
		const touched = await page.evaluate(() => [
			...(window as unknown as { touched: Set<string> }).touched,
		]);
		expect(touched).toEqual([String(libre)]);
		expect(fuera).toEqual([]);
		await context.close();
	});

	it("/mis-boletas lists the signed-in user's tickets with their receipts", async () => {
		const page = await nueva();
		await page.goto(`${servidor.base}/mis-boletas`);
		await page.getByLabel("Correo").fill(JUGADOR.email);
		await page.getByLabel("Contraseña").fill(JUGADOR.password);
		await page.getByRole("button", { name: "Entrar" }).click();
		await page.locator("[data-ticket]").first().waitFor();
		expect(await page.locator("[data-ticket] a[data-recibo]").count()).toBeGreaterThan(0);
		expect(await page.title()).toBe("Mis boletas — Rifa1122");
		// Back from a payment that needed a redirect: it says so, and the secret leaves the URL.
		await page.goto(
			`${servidor.base}/mis-boletas?payment_intent=pi_3Sdx&payment_intent_client_secret=pi_3Sdx_secret_y&redirect_status=succeeded`,
		);
		await page.getByRole("status").filter({ hasText: "Pago recibido" }).waitFor();
		expect(page.url()).toBe(`${servidor.base}/mis-boletas`);
		await page.goto(`${servidor.base}/mis-boletas?redirect_status=failed`);
		await page.getByRole("status").filter({ hasText: "El pago no se completó" }).waitFor();
		await context.close();
	});

	it("a 10,000-number rifa shows a thousand at a time, and search finds a number", async () => {
		const admin = await login(ADMIN);
		const rifa100 = (await api(`/rifas/${RIFA_100}`)).body;
		const creada = await api("/rifas", {
			method: "POST",
			token: admin.token,
			body: {
				nombre: "Rifa grande de prueba",
				categoria_id: rifa100.categoria_id,
				loteria_id: rifa100.loteria_id,
				fecha_inicio: new Date(Date.now() - 60_000).toISOString(),
				fecha_fin: rifa100.fecha_fin,
				total_boletas: 10_000,
			},
		});
		expect(creada.status).toBe(201);
		expect(
			(
				await api(`/rifas/${creada.body.id}`, {
					method: "PATCH",
					token: admin.token,
					body: { estado: "activa" },
				})
			).status,
		).toBe(200);
		const page = await nueva();
		await page.goto(`${servidor.base}/rifas/${creada.body.id}`);
		await page.locator('[data-numero="0999"], [data-numero="999"]').first().waitFor();
		expect(await page.locator("[data-numero]").count()).toBe(1000);
		// A figure, not an assertion: when the grid became usable, from the start of navigation.
		const interactiva = await page.evaluate(
			() => performance.getEntriesByName("rifa-interactiva")[0]?.startTime ?? -1,
		);
		console.log(
			`10,000-number rifa page interactive ${interactiva.toFixed(0)} ms after navigation start`,
		);
		await page.getByLabel("Buscar un número").fill("7345");
		await page.getByRole("button", { name: "Ir" }).click();
		await page.locator('[data-numero="7345"]').waitFor();
		expect(await page.locator("[data-numero]").count()).toBe(1000);
		expect(await page.evaluate(() => (document.activeElement as HTMLElement)?.dataset.numero)).toBe(
			"7345",
		);
		await context.close();
	});

	it("shows staff the rifa's sales over time, from the reports", async () => {
		const admin = await login(ADMIN);
		const libre = (await api(`/rifas/${RIFA_100}/disponibilidad`)).body.mapa.indexOf("L") as number;
		await buy(RIFA_100, await login(JUGADOR), [libre]);
		const page = await nueva();
		await context.addInitScript((t) => sessionStorage.setItem("rifa1122.token", t), admin.token);
		await page.goto(`${servidor.base}/rifas/${RIFA_100}`);
		await page.locator(".operador .grafica rect").first().waitFor();
		expect(await page.locator(".operador .ventas tbody tr").count()).toBeGreaterThan(0);
		await page.screenshot({ path: `${CAPTURAS}/ventas.png`, fullPage: true });
		await context.close();
		// A player sees no chart.
		const jugador = await login(JUGADOR);
		const page2 = await nueva();
		await context.addInitScript((t) => sessionStorage.setItem("rifa1122.token", t), jugador.token);
		await page2.goto(`${servidor.base}/rifas/${RIFA_100}`);
		await page2.locator('[data-numero="99"]').waitFor();
		expect(await page2.locator(".operador").count()).toBe(0);
		await context.close();
	});

	it("fits a 360 × 740 phone: no horizontal overflow on the rifa page", async () => {
		const page = await nueva({ width: 360, height: 740 });
		await page.goto(`${servidor.base}/rifas/${RIFA_100}`);
		await page.locator('[data-numero="99"]').waitFor();
		await page.screenshot({ path: `${CAPTURAS}/rifa-360.png` });
		await page.screenshot({ path: `${CAPTURAS}/rifa-360-completa.png`, fullPage: true });
		const { scroll, ancho } = await page.evaluate(() => ({
			scroll: document.documentElement.scrollWidth,
			ancho: window.innerWidth,
		}));
		expect(scroll).toBeLessThanOrEqual(ancho);
		expect(fuera).toEqual([]);
		await context.close();
	});

	it("an unknown path or rifa gets a 404 that says so", async () => {
		const page = await nueva();
		for (const path of ["/no-existe", `/rifas/${crypto.randomUUID()}`, "/rifas/123"]) {
			const res = await page.goto(`${servidor.base}${path}`);
			expect(res?.status(), path).toBe(404);
			await page.getByRole("heading", { name: "Página no encontrada" }).waitFor();
			expect(await page.title()).toBe("Página no encontrada — Rifa1122");
			// The asset server's 404 (web/public/_headers) and the Worker's: this origin only.
			const csp = (await res?.allHeaders())?.["content-security-policy"] ?? "";
			expect(csp, path).toContain("script-src 'self';");
			expect(csp, path).not.toContain("stripe");
		}
		// Stripe's origins are let in on the rifa page only, the one that pays.
		const rifa = await page.goto(`${servidor.base}/rifas/${RIFA_100}`);
		expect((await rifa?.allHeaders())?.["content-security-policy"]).toContain(
			"script-src 'self' https://js.stripe.com",
		);
		const inicio = await page.goto(`${servidor.base}/`);
		expect((await inicio?.allHeaders())?.["content-security-policy"]).not.toContain("stripe");
		expect(fuera).toEqual([]);
		await context.close();
	});

	it("passes axe-core's WCAG 2.1 A and AA checks on every page, signed out and signed in", async () => {
		const jugador = await login(JUGADOR);
		const page = await nueva();
		const vistos: Record<string, string[]> = {};
		const visitar = async (nombre: string, path: string, listo: string) => {
			await page.goto(`${servidor.base}${path}`);
			await page.locator(listo).first().waitFor();
			vistos[nombre] = await auditar(page);
		};
		await visitar("inicio", "/", "[data-rifa]");
		await visitar("rifa", `/rifas/${RIFA_100}`, '[data-numero="99"]');
		await visitar("mis-boletas, sin sesión", "/mis-boletas", 'input[name="email"]');
		await visitar("verificar, vacía", "/verificar", "textarea");
		await visitar("404", "/no-existe", "h1");
		const libre = (await api(`/rifas/${RIFA_100}/disponibilidad`)).body.mapa.indexOf("L") as number;
		const { tickets } = await buy(RIFA_100, jugador, [libre]);
		await page.evaluate((t) => sessionStorage.setItem("rifa1122.token", t), jugador.token);
		await visitar("rifa, con sesión", `/rifas/${RIFA_100_B}`, 'input[name="metodo"]');
		await visitar("mis-boletas", "/mis-boletas", "[data-ticket]");
		await visitar(
			"verificar, un recibo",
			`/verificar#recibo=${tickets[0]?.recibo}`,
			"[data-verificacion]",
		);
		expect(vistos).toEqual(Object.fromEntries(Object.keys(vistos).map((k) => [k, []])));
		await context.close();
	});
});
