import { exports } from "cloudflare:workers";
import { PDFDocument } from "pdf-lib";
import { encode } from "uqr";
import { beforeAll, describe, expect, it } from "vitest";
import { actaPdf } from "../src/services/acta-pdf";
import { embedFaces, type Faces } from "../src/services/pdf-fonts";
import { esActa } from "../src/verificacion/guardas";
import type { ActaPayload, ObservacionActa } from "../src/verificacion/tipos";
import { buyNumbers, mockWinner, moveToDraw } from "./draw-helpers";
import {
	BASE,
	createActiveRifa,
	createCast,
	createCategoria,
	createLoteria,
	get,
	runCron,
	type TestUser,
} from "./helpers";
import { readPdf, textLines } from "./pdf-helpers";

const VERIFICAR = "https://rifa1122.co/verificar";
const RIFA = "5f0c1d2e-8b7a-4c3d-9e1f-2a3b4c5d6e7f";
const PAGE_WIDTH = 595.28;
const MARGIN = 50;

const sha = (pattern: string) => pattern.repeat(64 / pattern.length);

const observacion = (i: number): ObservacionActa => ({
	fuente: i % 2 ? "admin" : "resultados-api",
	observador: i % 2 ? sha(`a${i % 10}`) : null,
	numero: "4821",
	serie: "117",
	observado_en: new Date(Date.UTC(2026, 0, 16, 4, 12, i % 60)).toISOString(),
	evidencia_sha256: sha(`c${i % 10}`),
});

/** A settled 100-number rifa with one winner: $10.000 tickets, 57 sold, 30 % to the house. */
const payload = (observaciones = 2): ActaPayload => ({
	v: 2,
	rifa_id: RIFA,
	definicion: {
		v: 1,
		rifa_id: RIFA,
		categoria_id: "0b4e7c1a-2f3d-4a5b-8c9d-0e1f2a3b4c5d",
		loteria: {
			id: "loteria-medellin",
			fuentes: ["resultados-api", "admin"],
			fuentes_requeridas: 2,
		},
		fecha_sorteo: "2026-01-16T03:30:00.000Z",
		total_boletas: 100,
		valor_boleta: 1_000_000,
		numero_ganadores: 1,
		reglas: {
			asignacion: "aleatoria",
			max_boletas_por_compra: 10,
			max_boletas_por_usuario: null,
			minutos_reserva: 10,
			base_premio: "proporcional",
			reparto_bps: null,
			numero_no_vendido: "acumula",
		},
		promesa: { rake_bps: 3000, fondo_premios: null, premio_por_ganador: null },
		premio_garantizado: false,
	},
	definicion_sha256: sha("d1"),
	sello: { raiz: sha("5e"), tamano: 57, sellado_en: "2026-01-16T03:00:00.000Z" },
	sorteo: { fecha: "2026-01-15", instante: "2026-01-16T03:30:00.000Z", movimiento: null },
	resultado: {
		numero: "4821",
		serie: "117",
		fecha: "2026-01-15",
		confirmado_por: "quorum",
		confirmado_en: "2026-01-16T04:20:00.000Z",
		observaciones: Array.from({ length: observaciones }, (_, i) => observacion(i)),
		resolucion: null,
	},
	acumulado: [],
	ganadores: [
		{
			posicion: 1,
			numero: 21,
			ticket_id: "7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d",
			recibo: "eyJhbGciOiJFZERTQSJ9.eyJ2IjoyfQ.c2ln",
			recibo_sha256: sha("7f"),
			seq: 20,
			ruta: [sha("01"), sha("02")],
			monto: 39_900_000,
		},
	],
	premios: {
		base_premio: "proporcional",
		ventas: 57_000_000,
		rake: 17_100_000,
		fondo: 39_900_000,
		acumulado_recibido: 0,
		por_posicion: [
			{ posicion: 1, fuente: "ultimas", numero_ganador: 21, monto: 39_900_000, destino: "ganador" },
		],
		premios: 39_900_000,
		casa: 17_100_000,
		acumula: 0,
	},
	emitido_en: "2026-01-16T05:00:00.000Z",
});

