import { sha256Hex } from "../../verificacion/merkle";

/**
 * Wompi's two signatures, both plain SHA-256 (not HMAC) over concatenated values ending in a
 * secret: the integrity signature we send with a transaction, and the checksum Wompi sends with
 * each event.
 */

/** `reference + amount_in_cents + currency [+ expiration_time] + integrity secret`, hex. */
export const firmaIntegridad = (
	p: { reference: string; amountInCents: number; currency: "COP"; expirationTime?: string },
	secret: string,
): Promise<string> =>
	sha256Hex(`${p.reference}${p.amountInCents}${p.currency}${p.expirationTime ?? ""}${secret}`);

/** A Wompi event as it arrives: only the parts the checksum covers are typed. */
export interface EventoWompi {
	event: string;
	data: Record<string, unknown>;
	environment?: string;
	signature: { properties: string[]; checksum: string };
	timestamp: number;
	sent_at?: string;
}

/** The value at a dotted path inside `data` (`transaction.amount_in_cents`), as Wompi concatenates it. */
const valorEn = (data: Record<string, unknown>, ruta: string): string => {
	let v: unknown = data;
	for (const parte of ruta.split(".")) {
		if (v === null || typeof v !== "object") return "";
		v = (v as Record<string, unknown>)[parte];
	}
	return v === null || v === undefined ? "" : String(v);
};

/** SHA-256 of the values named by `signature.properties`, in order, then `timestamp`, then the secret. */
export const checksumEvento = (evento: EventoWompi, secret: string): Promise<string> =>
	sha256Hex(
		`${evento.signature.properties.map((p) => valorEn(evento.data, p)).join("")}${evento.timestamp}${secret}`,
	);

const bytes = (hex: string): Uint8Array | null =>
	/^[0-9a-f]{64}$/i.test(hex)
		? Uint8Array.from(hex.match(/../g) ?? [], (h) => Number.parseInt(h, 16))
		: null;

/** Equal digests, compared as bytes in constant time; Wompi's examples use upper-case hex. */
export const mismoChecksum = (a: string, b: string): boolean => {
	const x = bytes(a);
	const y = bytes(b);
	if (!x || !y) return false;
	return crypto.subtle.timingSafeEqual(x, y);
};

/** The shape the checksum needs; anything else is not a Wompi event. */
export const pareceEvento = (v: unknown): v is EventoWompi => {
	if (v === null || typeof v !== "object") return false;
	const e = v as Record<string, unknown>;
	const s = e.signature as Record<string, unknown> | undefined;
	return (
		typeof e.event === "string" &&
		e.data !== null &&
		typeof e.data === "object" &&
		(typeof e.timestamp === "number" || typeof e.timestamp === "string") &&
		s !== undefined &&
		s !== null &&
		Array.isArray(s.properties) &&
		s.properties.every((p) => typeof p === "string") &&
		typeof s.checksum === "string"
	);
};
