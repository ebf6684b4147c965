import { api, el, formatCop } from "./api";
import { aviso, limpiar, mostrarError } from "./avisos";
import { campo } from "./campos";

/** One row of `GET /cajas/resumen`: a seller's cash in one rifa on one Colombian day, in centavos. */
export interface FilaResumen {
	vendedor_id: string;
	vendedor: string;
	/** null: adjustments, which belong to no rifa. */
	rifa_id: string | null;
	rifa: string | null;
	dia: string;
	ventas: number;
	abonos: number;
	reembolsos: number;
	ajustes: number;
	boletas: number;
}

/** The API answers at most this many rows, the most recent first. */
const LIMITE = 1000;

/** What a row brought in cash: sales and abonos, less refunds, plus adjustments. */
export const efectivoDe = (f: Pick<FilaResumen, "ventas" | "abonos" | "reembolsos" | "ajustes">) =>
	f.ventas + f.abonos + f.reembolsos + f.ajustes;

/** Today in Colombia as `YYYY-MM-DD`, the days boxes are kept by. */
export const hoyEnColombia = (ahora = new Date()) =>
	new Intl.DateTimeFormat("en-CA", {
		timeZone: "America/Bogota",
		year: "numeric",
		month: "2-digit",
		day: "2-digit",
	}).format(ahora);

