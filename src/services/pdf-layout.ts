import type { PDFDocument, PDFPage } from "pdf-lib";
import { rgb } from "pdf-lib";
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
			this.wrap(line, f, size).map((part, i) => ({ part, x: MARGIN + (i ? HANG : 0) })),
		);
		wrapped.forEach(({ part, x: start }, i) => {
			if (this.y < BOTTOM) this.newPage();
			let x = start;
			for (const run of visualRuns(part, f)) {
				this.page.drawText(run, { x, y: this.y, size, font: f.pdf, color: BLACK });
				x += f.pdf.widthOfTextAtSize(run, size);
			}
			this.y -= i === wrapped.length - 1 ? gap : size + 6;
		});
	}

	private measure(line: string, face: Face, size: number) {
		return visualRuns(line, face).reduce((w, run) => w + face.pdf.widthOfTextAtSize(run, size), 0);
	}

	/**
	 * Greedy, at spaces; a word wider than a line is cut between graphemes. Each word is measured
	 * once and a line's width is their sum (a kerning pair across a space is not worth measuring).
	 */
	private wrap(line: string, face: Face, size: number): string[] {
		const width = (text: string) => this.measure(text, face, size);
		if (width(line) <= this.width) return [line];
		const out: string[] = [];
		let current = "";
		let used = 0;
		const add = (text: string, w: number) => {
			if (current && used + w > this.width - (out.length ? HANG : 0)) {
				if (current.trim()) out.push(current.trimEnd());
				current = "";
				used = 0;
				if (!text.trim()) return;
			}
			current += text;
			used += w;
		};
		for (const piece of line.split(spaces)) {
			if (!piece) continue;
			const w = width(piece);
			if (w <= this.width - HANG) add(piece, w);
			else for (const grapheme of splitGraphemes(piece)) add(grapheme, width(grapheme));
		}
		if (current.trim() || !out.length) out.push(current.trimEnd());
		return out;
	}

	/**
	 * A QR code of `data`, `side` points wide, drawn as vector squares (one filled path, each row's
	 * dark modules merged), with four modules of white around it for scanners.
	 */
	qr(data: string, side: number) {
		const { data: modules, size } = encode(data, { ecc: "M", border: 0 });
		const quiet = (4 * side) / size;
		this.keep(side + 2 * quiet);
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
		// A line's glyphs reach about 10 points above its baseline: the quiet zone starts there.
		const top = this.y + 10 - quiet;
		this.page.drawSvgPath(path, { x: MARGIN, y: top, scale: side / size, color: BLACK });
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