const render = async (nombre: string, p = payload(), loteria = "Lotería de Medellín") => {
	const bytes = await actaPdf({ jws: "h.p.s", payload: p, nombre, loteria }, VERIFICAR);
	expect(new TextDecoder().decode(bytes.slice(0, 5))).toBe("%PDF-");
	const pdf = await readPdf(bytes);
	return { ...pdf, lines: textLines(pdf.shown) };
};

const NOTA = "□ marca un carácter que la fuente de este documento no tiene";

let faces: Faces;

beforeAll(async () => {
	faces = await embedFaces(await PDFDocument.create());
});

describe("the acta PDF", () => {
	it("is built from a payload the verifier accepts", () => {
		expect(esActa(payload())).toBe(true);
	});

	it.each([
		["Rifa 🎉 ≥ 2 millones\nsegunda línea", ["Rifa: Rifa □ ≥ 2 millones", "segunda línea"]],
		["Ñandú — ¿ÁÉÍÓÚ? «€»", ["Rifa: Ñandú — ¿ÁÉÍÓÚ? «€»"]],
		["春节大抽奖 2026", ["Rifa: □□□□□ 2026"]],
		// Right to left, shaped by the font; read back left to right as printed, brackets mirrored.
		["سحب كبير على 2026 (جائزة)", ["Rifa: (ةزئاج) 2026 ىلع ريبك بحس"]],
		["Primera\r\nSegunda\tcon tab\u2028Tercera", ["Rifa: Primera", "Segunda con tab", "Tercera"]],
		["Familia 👨‍👩‍👧 🇨🇴 e\u0301", ["Rifa: Familia □ □ é"]],
	])("prints the rifa named %j", async (nombre, expected) => {
		const { pages, fonts, lines } = await render(nombre);
		expect(pages).toBe(1);
		expect(fonts.sort()).toEqual(["DejaVuSans", "DejaVuSans-Bold", "DejaVuSansMono"]);
		const at = lines.indexOf(expected[0] ?? "");
		expect(lines.slice(at, at + expected.length)).toEqual(expected);
		expect(lines).toContain("Lotería: Lotería de Medellín, sorteo del 2026-01-15");
		// Only a name with a character the font lacks gets the note.
		expect(lines.some((l) => l.startsWith(NOTA))).toBe(expected.join("").includes("□"));
	});

	it("keeps every letter's text in later actas of the same isolate", async () => {
		// Writing "É" into a subset reaches the glyph "E" without its code point; the fonts are shared.
		await render("ÁÉÍÓÚ");
		expect((await render("Esperanza")).lines).toContain("Rifa: Esperanza");
	});

	it("wraps a long name to the page width: at spaces, or anywhere in a word too long", async () => {
		const words = "Gran rifa solidaria de la Junta de Acción Comunal del barrio La Esperanza ";
		const conEspacios = words.repeat(5).slice(0, 300).trimEnd();
		const sinEspacios = "Ñ".repeat(300);
		const nameLines = async (nombre: string) => {
			const { shown } = await render(nombre);
			const name = shown.slice(
				shown.findIndex((s) => s.text.startsWith("Rifa:")),
				shown.findIndex((s) => s.text.startsWith("Id: ")),
			);
			for (const [i, line] of name.entries()) {
				// Continuation lines hang to the right of the first.
				expect(line.x).toBe(i ? MARGIN + 12 : MARGIN);
				expect(line.x + faces.bold.pdf.widthOfTextAtSize(line.text, 12)).toBeLessThanOrEqual(
					PAGE_WIDTH - MARGIN,
				);
			}
			return name.map((line) => line.text);
		};
		const spaced = await nameLines(conEspacios);
		expect(spaced.length).toBeGreaterThan(2);
		expect(spaced.join(" ")).toBe(`Rifa: ${conEspacios}`);
		const cut = await nameLines(sinEspacios);
		expect(cut.length).toBeGreaterThan(2);
		expect(cut.join("")).toBe(`Rifa: ${sinEspacios}`);
	});

	it("renders the same acta to the same bytes", async () => {
		const once = await actaPdf(
			{ jws: "h.p.s", payload: payload(), nombre: "Ñandú", loteria: "L" },
			VERIFICAR,
		);
		await render("ÁÉÍÓÚ سحب");
		const again = await actaPdf(
			{ jws: "h.p.s", payload: payload(), nombre: "Ñandú", loteria: "L" },
			VERIFICAR,
		);
		expect(again).toEqual(once);
	});

	it("continues on new pages, each with its number, when the observations run past the first", async () => {
		const { pages, shown, lines } = await render("Rifa del Día de la Madre", payload(120));
		expect(pages).toBeGreaterThan(2);
		expect(lines.filter((l) => l.startsWith("Fuente "))).toHaveLength(120);
		for (let page = 1; page <= pages; page++) {
			const onPage = shown.filter((s) => s.page === page);
			expect(onPage.map((s) => s.text)).toContain(
				`Acta de sorteo de la rifa ${RIFA} · página ${page} de ${pages}`,
			);
			// Nothing but the footer below the content's bottom margin.
			expect(onPage.filter((s) => s.y < 55)).toHaveLength(1);
		}
		expect(shown.find((s) => s.text === VERIFICAR)?.page).toBe(pages);
	});

	it("draws the verification link as a QR code of vector squares, and prints the link under it", async () => {
		const { drawn, shown } = await render("Rifa navideña");
		expect(drawn).toHaveLength(1);
		const [qr] = drawn;
		const { data, size } = encode(VERIFICAR, { ecc: "M", border: 0 });
		const scale = qr?.cms.at(-1)?.[0] ?? 0;
		expect(scale * size).toBeCloseTo(96);
		// Each subpath is one row's run of dark modules: from (column, row) to (end, row) and down.
		const modules = Array.from({ length: size }, () => Array<boolean>(size).fill(false));
		for (const [from, to] of qr?.subpaths ?? []) {
			const row = modules[from?.[1] ?? -1];
			for (let c = from?.[0] ?? 0; c < (to?.[0] ?? 0); c++) if (row) row[c] = true;
		}
		expect(modules).toEqual(data);
		const qrBottom = (qr?.cms[0]?.[5] ?? 0) - 96;
		const link = shown.find((s) => s.text === VERIFICAR);
		expect(link?.font).toBe("DejaVuSansMono");
		expect(link?.y).toBeLessThan(qrBottom);
		expect(link?.y).toBeGreaterThan(qrBottom - 40);
	});
});

