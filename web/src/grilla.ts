import { el, numeroDe } from "./api";

const ESTADOS = ["libre", "reservado", "vendido", "ganador"] as const;
type EstadoCelda = (typeof ESTADOS)[number];
const DE_MAPA: Record<string, number> = { L: 0, R: 1, V: 2 };
const POR_PAGINA = 1000;

/** What a rifa's WebSocket says. */
export type EventoRifa =
	| { type: "snapshot"; availability: { mapa: string } }
	| { type: "reservados" | "vendidos" | "liberados"; numeros: number[] }
	| { type: "estado"; estado: string }
	| { type: "resultado"; ganadores: { numero: number }[] };

/**
 * A rifa's number grid, from its availability map (`GET /rifas/{id}/disponibilidad`): every
 * number a button with its state, chosen by a click while the sale is open. Each change repaints
 * only its cells; a rifa of more than a thousand numbers shows one thousand at a time, with a
 * button per thousand and a search by number. `alCambiar` runs after the states or the choice
 * change, for the page's summary.
 */
export const grillaNumeros = (o: {
	rifaId: string;
	total: number;
	mapa: string;
	abierta: () => boolean;
	alCambiar: () => void;
}) => {
	const { total } = o;
	/** 0 libre, 1 reservado, 2 vendido, 3 ganador, per number. */
	const estados = Uint8Array.from(o.mapa, (c) => DE_MAPA[c] ?? 0);
	const elegidos = new Set<number>();
	const celdas = new Map<number, HTMLButtonElement>();
	let pagina = 0;

	const pintar = (n: number) => {
		const b = celdas.get(n);
		if (!b) return;
		const e: EstadoCelda = ESTADOS[estados[n] ?? 0] ?? "libre";
		b.dataset.estado = e;
		const elegido = elegidos.has(n) && e === "libre";
		b.setAttribute("aria-pressed", String(elegido));
		b.setAttribute("aria-label", `${numeroDe(n, total)}: ${e}${elegido ? ", elegido" : ""}`);
		b.disabled = e !== "libre" || !o.abierta();
	};
	const marcar = (numeros: number[], valor: number) => {
		for (const n of numeros) {
			if (n < 0 || n >= estados.length || estados[n] === 3) continue;
			estados[n] = valor;
			if (valor !== 0) elegidos.delete(n);
			pintar(n);
		}
		o.alCambiar();
	};
	/** A whole map again (the WebSocket's snapshot, a fresh availability): changed cells only. */
	const aplicarMapa = (mapa: string) => {
		for (let n = 0; n < mapa.length; n++) {
			const v = DE_MAPA[mapa[n] ?? "L"] ?? 0;
			if (estados[n] !== 3 && estados[n] !== v) {
				estados[n] = v;
				pintar(n);
			}
		}
		o.alCambiar();
	};

	const grid = el("div", { class: "grilla", role: "group", "aria-label": "Números de la rifa" });
	const paginas = el("nav", { class: "paginas", "aria-label": "Grupos de mil números" });
	const mostrar = (p: number) => {
		pagina = p;
		celdas.clear();
		const desde = p * POR_PAGINA;
		const hasta = Math.min(desde + POR_PAGINA, total);
		const frag = document.createDocumentFragment();
		for (let n = desde; n < hasta; n++) {
			const b = el(
				"button",
				{ type: "button", class: "celda", "data-numero": String(n) },
				numeroDe(n, total),
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
		o.alCambiar();
	});

	if (total > POR_PAGINA) {
		for (let p = 0; p * POR_PAGINA < total; p++) {
			const b = el(
				"button",
				{ type: "button", "data-pagina": String(p) },
				`${numeroDe(p * POR_PAGINA, total)}–${numeroDe(Math.min((p + 1) * POR_PAGINA, total) - 1, total)}`,
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
		if (!Number.isInteger(n) || n < 0 || n >= total) return;
		if (Math.floor(n / POR_PAGINA) !== pagina) mostrar(Math.floor(n / POR_PAGINA));
		celdas.get(n)?.focus();
	});

	return {
		rifaId: o.rifaId,
		total,
		estados,
		elegidos,
		marcar,
		aplicarMapa,
		mostrar,
		/** Every cell shown again, e.g. once the sale closes. */
		repintar: () => {
			for (const n of celdas.keys()) pintar(n);
		},
		grid,
		paginas,
		/** Only for a rifa of more than a thousand numbers. */
		buscador: total > POR_PAGINA ? buscador : null,
		leyenda: () =>
			el(
				"p",
				{ class: "leyenda" },
				...ESTADOS.map((e) => el("span", { class: "clave", "data-estado": e }, e)),
			),
	};
};

export type GrillaNumeros = ReturnType<typeof grillaNumeros>;

/**
 * The rifa's WebSocket, reconnected with a growing wait while `seguir()` says the page still
 * wants it. Returns how to stop listening.
 */
export const escucharRifa = (
	rifaId: string,
	alEvento: (e: EventoRifa) => void,
	seguir: () => boolean,
) => {
	let espera = 500;
	let ws: WebSocket | null = null;
	let terminado = false;
	const conectar = () => {
		if (terminado) return;
		ws = new WebSocket(
			`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/v1/rifas/${rifaId}/ws`,
		);
		ws.addEventListener("open", () => {
			espera = 500;
		});
		ws.addEventListener("message", (m) => alEvento(JSON.parse(String(m.data)) as EventoRifa));
		ws.addEventListener("close", () => {
			if (terminado || !seguir()) return;
			setTimeout(conectar, espera);
			espera = Math.min(espera * 2, 15_000);
		});
	};
	conectar();
	return () => {
		terminado = true;
		ws?.close();
	};
};
