// The buyer's own plans in instalments on /mis-boletas, on a 360 px phone, against the local
// Wompi (scripts/wompi-local.ts): what is paid, left and until when; an abono paid with Nequi,
// followed until Wompi's signed event counts it; one whose answer is lost, sent again after a
// reload with the same Idempotency-Key (Wompi holds one payment for it, which it declines); the
// last one paid through PSE's bank page, back through the rifa's address, selling the number;
// and "Mi crédito": what a lapsed plan left as credit, spent on another plan's abono.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatCop } from "../../src/lib/format";
import { SANDBOX } from "../fixtures/wompi";
import { auditar, cabe, clienteApi, JUGADOR, OPERADOR, RIFA_100 } from "./ayudas";
import { abrirEntorno, CAPTURAS, sinRed, violacionesCsp } from "./navegador";
import type { Servidor } from "./servidor";

/** The seeded operador's rifa that takes abonos (a first abono of at least 20 %). */
const RIFA_CON_ABONOS = "Bronce del viernes — Lotería de Medellín";

let servidor: Servidor;
let browser: Browser;
let cerrar: (() => Promise<void>) | undefined;
let api: ReturnType<typeof clienteApi>["api"];
let operador: { token: string; id: string };
let jugador: { token: string; id: string };
let rifa: { id: string; valor: number };

beforeAll(async () => {
	({ servidor, browser, cerrar } = await abrirEntorno());
	const c = clienteApi(servidor.base);
	api = c.api;
	operador = await c.login(OPERADOR);
	jugador = await c.login(JUGADOR);
	const activas = await api<{ items: { id: string; nombre: string; categoria_id: string }[] }>(
		"/rifas?estado=activa&per_page=100",
	);
	const r = activas.body.items.find((x) => x.nombre === RIFA_CON_ABONOS);
	if (!r) throw new Error(`seeded rifa missing: ${RIFA_CON_ABONOS}`);
	const cat = await api<{ valor_boleta: number }>(`/categorias/${r.categoria_id}`);
	rifa = { id: r.id, valor: cat.body.valor_boleta };
});

afterAll(() => cerrar?.());

/** A share of the boleta's price, in centavos. */
const parte = (bps: number, valor = rifa.valor) => Math.round((valor * bps) / 10_000);

/** The operador sells `numero` to the jugador for a first abono in cash: a plan of the jugador's. */
const plan = async (rifaId: string, numero: number, monto: number) => {
	const r = await api<{ transaccion_id: string; tickets: { id: string }[] }>(
		`/rifas/${rifaId}/tickets`,
		{
			method: "POST",
			token: operador.token,
			headers: { "Idempotency-Key": crypto.randomUUID() },
			body: {
				user_id: jugador.id,
				quantity: 1,
				numeros: [numero],
				payment_method: "abonos",
				abono: { monto, medio: "efectivo" },
			},
		},
	);
	expect(r.status).toBe(201);
	return { tx: r.body.transaccion_id, ticket: r.body.tickets[0]?.id ?? "" };
};

const estado = (rifaId: string, tx: string) =>
	api<{
		status: string;
		abonos: {
			pagado: number;
			pendiente: number;
			en_linea: { referencia: string; estado: string }[];
		};
	}>(`/rifas/${rifaId}/transacciones/${tx}`, { token: jugador.token });

/**
 * A 360 × 740 phone with the jugador signed in, on /mis-boletas; nothing reachable but this server
 * and the local Wompi (its bank page). `abonos` records every abono the page sends.
 */
