import { mockAdapter } from "./mock";
import { resultadosLoteriasAdapter } from "./resultados-loterias";
import type { ResultsAdapter } from "./types";

export const DEFAULT_RESULTS_API = "https://api-resultadosloterias.com";

/** The adapter a loteria names in `meta.adapter`. */
export const resultsAdapter = (name: string, env: { RESULTS_API_URL?: string }): ResultsAdapter => {
	switch (name) {
		case "mock":
			return mockAdapter();
		case "resultadosloterias":
			return resultadosLoteriasAdapter(env.RESULTS_API_URL ?? DEFAULT_RESULTS_API);
		default:
			throw new RangeError(`unknown results adapter: ${name}`);
	}
};
