import { CompactSign, compactVerify, importJWK } from "jose";
import type { Jwk, Jwks } from "../verificacion/tipos";

export type { Jwks };

/** The bindings this module reads (both secrets). */
export interface ClavesEnv {
	/** The current signing key: a private Ed25519 JWK, as JSON, with its `kid`. */
	RECIBOS_CLAVE_PRIVADA?: string | undefined;
	/** Public JWKs retired by a rotation, still published: a JSON array or a JWKS `{keys: [...]}`. */
	RECIBOS_CLAVES_ANTERIORES?: string | undefined;
}

/** A published key and its validity window (the verifier's own type: one definition of a key). */
export type ClavePublica = Jwk;

export interface Firmante {
	/** The `kid` of the current key, in every JWS it signs. */
	readonly kid: string;
	/**
	 * A compact JWS with protected header `{alg: "EdDSA", kid, typ}` over the JSON of `payload`.
	 * Ed25519 is deterministic: the same payload and `typ` always give the same JWS.
	 */
	firmar(payload: object, typ: string): Promise<string>;
}

/**
 * A secret that is set but unusable. Its message names the secret and what is wrong, never any
 * part of the value, and it has no `cause` (a JSON or WebCrypto error may quote the input).
 */
export class ClavesConfigError extends Error {
	override name = "ClavesConfigError";
}

const PRIVADA = "RECIBOS_CLAVE_PRIVADA";
const ANTERIORES = "RECIBOS_CLAVES_ANTERIORES";
/** 32 bytes in unpadded base64url: the size of an Ed25519 public key and seed. */
const CLAVE_32_BYTES = /^[A-Za-z0-9_-]{43}$/;
const encoder = new TextEncoder();

type Miembros = Record<string, unknown>;

const esObjeto = (v: unknown): v is Miembros =>
	typeof v === "object" && v !== null && !Array.isArray(v);

const parsear = (valor: string, nombre: string): unknown => {
	try {
		return JSON.parse(valor);
	} catch {
		throw new ClavesConfigError(`${nombre} is not valid JSON`);
	}
};

const instante = (v: unknown) =>
	typeof v === "string" && /^\d{4}-\d{2}-\d{2}T/.test(v) && !Number.isNaN(Date.parse(v));

/**
 * `kty`, `crv`, `x`, `kid`, `desde` (and `hasta` for a retired key), and the optional `alg`/`use`
 * a JWK for this purpose may carry.
 */
const validarPublica = (jwk: Miembros, nombre: string, retirada: boolean): ClavePublica => {
	if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519") {
		throw new ClavesConfigError(`${nombre} must be an Ed25519 JWK (kty "OKP", crv "Ed25519")`);
	}
	if (typeof jwk.x !== "string" || !CLAVE_32_BYTES.test(jwk.x)) {
		throw new ClavesConfigError(`${nombre} needs "x", the 32-byte public key in base64url`);
	}
	if (typeof jwk.kid !== "string" || jwk.kid.trim() === "") {
		throw new ClavesConfigError(`${nombre} needs a non-empty "kid"`);
	}
	if (jwk.alg !== undefined && jwk.alg !== "EdDSA" && jwk.alg !== "Ed25519") {
		throw new ClavesConfigError(`${nombre} has an "alg" other than EdDSA`);
	}
	if (jwk.use !== undefined && jwk.use !== "sig") {
		throw new ClavesConfigError(`${nombre} has a "use" other than "sig"`);
	}
	if (!instante(jwk.desde)) {
		throw new ClavesConfigError(
			`${nombre} needs "desde", the ISO-8601 instant from which it signs (e.g. "2026-12-01T00:00:00Z")`,
		);
	}
	const desde = new Date(jwk.desde as string).toISOString();
	if (!retirada) {
		if (jwk.hasta !== undefined)
			throw new ClavesConfigError(`${nombre} is the current key: it has no "hasta"`);
		return { kty: "OKP", crv: "Ed25519", x: jwk.x, kid: jwk.kid, alg: "EdDSA", use: "sig", desde };
	}
	if (!instante(jwk.hasta) || Date.parse(jwk.hasta as string) <= Date.parse(desde)) {
		throw new ClavesConfigError(
			`${nombre} is a retired key: it needs "hasta", the instant it stopped signing, after its "desde"`,
		);
	}
	const hasta = new Date(jwk.hasta as string).toISOString();
	return {
		kty: "OKP",
		crv: "Ed25519",
		x: jwk.x,
		kid: jwk.kid,
		alg: "EdDSA",
		use: "sig",
		desde,
		hasta,
	};
};

const importar = async (jwk: Miembros, nombre: string) => {
	try {
		const key = await importJWK(jwk, "EdDSA", { extractable: false });
		if (key instanceof Uint8Array) throw new Error("not an asymmetric key");
		return key;
	} catch {
		throw new ClavesConfigError(`${nombre} could not be imported as an Ed25519 key`);
	}
};

const nuevoFirmante = (kid: string, key: CryptoKey): Firmante => ({
	kid,
	firmar: async (payload, typ) => {
		if (!typ) throw new TypeError("firmar needs a typ");
		return new CompactSign(encoder.encode(JSON.stringify(payload)))
			.setProtectedHeader({ alg: "EdDSA", kid, typ })
			.sign(key);
	},
});

