import type { PDFDocument, PDFPage } from "pdf-lib";
import { PDFString, rgb } from "pdf-lib";
import { encode } from "uqr";
import type { Face, Faces } from "./pdf-fonts";
import { drawableLines, splitGraphemes, visualRuns } from "./pdf-text";

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 50;
const TOP = A4[1] - 42;
// Content stops here; the page footer goes below.
const BOTTOM = 60;
// Continuation lines of a wrapped paragraph start this much to the right of its first.
const HANG = 12;
const BLACK = rgb(0, 0, 0);
const GREY = rgb(0.35, 0.35, 0.35);

export interface TextStyle {
	face?: keyof Faces;
	size?: number;
	/** Space from this text's last line to the next line's baseline; `size + 6` by default. */
	gap?: number;
}

const spaces = /(\s+)/;
// A scanner needs four modules of white around a QR code.
const QUIET_MODULES = 4;

/** Draws one line's pieces, in drawing order (`visualRuns`), from `x` along the baseline `y`. */
const drawRuns = (
	page: PDFPage,
	runs: string[],
	face: Face,
	size: number,
	x: number,
	y: number,
) => {
	let at = x;
	for (const run of runs) {
		page.drawText(run, { x: at, y, size, font: face.pdf, color: BLACK });
		at += face.pdf.widthOfTextAtSize(run, size);
	}
};

const runsWidth = (runs: string[], face: Face, size: number) =>
	runs.reduce((w, run) => w + face.pdf.widthOfTextAtSize(run, size), 0);

/**
 * One line of text broken into lines at most `maxWidth` points wide, continuation lines `hang`
 * points narrower. Greedy, at `breaks` (a capturing pattern of spaces); a word wider than a line
 * is cut between graphemes. Each word is measured once and a line's width is their sum (a kerning
 * pair across a space is not worth measuring).
 */
const wrapLine = (
	line: string,
	face: Face,
	size: number,
	maxWidth: number,
	hang: number,
	breaks: RegExp = spaces,
): string[] => {
	const width = (text: string) => runsWidth(visualRuns(text, face), face, size);
	if (width(line) <= maxWidth) return [line];
	const out: string[] = [];
	let current = "";
	let used = 0;
	const add = (text: string, w: number) => {
		if (current && used + w > maxWidth - (out.length ? hang : 0)) {
			if (current.trim()) out.push(current.trimEnd());
			current = "";
			used = 0;
			if (!text.trim()) return;
		}
		current += text;
		used += w;
	};
	for (const piece of line.split(breaks)) {
		if (!piece) continue;
		const w = width(piece);
		if (w <= maxWidth - hang) add(piece, w);
		else for (const grapheme of splitGraphemes(piece)) add(grapheme, width(grapheme));
	}
	if (current.trim() || !out.length) out.push(current.trimEnd());
	return out;
};

interface QrCode {
	/** Dark modules as one SVG path in module units, each row's run of modules one rectangle. */
	path: string;
	/** Modules per side. */
	size: number;
}

const qrCode = (data: string): QrCode => {
	const { data: modules, size } = encode(data, { ecc: "M", border: 0 });
	const path = modules
		.map((row, r) => {
			let d = "";
			for (let c = 0; c < size; ) {
				if (!row[c]) {
					c++;
					continue;
				}
				let end = c;
				while (row[end]) end++;
				d += `M${c} ${r}h${end - c}v1h${c - end}z`;
				c = end;
			}
			return d;
		})
		.join("");
	return { path, size };
};

/** Draws `code` as vector squares (one filled path), `side` points wide, its top-left at (x, top). */
const drawQr = (page: PDFPage, code: QrCode, x: number, top: number, side: number) => {
	page.drawSvgPath(code.path, { x, y: top, scale: side / code.size, color: BLACK });
};

interface Rect {
	x: number;
	y: number;
	width: number;
	height: number;
}

/** Makes an area of `page` a link to `url` in PDF viewers. */
const linkArea = (page: PDFPage, { x, y, width, height }: Rect, url: string) => {
	const { context } = page.doc;
	const annotation = context.obj({
		Type: "Annot",
		Subtype: "Link",
		Rect: [x, y, x + width, y + height],
		Border: [0, 0, 0],
		A: { Type: "Action", S: "URI", URI: PDFString.of(url) },
	});
	page.node.addAnnot(context.register(annotation));
};

/**
 * Text flowing down A4 pages: any Unicode, wrapped to the page width, continued on a new page
 * when it reaches the bottom.
 */
export class PageFlow {
	private page: PDFPage;
	private y = TOP;
	/** Whether some character was drawn as `MISSING` (the font has no glyph for it). */
	substituted = false;

	constructor(
		private readonly doc: PDFDocument,
		private readonly faces: Faces,
	) {
		this.page = doc.addPage(A4);
	}

	private get width() {
		return A4[0] - 2 * MARGIN;
	}

	private newPage() {
		this.page = this.doc.addPage(A4);
		this.y = TOP;
	}

	/** Starts a new page unless `height` more points fit on this one. */
	keep(height: number) {
		if (this.y - height < BOTTOM) this.newPage();
	}

	space(height: number) {
		this.y -= height;
	}

