import { sha256Hex } from "../../verificacion/merkle";
import {
	drawInstant,
	isCalendarDate,
	type LoteriaRef,
	type LoteriaResult,
	type ResultsAdapter,
} from "./types";

/**
 * Deterministic results for local use, seeds and tests. For a loteria and date the premio mayor is
 * SHA-256("mock:{slug or id}:{YYYY-MM-DD}"): its first 32-bit big-endian word modulo 10,000 is the
 * número (4 digits), the second modulo 1,000 the serie (3 digits). Nothing is published before
 * the draw's time (date and `hora_sorteo`, Colombia time).
 */
export const mockAdapter = (now: () => Date = () => new Date()): ResultsAdapter => ({
	name: "mock",
	async getResult(loteria: LoteriaRef, fecha: string): Promise<LoteriaResult | null> {
		if (!isCalendarDate(fecha)) throw new RangeError(`not a calendar date: ${fecha}`);
		if (now() < drawInstant(fecha, loteria.horaSorteo)) return null;
		const key = `mock:${loteria.meta.slug ?? loteria.id}:${fecha}`;
		const view = new DataView(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key)));
		const numero = String(view.getUint32(0) % 10_000).padStart(4, "0");
		const serie = String(view.getUint32(4) % 1_000).padStart(3, "0");
		return {
			numero,
			serie,
			numbers: [numero],
			fecha,
			fuente: key,
			evidencia: { url: null, sha256: await sha256Hex(key) },
		};
	},
});