describe("GET /rifas/{id}/acta.pdf", () => {
	let admin: TestUser;
	let jugador: TestUser;

	beforeAll(async () => {
		({ admin, jugador } = await createCast());
	});

	it("prints a settled rifa whose name and loteria hold any Unicode", async () => {
		const categoria = await createCategoria(admin.token);
		const loteria = await createLoteria(admin.token, {
			nombre: "Lotería de Medellín ≥ 🎲",
			meta: { adapter: "mock", slug: "medellin" },
		});
		const rifa = await createActiveRifa(admin.token, {
			nombre: "Rifa 🎉 ≥ 2 millones\nsegunda línea",
			categoria_id: categoria.id,
			loteria_id: loteria.id,
		});
		const winner = await mockWinner("medellin");
		const sale = await buyNumbers(rifa.id, jugador, [Number(winner.numero.slice(-2))]);
		expect(sale.status).toBe(201);
		await moveToDraw(rifa.id);
		await runCron();
		expect((await get(`/api/v1/rifas/${rifa.id}`)).body.estado).toBe("resuelta");

		const res = await exports.default.fetch(`${BASE}/api/v1/rifas/${rifa.id}/acta.pdf`);
		expect(res.status).toBe(200);
		expect(res.headers.get("Content-Type")).toBe("application/pdf");
		const pdf = await readPdf(new Uint8Array(await res.arrayBuffer()));
		const lines = textLines(pdf.shown);
		expect(lines).toContain("Rifa: Rifa □ ≥ 2 millones");
		expect(lines).toContain("segunda línea");
		expect(lines).toContain("Lotería: Lotería de Medellín ≥ □, sorteo del 2026-01-15");
		expect(lines.filter((l) => /^https?:\/\/\S+\/verificar/.test(l))).toHaveLength(1);
		expect(pdf.drawn).toHaveLength(1);
	});
});
