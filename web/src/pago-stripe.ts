import type { Stripe } from "@stripe/stripe-js";
import { loadStripe } from "@stripe/stripe-js/pure";
import { el, formatCop } from "./api";

// The pure entry loads Stripe.js from js.stripe.com only once a card payment starts, so a page
// that never takes one makes no request outside this origin.
let stripe: Promise<Stripe | null> | undefined;

/**
 * Stripe's Payment Element for one purchase's PaymentIntent. Resolves once Stripe has accepted
 * the payment; the tickets are sold when Stripe's webhook reaches the rifa, not here.
 */
export const pagarConStripe = (
	contenedor: HTMLElement,
	opts: { publishableKey: string; clientSecret: string; monto: number; returnUrl: string },
): Promise<void> =>
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
					pagar.disabled = true;
					error.textContent = "";
					const r = await s.confirmPayment({
						elements,
						confirmParams: { return_url: opts.returnUrl },
						redirect: "if_required",
					});
					if (r.error) {
						error.textContent = r.error.message ?? "El pago no se pudo completar.";
						pagar.disabled = false;
						return;
					}
					resolve();
				});
			})
			.catch((err: unknown) => {
				stripe = undefined;
				reject(err instanceof Error ? err : new Error(String(err)));
			});
	});
