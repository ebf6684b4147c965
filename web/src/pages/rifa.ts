import { api, el, faltan, fechaColombia, formatCop, numeroDe, yo } from "../api";
import { type CategoriaPremio, comoSeGana, type RifaPremio } from "../como-se-gana";
import { type Pagos, seccionCompra } from "../compra";
import type { CuentaTransferencia } from "../cuenta-transferencia";
import { graficaVentas } from "../grafica";
import { escucharRifa, grillaNumeros } from "../grilla";

interface Rifa extends RifaPremio {
	id: string;
	nombre: string;
	categoria_id: string;
	loteria_id: string;
	estado: string;
	fecha_fin: string;
	/** Where its buyers transfer to; null: the rifa takes no transfers. */
	cuenta_transferencia?: CuentaTransferencia | null;
}

/**
 * A bank sends a buyer back to the rifa with its payment's reference: an abono's
 * (`<purchase>.<16 hex digits>`, paid from `/mis-boletas`) goes on there, where it is followed.
 */
const vueltaDeAbono = (rifaId: string) => {
	const ref = new URLSearchParams(location.search).get("transaccion") ?? "";
	if (!/^[0-9a-f-]{36}\.[0-9a-f]{16}$/.test(ref)) return false;
	location.replace(`/mis-boletas?rifa=${rifaId}&abono=${ref}`);
	return true;
};

/**
 * `/rifas/{id}`: the number grid, live from the rifa's WebSocket. Each state change repaints only
 * its cells; a 10,000-number rifa shows one thousand at a time, with a search by number.
 */
export const rifa = async (main: HTMLElement, id: string) => {
	if (vueltaDeAbono(id)) return;
	const r = await api<Rifa>(`/rifas/${id}`);
	document.title = `${r.nombre} — Rifa1122`;
	const [cat, loteria, disp, pagos] = await Promise.all([
		api<CategoriaPremio>(`/categorias/${r.categoria_id}`),
		api<{ nombre: string }>(`/loterias/${r.loteria_id}`).catch(() => null),
		api<{ mapa: string }>(`/rifas/${id}/disponibilidad`),
		// Without it the page still shows the rifa; only buying waits.
		api<Pagos>("/pagos").catch((): Pagos => ({ metodos: [], stripe: null })),
	]);
	let estadoRifa = r.estado;
	const g = grillaNumeros({
		rifaId: id,
		total: r.total_boletas,
		mapa: disp.mapa,
		abierta: () => estadoRifa === "activa",
		alCambiar: () => resumen(),
	});
	const { estados, elegidos, marcar } = g;

	const reloj = el("p", { class: "reloj", role: "timer" });
	const tic = () => {
		const f = faltan(r.fecha_fin);
		reloj.textContent =
			f && estadoRifa === "activa" ? `La venta cierra en ${f}` : "La venta está cerrada";
	};
	tic();
	const intervalo = setInterval(tic, 1000);

	const cuenta = el("p", { class: "resumen", "aria-live": "polite" });
	const resumen = () => {
		const libres = estados.reduce((s, e) => s + (e === 0 ? 1 : 0), 0);
		if (estadoRifa !== "activa") {
			cuenta.textContent = `${r.total_boletas - libres} de ${r.total_boletas} números vendidos.`;
			return;
		}
		cuenta.textContent = `${libres} libres de ${r.total_boletas}. ${
			elegidos.size
				? `Elegidos: ${[...elegidos]
						.sort((a, b) => a - b)
						.map((n) => numeroDe(n, r.total_boletas))
						.join(", ")}`
				: "Elija números o una cantidad al azar."
		}`;
	};

	const {
		seccion: compra,
		reanudar,
		cerrar,
		avisar,
	} = seccionCompra(g, pagos, r.cuenta_transferencia ?? null);
	// Back from a bank's page (PSE, Bancolombia, Daviplata): the purchase it names is shown as the
	// rifa holds it; the address says nothing about whether it was paid.
	const volviendo = new URLSearchParams(location.search)
		.get("transaccion")
		?.match(/^[0-9a-f-]{36}$/)?.[0];

	const resultado = el("section", { class: "resultado", "aria-live": "polite" });
	const mostrarResultado = async () => {
		const res = await api<{
			resultado: { numero: string; serie: string } | null;
			ganadores: { numero: number }[];
		}>(`/rifas/${id}/resultados`);
		marcar(
			res.ganadores.map((x) => x.numero),
			3,
		);
		resultado.replaceChildren(
			el("h2", {}, "Resultado"),
			res.resultado
				? el("p", {}, `La lotería jugó el ${res.resultado.numero} (serie ${res.resultado.serie}).`)
				: "",
			el(
				"p",
				{},
				`Ganadores: ${res.ganadores.map((x) => numeroDe(x.numero, r.total_boletas)).join(", ") || "ninguno"}`,
			),
			el(
				"p",
				{},
				el("a", { href: `/api/v1/rifas/${id}/sello` }, "Sello del registro"),
				" · ",
				el("a", { href: `/api/v1/rifas/${id}/acta` }, "Acta firmada"),
				" · ",
				el("a", { href: `/api/v1/rifas/${id}/acta.pdf` }, "Acta en PDF"),
			),
		);
	};

	main.replaceChildren(
		...[
			el("h1", {}, r.nombre),
			el(
				"p",
				{},
				`Boleta ${formatCop(cat.valor_boleta)} · sorteo ${fechaColombia(r.fecha_sorteo)}`,
			),
			comoSeGana(r, cat, loteria?.nombre ?? null),
			reloj,
			resultado,
			cuenta,
			r.estado === "activa" || volviendo ? compra : null,
			g.buscador,
			g.paginas,
			g.grid,
			g.leyenda(),
		].filter((x): x is HTMLElement => x !== null),
	);
	g.mostrar(0);
	resumen();
	// When the grid can be used: the browser tests read it (docs/benchmarks.md).
	performance.mark("rifa-interactiva");
	if (r.estado === "resuelta") await mostrarResultado();
	if (volviendo) {
		if (r.estado !== "activa") cerrar();
		void reanudar(volviendo).then(() => history.replaceState(null, "", location.pathname));
	} else if (r.estado === "activa") void reanudar();
	const quien = await yo();
	if (quien && quien.rol !== "jugador") {
		// Staff see the sales over time; an operador only of its own rifas (the report says 403).
		api<{ ventas_por_dia: Parameters<typeof graficaVentas>[0] }>(
			`/admin/reportes/participacion?rifa_id=${id}`,
		)
			.then((rep) => main.append(graficaVentas(rep.ventas_por_dia)))
			.catch(() => undefined);
	}

	// Live: every change of a number repaints its cell only.
	escucharRifa(
		id,
		(e) => {
			if (e.type === "snapshot") g.aplicarMapa(e.availability.mapa);
			else if (e.type === "vendidos") {
				marcar(e.numeros, 2);
				avisar();
			} else if (e.type === "reservados") marcar(e.numeros, 1);
			else if (e.type === "liberados") {
				marcar(e.numeros, 0);
				avisar();
			} else if (e.type === "estado") {
				estadoRifa = e.estado;
				tic();
				resumen();
				g.repintar();
				if (e.estado !== "activa") cerrar();
			} else if (e.type === "resultado") void mostrarResultado();
		},
		() => {
			if (main.isConnected) return true;
			clearInterval(intervalo);
			return false;
		},
	);
};
