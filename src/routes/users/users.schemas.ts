import { z } from "@hono/zod-openapi";
import { rolEfectivo } from "../../auth/auth.middleware";
import { IDIOMAS, ROLES, type UserRow } from "../../db/schema";
import { E164 } from "../../lib/format";

export const UserSchema = z
	.object({
		id: z.uuid().openapi({ example: "5f1e7a52-2d4b-4c7e-8f3a-0e9d1c2b3a45" }),
		nombre: z.string().openapi({ example: "Juan Perez" }),
		email: z.email().openapi({ example: "juan@ejemplo.com" }),
		telefono: z.string().nullable().openapi({ example: "+573001234567", description: "E.164" }),
		rol: z.enum([...ROLES, "vendedor"]).openapi({ example: "jugador" }),
		operador_id: z.uuid().nullable().openapi({
			description: "Para un vendedor: el operador para el que vende",
		}),
		idioma: z.enum(IDIOMAS).openapi({ example: "es", description: "Idioma de sus mensajes" }),
		notificaciones: z
			.object({ email: z.boolean(), whatsapp: z.boolean(), sms: z.boolean() })
			.openapi({ description: "Canales por los que recibe mensajes" }),
		is_active: z.boolean().openapi({ example: true }),
		stripe_account_id: z.string().nullable().openapi({ example: null }),
		creado_en: z.string().openapi({ example: "2026-11-28T15:04:05.000Z" }),
	})
	.openapi("User");

export type UserDto = z.infer<typeof UserSchema>;

/** `operadorId`: the operador a vendedor sells for (its `vendedores` row), else null. */
export const toUserDto = (u: UserRow, operadorId: string | null = null): UserDto => ({
	id: u.id,
	nombre: u.nombre,
	email: u.email,
	telefono: u.telefono,
	rol: rolEfectivo(u.rol, operadorId),
	operador_id: u.rol === "jugador" ? operadorId : null,
	idioma: u.idioma,
	notificaciones: { email: u.notifEmail, whatsapp: u.notifWhatsapp, sms: u.notifSms },
	is_active: u.isActive,
	stripe_account_id: u.stripeAccountId,
	creado_en: u.creadoEn,
});

export const nombreField = z.string().trim().min(1, "El nombre es obligatorio").max(120);
export const emailField = z
	.string()
	.trim()
	.toLowerCase()
	.max(255)
	.pipe(z.email({ error: "Correo electrónico inválido" }))
	.openapi({ example: "juan@ejemplo.com", format: "email" });
/**
 * A phone number in E.164, as WhatsApp needs it. Spaces, dashes and parentheses are dropped; a
 * Colombian number may come without its country code (`300 123 4567`). Colombian numbers are 10
 * digits after `+57`: a mobile starts with 3, a landline with 60.
 */
export const telefonoField = z
	.string()
	.trim()
	.max(32)
	.transform((raw) => {
		const digits = raw.replace(/[\s().-]/g, "");
		if (/^3\d{9}$/.test(digits) || /^60\d{8}$/.test(digits)) return `+57${digits}`;
		return digits.startsWith("00") ? `+${digits.slice(2)}` : digits;
	})
	.pipe(
		z
			.string()
			.regex(E164, "Teléfono inválido: use el formato internacional, p. ej. +573001234567")
			.refine((e164) => !e164.startsWith("+57") || /^\+57(3\d{9}|60\d{8})$/.test(e164), {
				error: "Número colombiano inválido: +57 y 10 dígitos (celular 3XX…, fijo 60X…)",
			}),
	)
	.openapi({
		example: "+573001234567",
		description: "E.164; un número colombiano puede ir sin +57",
	});
