import type { Definicion } from "../verificacion/tipos.ts";
import type { Reglas } from "./reglas.ts";

/**
 * Prize rules: from a rifa's rules, its category's money, the tickets sold and the lottery's
 * premio mayor to the winners and what each gets. Pure and exact in integer centavos: every
 * centavo of the fund ends up in a prize, with the house, or rolled over. No runtime imports, so
 * settlement, the offline verifier (Node) and the verification page (browser) run this one copy.
 */

export type Fuente = "ultimas" | "primeras" | "serie";

export const DIGITOS: Readonly<Record<number, number>> = { 100: 2, 1000: 3, 10000: 4 };

/**
 * Where each winning position's number comes from, in order: the last k digits of the número
 * (the premio mayor itself), its first k digits, and the last k digits of the serie. A
 * 10,000-number rifa uses all four digits, so it has a single position.
 */
export const fuentesPara = (totalBoletas: number): Fuente[] =>
	totalBoletas === 10000 ? ["ultimas"] : ["ultimas", "primeras", "serie"];

export const maxGanadores = (totalBoletas: number) => fuentesPara(totalBoletas).length;

export interface Resultado {
	/** Four digits, leading zeros kept. */
	numero: string;
	/** Three digits, or null when the source gave none. */
	serie: string | null;
}

