import Stripe from "stripe";
import type { ChargeRequest, ChargeResult, PaymentProvider, RefundRequest } from "./provider";

/** Calls go through the global fetch at call time (Workers have no Node http client). */
export const stripeClient = (secretKey: string) =>
	new Stripe(secretKey, {
		httpClient: Stripe.createFetchHttpClient((input, init) => fetch(input, init)),
		maxNetworkRetries: 2,
		timeout: 10_000,
	});

/**
 * A PaymentIntent in COP centavos per purchase. Its idempotency key derives from our transaccion
 * id, so a retried call can never create a second charge for the same purchase.
 */
export const stripeProvider = (secretKey: string): PaymentProvider => {
	const stripe = stripeClient(secretKey);
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
