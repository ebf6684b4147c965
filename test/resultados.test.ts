import { describe, expect, it } from "vitest";
import { resultsAdapter } from "../src/integrations/loterias";
import { mockAdapter } from "../src/integrations/loterias/mock";
import { resultadosLoteriasAdapter } from "../src/integrations/loterias/resultados-loterias";
import {
	isCalendarDate,
	type LoteriaRef,
	ResultSourceError,
} from "../src/integrations/loterias/types";
import { sha256Hex } from "../src/verificacion/merkle";
import day20230201 from "./fixtures/resultados/results-2023-02-01.json";
import boyaca from "./fixtures/resultados/results-2025-11-29.json";
import bogota from "./fixtures/resultados/results-2026-01-15.json";
import excerpt from "./fixtures/resultados/results-2026-10-05-excerpt.json";
import conflict from "./fixtures/resultados/results-conflict.json";
import noData from "./fixtures/resultados/results-no-data.json";

const loteria = (slug: string, hora = "22:30"): LoteriaRef => ({
	id: crypto.randomUUID(),
	nombre: slug,
	horaSorteo: hora,
	meta: { adapter: "resultadosloterias", slug },
});

/** Serves recorded payloads by date, as the public API would; records what was asked. */
const recorded = (byDate: Record<string, unknown>, status = 200) => {
	const asked: string[] = [];
	const fetcher = (async (input: RequestInfo | URL) => {
		const url = String(input);
		asked.push(url);
		const date = url.split("/").at(-1) ?? "";
		return new Response(JSON.stringify(byDate[date] ?? noData), {
			status,
			headers: { "Content-Type": "application/json" },
		});
	}) as typeof fetch;
	return { fetcher, asked };
};

describe("resultadosloterias adapter (recorded payloads)", () => {
	it("reads a real premio mayor, keeping leading zeros and ignoring repeated rows", async () => {
		const api = recorded({ "2025-11-29": boyaca, "2026-01-15": bogota });
		const adapter = resultadosLoteriasAdapter("https://results.example/", api.fetcher);
		expect(await adapter.getResult(loteria("boyaca"), "2025-11-29")).toEqual({
			numero: "0017",
			serie: "271",
			numbers: ["0017"],
			fecha: "2025-11-29",
			fuente: "https://results.example/api/results/2025-11-29",
			evidencia: {
				url: "https://results.example/api/results/2025-11-29",
				sha256: await sha256Hex(JSON.stringify(boyaca)),
			},
		});
		const bog = await adapter.getResult(loteria("bogota"), "2026-01-15");
		expect(bog).toMatchObject({ numero: "3649", serie: "188" });
		expect(api.asked).toEqual([
			"https://results.example/api/results/2025-11-29",
			"https://results.example/api/results/2026-01-15",
		]);
	});

	it("ignores rows of another day, 5-digit results and the string null as series", async () => {
		const api = recorded({ "2026-01-08": bogota, "2026-10-05": excerpt });
		const adapter = resultadosLoteriasAdapter("https://results.example", api.fetcher);
		expect(await adapter.getResult(loteria("bogota"), "2026-01-08")).toMatchObject({
			numero: "2661",
			serie: "449",
		});
		expect(await adapter.getResult(loteria("5ta-antioquenita-manana"), "2026-10-05")).toBeNull();
		expect(await adapter.getResult(loteria("antioquenita-manana"), "2026-10-05")).toMatchObject({
			numero: "4171",
			serie: "005",
		});
	});

	it("answers null when the day has no data (200 with an empty list) or lacks the lottery", async () => {
		const api = recorded({ "2023-02-01": day20230201 });
		const adapter = resultadosLoteriasAdapter("https://results.example", api.fetcher);
		expect(await adapter.getResult(loteria("bogota"), "2026-03-05")).toBeNull();
		expect(await adapter.getResult(loteria("bogota"), "2023-02-01")).toBeNull();
		expect(await adapter.getResult(loteria("chontico-noche"), "2023-02-01")).toMatchObject({
			numero: "9637",
			serie: "000",
		});
	});

	it("refuses impossible dates before asking, so the API cannot roll them over", async () => {
		const api = recorded({});
		const adapter = resultadosLoteriasAdapter("https://results.example", api.fetcher);
		await expect(adapter.getResult(loteria("bogota"), "2026-02-30")).rejects.toThrow(RangeError);
		await expect(adapter.getResult(loteria("bogota"), "15-01-2026")).rejects.toThrow(RangeError);
		expect(api.asked).toEqual([]);
		expect(isCalendarDate("2024-02-29")).toBe(true);
		expect(isCalendarDate("2026-02-29")).toBe(false);
	});

	it("treats contradictory rows, server errors and junk as source failures, never as a result", async () => {
		const contradict = resultadosLoteriasAdapter(
			"https://r.example",
			recorded({ "2025-11-24": conflict }).fetcher,
		);
		await expect(contradict.getResult(loteria("cundinamarca"), "2025-11-24")).rejects.toThrow(
			/contradictory/,
		);
		const down = resultadosLoteriasAdapter("https://r.example", recorded({}, 500).fetcher);
		await expect(down.getResult(loteria("bogota"), "2026-01-15")).rejects.toThrow(
			ResultSourceError,
		);
		const junk = resultadosLoteriasAdapter(
			"https://r.example",
			(async () => new Response("<html>")) as unknown as typeof fetch,
		);
		await expect(junk.getResult(loteria("bogota"), "2026-01-15")).rejects.toThrow(
			ResultSourceError,
		);
		const hang = resultadosLoteriasAdapter("https://r.example", (async () => {
			throw new DOMException("The operation timed out.", "TimeoutError");
		}) as unknown as typeof fetch);
		await expect(hang.getResult(loteria("bogota"), "2026-01-15")).rejects.toThrow(/timed out/);
	});
});

describe("mock adapter", () => {
	const ref: LoteriaRef = {
		id: "x",
		nombre: "Bogotá",
		horaSorteo: "22:30",
		meta: { adapter: "mock", slug: "bogota" },
	};

	it("publishes nothing before the draw time (Colombia) and a fixed result after it", async () => {
		const before = mockAdapter(() => new Date("2026-01-16T03:29:59Z"));
		expect(await before.getResult(ref, "2026-01-15")).toBeNull();
		const after = mockAdapter(() => new Date("2026-01-16T03:30:00Z"));
		const a = await after.getResult(ref, "2026-01-15");
		expect(a?.numero).toMatch(/^\d{4}$/);
		expect(a?.serie).toMatch(/^\d{3}$/);
		expect(await after.getResult(ref, "2026-01-15")).toEqual(a);
		const digest = new DataView(
			await crypto.subtle.digest("SHA-256", new TextEncoder().encode("mock:bogota:2026-01-15")),
		);
		expect(a?.numero).toBe(String(digest.getUint32(0) % 10_000).padStart(4, "0"));
		expect(
			(await after.getResult({ ...ref, meta: { adapter: "mock", slug: "boyaca" } }, "2026-01-15"))
				?.numero,
		).not.toBe(undefined);
	});

	it("is chosen by the loteria's meta.adapter", () => {
		expect(resultsAdapter("mock", {}).name).toBe("mock");
		expect(resultsAdapter("resultadosloterias", {}).name).toBe("resultadosloterias");
		expect(() => resultsAdapter("scraper", {})).toThrow(RangeError);
	});
});
