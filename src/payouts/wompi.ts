import { wompiConfig } from "../payments/wompi/cliente";

/** Wompi's payouts API ("Pagos a terceros") as this deployment is configured. */
export interface WompiPagosConfig {
	apiKey: string;
	principal: string;
	eventsSecret: string | null;
	accountId: string | null;
	baseUrl: string;
	entorno: "test" | "prod";
}

const BASES = {
	test: "https://api.sandbox.payouts.wompi.co",
	prod: "https://api.payouts.wompi.co",
} as const;

/**
 * Null while the key pair is missing or Wompi's public key names no environment. The environment
 * follows WOMPI_PUBLIC_KEY's prefix, as payments do; `WOMPI_PAYOUTS_API_URL` points at a local
 * stand-in only in development with test keys, so production keys only ever go to Wompi.
 */
export const wompiPagosConfig = (env: Env): WompiPagosConfig | null => {
	const entorno = wompiConfig(env)?.entorno;
	const apiKey = env.WOMPI_PAYOUTS_API_KEY ?? "";
	const principal = env.WOMPI_PAYOUTS_USER_PRINCIPAL_ID ?? "";
	if (!entorno || !apiKey || !principal) return null;
	const local =
		env.ENVIRONMENT === "development" && entorno === "test" && env.WOMPI_PAYOUTS_API_URL
			? env.WOMPI_PAYOUTS_API_URL.replace(/\/+$/, "")
			: null;
	return {
		apiKey,
		principal,
		eventsSecret: env.WOMPI_PAYOUTS_EVENTS_SECRET || null,
		accountId: env.WOMPI_PAYOUTS_ACCOUNT_ID || null,
		baseUrl: local ?? BASES[entorno],
		entorno,
	};
};

/** A payouts-API error answer (`{status, code, message, type}`), or a status with no body. */
export class WompiPagosError extends Error {
	constructor(
		readonly status: number,
		readonly code: string | null,
		readonly detalle: string | null,
	) {
		super(
			`Wompi payouts answered ${status}${code ? ` ${code}` : ""}${detalle ? `: ${detalle}` : ""}`,
		);
	}
	/** Wompi refused the request itself: repeating it cannot help. */
	get rechazo(): boolean {
		return this.status >= 400 && this.status < 500 && this.status !== 401 && this.status !== 429;
	}
	/** Wompi already processed this idempotency key (bank `EXC_022`, Bre-B `EXC_032`). */
	get yaProcesada(): boolean {
		return this.status === 409 || this.code === "EXC_022" || this.code === "EXC_032";
	}
}

export type VersionPagos = "v1" | "v2";

export interface LlaveResuelta {
	titular: string;
	entidad: string;
	tipoLlave: string;
}

export interface BancoPagos {
	id: string;
	nombre: string;
	codigo: string;
	depositoElectronico: boolean;
}

/** A batch (`data` of `GET /payouts/{id}` and a `records` item of `GET /v1/payouts`). */
export interface LotePagos {
	id: string;
	reference: string;
	amountInCents: number;
	status: string;
}

/** One dispersal of a batch (a `records` item of `GET /payouts/{id}/transactions`). */
export interface DispersionPagos {
	id: string;
	status: string;
	amountInCents: number;
	reference: string | null;
	failureReason?: unknown;
}

export interface LoteCreado {
	payoutId: string;
	transactions: number;
	success: number;
	failed: number;
}

const TIMEOUT_MS = 10_000;
const BANCOS_TTL_MS = 60 * 60_000;

// Per isolate: the bank list and the origin account change rarely, and are read on every payout.
const bancosCache = new Map<string, { valor: BancoPagos[]; hasta: number }>();
const cuentasOrigen = new Map<string, string>();

const texto = (v: unknown): string | null =>
	typeof v === "string" ? v : Array.isArray(v) ? v.map(String).join("; ") : null;

export class WompiPagos {
	constructor(readonly config: WompiPagosConfig) {}

