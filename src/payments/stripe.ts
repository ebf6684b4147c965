import Stripe from "stripe";
import type { ChargeRequest, ChargeResult, PaymentProvider, RefundRequest } from "./provider";

export type StripeEnv = Pick<Env, "ENVIRONMENT" | "STRIPE_API_URL">;

/**
 * `STRIPE_API_URL` points the client at a local stand-in for api.stripe.com (such as stripe-mock).
 * Only a development Worker with a test-mode key honours it, so a live key only ever goes to Stripe.
 */
const apiHost = (secretKey: string, env: StripeEnv) => {
	if (env.ENVIRONMENT !== "development" || !env.STRIPE_API_URL || !secretKey.startsWith("sk_test_"))
		return {};
	const url = new URL(env.STRIPE_API_URL);
	const protocol = url.protocol === "http:" ? "http" : "https";
	return {
		host: url.hostname,
		port: url.port || (protocol === "http" ? 80 : 443),
		protocol,
	} as const;
};

/** Calls go through the global fetch at call time (Workers have no Node http client). */
export const stripeClient = (secretKey: string, env: StripeEnv) =>
	new Stripe(secretKey, {
		httpClient: Stripe.createFetchHttpClient((input, init) => fetch(input, init)),
		maxNetworkRetries: 2,
		timeout: 10_000,
		...apiHost(secretKey, env),
	});

/**
 * A PaymentIntent in COP centavos per purchase. Its idempotency key derives from our transaccion
 * id, so a retried call can never create a second charge for the same purchase.
 */
export const stripeProvider = (secretKey: string, env: StripeEnv): PaymentProvider => {
	const stripe = stripeClient(secretKey, env);
	return {
		name: "stripe",
		charge: async (req: ChargeRequest): Promise<ChargeResult> => {
			const intent = await stripe.paymentIntents.create(
				{
					amount: req.amount,
					currency: "cop",
					automatic_payment_methods: { enabled: true },
					metadata: { rifa_id: req.rifaId, transaccion_id: req.transaccionId, user_id: req.userId },
				},
				{ idempotencyKey: `rifa1122-pi-${req.transaccionId}` },
			);
			if (!intent.client_secret) throw new Error(`PaymentIntent ${intent.id} has no client_secret`);
			return {
				status: "requires_payment",
				providerRef: intent.id,
				clientSecret: intent.client_secret,
			};
		},
		refund: async (req: RefundRequest) => {
			const refund = await stripe.refunds.create(
				{
					payment_intent: req.providerRef,
					metadata: { transaccion_id: req.transaccionId, motivo: req.reason },
				},
				{ idempotencyKey: `rifa1122-refund-${req.transaccionId}` },
			);
			return { providerRef: refund.id };
		},
	};
};
