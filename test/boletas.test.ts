import { env, exports } from "cloudflare:workers";
import { PDFDict, PDFDocument, PDFName, PDFString } from "pdf-lib";
import { encode } from "uqr";
import { beforeAll, describe, expect, it } from "vitest";
import { parseReglas } from "../src/domain/reglas";
import { formatBps, formatCop } from "../src/lib/format";
import { fechaColombiana } from "../src/notificaciones/plantillas";
import { prizeLines } from "../src/services/boleta.service";
import { type Boleta, boletaPdf } from "../src/services/boleta-pdf";
import { embedFaces } from "../src/services/pdf-fonts";
import { sha256Hex } from "../src/verificacion/merkle";
import { buyNumbers } from "./draw-helpers";
import {
	BASE,
	createActiveRifa,
	createCategoria,
	createLoteria,
	createUser,
	expectProblem,
	get,
	type TestUser,
	usePaymentProvider,
} from "./helpers";
import { type Drawn, readPdf, textLines } from "./pdf-helpers";

const MM = 72 / 25.4;

interface Sale {
	rifaId: string;
	transaccionId: string;
	tickets: { id: string; numero: number; recibo: string }[];
}

const boletaPath = (ticketId: string, formato?: string) =>
	`/api/v1/tickets/${ticketId}/boleta.pdf${formato ? `?formato=${formato}` : ""}`;

const fetchBoleta = (
	ticketId: string,
	token?: string,
	{ formato, headers = {} }: { formato?: string; headers?: Record<string, string> } = {},
) =>
	exports.default.fetch(
		new Request(`${BASE}${boletaPath(ticketId, formato)}`, {
			headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...headers },
		}),
	);

/** The PDF, what it shows line by line, its QR codes and the links over them. */
const boletaOf = async (ticketId: string, token: string, formato?: string) => {
	const res = await fetchBoleta(ticketId, token, formato ? { formato } : {});
	expect(res.status).toBe(200);
	const bytes = new Uint8Array(await res.arrayBuffer());
	const pdf = await readPdf(bytes);
	const doc = await PDFDocument.load(bytes);
	const links = doc.getPages().flatMap((page) =>
		(page.node.Annots()?.asArray() ?? []).map((ref) => {
			const action = doc.context.lookup(ref, PDFDict).lookup(PDFName.of("A"), PDFDict);
			return action.lookup(PDFName.of("URI"), PDFString).asString();
		}),
	);
	const sizes = doc.getPages().map((p) => p.getSize());
	return { res, ...pdf, lines: textLines(pdf.shown), links, sizes };
};

const verificarUrl = (jws: string) => new URL(`/verificar#recibo=${jws}`, env.APP_URL).toString();

/** The modules a drawn QR code fills, as the acta's test reads them back. */
const modulesOf = (qr: Drawn | undefined, size: number) => {
	const modules = Array.from({ length: size }, () => Array<boolean>(size).fill(false));
	for (const [from, to] of qr?.subpaths ?? []) {
		const row = modules[from?.[1] ?? -1];
		for (let c = from?.[0] ?? 0; c < (to?.[0] ?? 0); c++) if (row) row[c] = true;
	}
	return modules;
};

const buy = async (rifaId: string, who: TestUser, numeros: number[]): Promise<Sale> => {
	const res = await buyNumbers(rifaId, who, numeros);
	expect(res.status).toBe(201);
	return { rifaId, transaccionId: res.body.transaccion_id, tickets: res.body.tickets };
};

const setVendedor = (transaccionId: string, vendedorId: string) =>
	env.DB.prepare("UPDATE transacciones SET vendedor_id = ? WHERE id = ?")
		.bind(vendedorId, transaccionId)
		.run();

let admin: TestUser;
let operador: TestUser;
let comprador: TestUser;
let rifa: { id: string; nombre: string; fecha_sorteo: string };
let loteria: string;
let sale: Sale;