const diasAntes = (dia: string, n: number) =>
	new Date(Date.parse(`${dia}T12:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);

/** "lun, 7 dic 2026", for a table's cell. */
const diaCorto = (dia: string) =>
	new Intl.DateTimeFormat("es-CO", {
		timeZone: "UTC",
		weekday: "short",
		day: "numeric",
		month: "short",
		year: "numeric",
	}).format(new Date(`${dia}T12:00:00Z`));

const DIA = /^\d{4}-\d{2}-\d{2}$/;

type Totales = Pick<FilaResumen, "ventas" | "abonos" | "reembolsos" | "ajustes" | "boletas">;
const sumar = (filas: Totales[]): Totales =>
	filas.reduce(
		(t, f) => ({
			ventas: t.ventas + f.ventas,
			abonos: t.abonos + f.abonos,
			reembolsos: t.reembolsos + f.reembolsos,
			ajustes: t.ajustes + f.ajustes,
			boletas: t.boletas + f.boletas,
		}),
		{ ventas: 0, abonos: 0, reembolsos: 0, ajustes: 0, boletas: 0 },
	);

let tablas = 0;
/** A table that scrolls sideways inside its own region on a phone, never the page. */
const tabla = (titulo: string, cabeza: string[], filas: HTMLElement[], pie?: HTMLElement) => {
	const id = `tabla-resumen-${++tablas}`;
	return el(
		"div",
		{ class: "desliza", role: "region", "aria-labelledby": id, tabindex: "0" },
		el(
			"table",
			{ class: "ventas resumen-tabla" },
			el("caption", { id }, titulo),
			el(
				"thead",
				{},
				el(
					"tr",
					{},
					...cabeza.map((c, i) =>
						el("th", { scope: "col", class: i >= cabeza.length - 6 ? "num" : undefined }, c),
					),
				),
			),
			el("tbody", {}, ...filas),
			pie ? el("tfoot", {}, pie) : null,
		),
	);
};

const celdas = (t: Totales) => [
	el("td", { class: "num", "data-campo": "boletas" }, String(t.boletas)),
	el("td", { class: "num", "data-campo": "ventas" }, formatCop(t.ventas)),
	el("td", { class: "num", "data-campo": "abonos" }, formatCop(t.abonos)),
	el("td", { class: "num", "data-campo": "reembolsos" }, formatCop(t.reembolsos)),
	el("td", { class: "num", "data-campo": "ajustes" }, formatCop(t.ajustes)),
	el("td", { class: "num", "data-campo": "efectivo" }, formatCop(efectivoDe(t))),
];
const CIFRAS = ["Boletas", "Ventas", "Abonos", "Reembolsos", "Ajustes", "Efectivo"];

/** The report: the totals of the period, per seller, and per seller, rifa and day. */
const vistaResumen = (
	filas: FilaResumen[],
	desde: string,
	hasta: string,
): (HTMLElement | null)[] => {
	const periodo =
		desde && hasta
			? desde === hasta
				? `el ${diaCorto(desde)}`
				: `del ${diaCorto(desde)} al ${diaCorto(hasta)}`
			: desde
				? `desde el ${diaCorto(desde)}`
				: hasta
					? `hasta el ${diaCorto(hasta)}`
					: "en todas las fechas";
	if (!filas.length)
		return [el("p", { "data-resumen": "vacio" }, `Sin movimientos en efectivo ${periodo}.`)];
	const total = sumar(filas);
	const porVendedor = new Map<string, { nombre: string; filas: FilaResumen[] }>();
	for (const f of filas) {
		const v = porVendedor.get(f.vendedor_id) ?? { nombre: f.vendedor, filas: [] };
		v.filas.push(f);
		porVendedor.set(f.vendedor_id, v);
	}
	const dato = (clave: string, texto: string, valor: string) => [
		el("dt", {}, texto),
		el("dd", { "data-total": clave }, valor),
	];
	return [
		el("h3", {}, `Totales ${periodo}`),
		filas.length >= LIMITE
			? el(
					"p",
					{ class: "nota", role: "status" },
					`Se muestran las ${LIMITE} filas más recientes y sus totales: acorte las fechas para ver el resto.`,
				)
			: null,
		el(
			"dl",
			{ class: "cuadre", "data-resumen": "totales" },
			...dato("boletas", "Boletas pagadas", String(total.boletas)),
			...dato("ventas", "Ventas en efectivo", formatCop(total.ventas)),
			...dato("abonos", "Abonos", formatCop(total.abonos)),
			...dato("reembolsos", "Reembolsos", formatCop(total.reembolsos)),
			...dato("ajustes", "Ajustes", formatCop(total.ajustes)),
			...dato("efectivo", "Total en efectivo", formatCop(efectivoDe(total))),
		),
		tabla(
			"Por vendedor",
			["Vendedor", ...CIFRAS],
			[...porVendedor].map(([id, v]) =>
				el(
					"tr",
					{ "data-vendedor-total": id },
					el("th", { scope: "row" }, v.nombre),
					...celdas(sumar(v.filas)),
				),
			),
		),
		tabla(
			"Por vendedor, rifa y día",
			["Día", "Vendedor", "Rifa", ...CIFRAS],
			filas.map((f) =>
				el(
					"tr",
					{ "data-fila": `${f.vendedor_id}|${f.rifa_id ?? ""}|${f.dia}` },
					el("td", {}, diaCorto(f.dia)),
					el("td", {}, f.vendedor),
					el("td", {}, f.rifa ?? "Ajustes (de ninguna rifa)"),
					...celdas(f),
				),
			),
			el("tr", {}, el("th", { scope: "row", colspan: "3" }, "Total"), ...celdas(total)),
		),
	];
};

/**
 * "Resumen de ventas en persona" (`GET /cajas/resumen`): the cash the operador's sellers took,
 * per seller, rifa and Colombian day of their box, between two days (by default from six days
 * ago on, with no end), for one seller or all, with the totals of the period.
 */
export const seccionResumen = (vendedores: { id: string; nombre: string }[]) => {
	const hoy = hoyEnColombia();
	const desde = el("input", { type: "date", name: "desde", value: diasAntes(hoy, 6) });
	// No end by default: once a seller closed today's box, its later sales go to tomorrow's.
	const hasta = el("input", { type: "date", name: "hasta" });
	const vendedor = el(
		"select",
		{ name: "vendedor_id" },
		el("option", { value: "" }, "Todos"),
		...vendedores.map((v) => el("option", { value: v.id }, v.nombre)),
	);
	const ver = el("button", { type: "submit" }, "Ver resumen");
	const avisos = { desde: aviso(desde), hasta: aviso(hasta), vendedor_id: aviso(vendedor) };
	const general = aviso(ver);
	const resultado = el("div", { "aria-live": "polite", "aria-busy": "false" });
	const form = el(
		"form",
		{ class: "formulario filtros", "aria-label": "Fechas del resumen", novalidate: true },
		campo("Desde", desde, "Día de caja en Colombia, inclusive."),
		avisos.desde.nodo,
		campo("Hasta", hasta, "Inclusive. Vacío: hasta la última caja."),
		avisos.hasta.nodo,
		campo("Vendedor", vendedor),
		avisos.vendedor_id.nodo,
		ver,
		general.nodo,
	);
	const seccion = el(
		"section",
		{ class: "resumen-cajas", "aria-labelledby": "resumen-ventas" },
		el("h2", { id: "resumen-ventas" }, "Resumen de ventas en persona"),
		el(
			"p",
			{},
			"El efectivo que recibieron sus vendedores, por rifa y día de caja (hora de Colombia): ventas, abonos, reembolsos y ajustes, y las boletas pagadas del todo.",
		),
		form,
		resultado,
	);
	let turno = 0;
	const cargar = async () => {
		limpiar(general, ...Object.values(avisos));
		const [d, h] = [desde.value, hasta.value];
		// A date input holds "" for a day it cannot read: no limit on that side, unless it was typed.
		if (desde.validity.badInput) avisos.desde.mostrar("Escriba un día válido.");
		if (hasta.validity.badInput) avisos.hasta.mostrar("Escriba un día válido.");
		if (d && h && DIA.test(d) && DIA.test(h) && d > h)
			avisos.hasta.mostrar("Debe ser el mismo día que «Desde» o uno posterior.");
		if (desde.validity.badInput) return desde.focus();
		if (hasta.validity.badInput || (d && h && d > h)) return hasta.focus();
		const q = new URLSearchParams();
		if (d) q.set("desde", d);
		if (h) q.set("hasta", h);
		if (vendedor.value) q.set("vendedor_id", vendedor.value);
		const este = ++turno;
		ver.disabled = true;
		resultado.setAttribute("aria-busy", "true");
		try {
			const r = await api<{ items: FilaResumen[] }>(`/cajas/resumen?${q}`);
			if (este === turno)
				resultado.replaceChildren(
					...vistaResumen(r.items, d, h).filter((x): x is HTMLElement => x !== null),
				);
		} catch (err) {
			if (este === turno) {
				resultado.replaceChildren();
				mostrarError(err, { general, campos: avisos });
			}
		} finally {
			if (este === turno) {
				ver.disabled = false;
				resultado.setAttribute("aria-busy", "false");
			}
		}
	};
	form.addEventListener("submit", (e) => {
		e.preventDefault();
		void cargar();
	});
	return { seccion, cargar };
};
