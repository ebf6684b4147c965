import { z } from "zod";
import { sha256Hex } from "../../verificacion/merkle";
import {
	isCalendarDate,
	type LoteriaRef,
	type LoteriaResult,
	ResultSourceError,
	type ResultsAdapter,
} from "./types";

const Row = z.object({
	slug: z.string(),
	date: z.string(),
	result: z.string(),
	series: z.string().nullable().optional(),
});
const Body = z.object({ status: z.string(), data: z.array(z.unknown()) });

const TIMEOUT_MS = 8_000;

/**
 * The public results API used by Colombian results sites: `GET {base}/api/results/{YYYY-MM-DD}`
 * → `{status, data: [{lottery, slug, date, result, series}]}`. Its known quirks are handled here:
 * an empty list (not 404) for a day without data, 500 or a silent roll-over for impossible dates
 * (so the date is checked first), rows of other days, repeated rows, `"null"` series, and 5-digit
 * "5ta" variants. Only a 4-digit result with a 3-digit serie for the loteria's slug and that date
 * counts; two different such rows are a contradiction, never a guess.
 */
export const resultadosLoteriasAdapter = (
	baseUrl: string,
	fetcher: typeof fetch = (input, init) => fetch(input, init),
): ResultsAdapter => ({
	name: "resultadosloterias",
	async getResult(loteria: LoteriaRef, fecha: string): Promise<LoteriaResult | null> {
		if (!isCalendarDate(fecha)) throw new RangeError(`not a calendar date: ${fecha}`);
		const slug = loteria.meta.slug;
		if (!slug)
			throw new ResultSourceError(`loteria ${loteria.id} has no slug for resultadosloterias`);
		const url = `${baseUrl.replace(/\/$/, "")}/api/results/${fecha}`;
		let res: Response;
		try {
			res = await fetcher(url, {
				headers: { Accept: "application/json" },
				signal: AbortSignal.timeout(TIMEOUT_MS),
			});
		} catch (err) {
			throw new ResultSourceError(`${url}: ${err instanceof Error ? err.message : String(err)}`);
		}
		if (!res.ok) throw new ResultSourceError(`${url}: HTTP ${res.status}`);
		const raw = await res.text().catch(() => "");
		let json: unknown = null;
		try {
			json = JSON.parse(raw);
		} catch {
			json = null;
		}
		const body = Body.safeParse(json);
		if (!body.success) throw new ResultSourceError(`${url}: unexpected body`);
		const matches = new Map<string, { numero: string; serie: string }>();
		for (const raw of body.data.data) {
			const row = Row.safeParse(raw);
			if (!row.success || row.data.slug !== slug || row.data.date !== fecha) continue;
			const { result, series } = row.data;
			if (!/^\d{4}$/.test(result) || !series || !/^\d{3}$/.test(series)) continue;
			matches.set(`${result}/${series}`, { numero: result, serie: series });
		}
		if (matches.size === 0) return null;
		if (matches.size > 1) {
			throw new ResultSourceError(
				`${url}: contradictory results for ${slug} on ${fecha}: ${[...matches.keys()].join(", ")}`,
			);
		}
		const [only] = matches.values();
		if (!only) return null;
		return {
			numero: only.numero,
			serie: only.serie,
			numbers: [only.numero],
			fecha,
			fuente: url,
			evidencia: { url, sha256: await sha256Hex(raw) },
		};
	},
});
