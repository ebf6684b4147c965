// The seller's cash box (/vender/caja) on a 360 px phone: after two numbers sold for cash, the box
// shows what `GET /cajas/actual` says, peso for peso, and closes with a count $ 1.000 short: a
// faltante, frozen as the API records it; an operador selling in person finds the seller's links
// on the page. The sale itself is in vender.test.ts, the operador's confirmation in
// operador-cajas.test.ts.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatCop } from "../../src/lib/format";
import {
	auditar,
	type Caja,
	cabe,
	clienteApi,
	enlacesCabecera,
	OPERADOR,
	telefono,
	VENDEDOR,
} from "./ayudas";
import { abrirEntorno, CAPTURAS } from "./navegador";
import type { Servidor } from "./servidor";

const CREDENCIALES = { email: VENDEDOR.email, password: VENDEDOR.password };

let servidor: Servidor;
let browser: Browser;
let cerrar: (() => Promise<void>) | undefined;
let api: ReturnType<typeof clienteApi>["api"];
let login: ReturnType<typeof clienteApi>["login"];
let rifa: { id: string; nombre: string; valor: number };

beforeAll(async () => {
	({ servidor, browser, cerrar } = await abrirEntorno());
	const cliente = clienteApi(servidor.base);
	({ api, login } = cliente);
	const operador = await login(OPERADOR);
	rifa = await cliente.rifaDelOperador(operador, "Rifa del punto de venta");
	await cliente.crearVendedor(operador, VENDEDOR);
	// The seller's two numbers sold for cash, as its phone sells them on /vender.
	const vendedor = await login(CREDENCIALES);
	await cliente.venderEnEfectivo(vendedor.token, rifa.id, [7, 8], {
		nombre: "Rosa Elena Díaz",
		telefono: "3007654321",
		acepta_whatsapp: true,
	});
});

afterAll(() => cerrar?.());

describe("the seller's cash box, on a phone", () => {
	it("shows what GET /cajas/actual says, peso for peso, and closes with a count: a faltante", async () => {
		const { context, fuera, csp, page } = await telefono(
			browser,
			servidor.base,
			"/vender/caja",
			CREDENCIALES,
		);
		// The box adds up to what the API says.
		await page.getByRole("heading", { name: /^Caja del / }).waitFor();
		const seller = await login(CREDENCIALES);
		const caja = (await api<Caja>("/cajas/actual", { token: seller.token })).body;
		expect(caja.cuadre).toMatchObject({ ventas: 2 * rifa.valor, boletas: 2 });
		const enPagina = Object.fromEntries(
			await page
				.locator(".caja [data-cuadre]")
				.evaluateAll((dds) => dds.map((d) => [d.getAttribute("data-cuadre"), d.textContent])),
		);
		expect(enPagina).toEqual({
			boletas: "2",
			ventas: formatCop(caja.cuadre.ventas ?? NaN),
			comision: formatCop(caja.cuadre.comision ?? NaN),
			a_entregar: formatCop(caja.cuadre.a_entregar ?? NaN),
		});
		expect(await cabe(page)).toBe(true);
		expect(await auditar(page)).toEqual([]);
		await page.screenshot({ path: `${CAPTURAS}/vender-caja.png`, fullPage: true });

		// Closed with $ 1.000 less than is due: a faltante.
		const contado = (caja.cuadre.a_entregar ?? 0) - 100_000;
		const cierre = page.getByRole("form", { name: "Cerrar la caja" });
		await cierre.getByLabel("Efectivo contado (pesos)").fill("veinte mil");
		await cierre.getByRole("button", { name: "Cerrar caja" }).click();
		await cierre.getByText("Escriba lo contado en pesos, por ejemplo 20.000.").waitFor();
		await cierre.getByLabel("Efectivo contado (pesos)").fill(formatCop(contado));
		await cierre.getByRole("button", { name: "Cerrar caja" }).click();
		await cierre.getByText(`¿Cerrar la caja con ${formatCop(contado)} contados?`).waitFor();
		expect(await auditar(page)).toEqual([]);
		await cierre.getByRole("button", { name: "Sí, cerrar la caja" }).click();
		const resultado = page.getByRole("status").filter({ hasText: "Faltante de $" });
		await resultado.waitFor();
		expect(await resultado.getAttribute("data-resultado")).toBe("faltante");
		expect(await resultado.textContent()).toContain(`Faltante de ${formatCop(100_000)}`);
		const cajaCerrada = (await api<Caja>(`/cajas/${caja.id}`, { token: seller.token })).body;
		expect(cajaCerrada).toMatchObject({ estado: "cerrada", contado, diferencia: -100_000 });
		expect(await cabe(page)).toBe(true);
		expect(await auditar(page)).toEqual([]);
		await page.screenshot({ path: `${CAPTURAS}/vender-caja-cerrada.png`, fullPage: true });
		expect(csp).toEqual([]);
		expect(fuera).toEqual([]);
		await context.close();
	});

	it("staff who sell in person get the seller's links on the page, and their header links their own", async () => {
		const { context, fuera, csp, page } = await telefono(
			browser,
			servidor.base,
			"/vender/caja",
			OPERADOR,
		);
		await page.getByRole("heading", { name: /^Caja del / }).waitFor();
		const puntoDeVenta = page.getByRole("navigation", { name: "Punto de venta" });
		expect(
			await puntoDeVenta
				.getByRole("link")
				.evaluateAll((as) =>
					as.map((a) => [a.textContent, a.getAttribute("href"), a.getAttribute("aria-current")]),
				),
		).toEqual([
			["Vender", "/vender", null],
			["Mi caja", "/vender/caja", "page"],
		]);
		await expect
			.poll(() => enlacesCabecera(page))
			.toEqual([
				"Rifas → /",
				"Mis boletas → /mis-boletas",
				"Verificar → /verificar",
				"Vendedores → /operador/vendedores",
				"Cajas → /operador/cajas",
				"Comprobantes → /operador/comprobantes",
			]);
		expect(await cabe(page)).toBe(true);
		expect(await auditar(page)).toEqual([]);
		expect(csp).toEqual([]);
		expect(fuera).toEqual([]);
		await context.close();
	});
});
