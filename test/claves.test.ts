import { env } from "cloudflare:workers";
import {
	base64url,
	compactVerify,
	createLocalJWKSet,
	decodeProtectedHeader,
	type JSONWebKeySet,
} from "jose";
import { describe, expect, it, vi } from "vitest";
import { ClavesConfigError, firmante, jwks } from "../src/recibos/claves";
import { call, expectProblem, get } from "./helpers";

const JWKS_PATH = "/.well-known/jwks.json";

interface JwkPrivada {
	kty: string;
	crv: string;
	x: string;
	d: string;
	kid: string;
	desde: string;
}

const actual = JSON.parse(env.RECIBOS_CLAVE_PRIVADA ?? "") as JwkPrivada;
const anterior = JSON.parse(env.TEST_CLAVE_ANTERIOR_PRIVADA) as JwkPrivada;
const historica = JSON.parse(env.TEST_CLAVE_HISTORICA_PRIVADA) as JwkPrivada & { hasta: string };
/** The retired key stopped signing when the current one started (vitest.config.ts). */
const HASTA_ANTERIOR = "2020-01-01T00:00:00.000Z";
const publica = ({ x, kid, desde }: JwkPrivada, hasta?: string) => ({
	kty: "OKP",
	crv: "Ed25519",
	x,
	kid,
	alg: "EdDSA",
	use: "sig",
	desde,
	...(hasta ? { hasta } : {}),
});
const retirada = (k: JwkPrivada, hasta = HASTA_ANTERIOR) => publica(k, hasta);

const nuevaClave = async (kid: string, desde = new Date().toISOString()): Promise<JwkPrivada> => {
	const par = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, [
		"sign",
		"verify",
	])) as CryptoKeyPair;
	const { x, d } = (await crypto.subtle.exportKey("jwk", par.privateKey)) as JsonWebKey;
	return { kty: "OKP", crv: "Ed25519", x: x ?? "", d: d ?? "", kid, desde };
};

/** Every line the Worker and this module write to the console while `fn` runs. */
const capturarLogs = async (fn: () => Promise<unknown>) => {
	const lineas: string[] = [];
	const spies = (["log", "debug", "info", "warn", "error"] as const).map((m) =>
		vi.spyOn(console, m).mockImplementation((...args: unknown[]) => {
			lineas.push(args.map(String).join(" "));
		}),
	);
	try {
		await fn();
	} finally {
		for (const s of spies) s.mockRestore();
	}
	return lineas.join("\n");
};

const verificar = (jws: string, set: unknown) =>
	compactVerify(jws, createLocalJWKSet(set as JSONWebKeySet), { algorithms: ["EdDSA"] });

