// What the browser test files share: axe-core over a page, the API as a test script calls it, the
// seeded accounts and rifas, a phone signed in through the page's own form, and the set-ups the
// point-of-sale files repeat (an operador's rifa on sale, its sellers, their cash sales).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { expect } from "vitest";
import { sinRed, violacionesCsp } from "./navegador";
import { STRIPE_FRAME, STRIPE_JS } from "./stripe-falso";

// axe-core, the accessibility engine browsers' own audits use: evaluated in the page (the pages'
// CSP refuses any script but their own), it reports WCAG 2.1 A and AA failures.
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** Every WCAG 2.1 A and AA violation on the page as it is now, as "rule: targets". */
export const auditar = async (page: Page): Promise<string[]> => {
	await page.evaluate(AXE);
	return page.evaluate(async () => {
		const axe = (window as unknown as { axe: { run: (o: unknown) => Promise<unknown> } }).axe;
		const r = (await axe.run({
			runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
		})) as { violations: { id: string; nodes: { target: string[] }[] }[] };
		return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
	});
};

/** Seeded accounts (seeds/): the operador owns the first two rifas on sale. */
export const OPERADOR = { email: "operador@rifa1122.local", password: "Operador1122!local" };
export const JUGADOR = { email: "jugador@rifa1122.local", password: "Jugador1122!local" };
/** The seeded rifas on sale of 100 numbers each. */
export const RIFA_100 = "a1f40000-0000-4000-8000-000000000001";
export const RIFA_100_B = "a1f40000-0000-4000-8000-000000000002";

/** The seller the point-of-sale files make for the operador (the API makes it, or its page). */
export const VENDEDOR = {
	nombre: "Carlos Andrés Muñoz",
	email: "carlos@puntodeventa.rifa1122.local",
	telefono: "300 123 4567",
	password: "Vende1122!segura",
};

/** A seller's cash box as the API answers it (`GET /cajas/actual`, `/cajas/{id}`). */
export interface Caja {
	id: string;
	estado: string;
	cuadre: Record<string, number>;
	contado: number | null;
	diferencia: number | null;
}

/** The Colombian day `n` days from today, as `YYYY-MM-DD` (Colombia is UTC−5 all year). */
export const diaColombiano = (n = 0) =>
	new Date(Date.now() - 5 * 3_600_000 + n * 86_400_000).toISOString().slice(0, 10);

type Quien = { email: string; password: string };

