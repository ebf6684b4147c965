import { t } from "../../lib/errors";
import { PaymentUnavailableError } from "../provider";

/** A transaction as Wompi returns it (`data` of `GET /transactions/{id}`); the parts we read. */
export interface TransaccionWompi {
	id: string;
	reference: string;
	amount_in_cents: number;
	currency: string;
	status: EstadoWompi;
	status_message?: string | null;
	payment_method_type?: string;
	payment_method?: { type?: string; extra?: Record<string, unknown> | null } | null;
	created_at?: string;
	finalized_at?: string | null;
}

export const ESTADOS_FINALES = ["APPROVED", "DECLINED", "ERROR", "VOIDED"] as const;
export type EstadoWompi = "PENDING" | (typeof ESTADOS_FINALES)[number];

export const esFinal = (s: string): s is (typeof ESTADOS_FINALES)[number] =>
	(ESTADOS_FINALES as readonly string[]).includes(s);

export interface Aceptacion {
	acceptance_token: string;
	terminos_url: string;
	accept_personal_auth: string;
	datos_personales_url: string;
}

export interface BancoPse {
	codigo: string;
	nombre: string;
}

/** What Wompi answered to a call, as our code needs to tell cases apart. */
export class WompiError extends Error {
	constructor(
		readonly status: number,
		readonly tipo: string | null,
		readonly mensajes: Record<string, unknown> | null,
	) {
		super(`Wompi answered ${status}${tipo ? ` ${tipo}` : ""}`);
	}
	/** Wompi refused the data itself (a 4xx other than auth): retrying the same call cannot help. */
	get rechazo(): boolean {
		return this.status === 400 || this.status === 404 || this.status === 422;
	}
}

export interface WompiConfig {
	publicKey: string;
	privateKey: string;
	integritySecret: string;
	eventsSecret: string | null;
	baseUrl: string;
	entorno: "test" | "prod";
}

const BASES = {
	test: "https://sandbox.wompi.co/v1",
	prod: "https://production.wompi.co/v1",
} as const;

/**
 * Wompi as this deployment is configured, or null while it is not. The environment follows the key
 * prefix; keys of different environments are a configuration error. `WOMPI_API_URL` points at a
 * local stand-in only in development with test keys, so production keys only ever go to Wompi.
 */
export const wompiConfig = (env: Env): WompiConfig | null => {
	const pub = env.WOMPI_PUBLIC_KEY ?? "";
	const prv = env.WOMPI_PRIVATE_KEY ?? "";
	const integrity = env.WOMPI_INTEGRITY_SECRET ?? "";
	if (!pub || !prv || !integrity) return null;
	const entorno = pub.startsWith("pub_test_")
		? "test"
		: pub.startsWith("pub_prod_")
			? "prod"
			: null;
	if (!entorno || !prv.startsWith(entorno === "test" ? "prv_test_" : "prv_prod_")) return null;
	const local =
		env.ENVIRONMENT === "development" && entorno === "test" && env.WOMPI_API_URL
			? env.WOMPI_API_URL.replace(/\/+$/, "")
			: null;
	return {
		publicKey: pub,
		privateKey: prv,
		integritySecret: integrity,
		eventsSecret: env.WOMPI_EVENTS_SECRET || null,
		baseUrl: local ?? BASES[entorno],
		entorno,
	};
};

export const requireWompi = (env: Env): WompiConfig => {
	const config = wompiConfig(env);
	if (!config)
		throw new PaymentUnavailableError(
			t(
				"El método de pago wompi no está configurado.",
				"The wompi payment method is not configured.",
			),
		);
	return config;
};

const TIMEOUT_MS = 10_000;
const ACEPTACION_TTL_MS = 5 * 60_000;
const BANCOS_TTL_MS = 60 * 60_000;