const telefono = async () => {
	const { context, fuera } = await sinRed(browser, servidor.base, {
		viewport: { width: 360, height: 740 },
	});
	await context.route(`${servidor.wompi.url}/**`, (route) => route.continue());
	await context.addInitScript((t) => sessionStorage.setItem("rifa1122.token", t), jugador.token);
	const page = await context.newPage();
	const csp = violacionesCsp(page);
	const abonos: { clave: string; body: unknown }[] = [];
	page.on("request", (r) => {
		if (r.method() === "POST" && /\/tickets\/[^/]+\/abonos$/.test(r.url()))
			abonos.push({ clave: r.headers()["idempotency-key"] ?? "", body: r.postDataJSON() });
	});
	await page.goto(`${servidor.base}/mis-boletas`);
	await page.getByRole("heading", { name: "Mis boletas" }).waitFor();
	return { context, fuera, csp, page, abonos };
};

const guardado = (page: Page, tx: string) =>
	page.evaluate(
		(id) => JSON.parse(sessionStorage.getItem(`rifa1122.abono-comprador.${id}`) ?? "null"),
		tx,
	);
const aceptar = (page: Page) =>
	page.getByRole("checkbox", { name: /Acepto los términos y condiciones de Wompi/ }).check();
/** Wompi's transactions for one purchase's abonos (their references start with its id). */
const pagosDe = (tx: string) =>
	[...servidor.wompi.standIn.transactions.values()].filter((t) => t.reference.startsWith(`${tx}.`));

