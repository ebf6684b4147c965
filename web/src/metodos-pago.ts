import type { MetodoWompi } from "../../src/payments/wompi/metodos";
import { el } from "./api";
import { type ConfigWompi, camposWompi, NOMBRES } from "./pago-wompi";

export type Metodo = "sandbox" | "stripe" | "wompi" | "transferencia";

/** `GET /api/v1/pagos`: how this server takes payments. */
export interface Pagos {
	metodos: Metodo[];
	/** Every `payment_method` taken here: who may name it, and what the rifa must have for it. */
	detalle?: { metodo: string; quien: "comprador" | "personal"; requiere: string | null }[];
	stripe: { publishable_key: string } | null;
	wompi?: ConfigWompi | null;
}

/**
 * Whether a buyer may pay this rifa by transfer: its operador has an account to transfer to
 * (`cuenta_transferencia`), and `GET /pagos` lists the method for buyers (a server answering
 * without `detalle` offers it where Wompi or the sandbox is, as before).
 */
const porTransferencia = (pagos: Pagos, conCuenta: boolean) =>
	conCuenta &&
	(pagos.detalle
		? pagos.detalle.some((d) => d.metodo === "transferencia" && d.quien === "comprador")
		: pagos.metodos.some((m) => m === "wompi" || m === "sandbox"));

/**
 * The choice of how to pay: Wompi's Colombian methods first where Wompi is configured, each with
 * its fields, then Stripe's Payment Element, then a transfer with its proof (only in a rifa whose
 * operador has an account for transfers, `conCuenta`), then the sandbox where it is enabled.
 * A Wompi choice is the radio value "wompi:<METODO>".
 */
export const eleccionDePago = (pagos: Pagos, conCuenta: boolean) => {
	const wompi = pagos.wompi && pagos.metodos.includes("wompi") ? pagos.wompi : null;
	const metodos: string[] = [
		...(wompi?.metodos ?? []).map((m) => `wompi:${m}`),
		...(pagos.stripe && pagos.metodos.includes("stripe") ? ["stripe"] : []),
		...(porTransferencia(pagos, conCuenta) ? ["transferencia"] : []),
		...(pagos.metodos.includes("sandbox") ? ["sandbox"] : []),
	];
	const nombre = (m: string) =>
		m === "stripe"
			? " Tarjeta u otro medio (Stripe)"
			: m === "sandbox"
				? " Sandbox (pruebas, sin dinero)"
				: m === "transferencia"
					? " Transferencia (Nequi, banco)"
					: ` ${NOMBRES[m.slice(6) as MetodoWompi]}`;
	const selector = el(
		"fieldset",
		{ class: "metodo" },
		el("legend", {}, "Pagar con"),
		...metodos.map((m, i) =>
			el(
				"label",
				{},
				el("input", { type: "radio", name: "metodo", value: m, checked: i === 0 }),
				nombre(m),
			),
		),
	);
	const elegido = () =>
		selector.querySelector<HTMLInputElement>("input:checked")?.value ?? metodos[0] ?? "sandbox";
	const metodoWompi = () =>
		elegido().startsWith("wompi:") ? (elegido().slice(6) as MetodoWompi) : null;
	const campos = wompi ? camposWompi(wompi) : null;
	campos?.mostrar(metodoWompi());
	selector.addEventListener("change", () => campos?.mostrar(metodoWompi()));
	return {
		/** No way to pay online here. */
		vacia: metodos.length === 0,
		/** The radios (when there is a choice) and the chosen Wompi method's fields. */
		nodos: [...(metodos.length > 1 ? [selector] : []), ...(campos ? [campos.nodo] : [])],
		metodo: (): Metodo => (metodoWompi() ? "wompi" : (elegido() as Metodo)),
		/** Shows a purchase in progress's method as chosen (after a reload). */
		elegir: (metodo: string, wompiMetodo?: string) => {
			const valor = wompiMetodo ? `wompi:${wompiMetodo}` : metodo;
			const radio = [...selector.querySelectorAll("input")].find((r) => r.value === valor);
			if (!radio) return;
			radio.checked = true;
			campos?.mostrar(metodoWompi());
		},
		/**
		 * The purchase's `wompi` object when a Wompi method is chosen, checked (a card tokenized by
		 * Wompi); phone fields left empty take the account's phone.
		 */
		datosDeWompi: async (telefono?: string | null) => {
			const m = metodoWompi();
			if (!m || !campos) return undefined;
			campos.prellenar(telefono);
			return campos.datos(m);
		},
	};
};
