import type { MetodoWompi } from "../../src/payments/wompi/metodos";
import { el, formatCop } from "./api";
import { type Aviso, aviso, limpiar } from "./avisos";
import { campo, DatoInvalido } from "./campos";
import { centavosDe } from "./cuadre";
import { type ConfigWompi, camposWompi, NOMBRES } from "./pago-wompi";

/** The buyer's credit with the rifa's operador, when it has any. */
export interface CreditoDisponible {
	operador: string;
	saldo: number;
}

/** An abono's body: in centavos, paid online through Wompi or with credit. */
export interface CuerpoAbono {
	monto: number;
	medio: "wompi" | "credito";
	wompi?: Record<string, unknown>;
}

/**
 * The methods offered for an abono on `/mis-boletas`. Not a card: Wompi tokenizes it from the
 * browser, and only the rifa page's CSP lets the browser reach Wompi's API.
 */
export const metodosAbono = (w: ConfigWompi | null): MetodoWompi[] =>
	(w?.metodos ?? []).filter((m) => m !== "CARD");

let grupos = 0;

/**
 * The form for one abono of a plan: the amount in pesos (at most what is left, less the online
 * payments still waiting) and how to pay it: Wompi's methods, each with its fields and Wompi's
 * terms, or the buyer's credit with the rifa's operador when there is any. `datos` checks it all
 * and answers the body, or fails with a `DatoInvalido` already shown where it belongs.
 */
export const formularioAbono = (o: {
	numeros: string;
	wompi: ConfigWompi | null;
	/** What is left to pay, less the online payments still waiting (centavos). */
	libre: () => number;
	credito: () => CreditoDisponible | null;
	telefono: string | null | undefined;
}) => {
	const grupo = `medio-abono-${++grupos}`;
	const monto = el("input", { name: "monto", inputmode: "decimal", autocomplete: "off" });
	monto.setAttribute("aria-required", "true");
	const ayudaMonto = campo(
		`Valor del abono a ${o.numeros} (pesos)`,
		monto,
		"Hasta lo que falta por pagar.",
	);
	const ayuda = ayudaMonto.querySelector("small");
	const avisoMonto = aviso(monto);
	const metodos = metodosAbono(o.wompi);
	const campos = o.wompi
		? camposWompi(
				{ ...o.wompi, metodos },
				{
					efectivo:
						"Le damos un convenio y una referencia para pagar en efectivo en un corresponsal Bancolombia antes del plazo de su plan; el abono cuenta cuando Wompi confirme el pago.",
				},
			)
		: null;
	const opciones = el("div", { class: "opciones" });
	const selector = el("fieldset", { class: "medio" }, el("legend", {}, "Pagar con"), opciones);
	const avisoMedio = aviso(selector);
	const enviar = el("button", { type: "submit", class: "comprar" }, "Pagar el abono");
	const general = aviso(enviar);
	const form = el(
		"form",
		{ class: "formulario abono-form", "aria-label": `Abonar a ${o.numeros}`, novalidate: true },
		ayudaMonto,
		avisoMonto.nodo,
		selector,
		avisoMedio.nodo,
		...(campos ? [campos.nodo] : []),
		enviar,
		general.nodo,
	);
	const elegido = () =>
		opciones.querySelector<HTMLInputElement>("input:checked")?.value ?? "ninguno";
	const metodoWompi = () =>
		elegido().startsWith("wompi:") ? (elegido().slice(6) as MetodoWompi) : null;
	const mostrarCampos = () => campos?.mostrar(metodoWompi());
	selector.addEventListener("change", mostrarCampos);

	/** The choices as they stand now: the credit shows up (or goes) as it is read again. */
	const refrescar = () => {
		const antes = elegido();
		const credito = o.credito();
		const valores: [string, string][] = [
			...metodos.map((m): [string, string] => [`wompi:${m}`, NOMBRES[m]]),
			...(credito && credito.saldo > 0
				? [
						[
							"credito",
							`Mi crédito con ${credito.operador} (disponible ${formatCop(credito.saldo)})`,
						] as [string, string],
					]
				: []),
		];
		opciones.replaceChildren(
			...valores.map(([valor, texto]) =>
				el(
					"label",
					{},
					el("input", { type: "radio", name: grupo, value: valor, checked: valor === antes }),
					texto,
				),
			),
		);
		const primero = opciones.querySelector<HTMLInputElement>("input");
		if (primero && !opciones.querySelector("input:checked")) primero.checked = true;
		selector.hidden = valores.length === 0;
		enviar.disabled = valores.length === 0;
		if (ayuda)
			ayuda.textContent = valores.length
				? `Hasta ${formatCop(o.libre())}, lo que falta por pagar.`
				: "Este servidor no recibe abonos en línea: abone en efectivo con un vendedor de la rifa.";
		mostrarCampos();
	};
	refrescar();

	const falla = (a: Aviso, texto: string, control: HTMLElement): never => {
		a.mostrar(texto);
		control.focus();
		throw new DatoInvalido(texto);
	};
	return {
		form,
		monto,
		avisos: { monto: avisoMonto, medio: avisoMedio, general },
		enviar,
		refrescar,
		/** Shows an earlier abono's amount and method again (one sent whose answer is unknown). */
		restaurar: (c: CuerpoAbono) => {
			monto.value = formatCop(c.monto);
			const valor = c.medio === "credito" ? "credito" : `wompi:${String(c.wompi?.metodo ?? "")}`;
			const radio = [...opciones.querySelectorAll("input")].find((r) => r.value === valor);
			if (radio) radio.checked = true;
			mostrarCampos();
		},
		/** The abono's body, checked; a field to fix shows its message and takes the focus. */
		datos: async (): Promise<CuerpoAbono> => {
			limpiar(avisoMonto, avisoMedio, general);
			const centavos = centavosDe(monto.value);
			if (!centavos) falla(avisoMonto, "Escriba el abono en pesos, por ejemplo 2.000.", monto);
			const valor = centavos as number;
			const libre = o.libre();
			if (valor > libre)
				falla(
					avisoMonto,
					`El abono no puede pasar de ${formatCop(libre)}, lo que falta por pagar.`,
					monto,
				);
			if (elegido() === "credito") {
				const credito = o.credito();
				if (!credito || valor > credito.saldo)
					falla(
						avisoMonto,
						`Su crédito alcanza para ${formatCop(credito?.saldo ?? 0)}: abone eso o menos, o pague en línea.`,
						monto,
					);
				return { monto: valor, medio: "credito" };
			}
			const m = metodoWompi();
			if (!m || !campos) return falla(avisoMedio, "Elija cómo pagar el abono.", selector);
			campos.prellenar(o.telefono);
			try {
				return { monto: valor, medio: "wompi", wompi: await campos.datos(m) };
			} catch (err) {
				if (err instanceof DatoInvalido) general.mostrar(err.message);
				throw err;
			}
		},
	};
};
