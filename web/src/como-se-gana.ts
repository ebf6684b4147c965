import {
	DIGITOS,
	type Fuente,
	fuentesPara,
	numeroGanador,
	repartir,
} from "../../src/domain/premios";
import type { Reglas } from "../../src/domain/reglas";
import { el, fechaLarga, formatCop, numeroDe } from "./api";

export interface RifaPremio {
	total_boletas: number;
	numero_ganadores: number;
	fecha_sorteo: string;
	acumulado_asignado: number;
	reglas: Pick<Reglas, "base_premio" | "reparto_bps" | "numero_no_vendido">;
}
export interface CategoriaPremio {
	valor_boleta: number;
	/** The house's share of sales, 0 to 1. */
	rake: number;
	fondo_premios: number | null;
	premio_por_ganador: number | null;
}

const PALABRAS: Record<number, string> = { 2: "dos", 3: "tres", 4: "cuatro" };
const ORDINALES = ["1.er", "2.º", "3.er"];
/** A published result, for the worked example: Lotería de Bogotá, 18 September 2025. */
const EJEMPLO = { numero: "9307", serie: "233" };

const cifrasDe = (fuente: Fuente, total: number) => {
	const k = DIGITOS[total] ?? 2;
	if (k === 4) return "las cuatro cifras del premio mayor";
	const n = PALABRAS[k];
	return fuente === "ultimas"
		? `las ${n} últimas cifras del premio mayor`
		: fuente === "primeras"
			? `las ${n} primeras cifras del premio mayor`
			: `las ${n} últimas cifras de la serie del premio mayor`;
};

/** What each position wins, in centavos, or null where the prize is a share of sales. */
const montos = (r: RifaPremio, c: CategoriaPremio): number[] | null => {
	if (r.reglas.base_premio !== "fijo") return null;
	const fondo =
		c.fondo_premios ??
		(c.premio_por_ganador !== null ? c.premio_por_ganador * r.numero_ganadores : null);
	if (fondo === null) return null;
	const pesos = r.reglas.reparto_bps ?? Array.from({ length: r.numero_ganadores }, () => 1);
	return repartir(fondo + r.acumulado_asignado, pesos);
};

/**
 * What a buyer can win on this rifa and how the winner is decided, in plain words: the lottery and
 * its draw, which digits of its premio mayor win, each prize, and what happens to an unsold number.
 */
export const comoSeGana = (r: RifaPremio, c: CategoriaPremio, loteria: string | null) => {
	const fuentes = fuentesPara(r.total_boletas).slice(0, r.numero_ganadores);
	const quien = !loteria
		? "la lotería"
		: /^loter[ií]a/i.test(loteria)
			? `la ${loteria}`
			: `la lotería ${loteria}`;
	const sorteo = `${quien} del ${fechaLarga(r.fecha_sorteo)} (hora de Colombia)`;
	const m = montos(r, c);
	const premio = (i: number) => {
		const monto = m?.[i];
		if (monto !== undefined) return formatCop(monto);
		const bps = r.reglas.reparto_bps?.[i] ?? 10_000 / r.numero_ganadores;
		return `${Number((bps / 100).toFixed(2))} % del fondo`;
	};
	const ejemplo = fuentes
		.map((f) => numeroGanador(f, EJEMPLO, r.total_boletas))
		.map((n) => (n === null ? "" : numeroDe(n, r.total_boletas)));
	const partes: (HTMLElement | null)[] = [el("h2", {}, "Qué se gana y cómo")];
	if (fuentes.length === 1) {
		partes.push(
			el(
				"p",
				{ "data-como-se-gana": "" },
				`Gana ${premio(0)} el número igual a ${cifrasDe(fuentes[0] ?? "ultimas", r.total_boletas)} de ${sorteo}.`,
			),
		);
	} else {
		partes.push(
			el(
				"p",
				{ "data-como-se-gana": "" },
				`Hay ${fuentes.length} premios, según el sorteo de ${sorteo}:`,
			),
			el(
				"ul",
				{},
				...fuentes.map((f, i) =>
					el(
						"li",
						{},
						`${ORDINALES[i] ?? `${i + 1}.º`} premio, ${premio(i)}: el número igual a ${cifrasDe(f, r.total_boletas)}.`,
					),
				),
			),
		);
	}
	partes.push(
		el(
			"p",
			{},
			`Por ejemplo, si el premio mayor cae en ${EJEMPLO.numero} con la serie ${EJEMPLO.serie}, ${
				ejemplo.length === 1 ? `gana el ${ejemplo[0]}` : `ganan el ${ejemplo.join(", el ")}`
			}.`,
		),
	);
	if (!m) {
		const casa = Math.round(c.rake * 100);
		const lleno = r.total_boletas * c.valor_boleta * (1 - c.rake) + r.acumulado_asignado;
		partes.push(
			el(
				"p",
				{},
				`El fondo es lo vendido menos ${casa} % para la casa${r.acumulado_asignado ? `, más ${formatCop(r.acumulado_asignado)} acumulados` : ""}: hasta ${formatCop(Math.floor(lleno))} si se venden todos los números.`,
			),
		);
	}
	partes.push(
		el(
			"p",
			{},
			r.reglas.numero_no_vendido === "mas_cercano"
				? "Si el número ganador no se vendió, gana el número vendido más cercano."
				: r.reglas.numero_no_vendido === "acumula"
					? "Si el número ganador no se vendió, su premio se acumula para la siguiente rifa."
					: "Si el número ganador no se vendió, nadie gana ese premio.",
		),
	);
	return el("section", { class: "premio" }, ...partes);
};
