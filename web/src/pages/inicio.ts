import { api, el, faltan, formatCop } from "../api";

interface Rifa {
	id: string;
	nombre: string;
	categoria_id: string;
	fecha_fin: string;
	fecha_sorteo: string;
	total_boletas: number;
}
interface Categoria {
	id: string;
	valor_boleta: number;
	premio_por_ganador: number | null;
	fondo_premios: number | null;
}
interface Disponibilidad {
	vendidos: number;
	total: number;
}

/** `/`: the rifas on sale, with price, prize, sold share and time left. */
export const inicio = async (main: HTMLElement) => {
	const [rifas, categorias] = await Promise.all([
		api<{ items: Rifa[] }>("/rifas?estado=activa&per_page=100"),
		api<{ items: Categoria[] }>("/categorias?per_page=100"),
	]);
	const cat = new Map(categorias.items.map((c) => [c.id, c]));
	const disp = await Promise.all(
		rifas.items.map((r) => api<Disponibilidad>(`/rifas/${r.id}/disponibilidad`).catch(() => null)),
	);
	const lista = el("ul", { class: "tarjetas" });
	rifas.items.forEach((r, i) => {
		const c = cat.get(r.categoria_id);
		const d = disp[i];
		const vendidas = d ? Math.round((d.vendidos / d.total) * 100) : 0;
		const premio = c?.premio_por_ganador ?? c?.fondo_premios ?? null;
		lista.append(
			el(
				"li",
				{ class: "tarjeta", "data-rifa": r.id },
				el("h2", {}, el("a", { href: `/rifas/${r.id}` }, r.nombre)),
				el(
					"dl",
					{},
					el("dt", {}, "Boleta"),
					el("dd", {}, c ? formatCop(c.valor_boleta) : "—"),
					el("dt", {}, "Premio"),
					el("dd", {}, premio !== null ? formatCop(premio) : "—"),
					el("dt", {}, "Vendido"),
					el(
						"dd",
						{},
						el("progress", {
							max: "100",
							value: String(vendidas),
							"aria-label": "Porcentaje vendido",
						}),
						` ${vendidas} %`,
					),
					el("dt", {}, "Cierra en"),
					el("dd", {}, faltan(r.fecha_fin) ?? "cerrada"),
				),
			),
		);
	});
	main.replaceChildren(
		el("h1", {}, "Rifas activas"),
		rifas.items.length ? lista : el("p", {}, "No hay rifas a la venta en este momento."),
	);
};
