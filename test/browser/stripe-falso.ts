// Stripe, the part that lies outside: its HTTP API (which `wrangler dev` reaches through
// STRIPE_API_URL), Stripe.js (which the browser asks js.stripe.com for), and the webhook Stripe
// signs once a payment succeeds. Objects are the recorded shapes of test/fixtures/stripe.ts; the
// signature is Stripe's own code.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Stripe from "stripe";
import { event, paymentIntent } from "../fixtures/stripe.ts";

export const STRIPE_CLAVES = {
	STRIPE_SECRET_KEY: "sk_test_rifa1122_browser_tests",
	STRIPE_WEBHOOK_SECRET: "whsec_rifa1122_browser_tests",
	STRIPE_PUBLISHABLE_KEY: "pk_test_rifa1122_browser_tests",
};

export interface StripeFalso {
	url: string;
	/** PaymentIntents created through the API, by id. */
	intents: Map<string, ReturnType<typeof paymentIntent>>;
	/** Every request the Worker made: "METHOD /path" with its Idempotency-Key. */
	requests: { ruta: string; idempotencyKey: string | undefined }[];
	/** Stripe's `payment_intent.succeeded` for `id`, signed, delivered to the Worker. */
	cobrar(base: string, id: string): Promise<Response>;
	/** Stripe's `payment_intent.payment_failed` for `id` (a declined card), signed, delivered. */
	fallar(base: string, id: string): Promise<Response>;
	close(): Promise<void>;
}

export const iniciarStripeFalso = async (): Promise<StripeFalso> => {
	const intents: StripeFalso["intents"] = new Map();
	const requests: StripeFalso["requests"] = [];
	const server: Server = createServer(async (req, res) => {
		let body = "";
		for await (const chunk of req) body += chunk;
		const ruta = `${req.method} ${new URL(req.url ?? "/", "http://x").pathname}`;
		const key = req.headers["idempotency-key"];
		requests.push({ ruta, idempotencyKey: typeof key === "string" ? key : undefined });
		const json = (status: number, data: unknown) => {
			res.writeHead(status, { "Content-Type": "application/json", "Request-Id": "req_browser" });
			res.end(JSON.stringify(data));
		};
		if (ruta !== "POST /v1/payment_intents") {
			return json(404, {
				error: { type: "invalid_request_error", message: "Unrecognized request URL" },
			});
		}
		const form = new URLSearchParams(body);
		const metadata = Object.fromEntries(
			[...form.entries()]
				.filter(([k]) => k.startsWith("metadata["))
				.map(([k, v]) => [k.slice("metadata[".length, -1), v]),
		);
		const id = `pi_3Sd${(metadata.transaccion_id ?? "").replaceAll("-", "").slice(0, 20)}`;
		const created =
			intents.get(id) ??
			paymentIntent({
				id,
				amount: Number(form.get("amount")),
				status: "requires_payment_method",
				metadata,
			});
		intents.set(id, created);
		json(200, created);
	});
	const entregar = async (base: string, id: string, tipo: string) => {
		const intent = intents.get(id);
		if (!intent) throw new Error(`no PaymentIntent ${id}`);
		const pagado = tipo === "payment_intent.succeeded";
		const objeto = {
			...paymentIntent({
				id: intent.id,
				amount: intent.amount,
				status: pagado ? "succeeded" : "requires_payment_method",
				metadata: intent.metadata,
			}),
			...(pagado
				? {}
				: {
						last_payment_error: {
							code: "card_declined",
							decline_code: "generic_decline",
							message: "Your card was declined.",
							type: "card_error",
						},
					}),
		};
		const payload = JSON.stringify(
			event(`evt_${crypto.randomUUID().replaceAll("-", "")}`, tipo, objeto),
		);
		const signature = await Stripe.webhooks.generateTestHeaderStringAsync({
			payload,
			secret: STRIPE_CLAVES.STRIPE_WEBHOOK_SECRET,
		});
		return fetch(`${base}/api/v1/webhooks/stripe`, {
			method: "POST",
			headers: { "Content-Type": "application/json", "Stripe-Signature": signature },
			body: payload,
		});
	};
	await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		intents,
		requests,
		cobrar: (base, id) => entregar(base, id, "payment_intent.succeeded"),
		fallar: (base, id) => entregar(base, id, "payment_intent.payment_failed"),
		close: () => new Promise((ok) => server.close(() => ok())),
	};
};

/**
 * Stands in for Stripe.js in the browser: the calls the page makes (`Stripe(pk)`, `elements`,
 * `create("payment").mount`, `retrievePaymentIntent`, `confirmPayment`) recorded on `window.__stripe`, a card form in a
 * frame from js.stripe.com, and `confirmPayment` answering as Stripe does: an error to show when
 * `__stripe.rechazar` is set (a declined card), else the PaymentIntent succeeded.
 */
export const STRIPE_JS = `(() => {
	const registro = { claves: [], opciones: [], elements: [], montados: 0, confirmaciones: [], rechazar: false, pagados: [] };
	window.__stripe = registro;
	function Stripe(clave, opciones) {
		registro.claves.push(clave);
		registro.opciones.push(opciones);
		return {
			elements(opts) {
				registro.elements.push(opts);
				return {
					create(tipo, opts) {
						return {
							mount(destino) {
								const nodo = typeof destino === "string" ? document.querySelector(destino) : destino;
								const marco = document.createElement("iframe");
								marco.title = "Campos de pago seguros";
								marco.src = "https://js.stripe.com/v3/elements-inner-payment.html";
								nodo.append(marco);
								registro.montados++;
							},
							on() {},
							destroy() {},
						};
					},
				};
			},
			async retrievePaymentIntent(secreto) {
				const pagado = registro.pagados.includes(secreto);
				return { paymentIntent: { id: secreto.split("_secret_")[0], object: "payment_intent", status: pagado ? "succeeded" : "requires_payment_method" } };
			},
			async confirmPayment(opts) {
				registro.confirmaciones.push({ return_url: opts.confirmParams.return_url, redirect: opts.redirect });
				if (registro.rechazar) {
					registro.rechazar = false;
					return { error: { type: "card_error", code: "card_declined", message: "Su tarjeta fue rechazada." } };
				}
				const secreto = registro.elements[registro.elements.length - 1].clientSecret;
				registro.pagados.push(secreto);
				return { paymentIntent: { id: secreto.split("_secret_")[0], object: "payment_intent", status: "succeeded" } };
			},
		};
	}
	Stripe.version = "endive";
	window.Stripe = Stripe;
})();`;

export const STRIPE_FRAME = `<!doctype html><html lang="es"><body>
<label>Número de tarjeta <input name="cardnumber" autocomplete="cc-number" inputmode="numeric"></label>
</body></html>`;
