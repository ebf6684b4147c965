import { el, formatCop } from "./api";

/** A seller's cash box of one Colombian day (`GET /cajas/actual`, `/cajas`), amounts in centavos. */
export interface Caja {
	id: string;
	vendedor_id: string;
	operador_id: string;
	dia: string;
	estado: "abierta" | "cerrada" | "confirmada";
	cuadre: {
		ventas: number;
		abonos: number;
		reembolsos: number;
		ajustes: number;
		boletas: number;
		comision: number;
		a_entregar: number;
	};
	contado: number | null;
	diferencia: number | null;
	resultado: "cuadrada" | "faltante" | "sobrante" | null;
	cerrada_en: string | null;
	confirmada_en: string | null;
}

/** "lunes 7 de diciembre de 2026", for a Colombian day `YYYY-MM-DD`. */
export const diaLargo = (dia: string) =>
	new Intl.DateTimeFormat("es-CO", {
		timeZone: "UTC",
		weekday: "long",
		day: "numeric",
		month: "long",
		year: "numeric",
	}).format(new Date(`${dia}T12:00:00Z`));

/**
 * The cuadre as a list: what came in and went out in cash, the seller's commission and what it
 * hands over. Each amount carries `data-cuadre` with its field's name.
 */
export const vistaCuadre = (c: Caja) => {
	const fila = (clave: keyof Caja["cuadre"], texto: string, valor = formatCop(c.cuadre[clave])) => [
		el("dt", {}, texto),
		el("dd", { "data-cuadre": clave }, valor),
	];
	return el(
		"dl",
		{ class: "cuadre" },
		...fila("boletas", "Boletas vendidas", String(c.cuadre.boletas)),
		...fila("ventas", "Ventas en efectivo"),
		...(c.cuadre.abonos ? fila("abonos", "Abonos") : []),
		...(c.cuadre.reembolsos ? fila("reembolsos", "Reembolsos") : []),
		...(c.cuadre.ajustes ? fila("ajustes", "Ajustes") : []),
		...fila("comision", "Comisión del vendedor"),
		...fila("a_entregar", "A entregar"),
	);
};

/** "Faltante de $ 5.000", "Sobrante de $ 2.000", "Cuadrada": the count against what was due. */
export const textoDiferencia = (c: Caja) => {
	if (c.diferencia === null) return "";
	if (c.diferencia === 0) return "Cuadrada: lo contado es lo que había que entregar";
	return `${c.diferencia < 0 ? "Faltante" : "Sobrante"} de ${formatCop(Math.abs(c.diferencia))}`;
};

/** A closed box's count and difference, marked with `data-resultado`. */
export const vistaCierre = (c: Caja) =>
	el(
		"dl",
		{ class: "cuadre" },
		el("dt", {}, "Contado"),
		el("dd", { "data-contado": "" }, c.contado === null ? "—" : formatCop(c.contado)),
		el("dt", {}, "Diferencia"),
		el(
			"dd",
			{ "data-resultado": c.resultado ?? undefined, class: `diferencia ${c.resultado ?? ""}` },
			textoDiferencia(c),
		),
	);

export const ESTADO_CAJA: Record<Caja["estado"], string> = {
	abierta: "abierta",
	cerrada: "cerrada, por confirmar",
	confirmada: "confirmada por el operador",
};

/**
 * Pesos as a seller writes them ("20.000", "$ 20.000", "20000", "1.250,50") in centavos, or null
 * when it is not an amount.
 */
export const centavosDe = (texto: string): number | null => {
	const t = texto.replace(/[$\s\u00a0]/g, "");
	const m = t.match(/^(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d{1,2}))?$/);
	if (!m) return null;
	const pesos = Number((m[1] ?? "").replaceAll(".", ""));
	const centavos = Number((m[2] ?? "").padEnd(2, "0"));
	const total = pesos * 100 + centavos;
	return Number.isSafeInteger(total) ? total : null;
};
