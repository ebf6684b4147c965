const ALGORITHM = "pbkdf2_sha256";
/** Production Workers reject PBKDF2 above 100,000 iterations; the count is stored per hash so it can be raised later. */
export const PBKDF2_ITERATIONS = 100_000;
const SALT_BYTES = 16;
const KEY_BITS = 256;

const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const fromB64 = (text: string) => Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));

const derive = async (password: string, salt: Uint8Array, iterations: number) => {
	const key = await crypto.subtle.importKey(
		"raw",
		new TextEncoder().encode(password),
		"PBKDF2",
		false,
		["deriveBits"],
	);
	const bits = await crypto.subtle.deriveBits(
		{ name: "PBKDF2", hash: "SHA-256", salt, iterations },
		key,
		KEY_BITS,
	);
	return new Uint8Array(bits);
};

/** Constant-time comparison of two byte strings (length is not secret). */
export const timingSafeEqual = (a: Uint8Array, b: Uint8Array): boolean => {
	if (a.length !== b.length) return false;
	let diff = 0;
	for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
	return diff === 0;
};

/** `pbkdf2_sha256$<iterations>$<salt b64>$<hash b64>` */
export const hashPassword = async (
	password: string,
	iterations = PBKDF2_ITERATIONS,
): Promise<string> => {
	const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
	const hash = await derive(password, salt, iterations);
	return `${ALGORITHM}$${iterations}$${b64(salt)}$${b64(hash)}`;
};

export const verifyPassword = async (password: string, stored: string): Promise<boolean> => {
	const [algorithm, iterText, saltText, hashText] = stored.split("$");
	const iterations = Number(iterText);
	if (
		algorithm !== ALGORITHM ||
		!saltText ||
		!hashText ||
		!Number.isInteger(iterations) ||
		iterations < 1 ||
		iterations > PBKDF2_ITERATIONS
	) {
		return false;
	}
	const expected = fromB64(hashText);
	const actual = await derive(password, fromB64(saltText), iterations);
	return timingSafeEqual(actual, expected);
};

/** Spent on unknown emails so a login's duration does not reveal whether the account exists. */
const DUMMY_HASH =
	"pbkdf2_sha256$100000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
export const burnPasswordCheck = async (password: string) => {
	await verifyPassword(password, DUMMY_HASH);
};
