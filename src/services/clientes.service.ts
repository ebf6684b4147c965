import { and, asc, eq, isNull, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { users } from "../db/schema";
import { ApiError, t } from "../lib/errors";
import { nowIso } from "../lib/time";

/**
 * Walk-in buyers: people a seller sells to in person, known by their phone. Each is a user without
 * a password until they claim the account. `users.email` cannot be null (D1 cannot rebuild that
 * table), so theirs is a placeholder under `.invalid`, a top-level domain reserved never to
 * resolve (RFC 2606): no mail can go there, and their email channel is off.
 */
export const DOMINIO_SIN_CORREO = "clientes.rifa1122.invalid";

export const correoDeCliente = (telefono: string) =>
	`${telefono.replace(/\D/g, "")}@${DOMINIO_SIN_CORREO}`;

export const sinCorreo = (email: string) => email.endsWith(`@${DOMINIO_SIN_CORREO}`);

export interface ClienteEnPersona {
	nombre: string;
	/** E.164, as the schema normalises it. */
	telefono: string;
	/** Agreed, at the sale, to get the receipt's link by WhatsApp, or by SMS. */
	acepta_whatsapp: boolean;
	acepta_sms: boolean;
}

/**
 * The buyer with this phone: an account that has it (one that can sign in first), else a new
 * customer. Consent given at the sale turns the channel on only for a customer who has not
 * claimed the account (whoever did chose their own channels). Two sellers adding the same new
 * phone at once get the same customer: the placeholder email is unique.
 */
export const clientePorTelefono = async (
	db: Database,
	c: ClienteEnPersona,
): Promise<{ id: string; nombre: string; telefono: string; email: string }> => {
	const buscar = () =>
		db
			.select({
				id: users.id,
				nombre: users.nombre,
				email: users.email,
				isActive: users.isActive,
				cliente: isNull(users.hashedPassword),
			})
			.from(users)
			.where(eq(users.telefono, c.telefono))
			.orderBy(sql`${users.hashedPassword} IS NULL`, asc(users.creadoEn))
			.limit(1);
	let [u] = await buscar();
	if (!u) {
		const now = nowIso();
		await db
			.insert(users)
			.values({
				id: crypto.randomUUID(),
				nombre: c.nombre,
				email: correoDeCliente(c.telefono),
				telefono: c.telefono,
				hashedPassword: null,
				rol: "jugador",
				isActive: true,
				notifEmail: false,
				notifWhatsapp: c.acepta_whatsapp,
				notifSms: c.acepta_sms,
				creadoEn: now,
				actualizadoEn: now,
			})
			.onConflictDoNothing();
		[u] = await buscar();
	} else if (u.cliente && (c.acepta_whatsapp || c.acepta_sms)) {
		await db
			.update(users)
			.set({
				...(c.acepta_whatsapp ? { notifWhatsapp: true } : {}),
				...(c.acepta_sms ? { notifSms: true } : {}),
				actualizadoEn: nowIso(),
			})
			.where(and(eq(users.id, u.id), isNull(users.hashedPassword)));
	}
	if (!u) throw new Error("the customer could not be created");
	if (!u.isActive)
		throw new ApiError(
			"VALIDATION_FAILED",
			t(
				"La cuenta de ese teléfono está desactivada.",
				"The account with that phone is deactivated.",
			),
			{ errors: [{ path: "cliente.telefono", message: "Cuenta desactivada" }] },
		);
	return { id: u.id, nombre: u.nombre, telefono: c.telefono, email: u.email };
};
