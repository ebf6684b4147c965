// /operador/cajas on a 360 px phone: the operador confirms a box a seller closed $ 1.000 short (and
// deactivates another seller on /operador/vendedores), and reads the report of its sellers' cash
// per seller, rifa and day between two days, with its totals; the header links the operador's
// pages for an operador and an admin, and none for a jugador. Creating sellers:
// operador-vendedores.test.ts.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatCop } from "../../src/lib/format";
import {
	telefono as abrirTelefono,
	auditar,
	type Caja,
	cabe,
	clienteApi,
	diaColombiano,
	enlacesCabecera,
	JUGADOR,
	OPERADOR,
} from "./ayudas";
import { abrirEntorno, CAPTURAS, sinRed } from "./navegador";
import { ADMIN, type Servidor } from "./servidor";

/** The seller whose box the operador confirms, and another one who sold today. */
const CAJERO = {
	nombre: "Marta Lucía Gómez",
	email: "marta@puntodeventa.rifa1122.local",
	telefono: "3004445566",
	password: "Vende1122!segura",
};
const SEGUNDO = {
	nombre: "Jhon Fredy Ospina",
	email: "jhon@puntodeventa.rifa1122.local",
	telefono: "3152223344",
	password: "Vende1122!segura",
};

/** A row of GET /cajas/resumen. */
interface Fila {
	vendedor_id: string;
	vendedor: string;
	rifa_id: string | null;
	rifa: string | null;
	dia: string;
	ventas: number;
	abonos: number;
	reembolsos: number;
	ajustes: number;
	boletas: number;
}

let servidor: Servidor;
let browser: Browser;
let cerrar: (() => Promise<void>) | undefined;
let api: ReturnType<typeof clienteApi>["api"];
let login: ReturnType<typeof clienteApi>["login"];
let operador: { token: string; id: string };
let rifa: { id: string; nombre: string; valor: number };
/** The box the seller closed, for the operador to confirm. */
let cajaCerrada: Caja;

beforeAll(async () => {
	({ servidor, browser, cerrar } = await abrirEntorno());
	const cliente = clienteApi(servidor.base);
	({ api, login } = cliente);
	operador = await login(OPERADOR);
	rifa = await cliente.rifaDelOperador(operador, "Rifa del punto de venta");
	// A seller sells two numbers for cash and closes its box $ 1.000 short, as on /vender/caja.
	const cajero = await cliente.crearVendedor(operador, CAJERO);
	const deCajero = (await login(CAJERO)).token;
	await cliente.venderEnEfectivo(deCajero, rifa.id, [7, 8]);
	const abierta = (await api<Caja>("/cajas/actual", { token: deCajero })).body;
	const cierre = await api<Caja>(`/cajas/${abierta.id}/cierre`, {
		method: "POST",
		token: deCajero,
		body: { contado: (abierta.cuadre.a_entregar ?? 0) - 100_000 },
	});
	expect(cierre.status).toBe(200);
	cajaCerrada = cierre.body;
	// Its operador's correction, in the seller's open box: the one after today's, closed.
	const ajuste = await api("/cajas/ajustes", {
		method: "POST",
		token: operador.token,
		headers: { "Idempotency-Key": crypto.randomUUID() },
		body: {
			vendedor_id: cajero.id,
			monto: -50_000,
			motivo: "Faltante reconocido por la vendedora",
		},
	});
	expect(ajuste.status).toBe(201);
	await cliente.crearVendedor(operador, SEGUNDO);
	await cliente.venderEnEfectivo((await login(SEGUNDO)).token, rifa.id, [12]);
});

afterAll(() => cerrar?.());

/** A 360 × 740 phone at `path`, signed in through the page's own form. */
const telefono = (path: string, quien: { email: string; password: string }) =>
	abrirTelefono(browser, servidor.base, path, quien);

