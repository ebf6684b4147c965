import bidiFactory from "bidi-js";
import type { Face } from "./pdf-fonts";

const bidi = bidiFactory();
const graphemes = new Intl.Segmenter("es", { granularity: "grapheme" });
const LINE_BREAK = /\r\n|[\n\v\f\r\u0085\u2028\u2029]/;
const CONTROL = /\p{Cc}/gu;
const IGNORABLE = /^\p{Default_Ignorable_Code_Point}$/u;

/** What stands in the PDF for a character its font cannot draw. */
export const MISSING = "□";

const codePoint = (c: string) => c.codePointAt(0) ?? 0;

/**
 * `text` as `face` can draw it, one string per line of it: NFC, tabs and other control characters
 * as spaces, and each character the font has no glyph for (a whole grapheme: an emoji with its
 * modifiers, a flag) as one visible `MISSING`, so nothing vanishes unseen. Invisible format
 * characters the font lacks (joiners, variation selectors) are dropped.
 */
export const drawableLines = (
	text: string,
	face: Face,
): { lines: string[]; substituted: boolean } => {
	const missing = face.hasGlyph(codePoint(MISSING)) ? MISSING : "?";
	let substituted = false;
	const lines = text
		.normalize("NFC")
		.split(LINE_BREAK)
		.map((line) => {
			let out = "";
			for (const { segment } of graphemes.segment(line.replace(CONTROL, " "))) {
				const chars = [...segment].filter((c) => face.hasGlyph(codePoint(c)) || !IGNORABLE.test(c));
				if (!chars.length) continue;
				if (chars.every((c) => face.hasGlyph(codePoint(c)))) out += chars.join("");
				else {
					out += missing;
					substituted = true;
				}
			}
			return out;
		});
	return { lines, substituted };
};

/** `text`'s user-perceived characters: an emoji with its modifiers, a letter with its accents. */
export const splitGraphemes = (text: string): string[] =>
	Array.from(graphemes.segment(text), (s) => s.segment);

const reverseGraphemes = (text: string) => splitGraphemes(text).reverse().join("");

/**
 * One line's pieces in drawing order, left to right (the Unicode bidirectional algorithm in a
 * left-to-right paragraph), each as pdf-lib is to be given it. fontkit shapes each piece and
 * reverses it when it detects a right-to-left script in it; a piece whose direction fontkit would
 * get wrong (bare punctuation between Arabic words, Arabic-Indic digits) is reversed here first.
 */
export const visualRuns = (line: string, face: Face): string[] => {
	const { levels } = bidi.getEmbeddingLevels(line, "ltr");
	if (levels.every((level) => level === 0)) return [line];
	const mirrored = bidi.getMirroredCharactersMap(line, levels);
	const runs: { text: string; level: number }[] = [];
	levels.forEach((level, i) => {
		const c = mirrored.get(i) ?? line[i] ?? "";
		const last = runs.at(-1);
		if (last?.level === level) last.text += c;
		else runs.push({ text: c, level });
	});
	// UAX #9 rule L2: from the highest level down to 1, reverse every sequence of runs at that level
	// or higher.
	for (let level = Math.max(...levels); level >= 1; level--) {
		for (let i = 0; i < runs.length; ) {
			let j = i;
			while ((runs[j]?.level ?? -1) >= level) j++;
			if (j > i) runs.splice(i, j - i, ...runs.slice(i, j).reverse());
			i = Math.max(j, i + 1);
		}
	}
	return runs.map(({ text, level }) =>
		(level % 2 === 1) === face.laysOutRtl(text) ? text : reverseGraphemes(text),
	);
};