	private async llamar<T>(
		method: "GET" | "POST",
		path: string,
		opts: { body?: unknown; idempotencyKey?: string; sinSobre?: boolean } = {},
	): Promise<T> {
		const res = await fetch(`${this.config.baseUrl}${path}`, {
			method,
			headers: {
				"x-api-key": this.config.apiKey,
				"user-principal-id": this.config.principal,
				Accept: "application/json",
				...(opts.idempotencyKey ? { "idempotency-key": opts.idempotencyKey } : {}),
				...(opts.body === undefined ? {} : { "Content-Type": "application/json" }),
			},
			...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
			signal: AbortSignal.timeout(TIMEOUT_MS),
		});
		const json = (await res.json().catch(() => null)) as Record<string, unknown> | null;
		if (!res.ok || json === null) {
			throw new WompiPagosError(res.status, texto(json?.code), texto(json?.message));
		}
		// `/banks` answers a bare array; the rest wrap their answer in `data`.
		if (opts.sinSobre) return json as T;
		if (json.data === undefined) throw new WompiPagosError(res.status, null, "sin data");
		return json.data as T;
	}

	/** `GET /v2/breb/keys/resolve/{key}`: the holder's name comes back masked by design. */
	async resolverLlave(llave: string): Promise<LlaveResuelta> {
		const data = await this.llamar<{
			holderName: string;
			keyType: string;
			financialEntity?: { name?: string } | null;
		}>("GET", `/v2/breb/keys/resolve/${encodeURIComponent(llave)}`);
		return {
			titular: data.holderName,
			entidad: data.financialEntity?.name ?? "",
			tipoLlave: data.keyType,
		};
	}

	async bancos(): Promise<BancoPagos[]> {
		const cached = bancosCache.get(this.config.baseUrl);
		if (cached && cached.hasta > Date.now()) return cached.valor;
		const data = await this.llamar<
			{ id: string; name: string; code: string; isElectronicDeposit?: boolean }[]
		>("GET", "/v1/banks", { sinSobre: true });
		const valor = data.map((b) => ({
			id: b.id,
			nombre: b.name,
			codigo: b.code,
			depositoElectronico: b.isElectronicDeposit === true,
		}));
		bancosCache.set(this.config.baseUrl, { valor, hasta: Date.now() + BANCOS_TTL_MS });
		return valor;
	}

	/** WOMPI_PAYOUTS_ACCOUNT_ID, or the first ACTIVE account Wompi lists. */
	async cuentaOrigen(): Promise<string> {
		if (this.config.accountId) return this.config.accountId;
		const clave = this.config.baseUrl + this.config.apiKey;
		const cached = cuentasOrigen.get(clave);
		if (cached) return cached;
		const cuentas = await this.llamar<{ id: string; status: string }[]>("GET", "/v1/accounts");
		const activa = cuentas.find((c) => c.status === "ACTIVE");
		if (!activa) throw new WompiPagosError(404, null, "no hay una cuenta de origen activa");
		cuentasOrigen.set(clave, activa.id);
		return activa.id;
	}

	crearLote(version: VersionPagos, body: unknown, idempotencyKey: string): Promise<LoteCreado> {
		return this.llamar("POST", `/${version}/payouts`, { body, idempotencyKey });
	}

	/** The batch created with this reference, if Wompi lists one. */
	async lotePorReferencia(reference: string): Promise<LotePagos | null> {
		const data = await this.llamar<{ records?: LotePagos[] }>(
			"GET",
			`/v1/payouts?reference=${encodeURIComponent(reference)}`,
		);
		return data.records?.find((l) => l.reference === reference) ?? null;
	}

	lote(version: VersionPagos, id: string): Promise<LotePagos> {
		return this.llamar("GET", `/${version}/payouts/${encodeURIComponent(id)}`);
	}

	async dispersiones(version: VersionPagos, id: string): Promise<DispersionPagos[]> {
		const data = await this.llamar<{ records?: DispersionPagos[] }>(
			"GET",
			`/${version}/payouts/${encodeURIComponent(id)}/transactions`,
		);
		return data.records ?? [];
	}
}
