import { type Texto, t } from "../lib/errors";
import type { PaymentMethod } from "../rifa-room/room.types";
import { stripeProvider } from "./stripe";
import { requireWompi } from "./wompi/cliente";
import type { DetallePago, PagoWompi } from "./wompi/metodos";
import { wompiProvider } from "./wompi/provider";

export interface ChargeRequest {
	transaccionId: string;
	rifaId: string;
	userId: string;
	amount: number;
	currency: "COP";
	/** The buyer's email, name and phone, for providers that ask for them (Wompi). */
	email?: string | undefined;
	comprador?: { nombre: string; telefono: string | null } | undefined;
	/** When the hold ends: a provider that can (Wompi) refuses payment after it. */
	expiresAt?: number;
	/** How the buyer pays through Wompi. */
	wompi?: PagoWompi | undefined;
}

export type ChargeResult =
	| { status: "succeeded"; providerRef: string }
	| { status: "failed"; providerRef: string | null; reason: string }
	| {
			status: "requires_payment";
			providerRef: string;
			clientSecret?: string;
			/** What the buyer needs to finish paying; the provider is then asked until it decides. */
			detalle?: DetallePago;
	  }
	/** The provider refused the payment's data: nothing was charged and a retry cannot help. */
	| { status: "invalid"; reason: Texto };

export interface RefundRequest {
	transaccionId: string;
	providerRef: string;
	reason: string;
	/** The provider's own payment method (Wompi's CARD, NEQUI…), where refunds depend on it. */
	metodo?: string | null;
}

/** The provider's refund reference, or `manual`: it has no refund for this payment (see reembolsos). */
export type RefundResult = { providerRef: string } | { manual: true };

/** What the provider says of a payment now, read from its API. */
export interface Consulta {
	estado: "PENDING" | "APPROVED" | "DECLINED" | "ERROR" | "VOIDED";
	providerRef: string;
	amount: number;
	currency: string;
	reference: string;
	detalle: DetallePago;
}

export interface PaymentProvider {
	readonly name: PaymentMethod;
	charge(req: ChargeRequest): Promise<ChargeResult>;
	/** For providers that decide without I/O: lets the room hold and settle in one atomic step. */
	chargeNow?(req: ChargeRequest): ChargeResult;
	/** Idempotent per transaccion. */
	refund(req: RefundRequest): Promise<RefundResult>;
	/** For providers whose events may be lost: the room asks until the payment is decided. */
	consultar?(providerRef: string, transaccionId: string): Promise<Consulta | null>;
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

/**
 * Cash in a seller's hand: sold at once, owed by the seller's box. Given back by hand: a refund is
 * manual (reembolsos).
 */
const efectivo: PaymentProvider = {
	name: "efectivo",
	chargeNow: (req) => ({ status: "succeeded", providerRef: `efectivo_${req.transaccionId}` }),
	charge: async (req) => ({ status: "succeeded", providerRef: `efectivo_${req.transaccionId}` }),
	refund: async () => ({ manual: true }),
};

/**
 * A Nequi or bank transfer the buyer makes by itself: the numbers wait for its proof, which the
 * rifa's staff review by hand (comprobantes); a proof is never itself the payment. A refund is
 * a transfer back, by hand.
 */
const transferencia: PaymentProvider = {
	name: "transferencia",
	charge: async (req) => ({
		status: "requires_payment",
		providerRef: `transferencia_${req.transaccionId}`,
	}),
	refund: async () => ({ manual: true }),
};

/** Instalments: the room records each abono and sells when they reach the price (abonos.ts). */
const abonos: PaymentProvider = {
	name: "abonos",
	charge: async (req) => ({
		status: "requires_payment",
		providerRef: `abonos_${req.transaccionId}`,
	}),
	refund: async () => ({ manual: true }),
};

export const paymentProvider = (env: Env, method: PaymentMethod): PaymentProvider => {
	if (method === "efectivo") return efectivo;
	if (method === "abonos") return abonos;
	if (method === "transferencia") return transferencia;
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
	if (method === "wompi") return wompiProvider(requireWompi(env), env.APP_URL);
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
