// Transfers with a proof, on a 360 px phone: a jugador buys by transfer, is told to transfer the
// exact amount and upload the proof before the hold ends, and uploads a PNG; the operador sees it
// on /operador/comprobantes (amounts, reference, bank, the image itself) and approves it, and the
// buyer's page shows the purchase sold. A proof rejected with a reason frees the numbers, and the
// buyer reads the reason.
import { randomUUID } from "node:crypto";
import { crc32, deflateSync } from "node:zlib";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatCop } from "../../src/lib/format";
import { auditar, clienteApi } from "./ayudas";
import { abrirEntorno, CAPTURAS, sinRed, violacionesCsp } from "./navegador";
import type { Servidor } from "./servidor";

const OPERADOR = { email: "operador@rifa1122.local", password: "Operador1122!local" };
const JUGADOR = { email: "jugador@rifa1122.local", password: "Jugador1122!local" };
/** A seeded rifa on sale, whose category and lottery the operador's own rifa borrows. */
const RIFA_SEMBRADA = "a1f40000-0000-4000-8000-000000000001";

let servidor: Servidor;
let browser: Browser;
let cerrar: (() => Promise<void>) | undefined;
let api: ReturnType<typeof clienteApi>["api"];
let rifa: { id: string; nombre: string; valor: number };
let comprador: string;

/** A small PNG (a green bar), made unique by a text chunk: the API refuses the same file twice. */
const png = () => {
	const chunk = (tipo: string, datos: Buffer) => {
		const largo = Buffer.alloc(4);
		largo.writeUInt32BE(datos.length);
		const cuerpo = Buffer.concat([Buffer.from(tipo, "latin1"), datos]);
		const crc = Buffer.alloc(4);
		crc.writeUInt32BE(crc32(cuerpo));
		return Buffer.concat([largo, cuerpo, crc]);
	};
	const [ancho, alto] = [40, 12];
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(ancho, 0);
	ihdr.writeUInt32BE(alto, 4);
	ihdr.set([8, 2, 0, 0, 0], 8);
	const fila = Buffer.concat([
		Buffer.from([0]),
		Buffer.alloc(ancho * 3, Buffer.from([11, 93, 59])),
	]);
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk("IHDR", ihdr),
		chunk("tEXt", Buffer.from(`Comment\0${randomUUID()}`, "latin1")),
		chunk("IDAT", deflateSync(Buffer.concat(Array.from({ length: alto }, () => fila)))),
		chunk("IEND", Buffer.alloc(0)),
	]);
};