describe("the operador's cash boxes, on a phone", () => {
	it("the operador confirms the closed box on /operador/cajas, and deactivates a seller", async () => {
		const { context, fuera, csp, page } = await telefono("/operador/cajas", OPERADOR);
		const tarjeta = page.locator(`[data-caja="${cajaCerrada.id}"]`);
		await tarjeta.waitFor();
		const texto = (await tarjeta.textContent()) ?? "";
		expect(texto).toContain(CAJERO.nombre);
		expect(texto).toContain(formatCop(cajaCerrada.cuadre.a_entregar ?? NaN));
		expect(texto).toContain(`Faltante de ${formatCop(100_000)}`);
		expect(await tarjeta.locator("[data-contado]").textContent()).toBe(
			formatCop(cajaCerrada.contado ?? NaN),
		);
		await tarjeta.getByText("Ver movimientos").click();
		await tarjeta.getByText(/venta · 2 boletas/).waitFor();
		expect(await cabe(page)).toBe(true);
		expect(await auditar(page)).toEqual([]);
		await page.screenshot({ path: `${CAPTURAS}/operador-cajas.png`, fullPage: true });

		await tarjeta
			.getByRole("button", {
				name: `Confirmar que recibí ${formatCop(cajaCerrada.contado ?? NaN)}`,
			})
			.click();
		await tarjeta.locator('[data-estado-caja="confirmada"]').waitFor();
		const confirmada = await api<Caja>(`/cajas/${cajaCerrada.id}`, { token: operador.token });
		expect(confirmada.body.estado).toBe("confirmada");
		expect(await auditar(page)).toEqual([]);
		await page.screenshot({ path: `${CAPTURAS}/operador-caja-confirmada.png`, fullPage: true });

		// A second seller, made through the API, deactivated on the page.
		const otro = await api<{ id: string }>("/vendedores", {
			method: "POST",
			token: operador.token,
			body: {
				nombre: "Vendedor de temporada",
				email: "temporada@puntodeventa.rifa1122.local",
				telefono: "3157654321",
				password: "Temporada1122!",
			},
		});
		expect(otro.status).toBe(201);
		await page.getByRole("link", { name: "Vendedores" }).click();
		const fila = page.locator(`[data-vendedor="${otro.body.id}"]`);
		await fila.getByRole("button", { name: "Desactivar a Vendedor de temporada" }).click();
		await fila.getByRole("button", { name: "Sí, desactivar a Vendedor de temporada" }).click();
		await page.locator(`[data-vendedor="${otro.body.id}"][data-activo="false"]`).waitFor();
		const lista = await api<{ items: { id: string; is_active: boolean }[] }>("/vendedores", {
			token: operador.token,
		});
		expect(lista.body.items.find((v) => v.id === otro.body.id)?.is_active).toBe(false);
		expect(await auditar(page)).toEqual([]);
		expect(csp).toEqual([]);
		expect(fuera).toEqual([]);
		await context.close();
	});

	it("the report on /operador/cajas sums each seller's cash per rifa and day between two days, with totals", async () => {
		const { context, fuera, csp, page } = await telefono("/operador/cajas", OPERADOR);
		const seccion = page.getByRole("region", { name: "Resumen de ventas en persona" });
		const totales = seccion.locator('[data-resumen="totales"]');
		await totales.waitFor();
		// The last seven Colombian days, and no end: a box closed today sends later sales to tomorrow's.
		const hoy = diaColombiano(0);
		const desde = diaColombiano(-6);
		expect(await seccion.getByLabel("Desde").inputValue()).toBe(desde);
		expect(await seccion.getByLabel("Hasta").inputValue()).toBe("");
		const esperado = (
			await api<{ items: Fila[] }>(`/cajas/resumen?desde=${desde}`, { token: operador.token })
		).body.items;
		// The closed box's two numbers, the other seller's one, today; the adjustment, in the box
		// that follows the closed one (tomorrow's), of no rifa.
		expect(esperado).toEqual(
			expect.arrayContaining([
				expect.objectContaining({
					vendedor: CAJERO.nombre,
					rifa: rifa.nombre,
					dia: hoy,
					ventas: 2 * rifa.valor,
					boletas: 2,
				}),
				expect.objectContaining({
					vendedor: SEGUNDO.nombre,
					rifa: rifa.nombre,
					dia: hoy,
					ventas: rifa.valor,
					boletas: 1,
				}),
				expect.objectContaining({
					vendedor: CAJERO.nombre,
					rifa_id: null,
					dia: diaColombiano(1),
					ajustes: -50_000,
				}),
			]),
		);
		const filas = seccion.locator("[data-fila]");
		expect(await filas.count()).toBe(esperado.length);
		const celdas = async (fila: ReturnType<typeof filas.first>) =>
			Object.fromEntries(
				await fila
					.locator("[data-campo]")
					.evaluateAll((tds) => tds.map((td) => [td.getAttribute("data-campo"), td.textContent])),
			);
		const cifras = (f: Omit<Fila, "vendedor_id" | "vendedor" | "rifa_id" | "rifa" | "dia">) => ({
			boletas: String(f.boletas),
			ventas: formatCop(f.ventas),
			abonos: formatCop(f.abonos),
			reembolsos: formatCop(f.reembolsos),
			ajustes: formatCop(f.ajustes),
			efectivo: formatCop(f.ventas + f.abonos + f.reembolsos + f.ajustes),
		});
		for (const f of esperado) {
			const fila = seccion.locator(`[data-fila="${f.vendedor_id}|${f.rifa_id ?? ""}|${f.dia}"]`);
			expect(await celdas(fila)).toEqual(cifras(f));
			expect(await fila.textContent()).toContain(f.rifa ?? "Ajustes (de ninguna rifa)");
		}
		const suma = (
			campo: "ventas" | "abonos" | "reembolsos" | "ajustes" | "boletas",
			fs = esperado,
		) => fs.reduce((t, f) => t + f[campo], 0);
		const total = {
			ventas: suma("ventas"),
			abonos: suma("abonos"),
			reembolsos: suma("reembolsos"),
			ajustes: suma("ajustes"),
			boletas: suma("boletas"),
		};
		expect(
			Object.fromEntries(
				await totales
					.locator("[data-total]")
					.evaluateAll((dds) => dds.map((d) => [d.getAttribute("data-total"), d.textContent])),
			),
		).toEqual(cifras(total));
		const delCajero = esperado.filter((f) => f.vendedor === CAJERO.nombre);
		expect(
			await celdas(seccion.locator(`[data-vendedor-total="${delCajero[0]?.vendedor_id}"]`)),
		).toEqual(
			cifras({
				ventas: suma("ventas", delCajero),
				abonos: suma("abonos", delCajero),
				reembolsos: suma("reembolsos", delCajero),
				ajustes: suma("ajustes", delCajero),
				boletas: suma("boletas", delCajero),
			}),
		);
		// Wide tables scroll inside their own region; the page does not.
		expect(await cabe(page)).toBe(true);
		expect(await auditar(page)).toEqual([]);
		await seccion.scrollIntoViewIfNeeded();
		await page.screenshot({ path: `${CAPTURAS}/operador-resumen.png`, fullPage: true });

		// One seller, today only.
		await seccion.getByLabel("Hasta").fill(hoy);
		await seccion.getByLabel("Desde").fill(hoy);
		await seccion.getByLabel("Vendedor", { exact: true }).selectOption({ label: SEGUNDO.nombre });
		await seccion.getByRole("button", { name: "Ver resumen" }).click();
		await expect.poll(() => filas.count()).toBe(1);
		expect(await filas.first().textContent()).toContain(SEGUNDO.nombre);
		expect(await totales.locator('[data-total="efectivo"]').textContent()).toBe(
			formatCop(rifa.valor),
		);
		// A day with nothing, then an end before the start, refused under "Hasta" before asking.
		await seccion.getByLabel("Vendedor", { exact: true }).selectOption({ label: "Todos" });
		await seccion.getByLabel("Desde").fill(diaColombiano(-1));
		await seccion.getByLabel("Hasta").fill(diaColombiano(-1));
		await seccion.getByRole("button", { name: "Ver resumen" }).click();
		await seccion.locator('[data-resumen="vacio"]').waitFor();
		expect(await seccion.locator('[data-resumen="vacio"]').textContent()).toMatch(
			/^Sin movimientos en efectivo el /,
		);
		await seccion.getByLabel("Desde").fill(hoy);
		await seccion.getByRole("button", { name: "Ver resumen" }).click();
		const hasta = seccion.getByLabel("Hasta");
		await expect.poll(() => hasta.getAttribute("aria-invalid")).toBe("true");
		await seccion.getByText("Debe ser el mismo día que «Desde» o uno posterior.").waitFor();
		expect(await auditar(page)).toEqual([]);
		expect(csp).toEqual([]);
		expect(fuera).toEqual([]);
		await context.close();
	});

	it("the header links an operador's and an admin's pages, and none for a jugador", async () => {
		const base = ["Rifas → /", "Mis boletas → /mis-boletas", "Verificar → /verificar"];
		const delOperador = [
			"Vendedores → /operador/vendedores",
			"Cajas → /operador/cajas",
			"Comprobantes → /operador/comprobantes",
		];
		for (const [quien, esperado] of [
			[OPERADOR, [...base, ...delOperador]],
			[ADMIN, [...base, ...delOperador]],
			[JUGADOR, base],
		] as const) {
			const { token } = await login(quien);
			const { context, fuera } = await sinRed(browser, servidor.base, {
				viewport: { width: 360, height: 740 },
			});
			await context.addInitScript((t) => sessionStorage.setItem("rifa1122.token", t), token);
			const page = await context.newPage();
			const yo = page.waitForResponse((r) => r.url().endsWith("/api/v1/users/me"));
			await page.goto(`${servidor.base}/operador/comprobantes`);
			await yo;
			await expect.poll(() => enlacesCabecera(page), { message: quien.email }).toEqual(esperado);
			if (quien !== JUGADOR)
				expect(
					await page
						.getByRole("navigation", { name: "Principal" })
						.getByRole("link", { name: "Comprobantes" })
						.getAttribute("aria-current"),
				).toBe("page");
			else await page.getByText("esta página es para operadores").waitFor();
			expect(await cabe(page)).toBe(true);
			expect(await auditar(page), quien.email).toEqual([]);
			expect(fuera).toEqual([]);
			await context.close();
		}
	});
});
