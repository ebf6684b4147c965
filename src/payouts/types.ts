export interface PayoutRequest {
	ganadorId: string;
	rifaId: string;
	/** COP centavos. */
	monto: number;
	/** Who holds the winning ticket: where they registered to be paid (Wompi). */
	usuarioId: string | null;
	/** The winner's Stripe Connect account, when they have one. */
	stripeAccountId: string | null;
}

/**
 * What a provider did for a prize. `{ referencia }`: paid. A provider that pays asynchronously may
 * answer `en_curso` (sent, not final yet: ask again later) or `fallido` (this attempt did not pay
 * and never will; a later one may). `null`: this winner cannot be paid by this provider; the
 * prize waits for a manual transfer.
 */
export type PayoutOutcome =
	| { referencia: string; estado?: "pagado" }
	| { referencia: string; estado: "en_curso" }
	| { referencia: string; estado: "fallido"; motivo: string }
	| null;

export interface PayoutProvider {
	readonly name: "sandbox" | "stripe" | "wompi";
	/** Whether this provider can pay this winner at all; false leaves the prize to an admin. */
	canPay(req: PayoutRequest): Promise<boolean>;
	/** Idempotent per ganador: a repeated call returns the first call's payment, or its progress. */
	pay(req: PayoutRequest): Promise<PayoutOutcome>;
	/** The payment already made for this ganador, if any; never moves money. */
	find(req: PayoutRequest): Promise<PayoutOutcome>;
}
