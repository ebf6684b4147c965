import { entrarComoVendedor, menuVendedor } from "../acceso";
import { api, el, formatCop } from "../api";
import { aviso, limpiar, mostrarError } from "../avisos";
import { titular } from "../boletas";
import { campo } from "../campos";
import {
	type Caja,
	centavosDe,
	diaLargo,
	ESTADO_CAJA,
	textoDiferencia,
	vistaCierre,
	vistaCuadre,
} from "../cuadre";

/** A box of an earlier day: its state, what was due, what was counted and the difference. */
const filaAnterior = (c: Caja) =>
	el(
		"li",
		{ class: "tarjeta", "data-caja": c.id, "data-estado": c.estado },
		el("h3", {}, diaLargo(c.dia)),
		el("p", {}, `Caja ${ESTADO_CAJA[c.estado]}.`),
		vistaCuadre(c),
		vistaCierre(c),
	);

/**
 * The close: what the seller counted, asked once more before the box freezes. Resolves with the
 * closed box.
 */
const formularioCierre = (caja: Caja, alCerrar: (c: Caja) => void) => {
	const contado = el("input", {
		name: "contado",
		inputmode: "decimal",
		autocomplete: "off",
		"aria-required": "true",
	});
	const cerrar = el("button", { type: "submit" }, "Cerrar caja");
	const avisoContado = aviso(contado);
	const general = aviso(cerrar);
	const confirmacion = el("div", { class: "confirmar", "aria-live": "polite" });
	const form = el(
		"form",
		{ class: "cierre formulario", "aria-label": "Cerrar la caja", novalidate: true },
		campo(
			"Efectivo contado (pesos)",
			contado,
			`Cuente el efectivo de la caja; a entregar: ${formatCop(caja.cuadre.a_entregar)}.`,
		),
		avisoContado.nodo,
		cerrar,
		confirmacion,
		general.nodo,
	);
	let enviando = false;
	const enviar = async (centavos: number, si: HTMLButtonElement) => {
		if (enviando) return;
		enviando = true;
		si.disabled = true;
		try {
			alCerrar(
				await api<Caja>(`/cajas/${caja.id}/cierre`, {
					method: "POST",
					body: { contado: centavos },
				}),
			);
		} catch (err) {
			confirmacion.replaceChildren();
			mostrarError(err, { general, campos: { contado: avisoContado } });
		} finally {
			enviando = false;
			si.disabled = false;
		}
	};
	form.addEventListener("submit", (e) => {
		e.preventDefault();
		limpiar(avisoContado, general);
		const centavos = centavosDe(contado.value);
		if (centavos === null) {
			avisoContado.mostrar("Escriba lo contado en pesos, por ejemplo 20.000.");
			contado.focus();
			return;
		}
		const si = el("button", { type: "button", class: "comprar" }, "Sí, cerrar la caja");
		const no = el("button", { type: "button" }, "Cancelar");
		si.addEventListener("click", () => void enviar(centavos, si));
		no.addEventListener("click", () => {
			confirmacion.replaceChildren();
			contado.focus();
		});
		const pregunta = el(
			"p",
			{ tabindex: "-1" },
			`¿Cerrar la caja con ${formatCop(centavos)} contados? Después no se puede cambiar.`,
		);
		confirmacion.replaceChildren(pregunta, el("p", { class: "botones" }, si, " ", no));
		pregunta.focus();
	});
	return form;
};

/**
 * `/vender/caja`: the seller's cash box of the day, its cuadre (sales, commission, what to hand
 * over), closing it with the amount counted and the faltante or sobrante that leaves; and the
 * boxes of earlier days, with whether the operador confirmed them.
 */
export const miCaja = async (main: HTMLElement): Promise<void> => {
	const volver = () => void miCaja(main);
	const acceso = await entrarComoVendedor(main, "Mi caja", volver);
	if (!acceso) return;
	const { caja } = acceso;
	const anteriores = await api<{ items: Caja[] }>(
		`/cajas?vendedor_id=${caja.vendedor_id}&per_page=10`,
	);
	const hoy = el("section", { class: "caja", "aria-labelledby": "caja-de-hoy" });
	const abierta = () => {
		hoy.replaceChildren(
			el("h2", { id: "caja-de-hoy" }, `Caja del ${diaLargo(caja.dia)}`),
			vistaCuadre(caja),
			formularioCierre(caja, cerrada),
		);
	};
	const cerrada = (c: Caja) => {
		hoy.replaceChildren(
			titular(`Caja del ${diaLargo(c.dia)}: cerrada`),
			vistaCuadre(c),
			vistaCierre(c),
			el(
				"p",
				{ role: "status", "data-resultado": c.resultado ?? undefined },
				`${textoDiferencia(c)}. Entregue ${c.contado === null ? "" : formatCop(c.contado)} a su operador, que confirmará haberlo recibido. Las ventas que siga haciendo van a la caja siguiente.`,
			),
		);
		hoy.querySelector("h2")?.setAttribute("id", "caja-de-hoy");
	};
	abierta();
	const otras = anteriores.items.filter((c) => c.id !== caja.id && c.estado !== "abierta");
	main.replaceChildren(
		el("h1", {}, "Mi caja"),
		menuVendedor(acceso.me, "/vender/caja", volver),
		hoy,
		el(
			"section",
			{ "aria-labelledby": "cajas-anteriores" },
			el("h2", { id: "cajas-anteriores" }, "Cajas anteriores"),
			otras.length
				? el("ul", { class: "tarjetas" }, ...otras.map(filaAnterior))
				: el("p", {}, "Aún no ha cerrado ninguna caja."),
		),
	);
};
