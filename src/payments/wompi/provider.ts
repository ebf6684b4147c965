import { t } from "../../lib/errors";
import type {
	ChargeRequest,
	ChargeResult,
	Consulta,
	PaymentProvider,
	RefundRequest,
	RefundResult,
} from "../provider";
import { type TransaccionWompi, WompiCliente, type WompiConfig, WompiError } from "./cliente";
import { firmaIntegridad } from "./firmas";
import {
	type DetallePago,
	detalleDe,
	type MetodoWompi,
	necesitaExtra,
	paymentMethod,
} from "./metodos";

/** Wompi fills a bank's URL or a cash reference a moment after creating the transaction. */
const EXTRA_INTENTOS = 3;
const EXTRA_ESPERA_MS = 600;

/** PSE asks for the payer's name and phone; the others accept them. */
const customerData = (req: ChargeRequest) => {
	const telefono =
		(req.wompi?.metodo === "PSE" ? req.wompi.telefono : undefined) ?? req.comprador?.telefono;
	if (!req.comprador) return {};
	return {
		customer_data: {
			full_name: req.comprador.nombre,
			...(telefono ? { phone_number: telefono.startsWith("+") ? telefono : `+57${telefono}` } : {}),
		},
	};
};

const mensajeDe = (err: WompiError) =>
	err.mensajes ? JSON.stringify(err.mensajes).slice(0, 300) : `HTTP ${err.status}`;

/**
 * Payments through Wompi. One purchase is one Wompi transaction: its `reference` is our transaccion
 * id, which Wompi keeps unique, so a call retried after a lost answer finds the first transaction
 * instead of creating another. The answer to creating it never sells anything: the numbers are sold
 * on a verified event or on what `GET /transactions/{id}` says (`consultar`).
 */
export const wompiProvider = (config: WompiConfig, appUrl: string): PaymentProvider => {
	const wompi = new WompiCliente(config);

	/** The transaction with its extra filled in when the buyer needs it, as far as Wompi has it. */
	const conExtra = async (tx: TransaccionWompi, metodo: MetodoWompi): Promise<TransaccionWompi> => {
		let current = tx;
		for (let i = 0; i < EXTRA_INTENTOS; i++) {
			const d = detalleDe(metodo, current.reference, current.id, current.payment_method?.extra);
			if (!necesitaExtra(d) || current.status !== "PENDING") return current;
			await new Promise((r) => setTimeout(r, EXTRA_ESPERA_MS));
			current = await wompi.transaccion(current.id).catch(() => current);
		}
		return current;
	};

	const resultado = (tx: TransaccionWompi, metodo: MetodoWompi): ChargeResult => {
		if (tx.status === "DECLINED" || tx.status === "ERROR" || tx.status === "VOIDED") {
			return {
				status: "failed",
				providerRef: tx.id,
				reason: tx.status_message ?? tx.status,
			};
		}
		const detalle: DetallePago = detalleDe(metodo, tx.reference, tx.id, tx.payment_method?.extra);
		return { status: "requires_payment", providerRef: tx.id, detalle };
	};

	return {
		name: "wompi",
		charge: async (req: ChargeRequest): Promise<ChargeResult> => {
			const pago = req.wompi;
			if (!pago) throw new Error("a wompi charge needs its payment method");
			const aceptacion = await wompi.aceptacion();
			const expirationTime =
				req.expiresAt === undefined ? undefined : new Date(req.expiresAt).toISOString();
			const body = {
				acceptance_token: aceptacion.acceptance_token,
				accept_personal_auth: aceptacion.accept_personal_auth,
				amount_in_cents: req.amount,
				currency: req.currency,
				customer_email: req.email,
				reference: req.transaccionId,
				signature: await firmaIntegridad(
					{
						reference: req.transaccionId,
						amountInCents: req.amount,
						currency: req.currency,
						...(expirationTime ? { expirationTime } : {}),
					},
					config.integritySecret,
				),
				...(expirationTime ? { expiration_time: expirationTime } : {}),
				...customerData(req),
				redirect_url: `${appUrl.replace(/\/+$/, "")}/rifas/${req.rifaId}?transaccion=${req.transaccionId}`,
				payment_method: paymentMethod(pago),
			};
			let created: TransaccionWompi;
			try {
				created = await wompi.crearTransaccion(body);
			} catch (err) {
				// The first attempt may have created it and lost the answer: Wompi has it by our reference.
				const earlier = await wompi.porReferencia(req.transaccionId).catch(() => null);
				if (earlier) return resultado(await conExtra(earlier, pago.metodo), pago.metodo);
				if (err instanceof WompiError && err.rechazo) {
					return {
						status: "invalid",
						reason: t(
							`Wompi rechazó los datos del pago: ${mensajeDe(err)}`,
							`Wompi refused the payment's data: ${mensajeDe(err)}`,
						),
					};
				}
				throw err;
			}
			return resultado(await conExtra(created, pago.metodo), pago.metodo);
		},
		consultar: async (providerRef: string, transaccionId: string): Promise<Consulta | null> => {
			const tx = providerRef
				? await wompi.transaccion(providerRef)
				: await wompi.porReferencia(transaccionId);
			if (!tx) return null;
			const metodo = (tx.payment_method_type ?? tx.payment_method?.type ?? "") as MetodoWompi;
			return {
				estado: tx.status,
				providerRef: tx.id,
				amount: tx.amount_in_cents,
				currency: tx.currency,
				reference: tx.reference,
				detalle: detalleDe(metodo, tx.reference, tx.id, tx.payment_method?.extra),
			};
		},
		/**
		 * Cards are voided through Wompi; every other method has no refund in its API, so the money
		 * goes back by a transfer an admin makes and records (a manual refund).
		 */
		refund: async (req: RefundRequest): Promise<RefundResult> => {
			if (req.metodo !== "CARD" || !req.providerRef) return { manual: true };
			try {
				await wompi.anular(req.providerRef);
			} catch (err) {
				// Voided already (a retry), or not voidable any more: Wompi's own state decides.
				const tx = await wompi.transaccion(req.providerRef);
				if (tx.status === "VOIDED") return { providerRef: `void_${tx.id}` };
				if (err instanceof WompiError && err.rechazo) return { manual: true };
				throw err;
			}
			return { providerRef: `void_${req.providerRef}` };
		},
	};
};