describe("GET /.well-known/jwks.json", () => {
	it("publishes the current public key first, then the previous ones, cacheable, with no private member", async () => {
		let res: Awaited<ReturnType<typeof get>> | undefined;
		const logs = await capturarLogs(async () => {
			res = await get(JWKS_PATH);
		});
		if (!res) throw new Error("no response");
		expect(res.status).toBe(200);
		expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
		expect(res.headers.get("Cache-Control")).toBe("public, max-age=300");
		expect(res.body).toEqual({
			keys: [publica(actual), retirada(anterior), retirada(historica, historica.hasta)],
		});
		expect(Object.keys(res.body.keys[0]).sort()).toEqual([
			"alg",
			"crv",
			"desde",
			"kid",
			"kty",
			"use",
			"x",
		]);
		expect(res.body.keys[1].hasta).toBe(HASTA_ANTERIOR);
		for (const d of [actual.d, anterior.d, historica.d]) {
			expect(res.text).not.toContain(d);
			expect(logs).not.toContain(d);
		}
	});

	it("answers 404 problem+json when no key is configured (receipts off)", async () => {
		const sinClaves = { RECIBOS_CLAVE_PRIVADA: undefined, RECIBOS_CLAVES_ANTERIORES: undefined };
		const res = expectProblem(await call("GET", JWKS_PATH, { env: sinClaves }), 404);
		expect(res.detail).toMatch(/desactivados/);
		expect(await firmante(sinClaves)).toBeNull();
		expect(await jwks(sinClaves)).toBeNull();
		// An empty secret, as `NAME=` in .dev.vars leaves it, is no key either.
		expect(await firmante({ RECIBOS_CLAVE_PRIVADA: "  " })).toBeNull();
	});

	it("keeps publishing retired keys when signing is turned off", async () => {
		const soloAnteriores = {
			RECIBOS_CLAVE_PRIVADA: undefined,
			RECIBOS_CLAVES_ANTERIORES: env.RECIBOS_CLAVES_ANTERIORES,
		};
		const res = await call("GET", JWKS_PATH, { env: soloAnteriores });
		expect(res.status).toBe(200);
		expect(res.body).toEqual({
			keys: [retirada(anterior), retirada(historica, historica.hasta)],
		});
		expect(await firmante(soloAnteriores)).toBeNull();
	});

	it("is documented in the OpenAPI document, outside /api/v1", async () => {
		const doc = (await get("/openapi.json")).body;
		const op = doc.paths[JWKS_PATH].get;
		expect(op.operationId).toBe("jwks");
		expect(op.security).toBeUndefined();
		expect(op.responses["200"].content["application/json"].schema).toEqual({
			$ref: "#/components/schemas/Jwks",
		});
		expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(["404"]));
		expect(doc.components.schemas.ClavePublica.required).toEqual(
			expect.arrayContaining(["kty", "crv", "x", "kid", "alg", "use"]),
		);
	});
});

describe("firmante", () => {
	const payload = {
		v: 1,
		rifa_id: "r-1",
		ticket_id: "t-1",
		numero: "0042",
		precio: 500000,
		seq: 0,
	};

	it("signs a compact JWS with exactly {alg, kid, typ} over the JSON of the payload", async () => {
		const f = await firmante(env);
		if (!f) throw new Error("no signer in the test configuration");
		expect(f.kid).toBe(actual.kid);
		const jws = await f.firmar(payload, "rifa1122-recibo");
		const [cabecera, cuerpo, firma] = jws.split(".");
		expect(new TextDecoder().decode(base64url.decode(cabecera ?? ""))).toBe(
			JSON.stringify({ alg: "EdDSA", kid: actual.kid, typ: "rifa1122-recibo" }),
		);
		expect(decodeProtectedHeader(jws)).toEqual({
			alg: "EdDSA",
			kid: actual.kid,
			typ: "rifa1122-recibo",
		});
		expect(new TextDecoder().decode(base64url.decode(cuerpo ?? ""))).toBe(JSON.stringify(payload));
		expect(base64url.decode(firma ?? "")).toHaveLength(64);
	});

	it("is deterministic: the same payload signs to the same JWS, so a retry re-signs identically", async () => {
		const f = await firmante(env);
		const a = await f?.firmar(payload, "rifa1122-recibo");
		const b = await f?.firmar({ ...payload }, "rifa1122-recibo");
		expect(a).toBeTruthy();
		expect(b).toBe(a);
		expect(await f?.firmar({ ...payload, seq: 1 }, "rifa1122-recibo")).not.toBe(a);
		// Cached per isolate: the key is imported once per secret value.
		expect(await firmante(env)).toBe(f);
	});

	it("signs what verifies with jose against the published JWKS, and nothing else does", async () => {
		const f = await firmante(env);
		const jws = (await f?.firmar(payload, "rifa1122-recibo")) ?? "";
		const set = (await get(JWKS_PATH)).body;
		const { payload: bytes, protectedHeader } = await verificar(jws, set);
		expect(JSON.parse(new TextDecoder().decode(bytes))).toEqual(payload);
		expect(protectedHeader.kid).toBe(actual.kid);

		const [h, , s] = jws.split(".");
		const otro = base64url.encode(JSON.stringify({ ...payload, precio: 1 }));
		await expect(verificar(`${h}.${otro}.${s}`, set)).rejects.toThrow();
	});

	it("keeps receipts of a retired key valid after a rotation", async () => {
		// Signed before the last rotation, by the key now in RECIBOS_CLAVES_ANTERIORES.
		const viejo = await firmante({ RECIBOS_CLAVE_PRIVADA: env.TEST_CLAVE_ANTERIOR_PRIVADA });
		const jwsViejo = (await viejo?.firmar(payload, "rifa1122-recibo")) ?? "";
		const { protectedHeader } = await verificar(jwsViejo, (await get(JWKS_PATH)).body);
		expect(protectedHeader.kid).toBe(anterior.kid);

		// The next rotation: a new key signs; the current one joins the previous ones (as a JWKS).
		const actualJws = (await (await firmante(env))?.firmar(payload, "rifa1122-recibo")) ?? "";
		const nueva = await nuevaClave("test-nueva");
		const rotada = {
			RECIBOS_CLAVE_PRIVADA: JSON.stringify(nueva),
			RECIBOS_CLAVES_ANTERIORES: JSON.stringify({
				keys: [retirada(actual, nueva.desde), retirada(anterior)],
			}),
		};
		const res = await call("GET", JWKS_PATH, { env: rotada });
		expect(res.body.keys.map((k: { kid: string }) => k.kid)).toEqual([
			"test-nueva",
			actual.kid,
			anterior.kid,
		]);
		for (const jws of [jwsViejo, actualJws]) await verificar(jws, res.body);
		const f = await firmante(rotada);
		expect(f?.kid).toBe("test-nueva");
		await verificar((await f?.firmar(payload, "rifa1122-recibo")) ?? "", res.body);
	});
});

