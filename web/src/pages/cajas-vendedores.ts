import { entrarComoOperador, menuOperador } from "../acceso";
import { api, el, fechaColombia, formatCop, type Usuario } from "../api";
import { aviso, textoDe } from "../avisos";
import { type Caja, diaLargo, ESTADO_CAJA, vistaCierre, vistaCuadre } from "../cuadre";
import { seccionResumen } from "../resumen-cajas";
import type { Vendedor } from "./vendedores";

interface Movimiento {
	id: string;
	tipo: string;
	monto: number;
	boletas: number;
	ocurrido_en: string;
	motivo: string | null;
}

/** A box's movements, read when its details are opened. */
const movimientos = (c: Caja) => {
	const cuerpo = el("div", { "aria-live": "polite" });
	const detalle = el("details", {}, el("summary", {}, "Ver movimientos"), cuerpo);
	let leidos = false;
	detalle.addEventListener("toggle", async () => {
		if (!detalle.open || leidos) return;
		leidos = true;
		cuerpo.replaceChildren(el("p", {}, "Cargando…"));
		try {
			const d = await api<{ movimientos: Movimiento[] }>(`/cajas/${c.id}`);
			const filas = d.movimientos.filter((m) => m.monto !== 0 || m.boletas !== 0);
			cuerpo.replaceChildren(
				filas.length
					? el(
							"ul",
							{ class: "lista" },
							...filas.map((m) =>
								el(
									"li",
									{},
									`${fechaColombia(m.ocurrido_en)} · ${m.tipo}${m.boletas ? ` · ${m.boletas} boletas` : ""} · ${formatCop(m.monto)}${m.motivo ? ` · ${m.motivo}` : ""}`,
								),
							),
						)
					: el("p", {}, "Sin movimientos."),
			);
		} catch (err) {
			leidos = false;
			cuerpo.replaceChildren(el("p", { role: "alert", class: "error" }, textoDe(err)));
		}
	});
	return detalle;
};

/** A closed box: whose and which day, its cuadre, what was counted, and its confirmation. */
const tarjetaCaja = (c: Caja, quien: string, alConfirmar: () => void) => {
	const error = aviso();
	const estado = el("p", { "data-estado-caja": c.estado }, `Caja ${ESTADO_CAJA[c.estado]}.`);
	const acciones = el("p", { class: "botones" });
	const tarjeta = el(
		"li",
		{ class: "tarjeta", "data-caja": c.id, "data-estado": c.estado },
		el("h3", {}, `${quien} · ${diaLargo(c.dia)}`),
		estado,
		vistaCuadre(c),
		vistaCierre(c),
		acciones,
		error.nodo,
		movimientos(c),
	);
	if (c.estado === "cerrada") {
		const confirmar = el(
			"button",
			{ type: "button", class: "comprar" },
			`Confirmar que recibí ${c.contado === null ? "la caja" : formatCop(c.contado)}`,
		);
		confirmar.addEventListener("click", async () => {
			confirmar.disabled = true;
			error.mostrar("");
			try {
				const hecha = await api<Caja>(`/cajas/${c.id}/confirmacion`, { method: "POST", body: {} });
				tarjeta.dataset.estado = hecha.estado;
				estado.dataset.estadoCaja = hecha.estado;
				estado.textContent = `Caja ${ESTADO_CAJA[hecha.estado]}.`;
				acciones.replaceChildren();
				alConfirmar();
				estado.setAttribute("tabindex", "-1");
				estado.focus();
			} catch (err) {
				confirmar.disabled = false;
				error.mostrar(`No se pudo confirmar: ${textoDe(err)}`);
			}
		});
		acciones.append(confirmar);
	}
	return tarjeta;
};

/**
 * `/operador/cajas`: the boxes the operador's sellers closed, each with its cuadre, the amount
 * counted and the faltante or sobrante, to confirm once the cash is in hand; then the report of
 * the cash they took per seller, rifa and day, between two days.
 */
export const cajasVendedores = async (main: HTMLElement): Promise<void> => {
	const volver = () => void cajasVendedores(main);
	const me: Usuario | null = await entrarComoOperador(main, "Cajas de sus vendedores", volver);
	if (!me) return;
	const [cerradas, vendedores] = await Promise.all([
		api<{ items: Caja[]; total: number }>("/cajas?estado=cerrada&per_page=100"),
		api<{ items: Vendedor[] }>("/vendedores?per_page=100"),
	]);
	const nombres = new Map(vendedores.items.map((v) => [v.id, v.nombre]));
	const quien = (id: string) => (id === me.id ? "Usted" : (nombres.get(id) ?? "Vendedor"));
	let pendientes = cerradas.total;
	const cuenta = el("p", { "aria-live": "polite" });
	const contar = () => {
		cuenta.textContent = pendientes
			? `${pendientes === 1 ? "Una caja cerrada espera" : `${pendientes} cajas cerradas esperan`} su confirmación.`
			: "No hay cajas cerradas por confirmar.";
	};
	contar();
	const resumen = seccionResumen([
		...vendedores.items.map((v) => ({ id: v.id, nombre: v.nombre })),
		{ id: me.id, nombre: `Usted (${me.nombre})` },
	]);
	main.replaceChildren(
		el("h1", {}, "Cajas de sus vendedores"),
		menuOperador(me, volver),
		el(
			"section",
			{ "aria-labelledby": "cajas-por-confirmar" },
			el("h2", { id: "cajas-por-confirmar" }, "Cajas por confirmar"),
			cuenta,
			el(
				"ul",
				{ class: "tarjetas" },
				...cerradas.items.map((c) =>
					tarjetaCaja(c, quien(c.vendedor_id), () => {
						pendientes -= 1;
						contar();
					}),
				),
			),
		),
		resumen.seccion,
	);
	await resumen.cargar();
};