export const numeroGanador = (
	fuente: Fuente,
	resultado: Resultado,
	totalBoletas: number,
): number | null => {
	const k = DIGITOS[totalBoletas];
	if (k === undefined)
		throw new RangeError(`total_boletas must be 100, 1000 or 10000: ${totalBoletas}`);
	if (!/^\d{4}$/.test(resultado.numero))
		throw new RangeError(`numero must have 4 digits: ${resultado.numero}`);
	switch (fuente) {
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

/**
 * Splits `total` centavos by integer weights, exactly: each part is floored and the centavos left
 * go one by one to the largest remainders (earlier positions first on ties).
 */
export const repartir = (total: number, pesos: number[]): number[] => {
	if (!Number.isSafeInteger(total) || total < 0) {
		throw new RangeError(`total must be a non-negative integer: ${total}`);
	}
	if (pesos.length === 0 || pesos.some((p) => !Number.isSafeInteger(p) || p < 0)) {
		throw new RangeError("weights must be non-negative integers");
	}
	// BigInt: total × weight can pass 2^53 for large funds.
	const t = BigInt(total);
	const suma = pesos.reduce((a, p) => a + BigInt(p), 0n);
	if (suma === 0n) throw new RangeError("weights must have a positive sum");
	const partes = pesos.map((p) => (t * BigInt(p)) / suma);
	const resto = pesos.map((p, i) => ({ i, r: (t * BigInt(p)) % suma }));
	let quedan = t - partes.reduce((a, b) => a + b, 0n);
	resto.sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
	for (const { i } of resto) {
		if (quedan === 0n) break;
		partes[i] = (partes[i] ?? 0n) + 1n;
		quedan--;
	}
	return partes.map(Number);
};

export interface CategoriaDinero {
	valorBoleta: number;
	rakeBps: number;
	fondoPremios: number | null;
	premioPorGanador: number | null;
}

export interface PremiosInput {
	totalBoletas: number;
	numeroGanadores: number;
	reglas: Pick<Reglas, "base_premio" | "reparto_bps" | "numero_no_vendido">;
	categoria: CategoriaDinero;
	/** Sold tickets: number and ticket id. */
	vendidos: { numero: number; ticketId: string }[];
	resultado: Resultado;
	/** Centavos rolled over into this rifa from an earlier one of its category. */
	acumuladoRecibido?: number;
}

export interface Ganador {
	posicion: number;
	fuente: Fuente;
	numeroGanador: number;
	ticketId: string;
	numero: number;
	/** True when the winning number was not sold and the nearest sold one took the prize. */
	porCercania: boolean;
	monto: number;
}

export interface Desglose {
	base_premio: "fijo" | "proporcional";
	/** valor_boleta × tickets sold. */
	ventas: number;
	/** Proportional base only: the house's share of sales. */
	rake: number;
	/** The money at stake before rollovers: promised fund (fijo) or sales after rake (proporcional). */
	fondo: number;
	acumulado_recibido: number;
	/** Each position's share of `fondo + acumulado_recibido`. */
	por_posicion: {
		posicion: number;
		fuente: Fuente;
		numero_ganador: number | null;
		monto: number;
		destino: "ganador" | "casa" | "acumula";
	}[];
	premios: number;
	casa: number;
	acumula: number;
	/**
	 * The rifa that receives `acumula`, named by settlement (null: the category keeps it as its
	 * unassigned pot); `calcularPremios` leaves it out. Absent in rifas settled before the rule.
	 */
	acumula_a?: string | null;
	/**
	 * The category's money the rifa was settled with: the prize promise it sold under, which a
	 * recalculation keeps even if the category changes after every rifa of it is over.
	 */
	promesa?: {
		valor_boleta: number;
		rake_bps: number;
		fondo_premios: number | null;
		premio_por_ganador: number | null;
	};
}

/** What the prize rules need of a rifa's sealed definition, for a result and the pot it received. */
export const entradaDe = (
	d: Definicion,
	resultado: Resultado,
	acumuladoRecibido: number,
): Omit<PremiosInput, "vendidos"> => ({
	totalBoletas: d.total_boletas,
	numeroGanadores: d.numero_ganadores,
	reglas: d.reglas,
	categoria: {
		valorBoleta: d.valor_boleta,
		rakeBps: d.promesa.rake_bps,
		fondoPremios: d.promesa.fondo_premios,
		premioPorGanador: d.promesa.premio_por_ganador,
	},
	resultado,
	acumuladoRecibido,
});

/** The fund a rifa pays out before rollovers. */
export const fondoDe = (
	input: Pick<PremiosInput, "categoria" | "numeroGanadores" | "reglas">,
	ventas: number,
): { fondo: number; rake: number } => {
	const { categoria, numeroGanadores, reglas } = input;
	if (reglas.base_premio === "proporcional") {
		const rake = Number((BigInt(ventas) * BigInt(categoria.rakeBps)) / 10_000n);
		return { fondo: ventas - rake, rake };
	}
	const prometido =
		categoria.fondoPremios ??
		(categoria.premioPorGanador !== null ? categoria.premioPorGanador * numeroGanadores : null);
	if (prometido === null)
		throw new RangeError("base fijo needs fondo_premios or premio_por_ganador in the category");
	return { fondo: prometido, rake: 0 };
};

/** What is at stake and where each position's number comes from, before looking at who bought it. */
export interface Reparto {
	ventas: number;
	rake: number;
	fondo: number;
	acumuladoRecibido: number;
	posiciones: { posicion: number; fuente: Fuente; numeroGanador: number | null; monto: number }[];
}

/**
 * The money of each position from the rules, the number of tickets sold and the result alone:
 * position p gets `reparto_bps[p]` of the fund plus the pot received (equal shares when null).
 * The verifier, which may know only how many tickets the seal holds, uses it as settlement does.
 */
export const repartoDe = (input: Omit<PremiosInput, "vendidos">, vendidos: number): Reparto => {
	const { totalBoletas, numeroGanadores, reglas, categoria, resultado } = input;
	const fuentes = fuentesPara(totalBoletas);
	if (numeroGanadores < 1 || numeroGanadores > fuentes.length) {
		throw new RangeError(
			`a ${totalBoletas}-number rifa has 1 to ${fuentes.length} winning positions`,
		);
	}
	const acumuladoRecibido = input.acumuladoRecibido ?? 0;
	const ventas = categoria.valorBoleta * vendidos;
	const { fondo, rake } = fondoDe(input, ventas);
	const pesos = reglas.reparto_bps ?? Array.from({ length: numeroGanadores }, () => 1);
	if (pesos.length !== numeroGanadores)
		throw new RangeError("reparto_bps needs one entry per winning position");
	const montos = repartir(fondo + acumuladoRecibido, pesos);
	return {
		ventas,
		rake,
		fondo,
		acumuladoRecibido,
		posiciones: fuentes.slice(0, numeroGanadores).map((fuente, i) => ({
			posicion: i + 1,
			fuente,
			numeroGanador: numeroGanador(fuente, resultado, totalBoletas),
			monto: montos[i] ?? 0,
		})),
	};
};

export interface RifaPremios {
	totalBoletas: number;
	reglas: Pick<Reglas, "base_premio">;
}

/**
 * What in a rifa's category would make `calcularPremios` throw for it, as field errors. The rest
 * of its inputs are checked elsewhere: the sizes and the split by the schemas and `reglasIssues`,
 * the result's digits where it is received. Checked when a rifa is created, changed or opened, and
 * when its category changes, so that a rifa that can be sold can also be settled.
 */
export const premiosIssues = (
	rifa: RifaPremios,
	categoria: Pick<CategoriaDinero, "valorBoleta" | "fondoPremios" | "premioPorGanador">,
) => {
	const issues: { path: string; message: string }[] = [];
	if (
		rifa.reglas.base_premio === "fijo" &&
		categoria.fondoPremios === null &&
		categoria.premioPorGanador === null
	) {
		issues.push({
			path: "categoria_id",
			message:
				'La categoría no tiene fondo_premios ni premio_por_ganador, que base_premio "fijo" necesita; complete la categoría o use base_premio "proporcional"',
		});
	}
	if (!Number.isSafeInteger(categoria.valorBoleta * rifa.totalBoletas)) {
		issues.push({
			path: "categoria_id",
			message: "valor_boleta × total_boletas supera el monto que se puede liquidar",
		});
	}
	return issues;
};

/**
 * How much a `fijo` rifa promises beyond what it can collect if it sells out (sales less the
 * rake): 0 when its sales can fund the prize. More than 0 needs the house's explicit guarantee.
 */
export const promesaSinFondos = (
	rifa: { totalBoletas: number; numeroGanadores: number; reglas: Pick<Reglas, "base_premio"> },
	categoria: Pick<CategoriaDinero, "valorBoleta" | "rakeBps" | "fondoPremios" | "premioPorGanador">,
): number => {
	if (rifa.reglas.base_premio !== "fijo") return 0;
	const prometido =
		categoria.fondoPremios ??
		(categoria.premioPorGanador !== null ? categoria.premioPorGanador * rifa.numeroGanadores : 0);
	const ventas = categoria.valorBoleta * rifa.totalBoletas;
	const recaudo = ventas - Number((BigInt(ventas) * BigInt(categoria.rakeBps)) / 10_000n);
	return Math.max(0, prometido - recaudo);
};

const masCercano = (objetivo: number, vendidos: { numero: number; ticketId: string }[]) => {
	let mejor: { numero: number; ticketId: string } | undefined;
	for (const v of vendidos) {
		const d = Math.abs(v.numero - objetivo);
		const dm = mejor ? Math.abs(mejor.numero - objetivo) : Number.POSITIVE_INFINITY;
		if (d < dm || (d === dm && mejor && v.numero < mejor.numero)) mejor = v;
	}
	return mejor;
};

/**
 * Winners and amounts. Position p gets `reparto_bps[p]` of the fund (equal shares when null; with
 * a `fijo` base and no split, each position is promised `premio_por_ganador`). A position whose
 * number was not sold follows `numero_no_vendido`: `casa` keeps the share, `acumula` rolls it over,
 * `mas_cercano` gives it to the sold number at the smallest distance (the lower one on a tie). A
 * ticket may win more than one position.
 */
export const calcularPremios = (
	input: PremiosInput,
): { ganadores: Ganador[]; desglose: Desglose } => {
	const { reglas, vendidos } = input;
	const reparto = repartoDe(input, vendidos.length);
	const porNumero = new Map(vendidos.map((v) => [v.numero, v]));
	const ganadores: Ganador[] = [];
	const porPosicion: Desglose["por_posicion"] = [];
	let casa = 0;
	let acumula = 0;
	for (const { posicion, fuente, numeroGanador: objetivo, monto } of reparto.posiciones) {
		let ticket = objetivo === null ? undefined : porNumero.get(objetivo);
		let porCercania = false;
		if (!ticket && objetivo !== null && reglas.numero_no_vendido === "mas_cercano") {
			ticket = masCercano(objetivo, vendidos);
			porCercania = ticket !== undefined;
		}
		if (ticket && objetivo !== null) {
			ganadores.push({
				posicion,
				fuente,
				numeroGanador: objetivo,
				ticketId: ticket.ticketId,
				numero: ticket.numero,
				porCercania,
				monto,
			});
			porPosicion.push({ posicion, fuente, numero_ganador: objetivo, monto, destino: "ganador" });
		} else if (reglas.numero_no_vendido === "acumula") {
			acumula += monto;
			porPosicion.push({ posicion, fuente, numero_ganador: objetivo, monto, destino: "acumula" });
		} else {
			casa += monto;
			porPosicion.push({ posicion, fuente, numero_ganador: objetivo, monto, destino: "casa" });
		}
	}
	const premios = ganadores.reduce((a, g) => a + g.monto, 0);
	return {
		ganadores,
		desglose: {
			base_premio: reglas.base_premio,
			ventas: reparto.ventas,
			rake: reparto.rake,
			fondo: reparto.fondo,
			acumulado_recibido: reparto.acumuladoRecibido,
			por_posicion: porPosicion,
			premios,
			casa,
			acumula,
		},
	};
};
