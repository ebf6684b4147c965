import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { abrirEntorno, CAPTURAS, sinRed, violacionesCsp } from "./navegador";
import type { Servidor } from "./servidor";

let servidor: Servidor;
let browser: Browser;

let cerrar: (() => Promise<void>) | undefined;

beforeAll(async () => {
	({ servidor, browser, cerrar } = await abrirEntorno());
});

afterAll(() => cerrar?.());

describe("API documentation with no network", () => {
	it("/docs renders Swagger UI's operations from the Worker's own files", async () => {
		const { context, fuera } = await sinRed(browser, servidor.base);
		const page = await context.newPage();
		const csp = violacionesCsp(page);
		const res = await page.goto(`${servidor.base}/docs`);
		expect(res?.headers()["content-security-policy"]).toContain("script-src 'self'");
		await page.locator(".opblock").first().waitFor({ timeout: 20_000 });
		expect(await page.locator(".opblock").count()).toBeGreaterThan(40);
		expect(
			await page
				.locator(".opblock-summary-path", { hasText: "/api/v1/rifas/{id}/tickets" })
				.count(),
		).toBeGreaterThan(0);
		await page.screenshot({ path: `${CAPTURAS}/docs.png` });
		expect(fuera).toEqual([]);
		expect(csp).toEqual([]);
		await context.close();
	});

	it("/redoc renders the reference from the Worker's own files", async () => {
		const { context, fuera } = await sinRed(browser, servidor.base);
		const page = await context.newPage();
		const csp = violacionesCsp(page);
		await page.goto(`${servidor.base}/redoc`);
		await page.locator("h2", { hasText: "Comprar boletas" }).first().waitFor({ timeout: 30_000 });
		expect(await page.locator("[data-section-id^='tag/']").count()).toBeGreaterThan(5);
		await page.screenshot({ path: `${CAPTURAS}/redoc.png` });
		expect(fuera).toEqual([]);
		// Redoc's "powered by" footer asks its CDN for a logo; the CSP refuses it, and nothing else.
		expect(csp.filter((m) => !m.includes("https://cdn.redoc.ly/redoc/logo-mini.svg"))).toEqual([]);
		await context.close();
	});
});
