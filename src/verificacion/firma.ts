import { base64url, compactVerify, decodeProtectedHeader, importJWK } from "jose";
import { problemaCabecera, problemaJwks } from "./guardas.ts";
import type { Jwk, Jwks, Typ } from "./tipos.ts";

export type Firma =
	| { ok: true; payload: unknown; kid: string }
	| { ok: false; detalle: string; payload: unknown };

const decoder = new TextDecoder();

/** The payload as JSON without checking anything, so later checks can still say what they see. */
export const payloadSinVerificar = (jws: string): unknown => {
	try {
		return JSON.parse(decoder.decode(base64url.decode(jws.split(".")[1] ?? "")));
	} catch {
		return undefined;
	}
};

const vigencia = (jwk: Jwk) => `desde ${jwk.desde}${jwk.hasta ? ` hasta ${jwk.hasta}` : ""}`;

/**
 * Verifies a JWS against the published keys: the header, the Ed25519 signature, and that the key
 * signed it while in force. `fecha` is the instant the payload says it was made (a sale, a seal,
 * an acta); a key signs only what is dated inside its window, so a key leaked after it was
 * retired cannot make anything that passes as new.
 */
export const verificarFirma = async (
	jws: string,
	jwks: Jwks,
	typ: Typ,
	fecha: (payload: unknown) => unknown,
): Promise<Firma> => {
	const payload = payloadSinVerificar(jws);
	const falla = (detalle: string): Firma => ({ ok: false, detalle, payload });
	let cabecera: Record<string, unknown>;
	try {
		cabecera = decodeProtectedHeader(jws);
	} catch {
		return falla("No es un JWS compacto legible");
	}
	const malo = problemaCabecera(cabecera, typ);
	if (malo) {
		return falla(
			`Cabecera: ${malo} = ${JSON.stringify(cabecera[malo] ?? null)} (se espera alg "EdDSA", typ "${typ}" y un kid)`,
		);
	}
	const kid = cabecera.kid as string;
	const jwksMalo = problemaJwks(jwks);
	if (jwksMalo) return falla(`El JWKS no es válido (${jwksMalo})`);
	const jwk = jwks.keys.find((k) => k.kid === kid);
	if (!jwk) return falla(`La clave ${kid} no está entre las claves publicadas (JWKS)`);
	let verificado: unknown;
	try {
		const clave = await importJWK({ kty: jwk.kty, crv: jwk.crv, x: jwk.x }, "EdDSA");
		const { payload: bytes } = await compactVerify(jws, clave, { algorithms: ["EdDSA"] });
		try {
			verificado = JSON.parse(decoder.decode(bytes));
		} catch {
			verificado = undefined;
		}
	} catch {
		return falla(
			`La firma no corresponde a la clave ${kid}: el contenido fue alterado o no lo firmó esta clave`,
		);
	}
	const cuando = fecha(verificado);
	if (typeof cuando === "string" && !Number.isNaN(Date.parse(cuando))) {
		const t = Date.parse(cuando);
		if (t < Date.parse(jwk.desde) || (jwk.hasta !== undefined && t >= Date.parse(jwk.hasta))) {
			return {
				ok: false,
				payload: verificado,
				detalle: `La clave ${kid} está vigente ${vigencia(jwk)}, y esto dice ser del ${cuando}: se firmó fuera de su vigencia`,
			};
		}
	}
	return { ok: true, payload: verificado, kid };
};
