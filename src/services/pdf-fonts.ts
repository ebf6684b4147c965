import fontkit from "@pdf-lib/fontkit";
import sans from "dejavu-fonts-ttf/ttf/DejaVuSans.ttf";
import sansBold from "dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf";
import sansMono from "dejavu-fonts-ttf/ttf/DejaVuSansMono.ttf";
import type { PDFDocument, PDFFont } from "pdf-lib";

/** A font embedded in one document, with what its glyphs cover. */
export interface Face {
	pdf: PDFFont;
	hasGlyph: (codePoint: number) => boolean;
	/** Whether fontkit lays `text` out right to left (it reverses the glyphs of RTL scripts). */
	laysOutRtl: (text: string) => boolean;
}

export interface Faces {
	regular: Face;
	bold: Face;
	mono: Face;
}

type Fontkit = Parameters<PDFDocument["registerFontkit"]>[0];
type ParsedFont = ReturnType<typeof fontkit.create>;

interface Loaded {
	bytes: Uint8Array;
	parsed: ParsedFont;
}

let loaded: { regular: Loaded; bold: Loaded; mono: Loaded } | undefined;

const isPresentationForm = (codePoint: number) =>
	(codePoint >= 0xfb00 && codePoint <= 0xfdff) || (codePoint >= 0xfe70 && codePoint <= 0xfeff);

const load = (data: ArrayBuffer): Loaded => {
	const bytes = new Uint8Array(data);
	const parsed = fontkit.create(bytes);
	// The PDF's text (its ToUnicode map: what copying or searching gives) comes from the code points
	// of fontkit's glyph objects, which a parsed font creates once and keeps. Writing a subset creates
	// an accent's base letter without them ("E" under "É"), and every later acta would lose that
	// letter's text; made here from the font's cmap, every mapped glyph has its code point. Not
	// presentation forms: shaping makes them of letters ("ﻼ" of "لا"), whose text they keep.
	for (const codePoint of parsed.characterSet) {
		if (!isPresentationForm(codePoint)) parsed.glyphForCodePoint(codePoint);
	}
	return { bytes, parsed };
};

// fontkit decodes a font's tables (cmap, kerning, shaping) lazily and keeps them on the parsed
// font, so parsing once per isolate spares every later acta that work.
const fonts = () => {
	loaded ??= { regular: load(sans), bold: load(sansBold), mono: load(sansMono) };
	return loaded;
};

/** DejaVu Sans, Sans Bold and Sans Mono, embedded in `doc` as subsets of the glyphs it uses. */
export const embedFaces = async (doc: PDFDocument): Promise<Faces> => {
	const all = fonts();
	const cached = [all.regular, all.bold, all.mono];
	// pdf-lib parses the bytes it is handed; this hands it the font parsed already.
	const withCache: Fontkit = {
		create: (bytes) =>
			(cached.find((f) => f.bytes === bytes)?.parsed ?? fontkit.create(bytes)) as ReturnType<
				Fontkit["create"]
			>,
	};
	doc.registerFontkit(withCache);
	const embed = async ({ bytes, parsed }: Loaded): Promise<Face> => ({
		pdf: await doc.embedFont(bytes, { subset: true }),
		hasGlyph: (codePoint) => parsed.hasGlyphForCodePoint(codePoint),
		laysOutRtl: (text) => parsed.layout(text).direction === "rtl",
	});
	const [regular, bold, mono] = await Promise.all([
		embed(all.regular),
		embed(all.bold),
		embed(all.mono),
	]);
	return { regular, bold, mono };
};
