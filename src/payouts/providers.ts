import { type StripeEnv, stripeClient } from "../payments/stripe";
import type { PayoutOutcome, PayoutProvider, PayoutRequest } from "./types";
import { wompiPagosConfig } from "./wompi";
import { wompiProvider } from "./wompi-provider";

export type { PayoutOutcome, PayoutProvider, PayoutRequest } from "./types";

const sandbox: PayoutProvider = {
	name: "sandbox",
	canPay: async () => true,
	pay: async (req) => ({ referencia: `sandbox_payout_${req.ganadorId}` }),
	// The sandbox moves no money, so there is never a transfer to find.
	find: async () => null,
};

/**
 * A Stripe Connect transfer to the winner's account. The idempotency key derives from the ganador
 * id, so a redelivered message or a retry after a timeout gets the first transfer back. Stripe
 * forgets idempotency keys after 24 hours, so a transfer already made for this ganador is looked
 * up first: a retry days later finds it instead of paying twice.
 */
const stripe = (secretKey: string, env: StripeEnv): PayoutProvider => {
	const client = stripeClient(secretKey, env);
	const find = async (req: PayoutRequest): Promise<PayoutOutcome> => {
		if (!req.stripeAccountId) return null;
		const earlier = await client.transfers.list({
			transfer_group: `rifa_${req.rifaId}`,
			destination: req.stripeAccountId,
			limit: 100,
		});
		const done = earlier.data.find((t) => t.metadata?.ganador_id === req.ganadorId);
		return done ? { referencia: done.id } : null;
	};
	return {
		name: "stripe",
		canPay: async (req) => Boolean(req.stripeAccountId),
		find,
		pay: async (req) => {
			if (!req.stripeAccountId) return null;
			const done = await find(req);
			if (done) return done;
			const transfer = await client.transfers.create(
				{
					amount: req.monto,
					currency: "cop",
					destination: req.stripeAccountId,
					transfer_group: `rifa_${req.rifaId}`,
					metadata: { ganador_id: req.ganadorId, rifa_id: req.rifaId },
				},
				{ idempotencyKey: `rifa1122-payout-${req.ganadorId}` },
			);
			return { referencia: transfer.id };
		},
	};
};

/**
 * `PAYOUTS_PROVIDER`: `manual` (the default) leaves every prize to an admin; `sandbox` pays at
 * once; `stripe` transfers to winners with a Connect account (needs STRIPE_SECRET_KEY); `wompi`
 * pays through Wompi's payouts API to the destination each winner confirmed (needs
 * WOMPI_PAYOUTS_API_KEY and WOMPI_PAYOUTS_USER_PRINCIPAL_ID).
 */
export const payoutProvider = (env: Env): PayoutProvider | null => {
	switch (env.PAYOUTS_PROVIDER) {
		case "sandbox":
			return sandbox;
		case "stripe":
			if (!env.STRIPE_SECRET_KEY)
				throw new Error("PAYOUTS_PROVIDER=stripe needs STRIPE_SECRET_KEY");
			return stripe(env.STRIPE_SECRET_KEY, env);
		case "wompi": {
			const config = wompiPagosConfig(env);
			if (!config)
				throw new Error(
					"PAYOUTS_PROVIDER=wompi needs WOMPI_PAYOUTS_API_KEY, WOMPI_PAYOUTS_USER_PRINCIPAL_ID and WOMPI_PUBLIC_KEY",
				);
			return wompiProvider(env, config);
		}
		default:
			return null;
	}
};
