// Abonos at the point of sale, and the walk-in buyer claiming its account, on a 360 px phone: a
// seller sells a number in a rifa that takes abonos for a first abono (a too small one refused
// under its field), the number shows abonado with what is left, and "Abonar a una boleta" takes
// a later abono (a lost answer retried with the same Idempotency-Key) and the last one, which
// sells it with its print link. The buyer then claims its account on /reclamar with the SMS code
// (read from the Worker's log, where development writes it) and sees its ticket in /mis-boletas.
// An abono whose answer is lost and whose page is then reloaded is sent again with the same key.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatCop } from "../../src/lib/format";
import { auditar, cabe, clienteApi, entrar, OPERADOR } from "./ayudas";
import { abrirEntorno, CAPTURAS, sinRed, violacionesCsp } from "./navegador";
import type { Servidor } from "./servidor";

/** The seeded operador's rifa that takes abonos (a first abono of at least 20 %). */
const RIFA_CON_ABONOS = "Bronce del viernes — Lotería de Medellín";
const VENDEDOR = {
	nombre: "Marta Lucía Gómez",
	email: "marta@puntodeventa.rifa1122.local",
	telefono: "3004445566",
	password: "Vende1122!segura",
};
const COMPRADORA = { nombre: "Rosa Elena Díaz", celular: "315 700 1122", e164: "+573157001122" };

let servidor: Servidor;
let browser: Browser;
let cerrar: (() => Promise<void>) | undefined;
let api: ReturnType<typeof clienteApi>["api"];
let login: ReturnType<typeof clienteApi>["login"];
let rifa: { id: string; valor: number };

beforeAll(async () => {
	({ servidor, browser, cerrar } = await abrirEntorno());
	({ api, login } = clienteApi(servidor.base));
	const operador = await login(OPERADOR);
	const activas = await api<{ items: { id: string; nombre: string; categoria_id: string }[] }>(
		"/rifas?estado=activa&per_page=100",
	);
	const r = activas.body.items.find((x) => x.nombre === RIFA_CON_ABONOS);
	if (!r) throw new Error(`seeded rifa missing: ${RIFA_CON_ABONOS}`);
	const cat = await api<{ valor_boleta: number }>(`/categorias/${r.categoria_id}`);
	rifa = { id: r.id, valor: cat.body.valor_boleta };
	const creado = await api("/vendedores", {
		method: "POST",
		token: operador.token,
		body: VENDEDOR,
	});
	expect(creado.status).toBe(201);
});

afterAll(() => cerrar?.());

const telefono = async (path: string) => {
	const { context, fuera } = await sinRed(browser, servidor.base, {
		viewport: { width: 360, height: 740 },
	});
	const page = await context.newPage();
	const csp = violacionesCsp(page);
	await page.goto(`${servidor.base}${path}`);
	return { context, fuera, csp, page };
};

/** A share of the boleta's price, in centavos. */
const parte = (bps: number) => Math.round((rifa.valor * bps) / 10_000);

