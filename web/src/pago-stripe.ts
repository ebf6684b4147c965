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
		// A payment already being confirmed finishes first: its outcome, not the hold's end, decides.
		let confirmando = false;
		const terminar = () => {
			form.remove();
			reject(opts.fin.reason);
		};
		opts.fin.addEventListener("abort", () => {
			if (!confirmando) terminar();
		});
		const aceptado = (status: string | undefined) =>
			status === "succeeded" || status === "processing" ? status : null;
		stripe ??= loadStripe(opts.publishableKey, { locale: "es-419" });
		stripe
			.then(async (s) => {
				if (!s) throw new Error("Stripe.js no está disponible en este navegador.");
				// Paid already (before a reload, or in another tab): nothing to ask for again.
				const previo = aceptado(
					(await s.retrievePaymentIntent(opts.clientSecret)).paymentIntent?.status,
				);
				if (previo) return resolve(previo);
				if (opts.fin.aborted) return;
				const elements = s.elements({ clientSecret: opts.clientSecret, locale: "es-419" });
				elements.create("payment", { layout: "tabs" }).mount(destino);
				pagar.textContent = `Pagar ${formatCop(opts.monto)}`;
				pagar.disabled = false;
				form.addEventListener("submit", async (e) => {
					e.preventDefault();
					if (opts.fin.aborted || confirmando) return;
					confirmando = true;
					pagar.disabled = true;
					error.textContent = "";
					try {
						const r = await s.confirmPayment({
							elements,
							confirmParams: { return_url: opts.returnUrl },
							redirect: "if_required",
						});
						if (!r.error) return resolve(aceptado(r.paymentIntent.status) ?? "processing");
						// A declined card is final: Stripe reports it to the rifa too, which frees the numbers.
						if (r.error.type === "card_error")
							return reject(new PagoRechazado(r.error.message ?? "El pago fue rechazado."));
						// Anything else (fields to fix, the connection, Stripe itself) leaves the PaymentIntent
						// as it was, unless it went through regardless: Stripe says which.
						const ahora = aceptado(
							(await s.retrievePaymentIntent(opts.clientSecret)).paymentIntent?.status,
						);
						if (ahora) return resolve(ahora);
						error.textContent =
							r.error.message ?? "El pago no se pudo completar; intente de nuevo.";
					} catch (err) {
						error.textContent = `No se pudo contactar a Stripe (${err instanceof Error ? err.message : String(err)}). Intente de nuevo.`;
					} finally {
						confirmando = false;
					}
					if (opts.fin.aborted) return terminar();
					pagar.disabled = false;
				});
			})
			.catch((err: unknown) => {
				stripe = undefined;
				reject(err instanceof Error ? err : new Error(String(err)));
			});
	});
