import { PDFDocument, type PDFPage, rgb } from "pdf-lib";
import { embedFaces, type Faces } from "./pdf-fonts";
import { Column } from "./pdf-layout";
import { MISSING } from "./pdf-text";

export const FORMATOS_BOLETA = ["termica", "a4"] as const;
export type FormatoBoleta = (typeof FORMATOS_BOLETA)[number];

/** One printed boleta, every field already in the words and formats it prints. */
export interface Boleta {
	ticketId: string;
	rifa: string;
	/** As the rifa prints it: `07` of 100. */
	numero: string;
	valor: string;
	/** One line per winning position (and the fund, when the prize is a share of sales). */
	premios: string[];
	loteria: string;
	/** The draw's date and time in Colombia. */
	sorteo: string;
	operador: string;
	comprador: string;
	/** The first 12 hex digits of the SHA-256 of the signed receipt; null before it is signed. */
	recibo: string | null;
	/** `<origin>/verificar#recibo=<jws>`; null without a receipt. */
	verificar: string | null;
}

const MM = 72 / 25.4;
// 58 mm paper; thermal heads print the middle 48 mm.
const ROLL_WIDTH = 58 * MM;
const PRINTABLE = 48 * MM;
const ROLL_MARGIN = 4 * MM;
const A4: [number, number] = [595.28, 841.89];
// Office printers leave 4–5 mm unprinted at the edges: the cut grid stays inside 10 mm.
const SHEET_MARGIN = 10 * MM;
const GRID = { columns: 2, rows: 4 };
const CELL_PADDING = 10;
const CELL_QR = 104;
const CELL_GAP = 8;
// Body text sizes tried, largest first, until a boleta fits its cell.
const CELL_SIZES = [8, 7.5, 7, 6.5, 6];
const CUT = rgb(0.45, 0.45, 0.45);

const NO_RECEIPT = "Aún no tiene recibo firmado: todavía no se puede verificar.";

const fields = (b: Boleta): string[] => [
	`Valor: ${b.valor}`,
	...b.premios,
	`Lotería: ${b.loteria}`,
	`Sorteo: ${b.sorteo}`,
	`Operador: ${b.operador}`,
	`Comprador: ${b.comprador}`,
];

const newDocument = async (title: string, soldAt: Date) => {
	const doc = await PDFDocument.create();
	doc.setTitle(title.replace(/\p{Cc}+/gu, " "));
	doc.setLanguage("es-CO");
	doc.setCreator("Rifa1122");
	// Dated by the sale, not the clock: the same boleta renders to the same bytes.
	doc.setCreationDate(soldAt);
	doc.setModificationDate(soldAt);
	return { doc, faces: await embedFaces(doc) };
};

/** One boleta on a 58 mm roll: a page as long as its content. */
const thermalColumn = (faces: Faces, b: Boleta) => {
	const col = new Column(faces, PRINTABLE);
	col.text("Boleta de rifa · Rifa1122", { size: 7, align: "center" });
	col.text(b.rifa, { face: "bold", size: 11, align: "center", after: 2 });
	col.rule();
	col.text("Número", { size: 8, align: "center", after: 0 });
	col.text(b.numero, { face: "bold", size: 36, align: "center", after: 0 });
	col.rule();
	for (const field of fields(b)) col.text(field, { size: 8 });
	col.text(`Recibo: ${b.recibo ?? "aún no emitido"}`, { face: "mono", size: 8 });
	col.rule();
	if (b.verificar) {
		col.qr(b.verificar, PRINTABLE, b.verificar);
		col.text("Escanee el código para verificar esta boleta con su recibo firmado.", {
			size: 7,
			align: "center",
		});
	} else col.text(NO_RECEIPT, { size: 7, align: "center" });
	col.text("Id de la boleta", { size: 6, align: "center", after: 0 });
	col.text(b.ticketId, { face: "mono", size: 5.5, align: "center" });
	if (col.substituted) {
		col.text(`${MISSING}: un carácter que la fuente de esta boleta no tiene.`, {
			size: 6,
			align: "center",
		});
	}
	return col;
};