/** The API at `base`, answering status and parsed body. */
export const clienteApi = (base: string) => {
	const api = async <T = Record<string, unknown>>(
		path: string,
		opts: {
			method?: string;
			body?: unknown;
			token?: string;
			headers?: Record<string, string>;
		} = {},
	): Promise<{ status: number; body: T }> => {
		const res = await fetch(`${base}/api/v1${path}`, {
			method: opts.method ?? "GET",
			headers: {
				...(opts.body ? { "Content-Type": "application/json" } : {}),
				...(opts.token ? { Authorization: `Bearer ${opts.token}` } : {}),
				...opts.headers,
			},
			...(opts.body ? { body: JSON.stringify(opts.body) } : {}),
		});
		const text = await res.text();
		return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
	};
	/** The same API with its JSON untyped, as the page tests read it; a purchase gets its own key. */
	const crudo = async (
		path: string,
		opts: { method?: string; body?: unknown; token?: string } = {},
	) => {
		const res = await fetch(`${base}/api/v1${path}`, {
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
	const login = async (who: Quien) => {
		const r = await api<{ access_token: string }>("/auth/login", {
			method: "POST",
			body: { email: who.email, password: who.password },
		});
		const me = await api<{ id: string }>("/users/me", { token: r.body.access_token });
		return { token: r.body.access_token, id: me.body.id };
	};
	/** A sandbox purchase of `numeros` by `who`, sold at once. */
	const comprar = async (rifaId: string, who: { token: string; id: string }, numeros: number[]) => {
		const r = await crudo(`/rifas/${rifaId}/tickets`, {
			method: "POST",
			token: who.token,
			body: { user_id: who.id, quantity: numeros.length, payment_method: "sandbox", numeros },
		});
		expect(r.status).toBe(201);
		return r.body as { tickets: { id: string; numero: number; recibo: string }[] };
	};
	/**
	 * The operador's own rifa of 100 numbers on sale, borrowing a seeded rifa's category and
	 * lottery (the seeded ones belong to no operador, and its sellers sell only in its rifas).
	 */
	const rifaDelOperador = async (operador: { token: string }, nombre: string) => {
		const sembrada = await api<{ categoria_id: string; loteria_id: string; fecha_fin: string }>(
			`/rifas/${RIFA_100}`,
		);
		const creada = await api<{ id: string; nombre: string }>("/rifas", {
			method: "POST",
			token: operador.token,
			body: {
				nombre,
				categoria_id: sembrada.body.categoria_id,
				loteria_id: sembrada.body.loteria_id,
				fecha_inicio: new Date(Date.now() - 60_000).toISOString(),
				fecha_fin: sembrada.body.fecha_fin,
				total_boletas: 100,
			},
		});
		expect(creada.status).toBe(201);
		const abierta = await api(`/rifas/${creada.body.id}`, {
			method: "PATCH",
			token: operador.token,
			body: { estado: "activa" },
		});
		expect(abierta.status).toBe(200);
		const categoria = await api<{ valor_boleta: number }>(
			`/categorias/${sembrada.body.categoria_id}`,
		);
		return { id: creada.body.id, nombre: creada.body.nombre, valor: categoria.body.valor_boleta };
	};
	/** A seller of `operador`'s, made through the API. */
	const crearVendedor = async (
		operador: { token: string },
		v: { nombre: string; email: string; telefono: string; password: string },
	) => {
		const r = await api<{ id: string; nombre: string }>("/vendedores", {
			method: "POST",
			token: operador.token,
			body: v,
		});
		expect(r.status).toBe(201);
		return r.body;
	};
	/** A cash sale to a walk-in buyer, as a seller's phone (or the operador's) makes it. */
	const venderEnEfectivo = async (
		token: string,
		rifaId: string,
		numeros: number[],
		cliente = { nombre: "Otra compradora", telefono: "3109998877", acepta_whatsapp: false },
	) => {
		const r = await api<{ transaccion_id: string; tickets: { id: string; numero: number }[] }>(
			`/rifas/${rifaId}/tickets`,
			{
				method: "POST",
				token,
				headers: { "Idempotency-Key": crypto.randomUUID() },
				body: { quantity: numeros.length, numeros, payment_method: "efectivo", cliente },
			},
		);
		expect(r.status).toBe(201);
		return r.body;
	};
	return { api, crudo, login, comprar, rifaDelOperador, crearVendedor, venderEnEfectivo };
};

/** Whether the page fits its viewport's width: nothing scrolls sideways. */
export const cabe = (page: Page) =>
	page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

/** Signs in through the page's own form. */
export const entrar = async (page: Page, quien: Quien) => {
	await page.getByLabel("Correo").fill(quien.email);
	await page.getByLabel("Contraseña").fill(quien.password);
	await page.getByRole("button", { name: "Entrar" }).click();
};

/**
 * A 360 × 740 phone with no network but the server's, at `path`; signed in through the page's own
 * form when `quien` is given. `fuera` records what it tried to fetch elsewhere, `csp` what the
 * CSP refused.
 */
export const telefono = async (
	browser: Browser,
	base: string,
	path: string,
	quien?: Quien,
): Promise<{ context: BrowserContext; fuera: string[]; csp: string[]; page: Page }> => {
	const { context, fuera } = await sinRed(browser, base, {
		viewport: { width: 360, height: 740 },
	});
	const page = await context.newPage();
	const csp = violacionesCsp(page);
	await page.goto(`${base}${path}`);
	if (quien) await entrar(page, quien);
	return { context, fuera, csp, page };
};

/** The header's links, as "text → href", in order. */
export const enlacesCabecera = (page: Page) =>
	page
		.getByRole("navigation", { name: "Principal" })
		.getByRole("link")
		.evaluateAll((as) => as.map((a) => `${a.textContent} → ${a.getAttribute("href")}`));

/** Stripe.js and its frames, as js.stripe.com would serve them; anything else stays refused. */
export const conStripe = (c: BrowserContext) =>
	c.route("https://js.stripe.com/**", (route) =>
		route.request().url().endsWith("/stripe.js")
			? route.fulfill({ contentType: "text/javascript", body: STRIPE_JS })
			: route.fulfill({ contentType: "text/html", body: STRIPE_FRAME }),
	);

/** Every number of the grid shown with its state. */
export const estados = (page: Page) =>
	page.$$eval("[data-numero]", (cells) =>
		cells.map((c): [number, string | undefined] => [
			Number((c as HTMLElement).dataset.numero),
			(c as HTMLElement).dataset.estado,
		]),
	);
