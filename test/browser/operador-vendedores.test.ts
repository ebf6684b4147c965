// /operador/vendedores on a 360 px phone: the operador creates a seller (a bad phone refused under
// its field first); an admin chooses the operador the new seller sells for, among the active
// operadores of its list of users, or found by name or email where there are too many users to
// read. Confirming boxes, the report of cash and deactivating a seller: operador-cajas.test.ts.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
	telefono as abrirTelefono,
	auditar,
	cabe,
	clienteApi,
	entrar,
	OPERADOR,
	VENDEDOR,
} from "./ayudas";
import { abrirEntorno, CAPTURAS, sinRed, violacionesCsp } from "./navegador";
import { ADMIN, type Servidor } from "./servidor";

let servidor: Servidor;
let browser: Browser;
let cerrar: (() => Promise<void>) | undefined;
let api: ReturnType<typeof clienteApi>["api"];
let login: ReturnType<typeof clienteApi>["login"];
let operador: { token: string; id: string };

beforeAll(async () => {
	({ servidor, browser, cerrar } = await abrirEntorno());
	({ api, login } = clienteApi(servidor.base));
	operador = await login(OPERADOR);
});

afterAll(() => cerrar?.());

/** A 360 × 740 phone at `path`, signed in through the page's own form. */
const telefono = (path: string, quien: { email: string; password: string }) =>
	abrirTelefono(browser, servidor.base, path, quien);

