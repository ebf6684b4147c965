// A rifa followed through its draw with its page open, in a real browser with no network: sales
// close on the cron (taking away a card payment left open), the lottery's result comes and the
// winner is highlighted with no reload; the seal, the acta and its PDF answer; the winner's
// receipt verifies all the way, the whole rifa is audited at /verificar#rifa=…, the prize is paid
// through the local Wompi, and the CLI's audit passes against the API and fails against copies
// that lie in one way each.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copiaMentirosa, mentiras, verificarRifa } from "./auditoria-cli";
import { auditar, clienteApi, conStripe, JUGADOR, RIFA_100 } from "./ayudas";
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

describe("a rifa's draw, in a real browser with no network", () => {
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
});
