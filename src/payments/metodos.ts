import type { Logger } from "../lib/logger";
import { errorFields } from "../lib/logger";
import { WompiCliente, wompiConfig } from "./wompi/cliente";
import { METODOS_WOMPI } from "./wompi/metodos";

/** Hours a cash payment at a corresponsal holds its numbers (`WOMPI_HORAS_EFECTIVO`). */
export const horasEfectivo = (env: Env): number => {
	const horas = Number(env.WOMPI_HORAS_EFECTIVO ?? 24);
	return Number.isFinite(horas) && horas > 0 ? horas : 24;
};

/**
 * The methods a purchase may name here, and what a browser needs for each: Stripe's publishable
 * key, Wompi's public key and the links to the terms its buyers accept. Public keys are public by
 * design; Wompi's links are read from Wompi and left null when it does not answer.
 */
export const metodosDePago = async (env: Env, log: Logger) => {
	const wompi = wompiConfig(env);
	let aceptacion: { terminos_url: string; datos_personales_url: string } | null = null;
	if (wompi) {
		aceptacion = await new WompiCliente(wompi).aceptacion().catch((err: unknown) => {
			log.warn("Wompi's acceptance links not read", { error: errorFields(err) });
			return null;
		});
	}
	return {
		metodos: [
			...(wompi ? (["wompi"] as const) : []),
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
		wompi: wompi
			? {
					public_key: wompi.publicKey,
					entorno: wompi.entorno,
					api_url: wompi.baseUrl,
					metodos: [...METODOS_WOMPI],
					terminos_url: aceptacion?.terminos_url ?? null,
					datos_personales_url: aceptacion?.datos_personales_url ?? null,
					horas_efectivo: horasEfectivo(env),
				}
			: null,
	};
};
