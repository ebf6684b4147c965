import { z } from "@hono/zod-openapi";
import { ROLES, type UserRow } from "../../db/schema";

export const UserSchema = z
	.object({
		id: z.uuid().openapi({ example: "5f1e7a52-2d4b-4c7e-8f3a-0e9d1c2b3a45" }),
		nombre: z.string().openapi({ example: "Juan Perez" }),
		email: z.email().openapi({ example: "juan@ejemplo.com" }),
		telefono: z.string().nullable().openapi({ example: "+573001234567" }),
		rol: z.enum(ROLES).openapi({ example: "jugador" }),
		is_active: z.boolean().openapi({ example: true }),
		stripe_account_id: z.string().nullable().openapi({ example: null }),
		creado_en: z.string().openapi({ example: "2026-11-28T15:04:05.000Z" }),
	})
	.openapi("User");

export type UserDto = z.infer<typeof UserSchema>;

export const toUserDto = (u: UserRow): UserDto => ({
	id: u.id,
	nombre: u.nombre,
	email: u.email,
	telefono: u.telefono,
	rol: u.rol,
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
export const telefonoField = z
	.string()
	.trim()
	.regex(/^\+?[0-9 ()-]{7,20}$/, "Teléfono inválido (7 a 20 dígitos, + opcional)");