const cargarPrivada = async (valor: string, nombre = PRIVADA, retirada = false) => {
	const jwk = parsear(valor, nombre);
	if (!esObjeto(jwk)) throw new ClavesConfigError(`${nombre} must be a JSON object (a JWK)`);
	const publica = validarPublica(jwk, nombre, retirada);
	if (typeof jwk.d !== "string" || !CLAVE_32_BYTES.test(jwk.d)) {
		throw new ClavesConfigError(`${nombre} needs "d", the 32-byte private key in base64url`);
	}
	// Only the members WebCrypto needs: a `key_ops` copied from elsewhere must not narrow the key.
	const privateKey = await importar({ kty: "OKP", crv: "Ed25519", d: jwk.d, x: publica.x }, nombre);
	const publicKey = await importar({ kty: "OKP", crv: "Ed25519", x: publica.x }, nombre);
	const firmante = nuevoFirmante(publica.kid, privateKey);
	// WebCrypto does not check that `x` is the public half of `d`; a mismatch would publish a key
	// that verifies none of the receipts, so it is caught here instead of by every buyer.
	const prueba = await firmante.firmar({ prueba: "rifa1122" }, "rifa1122-autoprueba");
	try {
		await compactVerify(prueba, publicKey, { algorithms: ["EdDSA"] });
	} catch {
		throw new ClavesConfigError(`${nombre}: "x" is not the public key of "d"`);
	}
	return { firmante, publica };
};

const cargarAnteriores = (valor: string): ClavePublica[] => {
	const parsed = parsear(valor, ANTERIORES);
	const lista = Array.isArray(parsed) ? parsed : esObjeto(parsed) ? parsed.keys : undefined;
	if (!Array.isArray(lista)) {
		throw new ClavesConfigError(
			`${ANTERIORES} must be a JSON array of JWKs or a JWKS {"keys": [...]}`,
		);
	}
	return lista.map((jwk: unknown, i) => {
		const nombre = `${ANTERIORES}[${i}]`;
		if (!esObjeto(jwk)) throw new ClavesConfigError(`${nombre} must be a JSON object (a JWK)`);
		if (jwk.d !== undefined) {
			throw new ClavesConfigError(`${nombre} must be a public key: remove its "d"`);
		}
		return validarPublica(jwk, nombre, true);
	});
};

interface Claves {
	firmante: Firmante | null;
	jwks: Jwks;
}

const cargar = async (privada: string | undefined, anteriores: string | undefined) => {
	const actual = privada ? await cargarPrivada(privada) : null;
	const previas = anteriores ? cargarAnteriores(anteriores) : [];
	const kids = new Set(actual ? [actual.publica.kid] : []);
	for (const [i, clave] of previas.entries()) {
		// A receipt names its key by kid alone: two keys with one kid would make it ambiguous.
		if (kids.has(clave.kid)) {
			throw new ClavesConfigError(
				`${ANTERIORES}[${i}] repeats the kid of ${actual?.publica.kid === clave.kid ? PRIVADA : "another previous key"}`,
			);
		}
		kids.add(clave.kid);
		await importar({ kty: "OKP", crv: "Ed25519", x: clave.x }, `${ANTERIORES}[${i}]`);
	}
	return {
		firmante: actual?.firmante ?? null,
		jwks: { keys: [...(actual ? [actual.publica] : []), ...previas] },
	};
};

/** Per isolate, by the secrets' values: a rotation (new values) loads the new keys. */
const cache = new Map<string, Promise<Claves>>();

const claves = (env: ClavesEnv): Promise<Claves> | null => {
	const privada = env.RECIBOS_CLAVE_PRIVADA?.trim() || undefined;
	const anteriores = env.RECIBOS_CLAVES_ANTERIORES?.trim() || undefined;
	if (!privada && !anteriores) return null;
	const clave = JSON.stringify([privada ?? null, anteriores ?? null]);
	let cargadas = cache.get(clave);
	if (!cargadas) {
		cargadas = cargar(privada, anteriores);
		cache.set(clave, cargadas);
		// A failure is not kept: the error is thrown to every caller until the secret is fixed.
		cargadas.catch(() => cache.delete(clave));
	}
	return cargadas;
};

/**
 * The receipt signer, or null when `RECIBOS_CLAVE_PRIVADA` is not set (receipts are off). Throws
 * `ClavesConfigError` when either secret is set but invalid, so a bad rotation shows at once.
 */
export const firmante = async (env: ClavesEnv): Promise<Firmante | null> =>
	(await claves(env))?.firmante ?? null;

/**
 * The published public keys: the current one first, then the previous ones in their order. Null
 * when neither secret is set. Built member by member, so no private member can reach it.
 */
export const jwks = async (env: ClavesEnv): Promise<Jwks | null> => {
	const cargadas = await claves(env);
	return cargadas && cargadas.jwks.keys.length > 0 ? cargadas.jwks : null;
};

/**
 * A signer for a retired key's private half, accepted only when this deployment publishes that
 * very key as retired: what it signs verifies within the window the JWKS already states.
 */
export const firmanteRetirado = async (
	env: ClavesEnv,
	privada: string,
): Promise<{ firmante: Firmante; publica: ClavePublica }> => {
	const nombre = "the retired key";
	const cargada = await cargarPrivada(privada, nombre, true);
	const publicada = (await jwks(env))?.keys.find((k) => k.kid === cargada.publica.kid);
	const igual =
		publicada?.hasta !== undefined &&
		publicada.x === cargada.publica.x &&
		publicada.desde === cargada.publica.desde &&
		publicada.hasta === cargada.publica.hasta;
	if (!igual) {
		throw new ClavesConfigError(
			`${nombre} (${cargada.publica.kid}) is not published as retired with this window in ${ANTERIORES}`,
		);
	}
	return cargada;
};