const thermal = async (b: Boleta, soldAt: Date) => {
	const { doc, faces } = await newDocument(`Boleta ${b.numero} — ${b.rifa}`, soldAt);
	const col = thermalColumn(faces, b);
	const height = col.height + 2 * ROLL_MARGIN;
	const page = doc.addPage([ROLL_WIDTH, height]);
	col.draw(page, (ROLL_WIDTH - PRINTABLE) / 2, height - ROLL_MARGIN);
	return doc.save();
};

const CELL = {
	width: (A4[0] - 2 * SHEET_MARGIN) / GRID.columns,
	height: (A4[1] - 2 * SHEET_MARGIN) / GRID.rows,
};

/**
 * The body of a cell beside its QR code, in the largest text size that fits the room left under
 * the rifa's name; when none does, long fields are cut to fewer lines, then to one.
 */
const cellBody = (faces: Faces, b: Boleta, width: number, room: number) => {
	const build = (size: number, maxLines?: number) => {
		const col = new Column(faces, width);
		col.text("Número", { size, after: 0 });
		col.text(b.numero, { face: "bold", size: 26, after: 1 });
		for (const field of fields(b))
			col.text(field, { size, after: 1.5, ...(maxLines ? { maxLines } : {}) });
		return col;
	};
	for (const maxLines of [undefined, 3, 2]) {
		for (const size of CELL_SIZES) {
			const col = build(size, maxLines);
			if (col.height <= room) return col;
		}
	}
	return build(CELL_SIZES.at(-1) ?? 6, 1);
};

const drawCell = (page: PDFPage, faces: Faces, b: Boleta, left: number, top: number) => {
	page.drawRectangle({
		x: left,
		y: top - CELL.height,
		width: CELL.width,
		height: CELL.height,
		borderColor: CUT,
		borderWidth: 0.5,
		borderDashArray: [4, 3],
	});
	const inner = CELL.width - 2 * CELL_PADDING;
	const header = new Column(faces, inner);
	header.text(b.rifa, { face: "bold", size: 9.5, maxLines: 2, after: 3 });
	const room = CELL.height - 2 * CELL_PADDING - header.height;
	const body = cellBody(faces, b, inner - CELL_QR - CELL_GAP, room);
	const side = new Column(faces, CELL_QR);
	if (b.verificar) {
		side.qr(b.verificar, CELL_QR, b.verificar);
		side.text("Escanee para verificar", { size: 6, align: "center", after: 1 });
	} else side.text(NO_RECEIPT, { size: 6, align: "center", after: 1 });
	side.text(`Recibo ${b.recibo ?? "aún no emitido"}`, { face: "mono", size: 6.5, align: "center" });
	const x = left + CELL_PADDING;
	const y = top - CELL_PADDING;
	header.draw(page, x, y);
	body.draw(page, x, y - header.height);
	side.draw(page, x + inner - CELL_QR, y - header.height);
};

/** Every boleta of a purchase, a talonario of A4 sheets: cells with dashed cut lines. */
const sheets = async (boletas: Boleta[], soldAt: Date) => {
	const title = `Boletas ${boletas.map((b) => b.numero).join(", ")} — ${boletas[0]?.rifa ?? ""}`;
	const { doc, faces } = await newDocument(title, soldAt);
	const perPage = GRID.columns * GRID.rows;
	let page = doc.addPage(A4);
	boletas.forEach((b, i) => {
		const slot = i % perPage;
		if (i > 0 && slot === 0) page = doc.addPage(A4);
		const column = slot % GRID.columns;
		const row = Math.floor(slot / GRID.columns);
		const left = SHEET_MARGIN + column * CELL.width;
		const top = A4[1] - SHEET_MARGIN - row * CELL.height;
		drawCell(page, faces, b, left, top);
	});
	return doc.save();
};

/** The printed boleta of a sold ticket (`termica`), or of each ticket of its purchase (`a4`). */
export const boletaPdf = (
	boletas: Boleta[],
	formato: FormatoBoleta,
	soldAt: Date,
): Promise<Uint8Array> => {
	const [first] = boletas;
	if (!first) throw new RangeError("a printed boleta needs a ticket");
	return formato === "termica" ? thermal(first, soldAt) : sheets(boletas, soldAt);
};
