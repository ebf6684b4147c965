import { el, fechaLarga, formatCop } from "./api";
import type { DetallePago } from "./pago-wompi";

/** A purchase as the rifa holds it (`GET /rifas/{id}/transacciones/{id}`). */
export interface EstadoCompra {
	status: "pending" | "succeeded" | "failed" | "refunded";
	expires_at: string | null;
	pago?: DetallePago | null;
	/** A refund made by transfer (methods Wompi cannot refund): pending until an admin records it. */
	reembolso?: { estado: "pendiente" | "hecho" } | null;
}

/** Why a purchase that did not sell ended, as the buyer needs to hear it. */
export const porQueTermino = (t: EstadoCompra) => {
	if (t.status === "refunded")
		return new Error(
			t.reembolso?.estado === "pendiente"
				? "El pago llegó después de que venciera la reserva: le devolveremos el dinero con una transferencia."
				: "El pago llegó después de que venciera la reserva y se le devolvió.",
		);
	return new Error(
		"El pago no se completó (rechazado, o la reserva venció): sus números quedaron libres.",
	);
};

/** How long after the hold's end the page still waits for Wompi's word before giving up. */
const GRACIA_MS = 3 * 60_000;
const A_UN_BANCO = new Set(["PSE", "BANCOLOMBIA_TRANSFER", "DAVIPLATA"]);

const efectivo = (
	e: { convenio: string; referencia_pago: string },
	o: { monto: number; hasta: number; numeros: string },
) => {
	const imprimir = el("button", { type: "button" }, "Imprimir");
	imprimir.addEventListener("click", () => window.print());
	return el(
		"div",
		{ class: "efectivo", "data-efectivo": "" },
		el("h3", {}, "Pague en efectivo en un corresponsal Bancolombia"),
		el(
			"dl",
			{},
			el("dt", {}, "Convenio"),
			el("dd", { "data-convenio": "" }, e.convenio),
			el("dt", {}, "Referencia de pago"),
			el("dd", { "data-referencia": "" }, e.referencia_pago),
			el("dt", {}, "Valor"),
			el("dd", {}, formatCop(o.monto)),
			el("dt", {}, "Pague antes de"),
			el(
				"dd",
				{ "data-plazo": "" },
				`${fechaLarga(new Date(o.hasta).toISOString())} (hora de Colombia)`,
			),
			el("dt", {}, "Números"),
			el("dd", {}, o.numeros),
		),
		el(
			"p",
			{},
			"Diga en el corresponsal que paga un convenio Bancolombia y dé el convenio y la referencia. Si no paga a tiempo, sus números quedan libres. Esta página se actualiza sola cuando Wompi confirme el pago.",
		),
		imprimir,
	);
};

/** What the buyer has to do now, for the method and what Wompi has told so far. */
const instrucciones = (
	pago: DetallePago,
	o: { monto: number; hasta: number; numeros: string; alBanco: boolean },
): HTMLElement[] => {
	if (pago.metodo === "NEQUI")
		return [
			el("p", { class: "aviso" }, el("strong", {}, "Acepte el pago en su app Nequi.")),
			el(
				"p",
				{},
				`Le llegó una notificación de Nequi por ${formatCop(o.monto)}: acéptela en la app. Esta página se actualiza sola.`,
			),
		];
	if (pago.metodo === "BANCOLOMBIA_COLLECT")
		return pago.efectivo
			? [efectivo(pago.efectivo, o)]
			: [el("p", {}, "Preparando su referencia de pago…")];
	if (pago.metodo && A_UN_BANCO.has(pago.metodo)) {
		if (!pago.redirect_url) return [el("p", {}, "Preparando el pago con su banco…")];
		const enlace = el(
			"a",
			{ href: pago.redirect_url },
			o.alBanco ? "Ir a la página del banco" : "Volver a la página del banco",
		);
		return o.alBanco
			? [el("p", {}, "Lo llevamos a la página de su banco para aprobar el pago… "), enlace]
			: [
					el(
						"p",
						{},
						"Esperando la confirmación de su banco. Esta página se actualiza sola. Si no terminó de pagar, puede hacerlo hasta el fin de la reserva: ",
						enlace,
					),
				];
	}
	return [el("p", {}, "Confirmando el pago con Wompi…")];
};

/**
 * Follows one Wompi purchase until the rifa says how it ended: the rifa's word only, read every
 * few seconds and whenever `despertar` fires (the rifa's WebSocket saw numbers sold or freed).
 * Sends the buyer to the bank once, when `alBanco`. Resolves with the final state, or null when
 * Wompi has not answered long after the hold ended.
 */
export const seguirPagoWompi = async (
	caja: HTMLElement,
	o: {
		pago: DetallePago;
		monto: number;
		hasta: number;
		numeros: string;
		alBanco: boolean;
		/** Called just before leaving for the bank, so a return does not send the buyer again. */
		alSalir: () => void;
		estado: () => Promise<EstadoCompra | null>;
		despertar: EventTarget;
	},
): Promise<EstadoCompra | null> => {
	let pago = o.pago;
	let pintado = "";
	const intervalo = pago.metodo === "BANCOLOMBIA_COLLECT" ? 30_000 : 2_000;
	for (;;) {
		const t = await o.estado();
		if (t && t.status !== "pending") return t;
		if (t?.pago) pago = { ...pago, ...t.pago };
		const hasta = t?.expires_at ? Date.parse(t.expires_at) : o.hasta;
		const clave = JSON.stringify([pago, hasta]);
		if (clave !== pintado) {
			pintado = clave;
			caja.replaceChildren(...instrucciones(pago, { ...o, hasta }));
		}
		if (o.alBanco && pago.redirect_url) {
			o.alSalir();
			location.assign(pago.redirect_url);
			return new Promise(() => {});
		}
		if (Date.now() > hasta + GRACIA_MS) return null;
		await new Promise<void>((ok) => {
			const fin = new AbortController();
			const listo = () => {
				fin.abort();
				clearTimeout(reloj);
				ok();
			};
			const reloj = setTimeout(listo, intervalo);
			o.despertar.addEventListener("cambio", listo, { signal: fin.signal });
		});
	}
};
