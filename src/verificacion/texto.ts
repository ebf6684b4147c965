import { DIGITOS, type Fuente } from "../domain/premios.ts";

/** How the checks print numbers, money and hashes for a player, in Spanish. */

export const cifras = (n: number, total: number) => String(n).padStart(DIGITOS[total] ?? 1, "0");

export const pesos = (centavos: number) => {
	const enteros = Math.floor(centavos / 100)
		.toString()
		.replace(/\B(?=(\d{3})+(?!\d))/g, ".");
	const resto = centavos % 100;
	return `$${enteros}${resto ? `,${String(resto).padStart(2, "0")}` : ""}`;
};

export const nombrePosicion = (p: Fuente, total: number) => {
	const k = DIGITOS[total];
	return p === "ultimas"
		? `últimas ${k} cifras del número`
		: p === "primeras"
			? `primeras ${k} cifras del número`
			: `últimas ${k} cifras de la serie`;
};

export const corto = (hex: string) => `${hex.slice(0, 16)}…`;
