/**
 * The ways a buyer pays through Wompi, as our API names their data, and how each becomes Wompi's
 * `payment_method`. Card numbers never reach us: the browser tokenizes the card with the public key.
 */
export const METODOS_WOMPI = [
	"NEQUI",
	"PSE",
	"BANCOLOMBIA_TRANSFER",
	"DAVIPLATA",
	"CARD",
	"BANCOLOMBIA_COLLECT",
] as const;
export type MetodoWompi = (typeof METODOS_WOMPI)[number];

export const TIPOS_DOCUMENTO = ["CC", "CE", "NIT", "PP", "TI", "DNI", "RG", "OTHER"] as const;

export type PagoWompi =
	| { metodo: "NEQUI"; telefono: string }
	| {
			metodo: "PSE";
			banco: string;
			tipo_persona: "natural" | "juridica";
			tipo_documento: (typeof TIPOS_DOCUMENTO)[number];
			documento: string;
			telefono?: string | undefined;
	  }
	| { metodo: "BANCOLOMBIA_TRANSFER" }
	| {
			metodo: "DAVIPLATA";
			tipo_documento: (typeof TIPOS_DOCUMENTO)[number];
			documento: string;
			telefono: string;
	  }
	| { metodo: "CARD"; token: string; cuotas: number }
	| { metodo: "BANCOLOMBIA_COLLECT" };

/** What the buyer needs to finish paying, as the purchase's answer and its status show it. */
export interface DetallePago {
	metodo: MetodoWompi;
	referencia: string;
	wompi_id: string;
	/** The bank's page (PSE, Bancolombia) where the buyer approves the payment. */
	redirect_url?: string;
	/** Cash at a Bancolombia corresponsal: the agreement and the reference to pay. */
	efectivo?: { convenio: string; referencia_pago: string };
}

/** Wompi caps `payment_description` at 30 characters. */
const DESCRIPCION = "Boletas Rifa1122";

export const paymentMethod = (pago: PagoWompi): Record<string, unknown> => {
	switch (pago.metodo) {
		case "NEQUI":
			return { type: "NEQUI", phone_number: pago.telefono };
		case "PSE":
			return {
				type: "PSE",
				user_type: pago.tipo_persona === "juridica" ? 1 : 0,
				user_legal_id_type: pago.tipo_documento,
				user_legal_id: pago.documento,
				financial_institution_code: pago.banco,
				payment_description: DESCRIPCION,
			};
		case "BANCOLOMBIA_TRANSFER":
			return {
				type: "BANCOLOMBIA_TRANSFER",
				user_type: "PERSON",
				payment_description: DESCRIPCION,
			};
		case "DAVIPLATA":
			// The buyer confirms with a one-time code on Wompi's page (`extra.url`).
			return {
				type: "DAVIPLATA",
				user_legal_id_type: pago.tipo_documento,
				user_legal_id: pago.documento,
				payment_description: DESCRIPCION,
			};
		case "CARD":
			return { type: "CARD", token: pago.token, installments: pago.cuotas };
		case "BANCOLOMBIA_COLLECT":
			return { type: "BANCOLOMBIA_COLLECT" };
	}
};

/** What the buyer needs from a transaction's `payment_method.extra`, once Wompi has filled it. */
export const detalleDe = (
	metodo: MetodoWompi,
	referencia: string,
	wompiId: string,
	extra: Record<string, unknown> | null | undefined,
): DetallePago => {
	const texto = (k: string) => (typeof extra?.[k] === "string" ? (extra[k] as string) : undefined);
	// PSE and Bancolombia send the buyer to the bank; Daviplata to Wompi's one-time-code page.
	const url = texto("async_payment_url") ?? (metodo === "DAVIPLATA" ? texto("url") : undefined);
	const convenio = texto("business_agreement_code");
	const referenciaPago = texto("payment_intention_identifier");
	return {
		metodo,
		referencia,
		wompi_id: wompiId,
		...(url && /^https?:\/\//.test(url) ? { redirect_url: url } : {}),
		...(convenio && referenciaPago
			? { efectivo: { convenio, referencia_pago: referenciaPago } }
			: {}),
	};
};

/** The buyer leaves for another page (a bank) or a corresponsal: the answer must carry where to. */
export const necesitaExtra = (d: DetallePago): boolean =>
	d.metodo === "PSE" || d.metodo === "BANCOLOMBIA_TRANSFER"
		? !d.redirect_url
		: d.metodo === "BANCOLOMBIA_COLLECT"
			? !d.efectivo
			: false;