// Per isolate: the merchant's acceptance tokens change rarely, and every purchase needs them.
const aceptaciones = new Map<string, { valor: Aceptacion; hasta: number }>();
const bancos = new Map<string, { valor: BancoPse[]; hasta: number }>();

/** Wompi's REST API: one request per call, JSON in and out, errors as WompiError. */
export class WompiCliente {
	constructor(readonly config: WompiConfig) {}

	private async llamar<T>(
		method: "GET" | "POST",
		path: string,
		opts: { privada?: boolean; body?: unknown } = {},
	): Promise<T> {
		const key = opts.privada === false ? this.config.publicKey : this.config.privateKey;
		const res = await fetch(`${this.config.baseUrl}${path}`, {
			method,
			headers: {
				Authorization: `Bearer ${key}`,
				Accept: "application/json",
				...(opts.body === undefined ? {} : { "Content-Type": "application/json" }),
			},
			...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
			signal: AbortSignal.timeout(TIMEOUT_MS),
		});
		const json = (await res.json().catch(() => null)) as {
			data?: T;
			error?: { type?: string; messages?: Record<string, unknown>; reason?: string };
		} | null;
		if (!res.ok || !json || json.data === undefined) {
			throw new WompiError(
				res.status,
				json?.error?.type ?? null,
				json?.error?.messages ?? (json?.error?.reason ? { reason: json.error.reason } : null),
			);
		}
		return json.data;
	}

	/** The terms and personal-data authorization the buyer accepts, and their tokens. */
	async aceptacion(): Promise<Aceptacion> {
		const cached = aceptaciones.get(this.config.baseUrl + this.config.publicKey);
		if (cached && cached.hasta > Date.now()) return cached.valor;
		const data = await this.llamar<{
			presigned_acceptance: { acceptance_token: string; permalink: string };
			presigned_personal_data_auth: { acceptance_token: string; permalink: string };
		}>("GET", `/merchants/${encodeURIComponent(this.config.publicKey)}`, { privada: false });
		const valor: Aceptacion = {
			acceptance_token: data.presigned_acceptance.acceptance_token,
			terminos_url: data.presigned_acceptance.permalink,
			accept_personal_auth: data.presigned_personal_data_auth.acceptance_token,
			datos_personales_url: data.presigned_personal_data_auth.permalink,
		};
		aceptaciones.set(this.config.baseUrl + this.config.publicKey, {
			valor,
			hasta: Date.now() + ACEPTACION_TTL_MS,
		});
		return valor;
	}

	crearTransaccion(body: Record<string, unknown>): Promise<TransaccionWompi> {
		return this.llamar("POST", "/transactions", { body });
	}

	transaccion(id: string): Promise<TransaccionWompi> {
		return this.llamar("GET", `/transactions/${encodeURIComponent(id)}`);
	}

	/** The transaction created with our reference, if Wompi has one. */
	async porReferencia(reference: string): Promise<TransaccionWompi | null> {
		const list = await this.llamar<TransaccionWompi[]>(
			"GET",
			`/transactions?reference=${encodeURIComponent(reference)}`,
		);
		return list.find((t) => t.reference === reference) ?? null;
	}

	/** Voids an approved card payment; Wompi allows it for cards only. */
	anular(id: string): Promise<unknown> {
		return this.llamar("POST", `/transactions/${encodeURIComponent(id)}/void`, { body: {} });
	}

	async bancosPse(): Promise<BancoPse[]> {
		const cached = bancos.get(this.config.baseUrl);
		if (cached && cached.hasta > Date.now()) return cached.valor;
		const data = await this.llamar<
			{ financial_institution_code: string; financial_institution_name: string }[]
		>("GET", "/pse/financial_institutions", { privada: false });
		const valor = data.map((b) => ({
			codigo: b.financial_institution_code,
			nombre: b.financial_institution_name,
		}));
		bancos.set(this.config.baseUrl, { valor, hasta: Date.now() + BANCOS_TTL_MS });
		return valor;
	}
}