beforeAll(async () => {
	admin = await createUser({ rol: "admin" });
	operador = await createUser({ rol: "operador", nombre: "Inversiones La Fortuna S.A.S." });
	comprador = await createUser({ nombre: "Ana María Núñez" });
	const categoria = await createCategoria(admin.token, {
		valor_boleta: 2_000_000,
		total_recaudo: 200_000_000,
		fondo_premios: 75_000_000,
		premio_por_ganador: 75_000_000,
	});
	const lot = await createLoteria(admin.token, {
		nombre: `Lotería de Medellín ${crypto.randomUUID().slice(0, 4)}`,
	});
	loteria = lot.nombre;
	const created = await createActiveRifa(operador.token, {
		nombre: "Rifa navideña del barrio",
		categoria_id: categoria.id,
		loteria_id: lot.id,
	});
	rifa = (await get(`/api/v1/rifas/${created.id}`)).body;
	sale = await buy(rifa.id, comprador, [7]);
});

describe("GET /tickets/{id}/boleta.pdf, thermal", () => {
	it("prints the buyer's boleta on a 58 mm roll with every fact and a QR code of its receipt", async () => {
		const [ticket] = sale.tickets;
		if (!ticket) throw new Error("no ticket");
		const { res, lines, drawn, links, sizes, shown, pages } = await boletaOf(
			ticket.id,
			comprador.token,
		);
		expect(res.headers.get("Content-Type")).toBe("application/pdf");
		expect(res.headers.get("Content-Disposition")).toBe(
			`inline; filename="boleta-${rifa.id}-07.pdf"`,
		);
		expect(res.headers.get("Cache-Control")).toContain("private");
		expect(pages).toBe(1);
		expect(sizes[0]?.width).toBeCloseTo(58 * MM);
		expect(sizes[0]?.height).toBeGreaterThan(sizes[0]?.width ?? 0);
		for (const s of shown) expect(s.x).toBeGreaterThanOrEqual(5 * MM - 0.01);

		// A narrow roll wraps long lines: read the boleta as one text.
		const text = lines.join(" ");
		const hash = (await sha256Hex(ticket.recibo)).slice(0, 12);
		for (const fact of [
			"Rifa navideña del barrio Número 07 ",
			`Valor: ${formatCop(2_000_000)} `,
			`Premio: ${formatCop(75_000_000)} `,
			`Lotería: ${loteria} `,
			`Sorteo: ${fechaColombiana(rifa.fecha_sorteo, "es")} `,
			"(hora de Colombia)",
			"Operador: Inversiones La Fortuna S.A.S. ",
			"Comprador: Ana María Núñez ",
			`Recibo: ${hash} `,
		]) {
			expect(text).toContain(fact);
		}
		expect(lines).toContain("07");

		const url = verificarUrl(ticket.recibo);
		expect(links).toEqual([url]);
		expect(drawn).toHaveLength(1);
		const { data, size } = encode(url, { ecc: "M", border: 0 });
		expect(modulesOf(drawn[0], size)).toEqual(data);
		// The code spans the 48 mm the head prints.
		expect((drawn[0]?.cms.at(-1)?.[0] ?? 0) * size).toBeCloseTo(48 * MM);
	});

	it("prints any name: accents, ñ, emoji, Arabic and Hebrew", async () => {
		const nombre = "José Ñandú 🎉 محمد שלום";
		const buyer = await createUser({ nombre });
		const [ticket] = (await buy(rifa.id, buyer, [31])).tickets;
		const { lines } = await boletaOf(ticket?.id ?? "", buyer.token);
		// Right to left read back as printed (shaped, mirrored), the emoji as the mark for a missing
		// glyph; the name wraps after its Arabic word.
		const at = lines.findIndex((l) => l.startsWith("Comprador: "));
		expect(lines.slice(at, at + 2)).toEqual(["Comprador: José Ñandú □ دمحم", "םולש"]);
		expect(lines.some((l) => l.startsWith("□: un carácter que la fuente"))).toBe(true);
	});
});

