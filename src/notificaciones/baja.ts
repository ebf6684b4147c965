import { fromHex, toHex } from "../verificacion/merkle";

/**
 * The one-click unsubscribe token of an email (RFC 8058): `<user id>.<HMAC-SHA256 hex>` over a
 * label that names its use, under `NOTIFICACIONES_BAJA_SECRET`. It only ever turns one user's
 * email off; it never expires, because unsubscribe links must keep working in old emails, so its
 * key is not the JWT key, which is rotated (docs/security.md).
 */
type Secretos = Partial<
	Pick<Env, "NOTIFICACIONES_BAJA_SECRET" | "JWT_SECRET" | "JWT_PREVIOUS_SECRET">
>;

const MIN_SECRET_LENGTH = 32;

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
	const secreto = env.NOTIFICACIONES_BAJA_SECRET;
	if (!secreto || secreto.length < MIN_SECRET_LENGTH) {
		throw new Error(
			`NOTIFICACIONES_BAJA_SECRET must be set and at least ${MIN_SECRET_LENGTH} characters long`,
		);
	}
	const mac = await crypto.subtle.sign("HMAC", await clave(secreto), etiqueta(usuarioId));
	return `${usuarioId}.${toHex(new Uint8Array(mac))}`;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The user a token unsubscribes, or null; compared in constant time by WebCrypto's verify. Links
 * emailed before the unsubscribe secret existed were signed under the JWT secret of the time, so
 * they are still accepted under the JWT secrets while those are configured.
 */
export const usuarioDeBaja = async (env: Secretos, token: string): Promise<string | null> => {
	const [usuarioId, hex, ...resto] = token.split(".");
	if (!usuarioId || !hex || resto.length || !UUID.test(usuarioId) || !/^[0-9a-f]{64}$/.test(hex))
		return null;
	const mac = fromHex(hex);
	for (const secreto of [env.NOTIFICACIONES_BAJA_SECRET, env.JWT_SECRET, env.JWT_PREVIOUS_SECRET]) {
		if (!secreto) continue;
		if (await crypto.subtle.verify("HMAC", await clave(secreto), mac, etiqueta(usuarioId)))
			return usuarioId;
	}
	return null;
};
