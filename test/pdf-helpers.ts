import {
	decodePDFRawStream,
	PDFArray,
	PDFDict,
	PDFDocument,
	PDFName,
	PDFRawStream,
	type PDFRef,
} from "pdf-lib";

/** One text-showing operation of a page, read back as Unicode through its font's ToUnicode map. */
export interface Shown {
	page: number;
	/** The font's name, without its subset's suffix: `DejaVuSans-Bold`. */
	font: string;
	size: number;
	x: number;
	y: number;
	text: string;
}

/** One filled path of a page: its `cm` transforms, in order, and its subpaths' points. */
export interface Drawn {
	page: number;
	cms: number[][];
	subpaths: [number, number][][];
}

const latin1 = new TextDecoder("latin1");

const streamText = (stream: unknown): string =>
	stream instanceof PDFRawStream ? latin1.decode(decodePDFRawStream(stream).decode()) : "";

const toUnicode = (font: PDFDict): Map<string, string> => {
	const cmap = streamText(font.lookup(PDFName.of("ToUnicode")));
	const map = new Map<string, string>();
	for (const [, glyph = "", unicode = ""] of cmap.matchAll(/<([0-9a-f]{4})> <([0-9a-f]*)>/gi)) {
		const units = (unicode.match(/.{4}/g) ?? []).map((h) => Number.parseInt(h, 16));
		map.set(glyph.toLowerCase(), String.fromCharCode(...units));
	}
	return map;
};

/**
 * What a PDF written by pdf-lib shows and fills, page by page: enough of a content-stream reader to
 * check the acta without a PDF tool (pdf-lib writes one `Tf`, `Tm` and `Tj` per line of text).
 */
export const readPdf = async (
	bytes: Uint8Array,
): Promise<{ pages: number; shown: Shown[]; drawn: Drawn[]; fonts: string[] }> => {
	const doc = await PDFDocument.load(bytes);
	const shown: Shown[] = [];
	const drawn: Drawn[] = [];
	const fonts = new Set<string>();
	doc.getPages().forEach((page, index) => {
		const fontDicts = page.node.Resources()?.lookupMaybe(PDFName.of("Font"), PDFDict);
		const maps = new Map<string, { name: string; glyphs: Map<string, string> }>();
		for (const [name, ref] of fontDicts?.entries() ?? []) {
			const font = doc.context.lookup(ref as PDFRef, PDFDict);
			const descendant = font.lookup(PDFName.of("DescendantFonts"), PDFArray).lookup(0, PDFDict);
			const descriptor = descendant.lookup(PDFName.of("FontDescriptor"), PDFDict);
			// pdf-lib names a subset `<name>-<random>`.
			const fontName =
				descriptor
					.get(PDFName.of("FontName"))
					?.toString()
					.replace(/^\/|-\d+$/g, "") ?? "";
			fonts.add(fontName);
			maps.set(name.toString(), { name: fontName, glyphs: toUnicode(font) });
		}
		const contents = page.node.Contents();
		const streams =
			contents instanceof PDFArray
				? contents.asArray().map((r) => doc.context.lookup(r))
				: [contents];
		const ops = streams.map(streamText).join("\n");
		let font = "";
		let size = 0;
		let x = 0;
		let y = 0;
		let cms: number[][] = [];
		let subpaths: [number, number][][] = [];
		const n = "(-?[\\d.]+)";
		const op = new RegExp(
			[
				`(\\/\\S+) ${n} Tf`,
				`${n} ${n} ${n} ${n} ${n} ${n} (Tm|cm)`,
				"<([0-9A-Fa-f]*)> Tj",
				`${n} ${n} (m|l)`,
				"(^|\\s)(f|f\\*|Q)(?=\\s|$)",
			].join("|"),
			"gm",
		);
		for (const m of ops.matchAll(op)) {
			if (m[1]) {
				font = m[1];
				size = Number(m[2]);
			} else if (m[9] === "Tm") {
				x = Number(m[7]);
				y = Number(m[8]);
			} else if (m[9] === "cm") {
				cms.push(m.slice(3, 9).map(Number));
			} else if (m[10] !== undefined) {
				const glyphs = m[10].match(/.{4}/g) ?? [];
				const map = maps.get(font);
				const text = glyphs.map((g) => map?.glyphs.get(g.toLowerCase()) ?? "\u{fffd}").join("");
				shown.push({ page: index + 1, font: map?.name ?? font, size, x, y, text });
			} else if (m[13] === "m") subpaths.push([[Number(m[11]), Number(m[12])]]);
			else if (m[13] === "l") subpaths.at(-1)?.push([Number(m[11]), Number(m[12])]);
			else if (m[15] === "f" || m[15] === "f*") {
				if (subpaths.length) drawn.push({ page: index + 1, cms: [...cms], subpaths });
				subpaths = [];
			} else if (m[15] === "Q") cms = [];
		}
	});
	return { pages: doc.getPageCount(), shown, drawn, fonts: [...fonts] };
};

/** The text shown on each baseline, top to bottom, page by page. */
export const textLines = (shown: Shown[]): string[] => {
	const lines = new Map<string, Shown[]>();
	for (const s of shown) {
		const key = `${s.page}:${s.y}`;
		lines.set(key, [...(lines.get(key) ?? []), s]);
	}
	return [...lines.values()].map((runs) =>
		runs
			.sort((a, b) => a.x - b.x)
			.map((r) => r.text)
			.join(""),
	);
};
