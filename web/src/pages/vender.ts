import { type ReglaAbonos, seccionAbonar } from "../abonos";
import { entrarComoVendedor, menuVendedor } from "../acceso";
import { api, el, faltan, formatCop } from "../api";
import { aviso, textoDe } from "../avisos";
import { campo } from "../campos";
import { escucharRifa, grillaNumeros } from "../grilla";
import { seccionVenta, ventaEnCurso } from "../venta";

interface Rifa {
	id: string;
	nombre: string;
	categoria_id: string;
	estado: string;
	fecha_fin: string;
	total_boletas: number;
	creado_por: string | null;
	reglas?: { abonos?: ReglaAbonos };
}

/**
 * `/vender`: a seller's point of sale, phone first. It picks one of its operador's rifas on sale,
 * chooses numbers on the rifa's live grid (or lets the rifa assign them), takes the walk-in
 * buyer's name, phone and consent to WhatsApp and SMS, and sells for cash (or, where the rifa
 * takes them, for a first abono); then the boletas to print and the message to send. The
 * purchases it left abonado in the rifa take their next abonos below.
 */
export const venderPagina = async (main: HTMLElement): Promise<void> => {
	const volver = () => void venderPagina(main);
	const acceso = await entrarComoVendedor(main, "Vender", volver);
	if (!acceso) return;
	const { me, caja } = acceso;
	const activas = await api<{ items: Rifa[] }>("/rifas?estado=activa&per_page=100");
	// A seller sells in its operador's rifas (its box says which operador); an admin in any. The
	// API still decides each sale.
	const rifas = activas.items.filter(
		(r) => me.rol === "admin" || r.creado_por === caja.operador_id,
	);
	const cabecera = [el("h1", {}, "Vender"), menuVendedor(me, "/vender", volver)];
	if (!rifas.length) {
		main.replaceChildren(
			...cabecera,
			el("p", { role: "status" }, "Su operador no tiene rifas a la venta en este momento."),
		);
		return;
	}

	const selector = el(
		"select",
		{ name: "rifa" },
		...rifas.map((r) => el("option", { value: r.id }, r.nombre)),
	);
	const avisoRifa = aviso(selector);
	// The rifa in the address, else the one a sale was left unanswered in.
	const pedida = new URLSearchParams(location.search).get("rifa") ?? ventaEnCurso()?.rifaId;
	if (pedida && rifas.some((r) => r.id === pedida)) selector.value = pedida;
	const zona = el("section", { class: "zona-venta", "aria-labelledby": "rifa-en-venta" });

	let detener: (() => void) | undefined;
	let turno = 0;
	const cargar = async (r: Rifa) => {
		const este = ++turno;
		detener?.();
		history.replaceState(null, "", `/vender?rifa=${r.id}`);
		avisoRifa.mostrar("");
		zona.replaceChildren(el("p", {}, "Cargando la rifa…"));
		const [cat, disp] = await Promise.all([
			api<{ valor_boleta: number }>(`/categorias/${r.categoria_id}`),
			api<{ mapa: string }>(`/rifas/${r.id}/disponibilidad`),
		]);
		if (este !== turno) return;
		let abierta = r.estado === "activa";
		const g = grillaNumeros({
			rifaId: r.id,
			total: r.total_boletas,
			mapa: disp.mapa,
			abierta: () => abierta,
			alCambiar: () => venta.actualizar(),
		});
		const abonos = r.reglas?.abonos
			? seccionAbonar({ id: r.id, total: r.total_boletas, userId: me.id })
			: null;
		const venta = seccionVenta({
			userId: me.id,
			rifa: {
				id: r.id,
				nombre: r.nombre,
				total: r.total_boletas,
				valor: cat.valor_boleta,
				abonos: r.reglas?.abonos ?? null,
			},
			g,
			avisoRifa,
			alAbonar: () => void abonos?.cargar(),
		});
		zona.replaceChildren(
			...[
				el("h2", { id: "rifa-en-venta" }, r.nombre),
				el(
					"p",
					{},
					`Boleta ${formatCop(cat.valor_boleta)} · la venta cierra en ${faltan(r.fecha_fin) ?? "instantes"}`,
				),
				g.buscador,
				g.paginas,
				g.grid,
				g.leyenda(),
				...venta.eleccion,
				venta.form,
				venta.resultado,
				abonos?.seccion ?? null,
			].filter((x): x is HTMLElement => x !== null),
		);
		void abonos?.cargar();
		g.mostrar(0);
		venta.reanudar();
		// Live: numbers sold by other sellers and online leave the grid as they go.
		detener = escucharRifa(
			r.id,
			(e) => {
				if (e.type === "snapshot") g.aplicarMapa(e.availability.mapa);
				else if (e.type === "vendidos") g.marcar(e.numeros, 2);
				else if (e.type === "reservados") g.marcar(e.numeros, 1);
				else if (e.type === "liberados") g.marcar(e.numeros, 0);
				else if (e.type === "estado" && e.estado !== "activa") {
					abierta = false;
					g.repintar();
					venta.cerrar();
				}
			},
			() => main.isConnected && este === turno,
		);
	};
	const elegida = () => rifas.find((r) => r.id === selector.value) ?? rifas[0];
	const mostrar = () => {
		const r = elegida();
		if (r)
			cargar(r).catch((err: unknown) =>
				zona.replaceChildren(
					el("p", { role: "alert", class: "error" }, `No se pudo cargar la rifa: ${textoDe(err)}`),
				),
			);
	};
	selector.addEventListener("change", mostrar);

	main.replaceChildren(
		...cabecera,
		el("div", { class: "formulario" }, campo("Rifa", selector), avisoRifa.nodo),
		zona,
	);
	mostrar();
};