	text(text: string, { face = "regular", size = 10, gap = size + 6 }: TextStyle = {}) {
		const f = this.faces[face];
		const { lines, substituted } = drawableLines(text, f);
		this.substituted ||= substituted;
		const wrapped = lines.flatMap((line) =>
			wrapLine(line, f, size, this.width, HANG).map((part, i) => ({
				part,
				x: MARGIN + (i ? HANG : 0),
			})),
		);
		wrapped.forEach(({ part, x }, i) => {
			if (this.y < BOTTOM) this.newPage();
			drawRuns(this.page, visualRuns(part, f), f, size, x, this.y);
			this.y -= i === wrapped.length - 1 ? gap : size + 6;
		});
	}

	/**
	 * A QR code of `data`, `side` points wide, drawn as vector squares (one filled path, each row's
	 * dark modules merged), with four modules of white around it for scanners.
	 */
	qr(data: string, side: number) {
		const code = qrCode(data);
		const quiet = (QUIET_MODULES * side) / code.size;
		this.keep(side + 2 * quiet);
		// A line's glyphs reach about 10 points above its baseline: the quiet zone starts there.
		const top = this.y + 10 - quiet;
		drawQr(this.page, code, MARGIN, top, side);
		this.y = top - side - quiet - 10;
	}

	/** `label · página i de n` at the foot of every page. */
	footer(label: string) {
		const pages = this.doc.getPages();
		const f = this.faces.regular;
		pages.forEach((page, i) => {
			const { lines } = drawableLines(`${label} · página ${i + 1} de ${pages.length}`, f);
			page.drawText(lines.join(" "), { x: MARGIN, y: 30, size: 8, font: f.pdf, color: GREY });
		});
	}
}

export interface ColumnText {
	face?: keyof Faces;
	size?: number;
	align?: "left" | "center";
	/** Lines kept of a text that wraps to more; the last kept line ends in "…". */
	maxLines?: number;
	/** Space below the text's last line. */
	after?: number;
}

// Line boxes are 1.25 em tall, the baseline 1 em below the box's top (DejaVu's ascent is 0.93 em).
const LEADING = 1.25;
// Money ("$ 20.000") and times ("10:30 p. m.") hold no-break spaces: a narrow column keeps
// them whole.
const BREAKABLE_SPACES = /([^\S\u00a0\u2007\u202f]+)/;
const ELLIPSIS = "…";

/**
 * Text, rules and QR codes stacked in a column of a fixed width and measured before they are
 * drawn, for a page sized to its content (a thermal printer's roll) or a cell it must fit (a
 * boleta of a talonario). Any Unicode, as `PageFlow` prints it; no page breaks.
 */
export class Column {
	/** Points from the column's top to the bottom of what it holds so far. */
	height = 0;
	/** Whether some character was drawn as `MISSING` (the font has no glyph for it). */
	substituted = false;
	private readonly items: ((page: PDFPage, x: number, top: number) => void)[] = [];

	constructor(
		private readonly faces: Faces,
		readonly width: number,
	) {}

	text(
		text: string,
		{ face = "regular", size = 8, align = "left", maxLines, after = 2 }: ColumnText = {},
	) {
		const f = this.faces[face];
		const { lines, substituted } = drawableLines(text, f);
		this.substituted ||= substituted;
		let wrapped = lines.flatMap((line) => wrapLine(line, f, size, this.width, 0, BREAKABLE_SPACES));
		if (maxLines !== undefined && wrapped.length > maxLines) {
			wrapped = wrapped.slice(0, maxLines);
			wrapped[maxLines - 1] = this.ellipsize(wrapped[maxLines - 1] ?? "", f, size);
		}
		for (const line of wrapped) {
			const runs = visualRuns(line, f);
			const dx = align === "center" ? (this.width - runsWidth(runs, f, size)) / 2 : 0;
			const dy = this.height + size;
			this.items.push((page, x, top) => drawRuns(page, runs, f, size, x + dx, top - dy));
			this.height += size * LEADING;
		}
		this.height += after;
	}

	/** `line`, cut between graphemes until it fits with "…" after it. */
	private ellipsize(line: string, face: Face, size: number) {
		const parts = splitGraphemes(line.trimEnd());
		const fits = (n: number) =>
			runsWidth(visualRuns(`${parts.slice(0, n).join("")}${ELLIPSIS}`, face), face, size) <=
			this.width;
		let n = parts.length;
		while (n > 0 && !fits(n)) n--;
		return `${parts.slice(0, n).join("").trimEnd()}${ELLIPSIS}`;
	}

	/** A dashed line across the column, with room around it. */
	rule(room = 4) {
		const dy = this.height + room;
		this.items.push((page, x, top) =>
			page.drawLine({
				start: { x, y: top - dy },
				end: { x: x + this.width, y: top - dy },
				thickness: 0.75,
				color: BLACK,
				dashArray: [3, 2],
			}),
		);
		this.height += 2 * room;
	}

	/**
	 * A QR code of `data`, `side` points wide and centred, with its quiet zone above and below
	 * (the column's sides are the caller's); a link to `link` where viewers show the PDF.
	 */
	qr(data: string, side: number, link?: string) {
		const code = qrCode(data);
		const quiet = (QUIET_MODULES * side) / code.size;
		const dx = (this.width - side) / 2;
		const dy = this.height + quiet;
		this.items.push((page, x, top) => {
			drawQr(page, code, x + dx, top - dy, side);
			if (link) linkArea(page, { x: x + dx, y: top - dy - side, width: side, height: side }, link);
		});
		this.height += side + 2 * quiet;
	}

	/** Draws the column with its top-left corner at (x, top). */
	draw(page: PDFPage, x: number, top: number) {
		for (const item of this.items) item(page, x, top);
	}
}
