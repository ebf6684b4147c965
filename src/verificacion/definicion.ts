import { sha256Hex } from "./merkle.ts";
import type { Definicion } from "./tipos.ts";

/**
 * JSON with object keys sorted at every depth and no whitespace: one text for one value, whatever
 * order its keys were written in, so anyone can hash a published definition and get the same
 * SHA-256 the receipts carry.
 */
export const canonico = (value: unknown): string =>
	JSON.stringify(value, (_key, v: unknown) =>
		v && typeof v === "object" && !Array.isArray(v)
			? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
			: v,
	);

/** The hash receipts and the seal name a definition by. */
export const definicionSha256 = (d: Definicion): Promise<string> => sha256Hex(canonico(d));
