import type { Stripe } from "@stripe/stripe-js";
import { loadStripe } from "@stripe/stripe-js/pure";
import { el, formatCop } from "./api";

// The pure entry loads Stripe.js from js.stripe.com only once a card payment starts, so a page
// that never takes one makes no request outside this origin.
let stripe: Promise<Stripe | null> | undefined;

/** Stripe refused the payment for good (a declined card): the hold is released, the purchase ends. */
export class PagoRechazado extends Error {}

/**
 * Stripe's Payment Element for one purchase's PaymentIntent. Resolves with the PaymentIntent's
 * status once Stripe accepted the payment (`succeeded`, or `processing` for slower methods); the
 * tickets are sold when Stripe's webhook reaches the rifa, not here. `fin` takes the form away
 * (the hold ended) and rejects with its reason.
 */
export const pagarConStripe = (
	contenedor: HTMLElement,
	opts: {
		publishableKey: string;
		clientSecret: string;
		monto: number;
		returnUrl: string;
		fin: AbortSignal;
	},
): Promise<"succeeded" | "processing"> =>
	new Promise((resolve, reject) => {
		const destino = el("div", { class: "elemento-pago" });
		const pagar = el("button", { type: "submit", class: "comprar", disabled: true }, "Cargando…");
		const error = el("p", { role: "alert", class: "error" });
		const form = el(
			"form",
			{ class: "pago", "aria-label": "Pago con tarjeta" },
			destino,
			pagar,
			error,
		);
		contenedor.replaceChildren(form);
		opts.fin.addEventListener("abort", () => {
			form.remove();
			reject(opts.fin.reason);
		});
		stripe ??= loadStripe(opts.publishableKey, { locale: "es-419" });
		stripe
			.then((s) => {
				if (!s) throw new Error("Stripe.js no está disponible en este navegador.");
				const elements = s.elements({ clientSecret: opts.clientSecret, locale: "es-419" });
				elements.create("payment", { layout: "tabs" }).mount(destino);
				pagar.textContent = `Pagar ${formatCop(opts.monto)}`;
				pagar.disabled = false;
				form.addEventListener("submit", async (e) => {
					e.preventDefault();
					if (opts.fin.aborted) return;
					pagar.disabled = true;
					error.textContent = "";
					try {
						const r = await s.confirmPayment({
							elements,
							confirmParams: { return_url: opts.returnUrl },
							redirect: "if_required",
						});
						if (!r.error) {
							resolve(r.paymentIntent.status === "processing" ? "processing" : "succeeded");
							return;
						}
						// Fields to fix can be tried again; anything else Stripe reports as failed for the
						// rifa too, which frees the numbers.
						if (r.error.type !== "validation_error") {
							reject(new PagoRechazado(r.error.message ?? "El pago fue rechazado."));
							return;
						}
						error.textContent = r.error.message ?? "Revise los datos del pago.";
					} catch (err) {
						error.textContent = `No se pudo contactar a Stripe (${err instanceof Error ? err.message : String(err)}). Intente de nuevo.`;
					}
					pagar.disabled = false;
				});
			})
			.catch((err: unknown) => {
				stripe = undefined;
				reject(err instanceof Error ? err : new Error(String(err)));
			});
	});