describe("invalid key secrets", () => {
	const pub = JSON.stringify(retirada(anterior));
	const privada = (jwk: object) => ({ RECIBOS_CLAVE_PRIVADA: JSON.stringify(jwk) });
	const anteriores = (valor: unknown) => ({
		RECIBOS_CLAVES_ANTERIORES: typeof valor === "string" ? valor : JSON.stringify(valor),
	});
	type Caso = [
		string,
		Partial<Record<"RECIBOS_CLAVE_PRIVADA" | "RECIBOS_CLAVES_ANTERIORES", string>>,
		string,
	];
	const casos: Caso[] = [
		[
			"not JSON",
			{ RECIBOS_CLAVE_PRIVADA: `{"kty":"OKP","crv":"Ed25519","d":"${actual.d}",` },
			"RECIBOS_CLAVE_PRIVADA is not valid JSON",
		],
		["not an object", privada([actual]), "must be a JSON object"],
		["a public key", privada({ ...actual, d: undefined }), 'needs "d"'],
		["another curve", privada({ ...actual, crv: "X25519" }), "must be an Ed25519 JWK"],
		["another key type", privada({ ...actual, kty: "EC" }), "must be an Ed25519 JWK"],
		["no kid", privada({ ...actual, kid: undefined }), 'non-empty "kid"'],
		["an empty kid", privada({ ...actual, kid: " " }), 'non-empty "kid"'],
		["no x", privada({ ...actual, x: undefined }), 'needs "x"'],
		["a short d", privada({ ...actual, d: actual.d.slice(1) }), 'needs "d"'],
		["another alg", privada({ ...actual, alg: "ES256" }), '"alg" other than EdDSA'],
		["another use", privada({ ...actual, use: "enc" }), '"use" other than "sig"'],
		[
			"an x that is not d's public key",
			privada({ ...actual, x: anterior.x }),
			'"x" is not the public key of "d"',
		],
		[
			"a previous key with d",
			anteriores([{ ...retirada(anterior), d: anterior.d }]),
			'RECIBOS_CLAVES_ANTERIORES[0] must be a public key: remove its "d"',
		],
		[
			"a previous key with the current kid",
			anteriores([{ ...retirada(anterior), kid: actual.kid }]),
			"RECIBOS_CLAVES_ANTERIORES[0] repeats the kid of RECIBOS_CLAVE_PRIVADA",
		],
		[
			"two previous keys with one kid",
			anteriores(`[${pub},${pub}]`),
			"RECIBOS_CLAVES_ANTERIORES[1] repeats the kid of another previous key",
		],
		["previous keys not a list", anteriores(pub), "must be a JSON array of JWKs or a JWKS"],
		[
			"previous keys not JSON",
			anteriores(`[${pub}`),
			"RECIBOS_CLAVES_ANTERIORES is not valid JSON",
		],
		[
			"a previous key on another curve",
			anteriores([{ ...retirada(anterior), crv: "Ed448" }]),
			"RECIBOS_CLAVES_ANTERIORES[0] must be an Ed25519 JWK",
		],
		[
			"a previous key without kid",
			anteriores({ keys: [{ ...retirada(anterior), kid: "" }] }),
			'RECIBOS_CLAVES_ANTERIORES[0] needs a non-empty "kid"',
		],
		["a current key without desde", privada({ ...actual, desde: undefined }), 'needs "desde"'],
		["a current key with hasta", privada({ ...actual, hasta: HASTA_ANTERIOR }), 'has no "hasta"'],
		[
			"a retired key without hasta",
			anteriores([publica(anterior)]),
			'RECIBOS_CLAVES_ANTERIORES[0] is a retired key: it needs "hasta"',
		],
		[
			"a retired key whose hasta is not after its desde",
			anteriores([{ ...publica(anterior), hasta: anterior.desde }]),
			'RECIBOS_CLAVES_ANTERIORES[0] is a retired key: it needs "hasta"',
		],
	];

	it.each(casos)(
		"%s is a configuration error that names the secret, not its value",
		async (_, malas, esperado) => {
			const mal = { ...env, ...malas };
			const secretos = [actual.d, anterior.d, ...Object.values(malas)];
			const err = await firmante(mal).then(
				() => null,
				(e: unknown) => e,
			);
			expect(err).toBeInstanceOf(ClavesConfigError);
			const { message, stack, cause } = err as ClavesConfigError;
			expect(message).toContain(esperado);
			expect(message).toMatch(
				malas.RECIBOS_CLAVE_PRIVADA ? /^RECIBOS_CLAVE_PRIVADA\b/ : /^RECIBOS_CLAVES_ANTERIORES\b/,
			);
			expect(cause).toBeUndefined();
			await expect(jwks(mal)).rejects.toBeInstanceOf(ClavesConfigError);

			let res: Awaited<ReturnType<typeof call>> | undefined;
			const logs = await capturarLogs(async () => {
				res = await call("GET", JWKS_PATH, { env: malas });
			});
			if (!res) throw new Error("no response");
			expectProblem(res, 500);
			// Log lines are JSON: look for each string as written there, too.
			const escrito = (s: string) => JSON.stringify(s).slice(1, -1);
			expect(logs).toContain(escrito(message));
			for (const s of secretos) {
				for (const texto of [message, stack ?? "", res.text, logs]) {
					expect(texto).not.toContain(s);
					expect(texto).not.toContain(escrito(s));
				}
			}
		},
	);

	it("accepts the previous keys as a JWKS and with extra public members", async () => {
		const set = await jwks({
			...env,
			RECIBOS_CLAVES_ANTERIORES: JSON.stringify({
				keys: [{ ...retirada(anterior), key_ops: ["verify"], ext: true }],
			}),
		});
		expect(set).toEqual({ keys: [publica(actual), retirada(anterior)] });
	});
});
