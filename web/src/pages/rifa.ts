import { api, el, faltan, fechaColombia, formatCop, numeroDe, yo } from "../api";
import { type CategoriaPremio, comoSeGana, type RifaPremio } from "../como-se-gana";
import { type Pagos, seccionCompra } from "../compra";
import { graficaVentas } from "../grafica";

interface Rifa extends RifaPremio {
	id: string;
	nombre: string;
	categoria_id: string;
	loteria_id: string;
	estado: string;
	fecha_fin: string;
}
type Evento =
	| { type: "snapshot"; availability: { mapa: string } }
	| { type: "reservados" | "vendidos" | "liberados"; numeros: number[] }
	| { type: "estado"; estado: string }
	| { type: "resultado"; ganadores: { numero: number }[] };

const ESTADOS = ["libre", "reservado", "vendido", "ganador"] as const;
type EstadoCelda = (typeof ESTADOS)[number];
const DE_MAPA: Record<string, number> = { L: 0, R: 1, V: 2 };
const POR_PAGINA = 1000;

/**
 * `/rifas/{id}`: the number grid, live from the rifa's WebSocket. Each state change repaints only
 * its cells; a 10,000-number rifa shows one thousand at a time, with a search by number.
 */
export const rifa = async (main: HTMLElement, id: string) => {
	const r = await api<Rifa>(`/rifas/${id}`);
	document.title = `${r.nombre} — Rifa1122`;
	const [cat, loteria, disp, pagos] = await Promise.all([
		api<CategoriaPremio>(`/categorias/${r.categoria_id}`),
		api<{ nombre: string }>(`/loterias/${r.loteria_id}`).catch(() => null),
		api<{ mapa: string }>(`/rifas/${id}/disponibilidad`),
		// Without it the page still shows the rifa; only buying waits.
		api<Pagos>("/pagos").catch((): Pagos => ({ metodos: [], stripe: null })),
	]);
	const estados = Uint8Array.from(disp.mapa, (c) => DE_MAPA[c] ?? 0);
	const elegidos = new Set<number>();
	const celdas = new Map<number, HTMLButtonElement>();
	let pagina = 0;
	let estadoRifa = r.estado;

	const pintar = (n: number) => {
		const b = celdas.get(n);
		if (!b) return;
		const e: EstadoCelda = ESTADOS[estados[n] ?? 0] ?? "libre";
		b.dataset.estado = e;
		const elegido = elegidos.has(n) && e === "libre";
		b.setAttribute("aria-pressed", String(elegido));
		b.setAttribute(
			"aria-label",
			`${numeroDe(n, r.total_boletas)}: ${e}${elegido ? ", elegido" : ""}`,
		);
		b.disabled = e !== "libre" || estadoRifa !== "activa";
	};
	const marcar = (numeros: number[], valor: number) => {
		for (const n of numeros) {
			if (n < 0 || n >= estados.length || estados[n] === 3) continue;
			estados[n] = valor;
			if (valor !== 0) elegidos.delete(n);
			pintar(n);
		}
		resumen();
	};

	const grid = el("div", { class: "grilla", role: "group", "aria-label": "Números de la rifa" });
	const mostrar = (p: number) => {
		pagina = p;
		celdas.clear();
		const desde = p * POR_PAGINA;
		const hasta = Math.min(desde + POR_PAGINA, r.total_boletas);
		const frag = document.createDocumentFragment();
		for (let n = desde; n < hasta; n++) {
			const b = el(
				"button",
				{ type: "button", class: "celda", "data-numero": String(n) },
				numeroDe(n, r.total_boletas),
			);
			celdas.set(n, b);
			frag.append(b);
		}
		grid.replaceChildren(frag);
		for (let n = desde; n < hasta; n++) pintar(n);
		for (const b of paginas.querySelectorAll("button"))
			b.setAttribute("aria-current", String(Number(b.dataset.pagina) === p));
	};
	grid.addEventListener("click", (e) => {
		const b = (e.target as HTMLElement).closest<HTMLButtonElement>("button.celda");
		if (!b || b.disabled) return;
		const n = Number(b.dataset.numero);
		if (elegidos.has(n)) elegidos.delete(n);
		else elegidos.add(n);
		pintar(n);
		resumen();
	});

	const paginas = el("nav", { class: "paginas", "aria-label": "Grupos de mil números" });
	if (r.total_boletas > POR_PAGINA) {
		for (let p = 0; p * POR_PAGINA < r.total_boletas; p++) {
			const b = el(
				"button",
				{ type: "button", "data-pagina": String(p) },
				`${numeroDe(p * POR_PAGINA, r.total_boletas)}–${numeroDe(Math.min((p + 1) * POR_PAGINA, r.total_boletas) - 1, r.total_boletas)}`,
			);
			b.addEventListener("click", () => mostrar(p));
			paginas.append(b);
		}
	}
	const buscar = el("input", {
		type: "search",
		inputmode: "numeric",
		name: "buscar",
		"aria-label": "Buscar un número",
		placeholder: "Buscar número",
	});
	const buscador = el(
		"form",
		{ class: "buscar", role: "search" },
		buscar,
		el("button", { type: "submit" }, "Ir"),
	);
	buscador.addEventListener("submit", (e) => {
		e.preventDefault();
		const n = Number(buscar.value);
		if (!Number.isInteger(n) || n < 0 || n >= r.total_boletas) return;
		if (Math.floor(n / POR_PAGINA) !== pagina) mostrar(Math.floor(n / POR_PAGINA));
		celdas.get(n)?.focus();
	});

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
	} = seccionCompra({ rifaId: id, total: r.total_boletas, estados, elegidos, marcar }, pagos);
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
			res.ganadores.map((g) => g.numero),
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
				`Ganadores: ${res.ganadores.map((g) => numeroDe(g.numero, r.total_boletas)).join(", ") || "ninguno"}`,
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
			r.total_boletas > POR_PAGINA ? buscador : null,
			paginas,
			grid,
			el(
				"p",
				{ class: "leyenda" },
				...ESTADOS.map((e) => el("span", { class: "clave", "data-estado": e }, e)),
			),
		].filter((x): x is HTMLElement => x !== null),
	);
	mostrar(0);
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
	let espera = 500;
	const conectar = () => {
		const ws = new WebSocket(
			`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/v1/rifas/${id}/ws`,
		);
		ws.addEventListener("open", () => {
			espera = 500;
		});
		ws.addEventListener("message", (m) => {
			const e = JSON.parse(String(m.data)) as Evento;
			if (e.type === "snapshot") {
				const mapa = e.availability.mapa;
				for (let n = 0; n < mapa.length; n++) {
					const v = DE_MAPA[mapa[n] ?? "L"] ?? 0;
					if (estados[n] !== 3 && estados[n] !== v) {
						estados[n] = v;
						pintar(n);
					}
				}
				resumen();
			} else if (e.type === "vendidos") {
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
				for (const n of celdas.keys()) pintar(n);
				if (e.estado !== "activa") cerrar();
			} else if (e.type === "resultado") void mostrarResultado();
		});
		ws.addEventListener("close", () => {
			if (!main.isConnected) return clearInterval(intervalo);
			setTimeout(conectar, espera);
			espera = Math.min(espera * 2, 15_000);
		});
	};
	conectar();
};
