import { fromHex, toHex } from "../verificacion/merkle";

/**
 * The one-click unsubscribe token of an email (RFC 8058): `<user id>.<HMAC-SHA256 hex>` over a
 * label that names its use, under `JWT_SECRET` (or the previous secret, so links in emails sent
 * before a rotation still work). It only ever turns one user's email off; it never expires,
 * because unsubscribe links must keep working in old emails.
 */
type Secretos = Pick<Env, "JWT_SECRET" | "JWT_PREVIOUS_SECRET">;

const etiqueta = (usuarioId: string) =>
	new TextEncoder().encode(`rifa1122-baja:v1:${usuarioId}:email`);

const clave = (secreto: string) =>
	crypto.subtle.importKey(
		"raw",
		new TextEncoder().encode(secreto),
		{ name: "HMAC", hash: "SHA-256" },
		false,
		["sign", "verify"],
	);

export const tokenDeBaja = async (env: Secretos, usuarioId: string): Promise<string> => {
	if (!env.JWT_SECRET) throw new Error("JWT_SECRET must be set");
	const mac = await crypto.subtle.sign("HMAC", await clave(env.JWT_SECRET), etiqueta(usuarioId));
	return `${usuarioId}.${toHex(new Uint8Array(mac))}`;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The user a token unsubscribes, or null; compared in constant time by WebCrypto's verify. */
export const usuarioDeBaja = async (env: Secretos, token: string): Promise<string | null> => {
	const [usuarioId, hex, ...resto] = token.split(".");
	if (!usuarioId || !hex || resto.length || !UUID.test(usuarioId) || !/^[0-9a-f]{64}$/.test(hex))
		return null;
	const mac = fromHex(hex);
	for (const secreto of [env.JWT_SECRET, env.JWT_PREVIOUS_SECRET]) {
		if (!secreto) continue;
		if (await crypto.subtle.verify("HMAC", await clave(secreto), mac, etiqueta(usuarioId)))
			return usuarioId;
	}
	return null;
};