describe("GET /tickets/{id}/boleta.pdf?formato=a4", () => {
	it("prints every boleta of the purchase, eight to a sheet, each with its own receipt", async () => {
		const categoria = await createCategoria(admin.token);
		const lot = await createLoteria(admin.token);
		const mil = await createActiveRifa(operador.token, {
			categoria_id: categoria.id,
			loteria_id: lot.id,
			total_boletas: 1000,
		});
		const numeros = [7, 8, 9, 10, 11, 250, 500, 998, 999];
		const compra = await buy(mil.id, comprador, numeros);
		const one = compra.tickets.find((t) => t.numero === 250);
		const { shown, pages, drawn, links, sizes } = await boletaOf(
			one?.id ?? "",
			comprador.token,
			"a4",
		);
		expect(pages).toBe(2);
		expect(sizes).toEqual([
			{ width: 595.28, height: 841.89 },
			{ width: 595.28, height: 841.89 },
		]);
		// Two boletas side by side share baselines: read each piece of text as drawn.
		const texts = shown.map((s) => s.text);
		const printed = ["007", "008", "009", "010", "011", "250", "500", "998", "999"];
		expect(texts.filter((l) => /^\d{3}$/.test(l))).toEqual(printed);
		expect(shown.filter((s) => s.page === 2 && s.text === "999")).toHaveLength(1);
		expect(drawn).toHaveLength(9);
		expect(links.sort()).toEqual(compra.tickets.map((t) => verificarUrl(t.recibo)).sort());
		for (const t of compra.tickets) {
			const hash = (await sha256Hex(t.recibo)).slice(0, 12);
			expect(texts).toContain(`Recibo ${hash}`);
		}
		expect(texts.filter((l) => l === "Comprador: Ana María Núñez")).toHaveLength(9);
	});
});

describe("a talonario's cell", () => {
	it("holds a boleta with long fields, printed smaller and cut with …", async () => {
		const largo = "Corporación para el Desarrollo Comunitario y Deportivo del Valle de Aburrá ";
		const boleta: Boleta = {
			ticketId: crypto.randomUUID(),
			rifa: largo.repeat(3),
			numero: "0042",
			valor: formatCop(2_000_000),
			premios: [`Premio: ${largo}`],
			loteria: largo,
			sorteo: fechaColombiana("2026-01-16T03:30:00.000Z", "es"),
			operador: largo.repeat(2),
			comprador: largo.repeat(4),
			recibo: "0123456789ab",
			verificar: verificarUrl("h.p.s"),
		};
		const { shown } = await readPdf(await boletaPdf([boleta], "a4", new Date(0)));
		const faces = await embedFaces(await PDFDocument.create());
		const font = {
			DejaVuSans: faces.regular,
			"DejaVuSans-Bold": faces.bold,
			DejaVuSansMono: faces.mono,
		};
		// The first cell of the sheet, inside its padding.
		const margin = 10 * MM;
		const cell = {
			left: margin,
			right: 595.28 / 2,
			top: 841.89 - margin,
			bottom: 841.89 - margin - (841.89 - 2 * margin) / 4,
		};
		for (const s of shown) {
			const width = font[s.font as keyof typeof font].pdf.widthOfTextAtSize(s.text, s.size);
			expect(s.x).toBeGreaterThanOrEqual(cell.left + 10 - 0.01);
			expect(s.x + width).toBeLessThanOrEqual(cell.right - 10 + 0.01);
			expect(s.y).toBeGreaterThan(cell.bottom + 10);
			expect(s.y).toBeLessThan(cell.top - 10);
		}
		const texts = shown.map((s) => s.text);
		expect(texts).toContain("0042");
		expect(texts.filter((t) => t.endsWith("…")).length).toBeGreaterThan(2);
	});
});

