import { errors, jwtVerify, SignJWT } from "jose";

const ALG = "HS256";
const MIN_SECRET_LENGTH = 32;

interface JwtConfig {
	JWT_SECRET: string;
	JWT_ISSUER: string;
	JWT_AUDIENCE: string;
	JWT_TTL_SECONDS: string;
}

const keyFor = (env: JwtConfig) => {
	if (!env.JWT_SECRET || env.JWT_SECRET.length < MIN_SECRET_LENGTH) {
		throw new Error(`JWT_SECRET must be set and at least ${MIN_SECRET_LENGTH} characters long`);
	}
	return new TextEncoder().encode(env.JWT_SECRET);
};

export const ttlSeconds = (env: JwtConfig) => {
	const ttl = Number(env.JWT_TTL_SECONDS);
	return Number.isInteger(ttl) && ttl > 0 ? ttl : 3600;
};

export const signAccessToken = async (userId: string, env: JwtConfig) => {
	const expiresIn = ttlSeconds(env);
	const token = await new SignJWT({})
		.setProtectedHeader({ alg: ALG, typ: "JWT" })
		.setSubject(userId)
		.setIssuer(env.JWT_ISSUER)
		.setAudience(env.JWT_AUDIENCE)
		.setIssuedAt()
		.setJti(crypto.randomUUID())
		.setExpirationTime(`${expiresIn}s`)
		.sign(keyFor(env));
	return { token, expiresIn };
};

/** Returns the user id, or null for any token that is not ours, not HS256, expired or malformed. */
export const verifyAccessToken = async (token: string, env: JwtConfig): Promise<string | null> => {
	const key = keyFor(env);
	try {
		const { payload } = await jwtVerify(token, key, {
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
