import { z } from "@hono/zod-openapi";
import type { VendedorRow } from "../../services/vendedores.service";
import { emailField, nombreField, telefonoField } from "../users/users.schemas";

export const VendedorBody = z
	.strictObject({
		nombre: nombreField,
		email: emailField,
		telefono: telefonoField,
		password: z
			.string()
			.min(8, "La contraseña debe tener al menos 8 caracteres")
			.max(128, "La contraseña no puede superar 128 caracteres"),
		operador_id: z.uuid().optional().openapi({
			description: "Solo un admin: el operador para el que vende (un operador crea los suyos)",
		}),
	})
	.openapi("NuevoVendedor", {
		example: {
			nombre: "Carlos Andrés Muñoz",
			email: "carlos@puntodeventa.co",
			telefono: "3001234567",
			password: "Vende1122!segura",
		},
	});

export const VendedorSchema = z
	.object({
		id: z.uuid(),
		nombre: z.string(),
		email: z.string(),
		telefono: z.string().nullable(),
		rol: z.literal("vendedor"),
		operador_id: z.uuid(),
		is_active: z.boolean(),
		creado_en: z.string(),
	})
	.openapi("Vendedor");

export const VendedoresQuery = z.object({
	operador_id: z.uuid().optional().openapi({ description: "Solo un admin: los de un operador" }),
});

export const toVendedorDto = (v: VendedorRow): z.infer<typeof VendedorSchema> => ({
	id: v.id,
	nombre: v.nombre,
	email: v.email,
	telefono: v.telefono,
	rol: "vendedor",
	operador_id: v.operadorId,
	is_active: v.isActive,
	creado_en: v.creadoEn,
});
