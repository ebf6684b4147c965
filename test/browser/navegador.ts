// Headless Chromium from an npm package (@sparticuz/chromium ships its binary), driven by
// playwright-core: nothing the repository does not install.
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import chromium from "@sparticuz/chromium";
import {
	type Browser,
	type BrowserContext,
	type Page,
	chromium as playwright,
} from "playwright-core";
import { iniciarServidor, type Servidor } from "./servidor";

export const CAPTURAS = resolve("test-results/capturas");

export const abrirNavegador = async (): Promise<Browser> => {
	mkdirSync(CAPTURAS, { recursive: true });
	return playwright.launch({
		executablePath: await chromium.executablePath(),
		// With --single-process, closing one browser context closes the whole browser.
		args: chromium.args.filter((a) => a !== "--single-process"),
		headless: true,
	});
};

/**
 * A context with no network but the server's own origin: whatever a page would fetch from a CDN
 * or elsewhere is refused and recorded, as on a machine without internet access.
 */
export const sinRed = async (
	browser: Browser,
	base: string,
	options: Parameters<Browser["newContext"]>[0] = {},
): Promise<{ context: BrowserContext; fuera: string[] }> => {
	const context = await browser.newContext(options);
	const fuera: string[] = [];
	const origin = new URL(base).origin;
	await context.route("**/*", (route) => {
		const url = route.request().url();
		if (url.startsWith(origin) || url.startsWith("data:") || url.startsWith("blob:"))
			return route.continue();
		fuera.push(url);
		return route.abort("internetdisconnected");
	});
	return { context, fuera };
};

/** The server and the browser a test file shares: started once, stopped by `cerrar`. */
export const abrirEntorno = async (): Promise<{
	servidor: Servidor;
	browser: Browser;
	cerrar: () => Promise<void>;
}> => {
	const servidor = await iniciarServidor();
	const browser = await abrirNavegador();
	console.log(`screenshots: ${CAPTURAS}`);
	return {
		servidor,
		browser,
		cerrar: async () => {
			await browser.close();
			await servidor.stop();
		},
	};
};

/** What the page's console says the CSP refused, as it happens. */
export const violacionesCsp = (page: Page): string[] => {
	const csp: string[] = [];
	page.on("console", (m) => {
		if (/Content Security Policy/i.test(m.text())) csp.push(m.text());
	});
	return csp;
};
