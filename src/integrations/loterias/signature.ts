const TOLERANCE_S = 300;

const hexToBytes = (hex: string): Uint8Array | null => {
	if (!/^[0-9a-f]{64}$/i.test(hex)) return null;
	return Uint8Array.from(hex.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
};

/**
 * Checks `X-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` with the shared
 * secret. `crypto.subtle.verify` compares in constant time; the timestamp bounds replays to five
 * minutes.
 */
export const verifyResultsSignature = async (
	rawBody: string,
	header: string | undefined,
	secret: string,
	now = Date.now(),
): Promise<boolean> => {
	const parts = Object.fromEntries(
		(header ?? "").split(",").map((p) => p.trim().split("=", 2) as [string, string]),
	);
	const t = Number(parts.t);
	const signature = hexToBytes(parts.v1 ?? "");
	if (!Number.isInteger(t) || !signature || Math.abs(now / 1000 - t) > TOLERANCE_S) return false;
	const key = await crypto.subtle.importKey(
		"raw",
		new TextEncoder().encode(secret),
		{ name: "HMAC", hash: "SHA-256" },
		false,
		["verify"],
	);
	return crypto.subtle.verify("HMAC", key, signature, new TextEncoder().encode(`${t}.${rawBody}`));
};

/** Builds the header a provider sends; used by tests and by anyone integrating a provider. */
export const signResults = async (
	rawBody: string,
	secret: string,
	t = Math.floor(Date.now() / 1000),
) => {
	const key = await crypto.subtle.importKey(
		"raw",
		new TextEncoder().encode(secret),
		{ name: "HMAC", hash: "SHA-256" },
		false,
		["sign"],
	);
	const mac = new Uint8Array(
		await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${t}.${rawBody}`)),
	);
	return `t=${t},v1=${[...mac].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
};
