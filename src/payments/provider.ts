import { type Texto, t } from "../lib/errors";
import type { PaymentMethod } from "../rifa-room/room.types";
import { stripeProvider } from "./stripe";

export interface ChargeRequest {
	transaccionId: string;
	rifaId: string;
	userId: string;
	amount: number;
	currency: "COP";
}

export type ChargeResult =
	| { status: "succeeded"; providerRef: string }
	| { status: "failed"; providerRef: string | null; reason: string }
	| { status: "requires_payment"; providerRef: string; clientSecret: string };

export interface RefundRequest {
	transaccionId: string;
	providerRef: string;
	reason: string;
}

export interface PaymentProvider {
	readonly name: PaymentMethod;
	charge(req: ChargeRequest): Promise<ChargeResult>;
	/** For providers that decide without I/O: lets the room hold and settle in one atomic step. */
	chargeNow?(req: ChargeRequest): ChargeResult;
	/** Returns the provider's refund reference; idempotent per transaccion. */
	refund(req: RefundRequest): Promise<{ providerRef: string }>;
}

export class PaymentUnavailableError extends Error {
	constructor(readonly detail: Texto) {
		super(detail.es);
	}
}

/**
 * `PAYMENTS_SANDBOX`: `succeed` or `fail` enables the sandbox provider with that outcome; anything
 * else (the deployed default, `off`) disables it, so free tickets can never be issued in production.
 */
const sandbox = (outcome: string): PaymentProvider => {
	const chargeNow = (req: ChargeRequest): ChargeResult =>
		outcome === "fail"
			? {
					status: "failed",
					providerRef: `sandbox_${req.transaccionId}`,
					reason: "Pago rechazado (sandbox)",
				}
			: { status: "succeeded", providerRef: `sandbox_${req.transaccionId}` };
	return {
		name: "sandbox",
		chargeNow,
		charge: async (req) => chargeNow(req),
		refund: async (req) => ({ providerRef: `sandbox_refund_${req.transaccionId}` }),
	};
};

export const paymentProvider = (env: Env, method: PaymentMethod): PaymentProvider => {
	if (method === "sandbox") {
		const outcome = env.PAYMENTS_SANDBOX;
		if (outcome !== "succeed" && outcome !== "fail") {
			throw new PaymentUnavailableError(
				t(
					"El método de pago sandbox no está habilitado.",
					"The sandbox payment method is not enabled.",
				),
			);
		}
		return sandbox(outcome);
	}
	if (!env.STRIPE_SECRET_KEY) {
		throw new PaymentUnavailableError(
			t(
				"El método de pago stripe no está configurado.",
				"The stripe payment method is not configured.",
			),
		);
	}
	return stripeProvider(env.STRIPE_SECRET_KEY, env);
};

/**
 * The methods a purchase may name here, and what a browser needs for Stripe's Payment Element:
 * the publishable key is public by design; without it the pages cannot take cards.
 */
export const metodosDePago = (env: Env) => ({
	metodos: [
		...(env.PAYMENTS_SANDBOX === "succeed" || env.PAYMENTS_SANDBOX === "fail"
			? (["sandbox"] as const)
			: []),
		...(env.STRIPE_SECRET_KEY ? (["stripe"] as const) : []),
	],
	// Only a publishable key is ever published: a secret key pasted here by mistake stays unused.
	stripe:
		env.STRIPE_SECRET_KEY && /^pk_(test|live)_\w+$/.test(env.STRIPE_PUBLISHABLE_KEY ?? "")
			? { publishable_key: env.STRIPE_PUBLISHABLE_KEY as string }
			: null,
});
