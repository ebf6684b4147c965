// A new receipt signing key: `npm run recibos:clave -- <kid>` prints the private JWK (the value of
// RECIBOS_CLAVE_PRIVADA), valid from now, and, on stderr, its public JWK (what goes into
// RECIBOS_CLAVES_ANTERIORES when the key is retired, with "hasta" added). Also used by
// `npm run dev` and the test configuration.
import { webcrypto } from "node:crypto";
import { argv } from "node:process";
import { fileURLToPath } from "node:url";
import type { Jwk } from "../src/verificacion/tipos.ts";

export interface ParClaves {
	/** `{kty, crv, x, d, kid, desde}`: the JSON of this is the secret. */
	privada: { kty: "OKP"; crv: "Ed25519"; x: string; d: string; kid: string; desde: string };
	publica: Jwk;
}

/** `desde`: when the key starts signing; whatever it signs must be dated from then on. */
export const nuevaClaveRecibos = async (
	kid: string,
	desde = new Date().toISOString(),
): Promise<ParClaves> => {
	const par = (await webcrypto.subtle.generateKey({ name: "Ed25519" }, true, [
		"sign",
		"verify",
	])) as webcrypto.CryptoKeyPair;
	const { x, d } = await webcrypto.subtle.exportKey("jwk", par.privateKey);
	if (!x || !d) throw new Error("WebCrypto exported an Ed25519 JWK without x or d");
	return {
		privada: { kty: "OKP", crv: "Ed25519", x, d, kid, desde },
		publica: { kty: "OKP", crv: "Ed25519", x, kid, alg: "EdDSA", use: "sig", desde },
	};
};

/** e.g. `local-20261201-3f9a1c`: the date says when, the suffix keeps two keys of a day apart. */
export const kidConFecha = (prefijo: string, fecha = new Date()) =>
	`${prefijo}-${fecha.toISOString().slice(0, 10).replaceAll("-", "")}-${webcrypto.randomUUID().slice(0, 6)}`;

if (argv[1] && fileURLToPath(import.meta.url) === argv[1]) {
	const { privada, publica } = await nuevaClaveRecibos(argv[2] || kidConFecha("recibos"));
	console.log(JSON.stringify(privada));
	console.error(
		`Public JWK (into RECIBOS_CLAVES_ANTERIORES when retired, with "hasta": the retirement instant): ${JSON.stringify(publica)}`,
	);
}