describe("the operador's sellers, on a phone", () => {
	it("the operador creates a seller on /operador/vendedores; the API's refusal shows under its field", async () => {
		const { context, fuera, csp, page } = await telefono("/operador/vendedores", OPERADOR);
		const form = page.getByRole("form", { name: "Nuevo vendedor" });
		await form.waitFor();
		await page.getByRole("heading", { name: "Sus vendedores" }).waitFor();
		expect(await auditar(page)).toEqual([]);

		await form.getByLabel("Nombre").fill(VENDEDOR.nombre);
		await form.getByLabel("Correo").fill(VENDEDOR.email);
		await form.getByLabel("Celular").fill("12345");
		await form.getByLabel("Contraseña").fill(VENDEDOR.password);
		await form.getByRole("button", { name: "Crear vendedor" }).click();
		const celular = form.getByLabel("Celular");
		await expect.poll(() => celular.getAttribute("aria-invalid"), { timeout: 5_000 }).toBe("true");
		const porque = await celular.evaluate((i) =>
			(i.getAttribute("aria-describedby") ?? "")
				.split(" ")
				.map((id) => document.getElementById(id)?.textContent ?? "")
				.join(" "),
		);
		expect(porque).toContain("Teléfono inválido");
		expect(await auditar(page)).toEqual([]);

		await celular.fill(VENDEDOR.telefono);
		await form.getByRole("button", { name: "Crear vendedor" }).click();
		await page
			.getByRole("status")
			.filter({ hasText: `Vendedor creado: ${VENDEDOR.nombre}` })
			.waitFor();
		expect(await celular.getAttribute("aria-invalid")).toBeNull();
		const fila = page.locator("[data-vendedor]").filter({ hasText: VENDEDOR.nombre });
		await fila.waitFor();
		expect(await fila.getAttribute("data-activo")).toBe("true");
		expect(await fila.textContent()).toContain("+573001234567");
		const lista = await api<{ items: { id: string; email: string; is_active: boolean }[] }>(
			"/vendedores",
			{ token: operador.token },
		);
		expect(lista.body.items).toContainEqual(
			expect.objectContaining({ email: VENDEDOR.email, is_active: true }),
		);
		expect(await cabe(page)).toBe(true);
		expect(await auditar(page)).toEqual([]);
		await page.screenshot({ path: `${CAPTURAS}/vendedores.png`, fullPage: true });
		expect(csp).toEqual([]);
		expect(fuera).toEqual([]);
		await context.close();
	});

	it("an admin chooses the operador a new seller sells for", async () => {
		const admin = await login(ADMIN);
		const yoOperador = await api<{ nombre: string }>("/users/me", { token: operador.token });
		const { context, fuera, csp, page } = await telefono("/operador/vendedores", ADMIN);
		const form = page.getByRole("form", { name: "Nuevo vendedor" });
		const eleccion = form.getByLabel("Operador", { exact: true });
		await eleccion.waitFor();
		// Every active operador, from the admin's list of users (a few here: no search needed).
		const usuarios = await api<{ items: { id: string; rol: string; is_active: boolean }[] }>(
			"/users?per_page=100",
			{ token: admin.token },
		);
		const operadores = usuarios.body.items
			.filter((u) => u.rol === "operador" && u.is_active)
			.map((u) => u.id);
		expect(operadores).toContain(operador.id);
		const ofrecidos = await eleccion
			.locator("option")
			.evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
		expect(ofrecidos[0]).toBe("");
		expect(ofrecidos.slice(1).sort()).toEqual(operadores.sort());
		expect(await form.getByLabel("Buscar otro operador").count()).toBe(0);
		expect(await cabe(page)).toBe(true);
		expect(await auditar(page)).toEqual([]);

		const nuevo = {
			nombre: "Yurani Restrepo",
			email: "yurani@puntodeventa.rifa1122.local",
			telefono: "3016667788",
			password: "Yurani1122!segura",
		};
		await form.getByLabel("Nombre").fill(nuevo.nombre);
		await form.getByLabel("Correo").fill(nuevo.email);
		await form.getByLabel("Celular").fill(nuevo.telefono);
		await form.getByLabel("Contraseña").fill(nuevo.password);
		// No operador chosen: said under the choice, nothing sent.
		let enviados = 0;
		page.on("request", (r) => {
			if (r.method() === "POST" && r.url().endsWith("/api/v1/vendedores")) enviados++;
		});
		await form.getByRole("button", { name: "Crear vendedor" }).click();
		await form.getByText("Elija el operador para el que vende.").waitFor();
		expect(await eleccion.getAttribute("aria-invalid")).toBe("true");
		expect(enviados).toBe(0);
		expect(await auditar(page)).toEqual([]);

		await eleccion.selectOption(operador.id);
		await form.getByRole("button", { name: "Crear vendedor" }).click();
		await page
			.getByRole("status")
			.filter({ hasText: `Vendedor creado: ${nuevo.nombre}, de ${yoOperador.body.nombre}.` })
			.waitFor();
		expect(enviados).toBe(1);
		expect(await eleccion.getAttribute("aria-invalid")).toBeNull();
		const fila = page.locator("[data-vendedor]").filter({ hasText: nuevo.nombre });
		expect(await fila.locator("[data-operador]").textContent()).toBe(
			`Vende para ${yoOperador.body.nombre}.`,
		);
		// The operador's own seller, selling in its rifas.
		const suyos = await api<{ items: { email: string; operador_id: string }[] }>(
			`/vendedores?operador_id=${operador.id}`,
			{ token: admin.token },
		);
		expect(suyos.body.items).toContainEqual(
			expect.objectContaining({ email: nuevo.email, operador_id: operador.id }),
		);
		const caja = await api<{ operador_id: string }>("/cajas/actual", {
			token: (await login(nuevo)).token,
		});
		expect(caja.body.operador_id).toBe(operador.id);
		expect(await cabe(page)).toBe(true);
		expect(await auditar(page)).toEqual([]);
		await page.screenshot({ path: `${CAPTURAS}/vendedores-admin.png`, fullPage: true });
		expect(csp).toEqual([]);
		expect(fuera).toEqual([]);
		await context.close();
	});

	it("with more users than the page reads, an admin finds the operador by name or email", async () => {
		const yoOperador = await api<{ nombre: string; email: string }>("/users/me", {
			token: operador.token,
		});
		const { context, fuera } = await sinRed(browser, servidor.base, {
			viewport: { width: 360, height: 740 },
		});
		const page = await context.newPage();
		const csp = violacionesCsp(page);
		// The pages of users read for the choice, as if there were 5,000 and none an operador.
		const paginas: string[] = [];
		await page.route(/\/api\/v1\/users\?per_page=100&page=\d+$/, (route) => {
			paginas.push(new URL(route.request().url()).searchParams.get("page") ?? "");
			return route.fulfill({ json: { items: [], total: 5_000, page: 1, per_page: 100 } });
		});
		await page.goto(`${servidor.base}/operador/vendedores`);
		await entrar(page, ADMIN);
		const form = page.getByRole("form", { name: "Nuevo vendedor" });
		const buscar = form.getByLabel("Buscar otro operador");
		await buscar.waitFor();
		expect(paginas.sort((a, b) => Number(a) - Number(b))).toEqual(
			Array.from({ length: 10 }, (_, i) => String(i + 1)),
		);
		const eleccion = form.getByLabel("Operador", { exact: true });
		expect(await eleccion.locator("option").count()).toBe(1);
		expect(await cabe(page)).toBe(true);
		expect(await auditar(page)).toEqual([]);

		await buscar.fill(yoOperador.body.email);
		await form.getByRole("button", { name: "Buscar operador" }).click();
		await form
			.getByRole("status")
			.filter({ hasText: `Un operador encontrado: elegido ${yoOperador.body.nombre}.` })
			.waitFor();
		expect(await eleccion.inputValue()).toBe(operador.id);
		await buscar.fill("nadie-con-este-nombre");
		await buscar.press("Enter");
		await form.getByText("Ningún operador activo con «nadie-con-este-nombre».").waitFor();
		expect(await eleccion.inputValue()).toBe(operador.id);
		expect(await auditar(page)).toEqual([]);
		expect(csp).toEqual([]);
		expect(fuera).toEqual([]);
		await context.close();
	});
});
