import { eq } from "drizzle-orm";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { Rol } from "../db/schema";
import { users, vendedores } from "../db/schema";
import { ApiError, type Texto, t } from "../lib/errors";

export const INVALID_TOKEN = t(
	"El token de acceso no es válido o expiró.",
	"The access token is invalid or expired.",
);

import type { AppBindings, AuthUser, RolEfectivo } from "../lib/types";
import { verifyAccessToken } from "./jwt";

const unauthorized = (detail: Texto) =>
	new ApiError("UNAUTHORIZED", detail, {
		headers: { "WWW-Authenticate": 'Bearer realm="rifa1122"' },
	});

/**
 * Authenticates the bearer token and loads the user on every request, so a role change or a
 * deactivation takes effect at once rather than when the token expires.
 */
const authenticate = async (c: Context<AppBindings>, header: string | undefined) => {
	const match = header?.match(/^Bearer\s+([A-Za-z0-9\-_.]+)$/i);
	if (!match?.[1])
		throw unauthorized(
			t(
				"Falta el token de acceso (Authorization: Bearer …).",
				"Missing access token (Authorization: Bearer …).",
			),
		);
	const userId = await verifyAccessToken(match[1], c.env);
	if (!userId) throw unauthorized(INVALID_TOKEN);
	const [user] = await c.var.db
		.select({
			id: users.id,
			nombre: users.nombre,
			email: users.email,
			rol: users.rol,
			isActive: users.isActive,
			operadorId: vendedores.operadorId,
		})
		.from(users)
		.leftJoin(vendedores, eq(vendedores.userId, users.id))
		.where(eq(users.id, userId));
	if (!user?.isActive) throw unauthorized(INVALID_TOKEN);
	return {
		...user,
		rol: rolEfectivo(user.rol, user.operadorId),
		operadorId: user.rol === "jugador" ? user.operadorId : null,
	} satisfies AuthUser;
};

/** A seller is a jugador row with a `vendedores` row (db/schema/ventas.ts). */
export const rolEfectivo = (rol: Rol, operadorId: string | null): RolEfectivo =>
	rol === "jugador" && operadorId !== null ? "vendedor" : rol;

/**
 * Authenticates the bearer token and loads the user on every request, so a role change or a
 * deactivation takes effect at once rather than when the token expires.
 */
export const requireAuth = createMiddleware<AppBindings>(async (c, next) => {
	c.set("user", await authenticate(c, c.req.header("Authorization")));
	await next();
});

/** For public routes that show more to some users: anonymous without a header, 401 with a bad one. */
export const optionalAuth = createMiddleware<AppBindings>(async (c, next) => {
	const header = c.req.header("Authorization");
	if (header) c.set("viewer", await authenticate(c, header));
	await next();
});

export const requireRole = (...roles: RolEfectivo[]) =>
	createMiddleware<AppBindings>(async (c, next) => {
		if (!roles.includes(c.var.user.rol)) {
			throw new ApiError(
				"FORBIDDEN",
				t(
					`Esta operación requiere el rol ${roles.join(" o ")}.`,
					`This operation needs the role ${roles.join(" or ")}.`,
				),
			);
		}
		await next();
	});

export const STAFF: Rol[] = ["admin", "operador"];