beforeAll(async () => {
	({ servidor, browser, cerrar } = await abrirEntorno());
	({ api } = clienteApi(servidor.base));
	const { login } = clienteApi(servidor.base);
	const operador = await login(OPERADOR);
	// The operador's rifas take transfers only with an account to transfer to.
	const cuenta = await api(`/operadores/${operador.id}/cuenta-transferencia`, {
		method: "PUT",
		token: operador.token,
		body: {
			banco: "Nequi",
			tipo_cuenta: "deposito_electronico",
			numero: "3001234567",
			titular: "Rifas del Operador",
		},
	});
	expect(cuenta.status).toBe(200);
	const sembrada = await api<{ categoria_id: string; loteria_id: string; fecha_fin: string }>(
		`/rifas/${RIFA_SEMBRADA}`,
	);
	const creada = await api<{ id: string; nombre: string }>("/rifas", {
		method: "POST",
		token: operador.token,
		body: {
			nombre: "Rifa por transferencia",
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
	rifa = { id: creada.body.id, nombre: creada.body.nombre, valor: categoria.body.valor_boleta };
	const jugador = await login(JUGADOR);
	comprador = (await api<{ nombre: string }>("/users/me", { token: jugador.token })).body.nombre;
});

afterAll(() => cerrar?.());

const telefono = async () => {
	const { context, fuera } = await sinRed(browser, servidor.base, {
		viewport: { width: 360, height: 740 },
	});
	const page = await context.newPage();
	return { context, fuera, csp: violacionesCsp(page), page };
};

const cabe = (page: Page) =>
	page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

const celda = (page: Page, n: number) => page.locator(`.grilla [data-numero="${n}"]`);

/** The jugador picks `numero` on the rifa page, signs in when asked, and buys it by transfer. */
const comprarPorTransferencia = async (page: Page, numero: number) => {
	await page.goto(`${servidor.base}/rifas/${rifa.id}`);
	await celda(page, numero).click();
	await page.getByRole("button", { name: "Comprar" }).click();
	await page.getByLabel("Correo").fill(JUGADOR.email);
	await page.getByLabel("Contraseña").fill(JUGADOR.password);
	await page.getByRole("button", { name: "Entrar" }).click();
	await page.getByRole("radio", { name: "Transferencia (Nequi, banco)" }).check();
	await page.getByRole("button", { name: "Comprar" }).click();
	await page.getByRole("heading", { name: "Reserva pendiente de transferencia" }).waitFor();
};

/** The proof's form, filled and sent. */
const subir = async (page: Page, o: { referencia: string; monto?: string }) => {
	const form = page.getByRole("form", { name: "Subir el comprobante" });
	await form
		.getByLabel("Captura o PDF del comprobante")
		.setInputFiles({ name: "nequi.png", mimeType: "image/png", buffer: png() });
	await form.getByLabel("Referencia de la transferencia").fill(o.referencia);
	if (o.monto) await form.getByLabel("Valor transferido (pesos)").fill(o.monto);
	await form.getByLabel("Banco o billetera de origen").fill("Nequi");
	await form.getByRole("button", { name: "Enviar comprobante" }).click();
	await page.getByRole("status").filter({ hasText: "Comprobante en revisión" }).waitFor();
};

/** The operador's review queue, signed in through the page's own form. */
const revisor = async () => {
	const t = await telefono();
	await t.page.goto(`${servidor.base}/operador/comprobantes`);
	await t.page.getByLabel("Correo").fill(OPERADOR.email);
	await t.page.getByLabel("Contraseña").fill(OPERADOR.password);
	await t.page.getByRole("button", { name: "Entrar" }).click();
	await t.page.getByRole("heading", { name: "Comprobantes por revisar" }).waitFor();
	return t;
};

describe("transfers with a proof", () => {
	it("serves /operador/comprobantes and /reclamar with the pages' CSP, blob: images allowed", async () => {
		for (const path of ["/operador/comprobantes", "/reclamar", "/reclamar/"]) {
			const res = await fetch(`${servidor.base}${path}`);
			expect(res.status, path).toBe(200);
			expect(await res.text()).not.toContain("data-no-encontrada");
			const csp = res.headers.get("Content-Security-Policy") ?? "";
			expect(csp).toContain("script-src 'self';");
			expect(csp).toContain("img-src 'self' data: blob:;");
		}
		expect((await fetch(`${servidor.base}/reclamar/otra`)).status).toBe(404);
	});

	it("a jugador buys by transfer and uploads the proof; the operador approves it and the buyer's page shows it sold", async () => {
		const buyer = await telefono();
		const { page } = buyer;
		await comprarPorTransferencia(page, 5);
		const plazo = (await page.locator("[data-plazo]").textContent()) ?? "";
		expect(plazo).toMatch(
			new RegExp(
				`^Transfiera el valor exacto, ${formatCop(rifa.valor).replace(/[$.]/g, "\\$&")}, .* y suba el comprobante antes del .+ \\(hora de Colombia\\)\\.$`,
			),
		);
		expect(await celda(page, 5).getAttribute("data-estado")).toBe("reservado");
		expect(await cabe(page)).toBe(true);
		expect(await auditar(page)).toEqual([]);
		await page.screenshot({ path: `${CAPTURAS}/transferencia-reserva.png`, fullPage: true });

		// The form says what is missing before anything is sent.
		const form = page.getByRole("form", { name: "Subir el comprobante" });
		await form.getByRole("button", { name: "Enviar comprobante" }).click();
		await form.getByText("Adjunte la captura o el PDF.").waitFor();
		expect(await auditar(page)).toEqual([]);
		await subir(page, { referencia: "M 4512-7789" });
		expect(await page.getByRole("status").textContent()).toMatch(
			/reservados hasta el .+ \(hora de Colombia\), mientras el operador confirma/,
		);
		expect(await cabe(page)).toBe(true);
		expect(await auditar(page)).toEqual([]);
		await page.screenshot({ path: `${CAPTURAS}/transferencia-en-revision.png`, fullPage: true });

		const op = await revisor();
		const tarjeta = op.page.locator("[data-comprobante]").filter({ hasText: "M 4512-7789" });
		await tarjeta.waitFor();
		expect(await tarjeta.locator("h3").textContent()).toBe(`${comprador} · ${rifa.nombre}`);
		expect(await tarjeta.locator("[data-monto-compra]").textContent()).toBe(formatCop(rifa.valor));
		expect(await tarjeta.locator("[data-monto]").getAttribute("data-monto-coincide")).toBe("true");
		// The image, fetched with the operador's token, shown from memory under the pages' CSP.
		const imagen = tarjeta.locator('img[data-archivo="imagen"]');
		await imagen.waitFor();
		expect(await imagen.getAttribute("src")).toMatch(/^blob:/);
		await expect.poll(() => imagen.evaluate((i: HTMLImageElement) => i.naturalWidth)).toBe(40);
		expect(await cabe(op.page)).toBe(true);
		expect(await auditar(op.page)).toEqual([]);
		await op.page.screenshot({ path: `${CAPTURAS}/operador-comprobantes.png`, fullPage: true });

		await tarjeta.getByRole("button", { name: "Aprobar" }).click();
		await op.page.locator('[data-comprobante][data-estado="aprobado"]').waitFor();
		expect(await tarjeta.locator("[data-resultado]").textContent()).toContain(
			"los números quedaron vendidos",
		);
		expect(await auditar(op.page)).toEqual([]);
		await op.page.screenshot({
			path: `${CAPTURAS}/operador-comprobante-aprobado.png`,
			fullPage: true,
		});
		expect(op.csp).toEqual([]);
		expect(op.fuera).toEqual([]);
		await op.context.close();

		// The buyer's page, still open, hears it from the rifa.
		await page.getByRole("heading", { name: "Compra confirmada" }).waitFor({ timeout: 15_000 });
		expect(await page.locator("[data-recibo]").count()).toBe(1);
		expect(await celda(page, 5).getAttribute("data-estado")).toBe("vendido");
		expect(await auditar(page)).toEqual([]);
		await page.screenshot({ path: `${CAPTURAS}/transferencia-aprobada.png`, fullPage: true });
		expect(buyer.csp).toEqual([]);
		expect(buyer.fuera).toEqual([]);
		await buyer.context.close();
	});

	it("a proof rejected with a reason frees the numbers, and the buyer reads the reason", async () => {
		const buyer = await telefono();
		const { page } = buyer;
		await comprarPorTransferencia(page, 6);
		await subir(page, { referencia: "NQ-99001122", monto: "9.000" });
		await page.getByText("El valor que escribió no es el de la compra").waitFor();

		const op = await revisor();
		const tarjeta = op.page.locator("[data-comprobante]").filter({ hasText: "NQ-99001122" });
		await tarjeta.waitFor();
		const monto = tarjeta.locator("[data-monto]");
		expect(await monto.getAttribute("data-monto-coincide")).toBe("false");
		expect(await monto.textContent()).toBe(`${formatCop(900_000)} · no coincide con la compra`);
		await tarjeta.getByRole("button", { name: "Rechazar", exact: true }).click();
		const rechazo = tarjeta.getByRole("form", { name: /^Rechazar el comprobante de / });
		await rechazo.getByRole("button", { name: "Rechazar el comprobante" }).click();
		await rechazo.getByText("Escriba el motivo del rechazo").waitFor();
		expect(await rechazo.getByLabel("Motivo del rechazo").getAttribute("aria-invalid")).toBe(
			"true",
		);
		expect(await auditar(op.page)).toEqual([]);
		await op.page.screenshot({
			path: `${CAPTURAS}/operador-comprobante-motivo.png`,
			fullPage: true,
		});
		const motivo = "La transferencia no aparece en la cuenta Nequi de la rifa.";
		await rechazo.getByLabel("Motivo del rechazo").fill(motivo);
		await rechazo.getByRole("button", { name: "Rechazar el comprobante" }).click();
		await op.page.locator('[data-comprobante][data-estado="rechazado"]').waitFor();
		expect(await tarjeta.locator("[data-resultado]").textContent()).toContain(motivo);
		expect(await auditar(op.page)).toEqual([]);
		expect(op.csp).toEqual([]);
		await op.context.close();

		await page
			.getByRole("alert")
			.filter({ hasText: `El operador rechazó su comprobante: ${motivo}` })
			.waitFor({ timeout: 15_000 });
		await page.locator('.grilla [data-numero="6"][data-estado="libre"]').waitFor();
		const disp = await api<{ mapa: string }>(`/rifas/${rifa.id}/disponibilidad`);
		expect(disp.body.mapa[6]).toBe("L");
		expect(await auditar(page)).toEqual([]);
		await page.screenshot({ path: `${CAPTURAS}/transferencia-rechazada.png`, fullPage: true });
		expect(buyer.csp).toEqual([]);
		expect(buyer.fuera).toEqual([]);
		await buyer.context.close();
	});
});
