import { eq, sql } from "drizzle-orm";
import type { Context } from "hono";
import { INVALID_TOKEN } from "../../auth/auth.middleware";
import { signAccessToken } from "../../auth/jwt";
import {
	attemptLockMs,
	attemptStatements,
	clearFailures,
	emailHash,
} from "../../auth/login-backoff";
import { burnPasswordCheck, hashPassword, verifyPassword } from "../../auth/password";
import { isUniqueViolation } from "../../db/errors";
import { users } from "../../db/schema";
import { ApiError, t } from "../../lib/errors";
import { E164 } from "../../lib/format";
import { enforceRateLimit, tooManyRequests } from "../../lib/rate-limit";
import { nowIso } from "../../lib/time";
import type { AppBindings, AppRouteHandler } from "../../lib/types";
import { puedeRecibirSms } from "../../notificaciones/sms";
import { auditInsert } from "../../services/audit";
import { toUserDto } from "../users/users.schemas";
import type { login, me, patchMe, register, token } from "./auth.routes";

const INVALID_CREDENTIALS = t("Correo o contraseña incorrectos.", "Wrong email or password.");

const emailTaken = () =>
	new ApiError(
		"CONFLICT",
		t("Ya existe una cuenta con ese correo.", "An account with that email already exists."),
	);

export const registerHandler: AppRouteHandler<typeof register> = async (c) => {
	const body = c.req.valid("json");
	await enforceRateLimit(c.env, "AUTH_EMAIL_LIMITER", body.email);
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

/**
 * Lock, lookup, password check and bookkeeping cost the same whether or not the email has an
 * account, so neither the answer nor its timing says which emails exist. The attempt is counted
 * as a failure in the same batch that reads the lock (login-backoff.ts), before the password is
 * checked, so parallel attempts cannot all pass the lock; a success clears the count.
 */
const issueToken = async (c: Context<AppBindings>, rawEmail: string, password: string) => {
	const email = rawEmail.trim().toLowerCase();
	await enforceRateLimit(c.env, "AUTH_EMAIL_LIMITER", email);
	const db = c.var.db;
	const hash = await emailHash(email);
	const now = Date.now();
	const [[user], [before], [after]] = await db.batch([
		db
			.select()
			.from(users)
			.where(eq(sql`lower(${users.email})`, email))
			.limit(1),
		...attemptStatements(db, hash, now),
	]);
	const lockedMs = attemptLockMs(before, after, now);
	if (lockedMs > 0) {
		throw tooManyRequests(
			t(
				`Demasiados intentos fallidos con este correo. Intente de nuevo en ${Math.ceil(lockedMs / 1000)} segundos.`,
				`Too many failed attempts for this email. Try again in ${Math.ceil(lockedMs / 1000)} seconds.`,
			),
			lockedMs / 1000,
		);
	}
	const ok = user?.hashedPassword
		? await verifyPassword(password, user.hashedPassword)
		: await burnPasswordCheck(password).then(() => false);
	if (!ok || !user?.isActive) throw new ApiError("UNAUTHORIZED", INVALID_CREDENTIALS);
	await clearFailures(db, hash);
	const { token, expiresIn } = await signAccessToken(user.id, c.env);
	return { access_token: token, token_type: "bearer" as const, expires_in: expiresIn };
};

export const loginHandler: AppRouteHandler<typeof login> = async (c) => {
	const { email, password } = c.req.valid("json");
	return c.json(await issueToken(c, email, password), 200);
};

export const tokenHandler: AppRouteHandler<typeof token> = async (c) => {
	const { username, password } = c.req.valid("form");
	return c.json(await issueToken(c, username, password), 200);
};

export const meHandler: AppRouteHandler<typeof me> = async (c) => {
	const user = await c.var.db.query.users.findFirst({ where: eq(users.id, c.var.user.id) });
	if (!user) throw new ApiError("UNAUTHORIZED", INVALID_TOKEN);
	return c.json(toUserDto(user, c.var.user.operadorId), 200);
};

/**
 * A user's own profile. Turning a channel on or off is consent, so every change of it (or of the
 * phone WhatsApp and SMS go to) is audited; removing the phone turns both off.
 */
export const patchMeHandler: AppRouteHandler<typeof patchMe> = async (c) => {
	const body = c.req.valid("json");
	const db = c.var.db;
	const before = await db.query.users.findFirst({ where: eq(users.id, c.var.user.id) });
	if (!before) throw new ApiError("UNAUTHORIZED", INVALID_TOKEN);
	const telefono = body.telefono !== undefined ? body.telefono : before.telefono;
	const email = body.notificaciones?.email ?? before.notifEmail;
	const pideWhatsapp = body.notificaciones?.whatsapp;
	if (pideWhatsapp && !(telefono && E164.test(telefono))) {
		throw new ApiError(
			"VALIDATION_FAILED",
			t(
				"Para recibir WhatsApp registre un teléfono en formato internacional (+57…).",
				"Register a phone number in international format (+57…) to receive WhatsApp.",
			),
			{
				errors: [
					{ path: "notificaciones.whatsapp", message: "Necesita un teléfono (campo telefono)" },
				],
			},
		);
	}
	const pideSms = body.notificaciones?.sms;
	if (pideSms && !puedeRecibirSms(telefono)) {
		throw new ApiError(
			"VALIDATION_FAILED",
			t(
				"Para recibir SMS registre un celular en formato internacional (+57 3…).",
				"Register a mobile number in international format (+57 3…) to receive SMS.",
			),
			{ errors: [{ path: "notificaciones.sms", message: "Necesita un celular (campo telefono)" }] },
		);
	}
	const whatsapp = telefono ? (pideWhatsapp ?? before.notifWhatsapp) : false;
	// A landline takes no text messages: SMS goes off with a phone that cannot receive them.
	const sms = puedeRecibirSms(telefono) ? (pideSms ?? before.notifSms) : false;
	const at = nowIso();
	const changes = {
		...(body.nombre !== undefined ? { nombre: body.nombre } : {}),
		...(body.idioma !== undefined ? { idioma: body.idioma } : {}),
		telefono,
		notifEmail: email,
		notifWhatsapp: whatsapp,
		notifSms: sms,
		actualizadoEn: at,
	};
	const consent = (u: {
		telefono: string | null;
		notifEmail: boolean;
		notifWhatsapp: boolean;
		notifSms: boolean;
	}) => ({
		telefono: u.telefono,
		notificaciones: { email: u.notifEmail, whatsapp: u.notifWhatsapp, sms: u.notifSms },
	});
	const update = db.update(users).set(changes).where(eq(users.id, before.id)).returning();
	const antes = consent(before);
	const despues = consent({ telefono, notifEmail: email, notifWhatsapp: whatsapp, notifSms: sms });
	const [[after]] =
		JSON.stringify(antes) !== JSON.stringify(despues)
			? await db.batch([
					update,
					auditInsert(db, {
						actorId: before.id,
						action: "user.notificaciones",
						entity: "user",
						entityId: before.id,
						before: antes,
						after: despues,
						requestId: c.var.requestId,
					}),
				])
			: [await update];
	if (!after) throw new ApiError("UNAUTHORIZED", INVALID_TOKEN);
	return c.json(toUserDto(after, c.var.user.operadorId), 200);
};
