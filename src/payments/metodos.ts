import type { Logger } from "../lib/logger";
import { errorFields } from "../lib/logger";
import type { PaymentMethod } from "../rifa-room/room.types";
import { WompiCliente, wompiConfig } from "./wompi/cliente";
import { METODOS_WOMPI } from "./wompi/metodos";

/** Hours a cash payment at a corresponsal holds its numbers (`WOMPI_HORAS_EFECTIVO`). */
export const horasEfectivo = (env: Env): number => {
	const horas = Number(env.WOMPI_HORAS_EFECTIVO ?? 24);
	return Number.isFinite(horas) && horas > 0 ? horas : 24;
};

/** Who may name a method: any signed-in buyer (for itself), or staff selling in person. */
export type QuienPaga = "comprador" | "personal";
/** When the numbers are sold: at once, when the provider confirms, when the operador approves the
 * proof, or when the abonos reach the price. */
export type CuandoVende =
	| "inmediata"
	| "confirmacion_proveedor"
	| "revision_comprobante"
	| "abonos";

export interface DetalleMetodo {
	metodo: PaymentMethod;
	quien: QuienPaga;
	venta: CuandoVende;
	/** What the rifa must have for it: `reglas.abonos`, or `cuenta_transferencia` (GET /rifas/{id}). */
	requiere: "reglas.abonos" | "cuenta_transferencia" | null;
}

/** Every method this deployment takes, the online ones first, as `metodos` lists them. */
const detalle = (online: readonly PaymentMethod[]): DetalleMetodo[] => [
	...online.map(
		(metodo): DetalleMetodo => ({
			metodo,
			quien: "comprador",
			venta: metodo === "sandbox" ? "inmediata" : "confirmacion_proveedor",
			requiere: null,
		}),
	),
	{
		metodo: "transferencia",
		quien: "comprador",
		venta: "revision_comprobante",
		requiere: "cuenta_transferencia",
	},
	{ metodo: "efectivo", quien: "personal", venta: "inmediata", requiere: null },
	{ metodo: "abonos", quien: "personal", venta: "abonos", requiere: "reglas.abonos" },
];

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
	const metodos = [
		...(wompi ? (["wompi"] as const) : []),
		...(env.PAYMENTS_SANDBOX === "succeed" || env.PAYMENTS_SANDBOX === "fail"
			? (["sandbox"] as const)
			: []),
		...(env.STRIPE_SECRET_KEY ? (["stripe"] as const) : []),
	];
	return {
		metodos,
		detalle: detalle(metodos),
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
