import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copiaMentirosa, mentiras, verificarRifa } from "./auditoria-cli";
import { auditar } from "./ayudas";
import { abrirEntorno, CAPTURAS, sinRed, violacionesCsp } from "./navegador";
import { ADMIN, type Servidor } from "./servidor";
import { STRIPE_FRAME, STRIPE_JS } from "./stripe-falso";

const JUGADOR = { email: "jugador@rifa1122.local", password: "Jugador1122!local" };
/** The seeded rifas on sale: 100 numbers each, and one of 1,000. */
const RIFA_100 = "a1f40000-0000-4000-8000-000000000001";
const RIFA_100_B = "a1f40000-0000-4000-8000-000000000002";

let servidor: Servidor;
let browser: Browser;

const api = async (
	path: string,
	opts: { method?: string; body?: unknown; token?: string } = {},
) => {
	const res = await fetch(`${servidor.base}/api/v1${path}`, {
		method: opts.method ?? "GET",
		headers: {
			...(opts.body ? { "Content-Type": "application/json" } : {}),
			...(opts.token ? { Authorization: `Bearer ${opts.token}` } : {}),
			...(opts.method === "POST" && path.endsWith("/tickets")
				? { "Idempotency-Key": crypto.randomUUID() }
				: {}),
		},
		...(opts.body ? { body: JSON.stringify(opts.body) } : {}),
	});
	const text = await res.text();
	return { status: res.status, body: text ? JSON.parse(text) : null };
};
const login = async (who: { email: string; password: string }) => {
	const r = await api("/auth/login", { method: "POST", body: who });
	const me = await api("/users/me", { token: r.body.access_token });
	return { token: r.body.access_token as string, id: me.body.id as string };
};
const buy = async (rifaId: string, who: { token: string; id: string }, numeros: number[]) => {
	const r = await api(`/rifas/${rifaId}/tickets`, {
		method: "POST",
		token: who.token,
		body: { user_id: who.id, quantity: numeros.length, payment_method: "sandbox", numeros },
	});
	expect(r.status).toBe(201);
	return r.body as { tickets: { id: string; numero: number; recibo: string }[] };
};

let context: BrowserContext;
let fuera: string[];
const nueva = async (viewport = { width: 1280, height: 900 }): Promise<Page> => {
	({ context, fuera } = await sinRed(browser, servidor.base, { viewport }));
	return context.newPage();
};
/** Stripe.js and its frames, as js.stripe.com would serve them; anything else stays refused. */
const conStripe = (c: BrowserContext) =>
	c.route("https://js.stripe.com/**", (route) =>
		route.request().url().endsWith("/stripe.js")
			? route.fulfill({ contentType: "text/javascript", body: STRIPE_JS })
			: route.fulfill({ contentType: "text/html", body: STRIPE_FRAME }),
	);
const estados = (page: Page) =>
	page.$$eval("[data-numero]", (cells) =>
		cells.map((c) => [
			Number((c as HTMLElement).dataset.numero),
			(c as HTMLElement).dataset.estado,
		]),
	);

let cerrar: (() => Promise<void>) | undefined;

