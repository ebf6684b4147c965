import { decodeProtectedHeader, errors, jwtVerify, SignJWT } from "jose";

const ALG = "HS256";
const MIN_SECRET_LENGTH = 32;

interface JwtConfig {
	/** Required: typed optional because it is a secret, checked when a key is first needed. */
	JWT_SECRET?: string | undefined;
	/** The signing secret before the last rotation: still verifies the tokens it signed. */
	JWT_PREVIOUS_SECRET?: string | undefined;
	JWT_ISSUER: string;
	JWT_AUDIENCE: string;
	JWT_TTL_SECONDS: string;
}

interface SigningKey {
	kid: string;
	key: Uint8Array;
}

const b64url = (bytes: Uint8Array) =>
	btoa(String.fromCharCode(...bytes))
		.replaceAll("+", "-")
		.replaceAll("/", "_")
		.replace(/=+$/, "");

/**
 * The key id is derived from the secret (an HMAC of a fixed label, so it reveals nothing a token's
 * signature does not), which means rotating is only a matter of setting secrets: no id to keep in
 * step with them.
 */
export const keyId = async (secret: string) => {
	const hmac = await crypto.subtle.importKey(
		"raw",
		new TextEncoder().encode(secret),
		{ name: "HMAC", hash: "SHA-256" },
		false,
		["sign"],
	);
	const mac = await crypto.subtle.sign("HMAC", hmac, new TextEncoder().encode("rifa1122-jwt-kid"));
	return b64url(new Uint8Array(mac).slice(0, 12));
};

const keys = new Map<string, Promise<SigningKey>>();

const keyFor = (secret: string | undefined, name: string): Promise<SigningKey> => {
	if (!secret || secret.length < MIN_SECRET_LENGTH) {
		throw new Error(`${name} must be set and at least ${MIN_SECRET_LENGTH} characters long`);
	}
	let key = keys.get(secret);
	if (!key) {
		key = keyId(secret).then((kid) => ({ kid, key: new TextEncoder().encode(secret) }));
		keys.set(secret, key);
	}
	return key;
};

const verificationKeys = async (env: JwtConfig) => [
	await keyFor(env.JWT_SECRET, "JWT_SECRET"),
	...(env.JWT_PREVIOUS_SECRET
		? [await keyFor(env.JWT_PREVIOUS_SECRET, "JWT_PREVIOUS_SECRET")]
		: []),
];

export const ttlSeconds = (env: JwtConfig) => {
	const ttl = Number(env.JWT_TTL_SECONDS);
	return Number.isInteger(ttl) && ttl > 0 ? ttl : 3600;
};

/** Always signed with the current key (`JWT_SECRET`), its id in the `kid` header. */
export const signAccessToken = async (userId: string, env: JwtConfig) => {
	const expiresIn = ttlSeconds(env);
	const { kid, key } = await keyFor(env.JWT_SECRET, "JWT_SECRET");
	const token = await new SignJWT({})
		.setProtectedHeader({ alg: ALG, typ: "JWT", kid })
		.setSubject(userId)
		.setIssuer(env.JWT_ISSUER)
		.setAudience(env.JWT_AUDIENCE)
		.setIssuedAt()
		.setJti(crypto.randomUUID())
		.setExpirationTime(`${expiresIn}s`)
		.sign(key);
	return { token, expiresIn };
};

/**
 * Returns the user id, or null for any token that is not ours, not HS256, expired or malformed,
 * or whose `kid` is missing or names neither the current nor the previous key.
 */
export const verifyAccessToken = async (token: string, env: JwtConfig): Promise<string | null> => {
	const candidates = await verificationKeys(env);
	let kid: unknown;
	try {
		kid = decodeProtectedHeader(token).kid;
	} catch {
		return null;
	}
	const match = candidates.find((k) => k.kid === kid);
	if (!match) return null;
	try {
		const { payload } = await jwtVerify(token, match.key, {
			algorithms: [ALG],
			issuer: env.JWT_ISSUER,
			audience: env.JWT_AUDIENCE,
			requiredClaims: ["exp", "sub", "iat"],
		});
		return typeof payload.sub === "string" ? payload.sub : null;
	} catch (err) {
		if (err instanceof errors.JOSEError) return null;
		throw err;
	}
};