describe("who may print a boleta", () => {
	it("its buyer, the staff who sold it, the rifa's operador and admins; nobody else", async () => {
		const vendedor = await createUser({ nombre: "Pedro Vendedor" });
		const compra = await buy(rifa.id, comprador, [55]);
		await setVendedor(compra.transaccionId, vendedor.id);
		const id = compra.tickets[0]?.id ?? "";
		for (const who of [comprador, vendedor, operador, admin]) {
			expect((await fetchBoleta(id, who.token)).status, who.rol).toBe(200);
		}
		const otroJugador = await createUser();
		const otroOperador = await createUser({ rol: "operador" });
		for (const who of [otroJugador, otroOperador]) {
			expectProblem(await get(boletaPath(id), who.token), 403);
		}
		expectProblem(await get(boletaPath(id)), 401);
		expectProblem(await get(boletaPath(crypto.randomUUID()), admin.token), 404);
		expectProblem(await get(boletaPath(id, "carta"), admin.token), 422);
	});

	it("has none for a ticket not sold yet: 409, and 403 to a stranger", async () => {
		const categoria = await createCategoria(admin.token);
		const lot = await createLoteria(admin.token);
		const otra = await createActiveRifa(operador.token, {
			categoria_id: categoria.id,
			loteria_id: lot.id,
		});
		await usePaymentProvider(otra.id, (id) => ({
			status: "requires_payment",
			providerRef: `pi_${id}`,
			clientSecret: `pi_${id}_secret`,
		}));
		const held = await buyNumbers(otra.id, comprador, [12]);
		expect(held.body.tickets[0]?.estado).toBe("reservado");
		const id = held.body.tickets[0]?.id ?? "";
		const problem = expectProblem(await get(boletaPath(id), comprador.token), 409);
		expect(problem.detail).toContain("reservado");
		expectProblem(await get(boletaPath(id), (await createUser()).token), 403);
	});
});

describe("revalidation", () => {
	it("answers If-None-Match with 304 until what the boleta prints changes", async () => {
		const buyer = await createUser({ nombre: "Luz Dary" });
		const id = (await buy(rifa.id, buyer, [64])).tickets[0]?.id ?? "";
		const first = await fetchBoleta(id, buyer.token);
		const etag = first.headers.get("ETag") ?? "";
		expect(etag).not.toBe("");
		const again = await fetchBoleta(id, buyer.token, { headers: { "If-None-Match": etag } });
		expect(again.status).toBe(304);
		expect(again.headers.get("ETag")).toBe(etag);
		expect(await again.text()).toBe("");
		const a4 = await fetchBoleta(id, buyer.token, { formato: "a4" });
		expect(a4.headers.get("ETag")).not.toBe(etag);

		await env.DB.prepare("UPDATE users SET nombre = ? WHERE id = ?")
			.bind("Luz Dary Gómez", buyer.id)
			.run();
		const renamed = await fetchBoleta(id, buyer.token, { headers: { "If-None-Match": etag } });
		expect(renamed.status).toBe(200);
		expect(renamed.headers.get("ETag")).not.toBe(etag);
	});
});

describe("the prize a boleta promises", () => {
	const reglas = parseReglas({});
	const rifa100 = { totalBoletas: 100, numeroGanadores: 1, acumuladoAsignado: 0 };
	const categoria = {
		valorBoleta: 1_000_000,
		rakeBps: 2500,
		fondoPremios: 60_000_000,
		premioPorGanador: null,
	};

	it("is the fixed fund split by position, with the pot assigned to the rifa", () => {
		expect(prizeLines(rifa100, reglas, categoria)).toEqual([`Premio: ${formatCop(60_000_000)}`]);
		const tres = parseReglas({ reparto_bps: [5000, 3000, 2000] });
		expect(
			prizeLines(
				{ ...rifa100, numeroGanadores: 3, acumuladoAsignado: 10_000_000 },
				tres,
				categoria,
			),
		).toEqual([
			`1.er premio: ${formatCop(35_000_000)}`,
			`2.º premio: ${formatCop(21_000_000)}`,
			`3.er premio: ${formatCop(14_000_000)}`,
		]);
	});

	it("is a share of sales less the house's part when the base is proporcional", () => {
		const proporcional = parseReglas({ base_premio: "proporcional" });
		expect(prizeLines(rifa100, proporcional, categoria)).toEqual([
			`Premio: lo vendido menos ${formatBps(2500)} para la casa; hasta ${formatCop(75_000_000)} si se venden todos los números`,
		]);
	});
});

describe("the OpenAPI document", () => {
	it("describes the route", async () => {
		const doc = (await get("/openapi.json")).body;
		const op = doc.paths["/api/v1/tickets/{id}/boleta.pdf"]?.get;
		expect(op.operationId).toBe("getBoletaPdf");
		expect(Object.keys(op.responses)).toEqual(
			expect.arrayContaining(["200", "304", "401", "403", "404", "409"]),
		);
		expect(Object.keys(op.responses["200"].content)).toEqual(["application/pdf"]);
	});
});
