import { and, eq, isNull, sql } from "drizzle-orm";
import { signAccessToken } from "../auth/jwt";
import { hashPassword } from "../auth/password";
import type { Database } from "../db/client";
import { isUniqueViolation } from "../db/errors";
import { reclamosCuenta, users } from "../db/schema";
import { ApiError, t } from "../lib/errors";
import type { Logger } from "../lib/logger";
import { nowIso } from "../lib/time";
import { proveedoresDe } from "../notificaciones/proveedores";
import { puedeRecibirSms } from "../notificaciones/sms";
import { toHex } from "../verificacion/merkle";
import { auditInsert } from "./audit";

/**
 * A buyer a seller added by phone claims its account: a six-digit code goes by SMS to that phone,
 * and with it the buyer sets its email and password. Its tickets are already its own, so they show
 * in /mis-boletas from then on. The answer to a request never says whether the phone has an
 * account to claim.
 */
const VIGENCIA_MS = 10 * 60_000;
export const MAX_INTENTOS = 5;

const hmac = async (env: Env, telefono: string, codigo: string) => {
	const key = await crypto.subtle.importKey(
		"raw",
		new TextEncoder().encode(env.JWT_SECRET),
		{ name: "HMAC", hash: "SHA-256" },
		false,
		["sign"],
	);
	const mac = await crypto.subtle.sign(
		"HMAC",
		key,
		new TextEncoder().encode(`reclamo:${telefono}:${codigo}`),
	);
	return toHex(new Uint8Array(mac));
};

/** Constant time: a wrong code takes as long whatever its digits. */
const iguales = (a: string, b: string) => {
	if (a.length !== b.length) return false;
	let d = 0;
	for (let i = 0; i < a.length; i++) d |= a.charCodeAt(i) ^ b.charCodeAt(i);
	return d === 0;
};

const sinReclamar = (db: Database, telefono: string) =>
	db.query.users.findFirst({
		columns: { id: true },
		where: and(
			eq(users.telefono, telefono),
			isNull(users.hashedPassword),
			eq(users.isActive, true),
		),
	});

export const pedirCodigo = async (
	env: Env,
	db: Database,
	telefono: string,
	log: Logger,
): Promise<void> => {
	if (!puedeRecibirSms(telefono))
		throw new ApiError(
			"VALIDATION_FAILED",
			t("El código va por SMS: indique un celular.", "The code goes by SMS: give a mobile number."),
			{ errors: [{ path: "telefono", message: "Debe ser un celular" }] },
		);
	const cliente = await sinReclamar(db, telefono);
	if (!cliente) return;
	const sms = proveedoresDe(env, log).sms;
	if (!sms) {
		log.error("a claim code could not be sent: SMS is not configured", {
			alerta: "sms_no_configurado",
		});
		return;
	}
	const digitos = crypto.getRandomValues(new Uint32Array(1))[0] ?? 0;
	const codigo = String(digitos % 1_000_000).padStart(6, "0");
	const ahora = nowIso();
	const fila = {
		telefono,
		codigoHmac: await hmac(env, telefono, codigo),
		expiraEn: new Date(Date.now() + VIGENCIA_MS).toISOString(),
		intentos: 0,
		creadoEn: ahora,
	};
	await db
		.insert(reclamosCuenta)
		.values(fila)
		.onConflictDoUpdate({ target: reclamosCuenta.telefono, set: fila });
	const envio = await sms.enviar({
		para: telefono,
		texto: `Rifa1122: su codigo para reclamar su cuenta es ${codigo}. Vence en 10 minutos. No lo comparta.`,
		idempotencia: `reclamo:${telefono}:${ahora}`,
	});
	if (!envio.ok) log.warn("a claim code was not sent", { error: envio.error });
};

const invalido = () =>
	new ApiError(
		"VALIDATION_FAILED",
		t(
			"El código no es válido o venció; pida otro.",
			"The code is not valid or expired; ask for another.",
		),
		{ errors: [{ path: "codigo", message: "Código inválido o vencido" }] },
	);

export interface Reclamo {
	telefono: string;
	codigo: string;
	email: string;
	password: string;
}

/** Checks the code (at most MAX_INTENTOS tries) and gives the account its email and password. */
export const confirmarReclamo = async (env: Env, db: Database, r: Reclamo, requestId: string) => {
	const reclamo = await db.query.reclamosCuenta.findFirst({
		where: eq(reclamosCuenta.telefono, r.telefono),
	});
	if (!reclamo || reclamo.expiraEn <= nowIso() || reclamo.intentos >= MAX_INTENTOS)
		throw invalido();
	if (!iguales(reclamo.codigoHmac, await hmac(env, r.telefono, r.codigo))) {
		await db
			.update(reclamosCuenta)
			.set({ intentos: sql`${reclamosCuenta.intentos} + 1` })
			.where(eq(reclamosCuenta.telefono, r.telefono));
		throw invalido();
	}
	const cliente = await sinReclamar(db, r.telefono);
	if (!cliente) throw invalido();
	const ahora = nowIso();
	try {
		await db.batch([
			db
				.update(users)
				.set({
					email: r.email,
					hashedPassword: await hashPassword(r.password),
					notifEmail: true,
					actualizadoEn: ahora,
				})
				.where(and(eq(users.id, cliente.id), isNull(users.hashedPassword))),
			db.delete(reclamosCuenta).where(eq(reclamosCuenta.telefono, r.telefono)),
			auditInsert(db, {
				actorId: cliente.id,
				action: "cuenta.reclamada",
				entity: "user",
				entityId: cliente.id,
				after: { email: r.email },
				requestId,
			}),
		]);
	} catch (err) {
		if (isUniqueViolation(err))
			throw new ApiError(
				"CONFLICT",
				t("Ya existe una cuenta con ese correo.", "An account with that email already exists."),
			);
		throw err;
	}
	const { token, expiresIn } = await signAccessToken(cliente.id, env);
	return { access_token: token, token_type: "bearer" as const, expires_in: expiresIn };
};