describe("abonos at the point of sale, and claiming the account", () => {
	it("a seller sells a number for a first abono and completes it with later abonos", async () => {
		const { context, fuera, csp, page } = await telefono(`/vender?rifa=${rifa.id}`);
		await entrar(page, VENDEDOR);
		await page.getByRole("heading", { name: RIFA_CON_ABONOS }).waitFor();
		const seccion = page.getByRole("region", { name: "Abonar a una boleta" });
		await seccion.getByText("No tiene boletas abonadas en esta rifa.").waitFor();

		await page.locator('.grilla [data-numero="15"]').click();
		const form = page.getByRole("form", { name: "Datos de la venta" });
		await form.getByLabel("Nombre").fill(COMPRADORA.nombre);
		await form.getByLabel("Celular").fill(COMPRADORA.celular);
		await form.getByRole("radio", { name: "Abono (paga una parte ahora)" }).check();
		const abono = form.getByLabel("Primer abono (pesos)");
		await form.getByText(`Mínimo ${formatCop(parte(2000))} (20 % del total)`).waitFor();
		await abono.fill(formatCop(parte(1000)));
		await form.getByRole("button", { name: "Vender" }).click();
		await form
			.getByText(`Escriba un abono entre ${formatCop(parte(2000))} y ${formatCop(rifa.valor)}.`)
			.waitFor();
		expect(await abono.getAttribute("aria-invalid")).toBe("true");
		expect(await auditar(page)).toEqual([]);

		await abono.fill(formatCop(parte(4000)));
		await form.getByRole("button", { name: "Vender" }).click();
		await page.getByRole("heading", { name: "Boleta abonada" }).waitFor();
		const abonada = page.locator("[data-abonados]");
		expect(await abonada.getAttribute("data-abonados")).toBe("15");
		expect(await abonada.textContent()).toContain(`Falta ${formatCop(parte(6000))}`);
		await page.locator('.grilla [data-numero="15"][data-estado="reservado"]').waitFor();
		const fila = seccion.locator("[data-transaccion]");
		await fila.waitFor();
		expect(await fila.locator("[data-pendiente]").getAttribute("data-pendiente")).toBe(
			String(parte(6000)),
		);
		expect(await cabe(page)).toBe(true);
		expect(await auditar(page)).toEqual([]);
		await page.screenshot({ path: `${CAPTURAS}/vender-abonada.png`, fullPage: true });

		// A later abono whose answer is lost: sent again, with the same key, it counts once.
		const claves: string[] = [];
		await page.route("**/api/v1/tickets/*/abonos", async (route) => {
			claves.push(route.request().headers()["idempotency-key"] ?? "");
			if (claves.length > 1) return route.continue();
			await route.fetch();
			await route.abort("connectionreset");
		});
		await fila.getByLabel("Monto del abono a 15 (pesos)").fill(formatCop(parte(2000)));
		await fila.getByRole("button", { name: "Abonar a 15" }).click();
		await fila.getByText("No se supo si el abono se registró").waitFor();
		expect(await auditar(page)).toEqual([]);
		await fila.getByRole("button", { name: "Abonar a 15" }).click();
		await fila
			.getByText(`Abono registrado: cobre ${formatCop(parte(2000))} en efectivo.`)
			.waitFor();
		expect(claves).toHaveLength(2);
		expect(claves[1]).toBe(claves[0]);
		expect(await fila.locator("[data-pendiente]").getAttribute("data-pendiente")).toBe(
			String(parte(4000)),
		);
		const seller = await login({ email: VENDEDOR.email, password: VENDEDOR.password });
		const propias = await api<{ items: { id: string; transaccion_id: string }[] }>(
			`/rifas/${rifa.id}/tickets`,
			{ token: seller.token },
		);
		const ticket = propias.body.items[0];
		const tx = await api<{ abonos: { pagado: number; pendiente: number } }>(
			`/rifas/${rifa.id}/transacciones/${ticket?.transaccion_id}`,
			{ token: seller.token },
		);
		expect(tx.body.abonos).toMatchObject({ pagado: parte(6000), pendiente: parte(4000) });

		await fila.getByLabel("Monto del abono a 15 (pesos)").fill(formatCop(parte(4000)));
		await fila.getByRole("button", { name: "Abonar a 15" }).click();
		await fila.getByRole("heading", { name: "Pagado: vendido" }).waitFor();
		expect(await fila.getAttribute("data-estado")).toBe("vendido");
		expect(await fila.getByRole("link", { name: "Imprimir boleta 15" }).getAttribute("href")).toBe(
			`/api/v1/tickets/${ticket?.id}/boleta.pdf?formato=termica`,
		);
		await page.locator('.grilla [data-numero="15"][data-estado="vendido"]').waitFor();
		const vendida = await api<{ items: { estado: string }[] }>(`/rifas/${rifa.id}/tickets`, {
			token: seller.token,
		});
		expect(vendida.body.items.map((x) => x.estado)).toEqual(["vendido"]);
		expect(await cabe(page)).toBe(true);
		expect(await auditar(page)).toEqual([]);
		await page.screenshot({ path: `${CAPTURAS}/vender-abono-pagado.png`, fullPage: true });
		expect(csp).toEqual([]);
		expect(fuera).toEqual([]);
		await context.close();
	});

	it("the walk-in buyer claims its account with the SMS code and sees its ticket in /mis-boletas", async () => {
		const { context, fuera, csp, page } = await telefono("/mis-boletas");
		await page
			.getByRole("link", { name: "¿Compró en un punto de venta? Reclame su cuenta" })
			.click();
		await page.getByRole("heading", { name: "Reclamar su cuenta" }).waitFor();
		expect(page.url()).toBe(`${servidor.base}/reclamar`);
		expect(await cabe(page)).toBe(true);
		expect(await auditar(page)).toEqual([]);

		const desde = servidor.logs.length;
		await page.getByLabel("Celular").fill(COMPRADORA.celular);
		await page.getByRole("button", { name: "Enviarme el código" }).click();
		const confirmacion = page.getByRole("form", { name: "Reclamar la cuenta" });
		await confirmacion
			.getByText(`Si ${COMPRADORA.celular} tiene una cuenta por reclamar`)
			.waitFor();
		expect(await auditar(page)).toEqual([]);
		await page.screenshot({ path: `${CAPTURAS}/reclamar-codigo.png`, fullPage: true });
		// In development the SMS is only written to the Worker's log.
		const codigo = async () => {
			const linea = servidor.logs
				.slice(desde)
				.find((l) => l.includes("notificación local") && l.includes(COMPRADORA.e164));
			return linea?.match(/"texto":"[^"]*?\b(\d{6})\b/)?.[1] ?? null;
		};
		await expect.poll(codigo, { timeout: 10_000 }).toMatch(/^\d{6}$/);

		await confirmacion.getByLabel("Código recibido por SMS").fill("000000");
		await confirmacion.getByLabel("Correo").fill("rosa.diaz@correo.rifa1122.local");
		await confirmacion.getByLabel("Contraseña nueva").fill("Rosa1122!segura");
		if ((await codigo()) !== "000000") {
			await confirmacion.getByRole("button", { name: "Reclamar mi cuenta" }).click();
			const campoCodigo = confirmacion.getByLabel("Código recibido por SMS");
			await expect.poll(() => campoCodigo.getAttribute("aria-invalid")).toBe("true");
			expect(await auditar(page)).toEqual([]);
		}
		await confirmacion.getByLabel("Código recibido por SMS").fill((await codigo()) ?? "");
		await confirmacion.getByRole("button", { name: "Reclamar mi cuenta" }).click();
		await page.waitForURL(`${servidor.base}/mis-boletas`);
		await page.getByRole("heading", { name: "Mis boletas" }).waitFor();
		const boleta = page.locator('.boleta[data-estado="vendido"]');
		await boleta.waitFor();
		expect(await boleta.textContent()).toContain(RIFA_CON_ABONOS);
		expect(await boleta.textContent()).toContain("15");
		expect(await cabe(page)).toBe(true);
		expect(await auditar(page)).toEqual([]);
		await page.screenshot({ path: `${CAPTURAS}/reclamar-mis-boletas.png`, fullPage: true });
		// The account signs in with what it chose.
		const rosa = await login({
			email: "rosa.diaz@correo.rifa1122.local",
			password: "Rosa1122!segura",
		});
		expect(rosa.id).toBeTruthy();
		expect(csp).toEqual([]);
		expect(fuera).toEqual([]);
		await context.close();
	});

	it("an abono whose answer is lost is sent again after a reload with the same key, and counts once", async () => {
		// A number of this seller's left abonado, as a first abono at the counter leaves it.
		const seller = await login({ email: VENDEDOR.email, password: VENDEDOR.password });
		const venta = await api<{ transaccion_id: string; tickets: { id: string }[] }>(
			`/rifas/${rifa.id}/tickets`,
			{
				method: "POST",
				token: seller.token,
				headers: { "Idempotency-Key": crypto.randomUUID() },
				body: {
					quantity: 1,
					numeros: [16],
					payment_method: "abonos",
					abono: { monto: parte(4000), medio: "efectivo" },
					cliente: { nombre: "Gloria Inés Patiño", telefono: "3118889900", acepta_whatsapp: false },
				},
			},
		);
		expect(venta.status).toBe(201);
		const tx = venta.body.transaccion_id;

		const { context, fuera, csp, page } = await telefono(`/vender?rifa=${rifa.id}`);
		await entrar(page, VENDEDOR);
		const fila = page.locator(`[data-transaccion="${tx}"]`);
		await fila.waitFor();
		// The first answer is lost on its way back: the abono was taken, the phone did not hear it.
		const claves: string[] = [];
		await page.route("**/api/v1/tickets/*/abonos", async (route) => {
			claves.push(route.request().headers()["idempotency-key"] ?? "");
			if (claves.length > 1) return route.continue();
			await route.fetch();
			await route.abort("connectionreset");
		});
		await fila.getByLabel("Monto del abono a 16 (pesos)").fill(formatCop(parte(2000)));
		await fila.getByRole("button", { name: "Abonar a 16" }).click();
		await fila.getByText("No se supo si el abono se registró").waitFor();
		// The tab keeps it with its key until a final answer.
		const guardado = await page.evaluate(
			(id) => JSON.parse(sessionStorage.getItem(`rifa1122.abono.${id}`) ?? "null"),
			tx,
		);
		expect(guardado).toMatchObject({ key: claves[0], transaccionId: tx });

		// Reloaded before anyone knows: the same abono is ready to send again, amount and key.
		await page.reload();
		await fila.waitFor();
		await fila.getByText("No se supo si el abono se registró").waitFor();
		expect(await fila.getByLabel("Monto del abono a 16 (pesos)").inputValue()).toBe(
			formatCop(parte(2000)),
		);
		expect(await cabe(page)).toBe(true);
		expect(await auditar(page)).toEqual([]);
		await page.screenshot({ path: `${CAPTURAS}/vender-abono-sin-respuesta.png`, fullPage: true });
		await fila.getByRole("button", { name: "Abonar a 16" }).click();
		await fila
			.getByText(`Abono registrado: cobre ${formatCop(parte(2000))} en efectivo.`)
			.waitFor();
		expect(claves).toHaveLength(2);
		expect(claves[1]).toBe(claves[0]);
		expect(
			await page.evaluate((id) => sessionStorage.getItem(`rifa1122.abono.${id}`), tx),
		).toBeNull();
		// One abono after the first, in the purchase and in the seller's box.
		const compra = await api<{
			abonos: { pagado: number; pendiente: number; lista: { monto: number }[] };
		}>(`/rifas/${rifa.id}/transacciones/${tx}`, { token: seller.token });
		expect(compra.body.abonos.lista.map((a) => a.monto)).toEqual([parte(4000), parte(2000)]);
		expect(compra.body.abonos).toMatchObject({ pagado: parte(6000), pendiente: parte(4000) });
		const caja = await api<{ id: string }>("/cajas/actual", { token: seller.token });
		const movimientos = await api<{
			movimientos: { tipo: string; monto: number; transaccion_id: string | null }[];
		}>(`/cajas/${caja.body.id}`, { token: seller.token });
		expect(
			movimientos.body.movimientos.filter(
				(m) => m.tipo === "abono" && m.transaccion_id === tx && m.monto === parte(2000),
			),
		).toHaveLength(1);
		expect(csp).toEqual([]);
		expect(fuera).toEqual([]);
		await context.close();
	});
});