beforeAll(async () => {
	({ servidor, browser, cerrar } = await abrirEntorno());
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

	it("follows a rifa through its draw with no reload: sales close, the result comes, the winner is highlighted, and its receipt verifies against the seal and the acta", {
		timeout: 180_000,
	}, async () => {
		const admin = await login(ADMIN);
		const jugador = await login(JUGADOR);
		const rifa100 = (await api(`/rifas/${RIFA_100}`)).body;
		// A daily lottery that draws at the next whole minute at least 30 s away.
		const sorteo = new Date(Math.ceil((Date.now() + 30_000) / 60_000) * 60_000);
		const colombia = new Date(sorteo.getTime() - 5 * 3_600_000).toISOString();
		const loteria = await api("/loterias", {
			method: "POST",
			token: admin.token,
			body: {
				nombre: `Lotería del minuto ${colombia.slice(11, 16)}`,
				frecuencia: "diaria",
				hora_sorteo: colombia.slice(11, 16),
				fuentes: ["admin"],
				fuentes_requeridas: 1,
			},
		});
		expect(loteria.status).toBe(201);
		const creada = await api("/rifas", {
			method: "POST",
			token: admin.token,
			body: {
				nombre: "Rifa del minuto",
				categoria_id: rifa100.categoria_id,
				loteria_id: loteria.body.id,
				fecha_inicio: new Date(Date.now() - 60_000).toISOString(),
				fecha_fin: new Date(Date.now() + 12_000).toISOString(),
				total_boletas: 100,
			},
		});
		expect(creada.status).toBe(201);
		expect(creada.body.fecha_sorteo).toBe(sorteo.toISOString());
		const id = creada.body.id as string;
		await api(`/rifas/${id}`, { method: "PATCH", token: admin.token, body: { estado: "activa" } });
		// Lotería de Bogotá, 18 September 2025: 9307, serie 233 (resultados.csv). 07 wins.
		const compra = await buy(id, jugador, [7, 42]);
		const page = await nueva();
		await conStripe(context);
		await context.addInitScript((t) => sessionStorage.setItem("rifa1122.token", t), jugador.token);
		await page.goto(`${servidor.base}/rifas/${id}`);
		await page.locator('[data-numero="99"]').waitFor();
		expect(await page.locator('[data-numero="7"]').getAttribute("data-estado")).toBe("vendido");
		// A card payment still open when sales close: the close releases its hold, and the page
		// takes the payment form away and says so.
		await page.locator('[data-numero="50"]').click();
		await page.getByRole("radio", { name: /Stripe/ }).check();
		await page.getByRole("button", { name: "Comprar" }).click();
		await page.getByRole("heading", { name: "Reserva pendiente de pago" }).waitFor();
		await page.getByRole("button", { name: /^Pagar \$/ }).waitFor();

		const cron = () => fetch(`${servidor.base}/__scheduled?cron=*/5+*+*+*+*`);
		const hasta = async (ms: number) => {
			while (Date.now() < ms) await new Promise((r) => setTimeout(r, 250));
		};
		await hasta(Date.parse(creada.body.fecha_fin) + 500);
		await cron();
		await page.getByText("La venta está cerrada").waitFor({ timeout: 10_000 });
		await page
			.getByRole("alert")
			.filter({ hasText: "El pago no se completó" })
			.waitFor({ timeout: 10_000 });
		expect(await page.getByRole("button", { name: /^Pagar \$/ }).count()).toBe(0);
		expect(await page.locator('[data-numero="50"]').getAttribute("data-estado")).toBe("libre");
		await page.getByText("2 de 100 números vendidos.").waitFor();
		expect(await page.getByRole("button", { name: "Comprar" }).count()).toBe(0);

		await hasta(sorteo.getTime() + 1_000);
		const observada = await api(
			`/loterias/${loteria.body.id}/resultados/${colombia.slice(0, 10)}`,
			{
				method: "POST",
				token: admin.token,
				body: {
					numero: "9307",
					serie: "233",
					evidencia: {
						url: "https://www.noticiascaracol.com/economia/resultados-de-la-loteria-de-bogota-ultimo-sorteo-jueves-18-de-septiembre-los-numeros-ganadores-so35",
					},
				},
			},
		);
		expect(observada.status).toBe(201);
		await cron();
		await page.locator('[data-numero="7"][data-estado="ganador"]').waitFor({ timeout: 15_000 });
		const resultado = (await page.locator("section.resultado").textContent()) ?? "";
		expect(resultado).toContain("9307");
		expect(resultado).toContain("233");
		expect(resultado).toMatch(/Ganadores: 07/);
		expect(await page.locator('[data-numero="42"]').getAttribute("data-estado")).toBe("vendido");
		expect(await page.locator('[data-numero][data-estado="ganador"]').count()).toBe(1);
		for (const enlace of ["Sello del registro", "Acta firmada", "Acta en PDF"]) {
			const href = (await page.getByRole("link", { name: enlace }).getAttribute("href")) ?? "";
			expect((await fetch(`${servidor.base}${href}`)).status, enlace).toBe(200);
		}
		await page.screenshot({ path: `${CAPTURAS}/resultado.png`, fullPage: true });
		expect(await auditar(page)).toEqual([]);

		// The winner's receipt now verifies all the way: signature, inclusion, seal and acta.
		const ganadora = compra.tickets.find((t) => t.numero === 7);
		await page.goto(`${servidor.base}/verificar#recibo=${ganadora?.recibo}`);
		await page.locator("[data-verificacion]").waitFor();
		expect(await page.locator("[data-verificacion]").getAttribute("data-verificacion")).toBe(
			"valido",
		);
		for (const check of ["recibo.firma", "prueba.inclusion", "sello.firma", "acta.firma"]) {
			expect(await page.locator(`[data-check="${check}"]`).getAttribute("data-estado"), check).toBe(
				"ok",
			);
		}
		await page.screenshot({ path: `${CAPTURAS}/verificar-sellado.png`, fullPage: true });

		// The whole draw audited in the browser: every entry, the sealed root, the acta recomputed.
		await page.goto(`${servidor.base}/verificar#rifa=${id}`);
		await page.locator("[data-verificacion]").waitFor({ timeout: 20_000 });
		expect(await page.locator("[data-verificacion]").getAttribute("data-verificacion")).toBe(
			"valido",
		);
		for (const check of ["registro.raiz", "registro.despues_del_sello", "acta.ganadores"]) {
			expect(await page.locator(`[data-check="${check}"]`).getAttribute("data-estado"), check).toBe(
				"ok",
			);
		}
		await page.screenshot({ path: `${CAPTURAS}/auditoria.png`, fullPage: true });

		// The winner says on /mis-boletas where to be paid (a Bre-B key, its holder confirmed), and
		// the payouts queue pays the prize through the local Wompi.
		await page.goto(`${servidor.base}/mis-boletas`);
		const cobro = page.getByRole("region", { name: "Dónde recibir sus premios" });
		await cobro.getByText(/^Tiene un premio de .+ por cobrar/).waitFor();
		await cobro.getByLabel("Su llave Bre-B").fill("@elias123");
		await cobro.getByRole("button", { name: "Registrar" }).click();
		await cobro.getByRole("button", { name: "Confirmar" }).click();
		await cobro.getByText("Confirmado. Su premio va en camino a este destino.").waitFor();
		const pago = async () => (await api(`/rifas/${id}/resultados`)).body.ganadores[0].estado_pago;
		await expect.poll(pago, { timeout: 60_000, interval: 1_000 }).toBe("pagado");
		await page.reload();
		await page.locator('[data-pago="pagado"]').waitFor();
		expect(fuera).toEqual([]);
		await context.close();

		// And by the CLI, against the real API and against copies that lie in one way each.
		const genuina = await verificarRifa(`${servidor.base}/rifas/${id}`);
		expect(genuina.status, genuina.salida).toBe(0);
		for (const [check, mentira] of Object.entries(mentiras(id, servidor.clave))) {
			const copia = await copiaMentirosa(servidor.base, mentira);
			try {
				const r = await verificarRifa(`${copia.url}/rifas/${id}`);
				expect([r.status, r.fallo], r.salida).toEqual([1, check]);
			} finally {
				await copia.close();
			}
		}
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