describe("the buyer's plans in instalments, on /mis-boletas", () => {
	let compra: { tx: string; ticket: string };

	it("shows the plan, and an abono paid with Nequi counts once Wompi approves it", async () => {
		compra = await plan(rifa.id, 40, parte(4000));
		const { context, fuera, csp, page, abonos } = await telefono();
		const tarjeta = page.locator(`[data-plan="${compra.tx}"]`);
		await tarjeta.waitFor();
		const resumen = tarjeta.locator("[data-plan-estado]");
		expect(await resumen.textContent()).toMatch(
			new RegExp(
				`^Pagado ${formatCop(parte(4000)).replace(/[$.]/g, "\\$&")} de ${formatCop(rifa.valor).replace(/[$.]/g, "\\$&")}; falta ${formatCop(parte(6000)).replace(/[$.]/g, "\\$&")}, a más tardar el .+ \\(hora de Colombia\\)\\.$`,
			),
		);
		expect(await page.locator(`.boleta[data-ticket="${compra.ticket}"]`).textContent()).toContain(
			"· abonado",
		);
		// No credit: no "Mi crédito".
		expect(await page.locator("section.credito").isHidden()).toBe(true);
		expect(await page.getByRole("heading", { name: "Mi crédito" }).count()).toBe(0);
		expect(await cabe(page)).toBe(true);
		expect(await auditar(page)).toEqual([]);
		await page.screenshot({ path: `${CAPTURAS}/mis-boletas-plan.png`, fullPage: true });

		await tarjeta.getByRole("button", { name: "Abonar a 40" }).click();
		const form = tarjeta.getByRole("form", { name: "Abonar a 40" });
		const opciones = await form
			.locator("fieldset.medio label")
			.evaluateAll((ls) => ls.map((l) => l.textContent?.trim()));
		expect(opciones).toEqual([
			"Nequi",
			"PSE (débito desde su banco)",
			"Botón Bancolombia (transferencia)",
			"Daviplata",
			"Efectivo en un corresponsal Bancolombia",
		]);
		// More than what is left is refused under the amount, before anything is sent.
		const monto = form.getByLabel("Valor del abono a 40 (pesos)");
		await monto.fill(formatCop(parte(7000)));
		await form.getByRole("button", { name: "Pagar el abono" }).click();
		await form.getByText(`El abono no puede pasar de ${formatCop(parte(6000))}`).waitFor();
		expect(await monto.getAttribute("aria-invalid")).toBe("true");
		expect(abonos).toEqual([]);
		expect(await cabe(page)).toBe(true);
		expect(await auditar(page)).toEqual([]);

		await monto.fill(formatCop(parte(2000)));
		await form.getByLabel("Celular Nequi").fill("399 111 1111");
		await aceptar(page);
		await form.getByRole("button", { name: "Pagar el abono" }).click();
		await tarjeta.getByText("Acepte el pago en su app Nequi.").waitFor();
		expect(abonos).toEqual([
			{
				clave: expect.stringMatching(/^[0-9a-f-]{36}$/),
				body: {
					monto: parte(2000),
					medio: "wompi",
					wompi: { metodo: "NEQUI", acepta_terminos: true, telefono: SANDBOX.nequiAprobado },
				},
			},
		]);
		// Until Wompi's word the tab keeps the abono, its key and Wompi's reference.
		const [pago] = pagosDe(compra.tx);
		expect(pago?.status).toBe("PENDING");
		expect(await guardado(page, compra.tx)).toMatchObject({
			key: abonos[0]?.clave,
			referencia: pago?.reference,
		});
		expect(await cabe(page)).toBe(true);
		expect(await auditar(page)).toEqual([]);
		await page.screenshot({ path: `${CAPTURAS}/mis-boletas-abono-nequi.png`, fullPage: true });

		await tarjeta
			.getByText(`Wompi aprobó su abono de ${formatCop(parte(2000))}.`)
			.waitFor({ timeout: 30_000 });
		expect(await resumen.getAttribute("data-pagado")).toBe(String(parte(6000)));
		expect(await resumen.getAttribute("data-pendiente")).toBe(String(parte(4000)));
		expect(await guardado(page, compra.tx)).toBeNull();
		expect((await estado(rifa.id, compra.tx)).body.abonos).toMatchObject({
			pagado: parte(6000),
			pendiente: parte(4000),
		});
		expect(abonos).toHaveLength(1);
		expect(await auditar(page)).toEqual([]);
		expect(csp).toEqual([]);
		expect(fuera).toEqual([]);
		await context.close();
	});

	it("an abono whose answer is lost is sent again after a reload with the same key: one payment at Wompi", async () => {
		const { context, fuera, csp, page, abonos } = await telefono();
		let cortadas = 0;
		await page.route("**/api/v1/tickets/*/abonos", async (route) => {
			if (cortadas++) return route.continue();
			await route.fetch();
			await route.abort("connectionreset");
		});
		const tarjeta = page.locator(`[data-plan="${compra.tx}"]`);
		await tarjeta.getByRole("button", { name: "Abonar a 40" }).click();
		const form = tarjeta.getByRole("form", { name: "Abonar a 40" });
		await form.getByLabel("Valor del abono a 40 (pesos)").fill(formatCop(parte(1000)));
		// Wompi's sandbox declines this Nequi.
		await form.getByLabel("Celular Nequi").fill(SANDBOX.nequiRechazado);
		await aceptar(page);
		await form.getByRole("button", { name: "Pagar el abono" }).click();
		await tarjeta.getByText("No se supo si el abono de").waitFor();
		expect(await guardado(page, compra.tx)).toMatchObject({ key: abonos[0]?.clave });
		expect(pagosDe(compra.tx)).toHaveLength(2);

		await page.reload();
		await tarjeta.getByText("No se supo si el abono de").waitFor();
		expect(await cabe(page)).toBe(true);
		expect(await auditar(page)).toEqual([]);
		await page.screenshot({
			path: `${CAPTURAS}/mis-boletas-abono-sin-respuesta.png`,
			fullPage: true,
		});
		await tarjeta.getByRole("button", { name: "Reintentar el mismo abono" }).click();
		// Wompi declines it (at once, or after the Nequi wait: the sandbox takes a few seconds).
		await tarjeta
			.getByText(`Wompi no aprobó el pago de ${formatCop(parte(1000))}: no se abonó nada.`)
			.waitFor({ timeout: 30_000 });
		expect(abonos.map((a) => a.clave)).toEqual([abonos[0]?.clave, abonos[0]?.clave]);
		expect(abonos[1]?.body).toEqual(abonos[0]?.body);
		// The same key names the same reference: Wompi holds one payment for this abono.
		expect(pagosDe(compra.tx)).toHaveLength(2);
		expect(await guardado(page, compra.tx)).toBeNull();
		expect((await estado(rifa.id, compra.tx)).body.abonos.pagado).toBe(parte(6000));
		expect(await tarjeta.getByRole("button", { name: "Abonar a 40" }).isVisible()).toBe(true);
		expect(await auditar(page)).toEqual([]);
		expect(csp).toEqual([]);
		expect(fuera).toEqual([]);
		await context.close();
	});

	it("the last abono through PSE: the bank's page, back through the rifa's address, and the number sold", async () => {
		const { context, fuera, csp, page } = await telefono();
		const tarjeta = page.locator(`[data-plan="${compra.tx}"]`);
		await tarjeta.getByRole("button", { name: "Abonar a 40" }).click();
		const form = tarjeta.getByRole("form", { name: "Abonar a 40" });
		await form.getByLabel("Valor del abono a 40 (pesos)").fill(formatCop(parte(4000)));
		await form.getByRole("radio", { name: /^PSE/ }).check();
		const banco = form.getByLabel("Banco", { exact: true });
		await banco.locator("option", { hasText: "Banco que aprueba" }).waitFor({ state: "attached" });
		await banco.selectOption({ label: "Banco que aprueba" });
		await form.getByLabel("Tipo de documento").filter({ visible: true }).selectOption("CC");
		await form.getByLabel("Número de documento").filter({ visible: true }).fill("1999888777");
		await form.getByLabel("Celular", { exact: true }).fill("300 123 4567");
		await aceptar(page);
		expect(await auditar(page)).toEqual([]);
		await form.getByRole("button", { name: "Pagar el abono" }).click();
		await page.waitForURL(`${servidor.wompi.url}/banco/**`);
		await page.getByRole("heading", { name: "Banco de pruebas" }).waitFor();
		await page.getByRole("button", { name: "Aprobar" }).click();

		// The bank sends the buyer to the rifa's address, which hands it back to /mis-boletas.
		await page.waitForURL(`${servidor.base}/mis-boletas`);
		await tarjeta
			.getByText(`Wompi aprobó su abono de ${formatCop(parte(4000))}.`)
			.waitFor({ timeout: 30_000 });
		await tarjeta.getByText("Pagado todo: el número 40 quedó vendido a su nombre.").waitFor();
		expect(await tarjeta.getAttribute("data-estado")).toBe("vendido");
		expect(
			(await tarjeta.locator("a[data-recibo]").getAttribute("data-recibo"))?.split("."),
		).toHaveLength(3);
		expect(await guardado(page, compra.tx)).toBeNull();
		expect((await estado(rifa.id, compra.tx)).body.status).toBe("succeeded");
		expect(await cabe(page)).toBe(true);
		expect(await auditar(page)).toEqual([]);
		await page.screenshot({ path: `${CAPTURAS}/mis-boletas-abono-vendido.png`, fullPage: true });
		expect(csp).toEqual([]);
		expect(fuera).toEqual([]);
		await context.close();
	});

	it("Mi crédito: a lapsed plan's abonos kept as credit, spent on another plan's abono", async () => {
		// The operador's own rifa whose plans lapse in seconds and leave what was paid as credit.
		const sembrada = await api<{ categoria_id: string; loteria_id: string; fecha_fin: string }>(
			`/rifas/${RIFA_100}`,
		);
		const creada = await api<{ id: string }>("/rifas", {
			method: "POST",
			token: operador.token,
			body: {
				nombre: "Rifa de abonos cortos",
				categoria_id: sembrada.body.categoria_id,
				loteria_id: sembrada.body.loteria_id,
				fecha_inicio: new Date(Date.now() - 60_000).toISOString(),
				fecha_fin: sembrada.body.fecha_fin,
				total_boletas: 100,
				reglas: {
					abonos: {
						minimo_bps: 2000,
						al_vencer: "credito",
						fecha_limite: new Date(Date.now() + 15_000).toISOString(),
					},
				},
			},
		});
		expect(creada.status).toBe(201);
		expect(
			(
				await api(`/rifas/${creada.body.id}`, {
					method: "PATCH",
					token: operador.token,
					body: { estado: "activa" },
				})
			).status,
		).toBe(200);
		const valorCorta = (
			await api<{ valor_boleta: number }>(`/categorias/${sembrada.body.categoria_id}`)
		).body.valor_boleta;
		const credito = parte(3000, valorCorta);
		await plan(creada.body.id, 7, credito);
		await expect
			.poll(
				async () =>
					(
						await api<{ saldos: { saldo: number }[] }>("/users/me/creditos", {
							token: jugador.token,
						})
					).body.saldos[0]?.saldo ?? 0,
				{ timeout: 60_000, interval: 1_000 },
			)
			.toBe(credito);
		const otra = await plan(rifa.id, 41, parte(2000));

		const { context, fuera, csp, page, abonos } = await telefono();
		const seccion = page.getByRole("region", { name: "Mi crédito" });
		await seccion.waitFor();
		const nombre = (await api<{ nombre: string }>("/users/me", { token: operador.token })).body
			.nombre;
		expect(await seccion.locator(`[data-saldo="${operador.id}"]`).textContent()).toBe(
			`Con ${nombre}: ${formatCop(credito)}`,
		);
		expect(await seccion.locator('[data-movimiento="abonos_vencidos"]').textContent()).toContain(
			`+${formatCop(credito)} Lo abonado a un plan que venció · ${nombre}`,
		);
		expect(await cabe(page)).toBe(true);
		expect(await auditar(page)).toEqual([]);

		const tarjeta = page.locator(`[data-plan="${otra.tx}"]`);
		await tarjeta.getByRole("button", { name: "Abonar a 41" }).click();
		const form = tarjeta.getByRole("form", { name: "Abonar a 41" });
		await form
			.getByRole("radio", { name: `Mi crédito con ${nombre} (disponible ${formatCop(credito)})` })
			.check();
		const monto = form.getByLabel("Valor del abono a 41 (pesos)");
		await monto.fill(formatCop(credito + 100_000));
		await form.getByRole("button", { name: "Pagar el abono" }).click();
		await form.getByText(`Su crédito alcanza para ${formatCop(credito)}`).waitFor();
		expect(abonos).toEqual([]);
		expect(await auditar(page)).toEqual([]);
		await page.screenshot({ path: `${CAPTURAS}/mis-boletas-credito.png`, fullPage: true });

		const usado = Math.min(credito, parte(8000)) - 100_000;
		await monto.fill(formatCop(usado));
		await form.getByRole("button", { name: "Pagar el abono" }).click();
		await tarjeta.getByText(`Abono de ${formatCop(usado)} pagado con su crédito.`).waitFor();
		expect(abonos).toEqual([
			{ clave: expect.stringMatching(/^[0-9a-f-]{36}$/), body: { monto: usado, medio: "credito" } },
		]);
		expect(await tarjeta.locator("[data-plan-estado]").getAttribute("data-pagado")).toBe(
			String(parte(2000) + usado),
		);
		await seccion.locator('[data-movimiento="uso"]').waitFor();
		expect(await seccion.locator(`[data-saldo="${operador.id}"]`).textContent()).toBe(
			`Con ${nombre}: ${formatCop(credito - usado)}`,
		);
		expect(await seccion.locator('[data-movimiento="uso"]').textContent()).toContain(
			`−${formatCop(usado)} Usado en un abono`,
		);
		expect(await guardado(page, otra.tx)).toBeNull();
		expect(await cabe(page)).toBe(true);
		expect(await auditar(page)).toEqual([]);
		await page.screenshot({ path: `${CAPTURAS}/mis-boletas-credito-usado.png`, fullPage: true });
		expect(csp).toEqual([]);
		expect(fuera).toEqual([]);
		await context.close();
	});
});
