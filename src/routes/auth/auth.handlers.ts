import { eq, sql } from "drizzle-orm";
import { signAccessToken } from "../../auth/jwt";
import { burnPasswordCheck, hashPassword, verifyPassword } from "../../auth/password";
import type { Database } from "../../db/client";
import { isUniqueViolation } from "../../db/errors";
import { users } from "../../db/schema";
import { ApiError } from "../../lib/errors";
import { nowIso } from "../../lib/time";
import type { AppRouteHandler } from "../../lib/types";
import { toUserDto } from "../users/users.schemas";
import type { login, me, register, token } from "./auth.routes";

const INVALID_CREDENTIALS = "Correo o contraseña incorrectos.";

const emailTaken = () => new ApiError("CONFLICT", "Ya existe una cuenta con ese correo.");

export const registerHandler: AppRouteHandler<typeof register> = async (c) => {
	const body = c.req.valid("json");
	const db = c.var.db;
	const existing = await db.query.users.findFirst({
		columns: { id: true },
		where: eq(sql`lower(${users.email})`, body.email),
	});
	if (existing) throw emailTaken();
	const now = nowIso();
	try {
		const [created] = await db
			.insert(users)
			.values({
				id: crypto.randomUUID(),
				nombre: body.nombre,
				email: body.email,
				telefono: body.telefono ?? null,
				hashedPassword: await hashPassword(body.password),
				rol: "jugador",
				isActive: true,
				creadoEn: now,
				actualizadoEn: now,
			})
			.returning();
		if (!created) throw new Error("insert returned no row");
		c.header("Location", `/api/v1/users/${created.id}`);
		return c.json(toUserDto(created), 201);
	} catch (err) {
		if (isUniqueViolation(err)) throw emailTaken();
		throw err;
	}
};

const issueToken = async (db: Database, env: Env, email: string, password: string) => {
	const user = await db.query.users.findFirst({
		where: eq(sql`lower(${users.email})`, email.trim().toLowerCase()),
	});
	if (!user?.hashedPassword) {
		await burnPasswordCheck(password);
		throw new ApiError("UNAUTHORIZED", INVALID_CREDENTIALS);
	}
	const ok = await verifyPassword(password, user.hashedPassword);
	if (!ok || !user.isActive) throw new ApiError("UNAUTHORIZED", INVALID_CREDENTIALS);
	const { token, expiresIn } = await signAccessToken(user.id, env);
	return { access_token: token, token_type: "bearer" as const, expires_in: expiresIn };
};

export const loginHandler: AppRouteHandler<typeof login> = async (c) => {
	const { email, password } = c.req.valid("json");
	return c.json(await issueToken(c.var.db, c.env, email, password), 200);
};

export const tokenHandler: AppRouteHandler<typeof token> = async (c) => {
	const { username, password } = c.req.valid("form");
	return c.json(await issueToken(c.var.db, c.env, username, password), 200);
};

export const meHandler: AppRouteHandler<typeof me> = async (c) => {
	const user = await c.var.db.query.users.findFirst({ where: eq(users.id, c.var.user.id) });
	if (!user) throw new ApiError("UNAUTHORIZED", "El token de acceso no es válido o expiró.");
	return c.json(toUserDto(user), 200);
};
