/**
 * The winning number of each position, as `src/domain/premios.ts` computes it. Repeated here
 * because the domain module loads zod and imports without file extensions, which neither the
 * offline CLI (Node's type stripping) nor a browser page can load as is; a test checks that both
 * give the same numbers.
 */

export type Posicion = "ultimas" | "primeras" | "serie";

export const DIGITOS: Readonly<Record<number, number>> = { 100: 2, 1000: 3, 10000: 4 };

/** Position 1 is the last k digits of the número, 2 its first k, 3 the serie's last k. */
export const posicionesPara = (totalBoletas: number): Posicion[] =>
	totalBoletas === 10000 ? ["ultimas"] : ["ultimas", "primeras", "serie"];

/** Null when the position needs a serie and the result has none; undefined for bad input. */
export const numeroDePosicion = (
	posicion: Posicion,
	resultado: { numero: string; serie: string | null },
	totalBoletas: number,
): number | null | undefined => {
	const k = DIGITOS[totalBoletas];
	if (k === undefined || !/^\d{4}$/.test(resultado.numero)) return undefined;
	switch (posicion) {
		case "ultimas":
			return Number(resultado.numero.slice(-k));
		case "primeras":
			return Number(resultado.numero.slice(0, k));
		case "serie":
			return resultado.serie && /^\d{3}$/.test(resultado.serie)
				? Number(resultado.serie.slice(-k))
				: null;
	}
};
