import { el } from "./api";

interface Dia {
	dia: string;
	boletas: number;
	monto: { centavos: number; texto: string };
}

const SVG = "http://www.w3.org/2000/svg";
const svg = (tag: string, attrs: Record<string, string | number>) => {
	const node = document.createElementNS(SVG, tag);
	for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
	return node;
};

/**
 * Sales per Colombian day as bars (tickets sold), with the same figures in a table for screen
 * readers and for reading exact amounts. Drawn with SVG attributes only: the CSP allows no inline
 * style.
 */
export const graficaVentas = (dias: Dia[]): HTMLElement => {
	const ancho = 320;
	const alto = 140;
	const max = Math.max(1, ...dias.map((d) => d.boletas));
	// Bars grow from the baseline, with room for the date labels below.
	const barra = dias.length
		? Math.min(40, Math.max(4, Math.floor((ancho - 8) / dias.length) - 2))
		: 0;
	const figura = svg("svg", {
		viewBox: `0 0 ${ancho} ${alto + 36}`,
		role: "img",
		"aria-labelledby": "grafica-titulo",
		class: "grafica",
	});
	const titulo = svg("title", { id: "grafica-titulo" });
	titulo.textContent = "Boletas vendidas por día";
	figura.append(titulo);
	dias.forEach((d, i) => {
		const h = Math.round((d.boletas / max) * alto);
		const x = 4 + i * (barra + 2);
		const rect = svg("rect", {
			x,
			y: alto - h,
			width: barra,
			height: h,
			class: "barra",
			"data-dia": d.dia,
		});
		const tip = svg("title", {});
		tip.textContent = `${d.dia}: ${d.boletas} boletas, ${d.monto.texto}`;
		rect.append(tip);
		const valor = svg("text", {
			x: x + barra / 2,
			y: alto - h + 12,
			"text-anchor": "middle",
			"font-size": 10,
			fill: "#fff",
		});
		valor.textContent = h >= 14 ? String(d.boletas) : "";
		const dia = svg("text", {
			x: x + barra / 2,
			y: alto + 14,
			"text-anchor": "middle",
			"font-size": 9,
			fill: "#333",
		});
		// Month-day under each bar while they fit; the table has every date.
		dia.textContent = barra >= 24 ? d.dia.slice(5) : "";
		figura.append(rect, valor, dia);
	});
	const tabla = el(
		"table",
		{ class: "ventas" },
		el("caption", {}, "Ventas por día (hora de Colombia)"),
		el(
			"thead",
			{},
			el(
				"tr",
				{},
				el("th", { scope: "col" }, "Día"),
				el("th", { scope: "col" }, "Boletas"),
				el("th", { scope: "col" }, "Monto"),
			),
		),
		el(
			"tbody",
			{},
			...dias.map((d) =>
				el(
					"tr",
					{},
					el("td", {}, d.dia),
					el("td", {}, String(d.boletas)),
					el("td", {}, d.monto.texto),
				),
			),
		),
	);
	return el(
		"section",
		{ class: "operador", "aria-label": "Ventas de la rifa" },
		el("h2", {}, "Ventas"),
		...(dias.length ? [figura, tabla] : [el("p", {}, "Todavía no hay ventas.")]),
	);
};
