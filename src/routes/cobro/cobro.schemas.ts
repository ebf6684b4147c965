import { z } from "@hono/zod-openapi";
import {
	CUENTA_COBRO_ESTADOS,
	CUENTA_COBRO_TIPOS,
	type CuentaCobroRow,
	TIPOS_CUENTA_BANCO,
	TIPOS_DOCUMENTO_COBRO,
} from "../../db/schema";

const Breb = z
	.strictObject({
		tipo: z.literal("breb"),
		llave: z.string().trim().min(1).max(100).regex(/^\S+$/, "Sin espacios").openapi({
			example: "@elias123",
			description: "Cédula, celular (10 dígitos), correo o alias (@ y 5 a 20 caracteres)",
		}),
	})
	.openapi("CuentaCobroBreb");

const Banco = z
	.strictObject({
		tipo: z.literal("banco"),
		banco_id: z
			.string()
			.min(1)
			.max(64)
			.openapi({ description: "`id` de un banco de GET /api/v1/pagos/bancos-premios" }),
		tipo_cuenta: z.enum(TIPOS_CUENTA_BANCO).openapi({ example: "AHORROS" }),
		numero: z
			.string()
			.regex(/^\d{6,20}$/, "Entre 6 y 20 dígitos")
			.openapi({ example: "00123456789" }),
		tipo_documento: z.enum(TIPOS_DOCUMENTO_COBRO).openapi({ example: "CC" }),
		documento: z
			.string()
			.regex(/^[A-Za-z0-9]{3,20}$/, "Entre 3 y 20 letras o dígitos")
			.openapi({ example: "1020304050" }),
		titular: z.string().trim().min(3).max(100).openapi({ example: "Laura Ríos" }),
	})
	.openapi("CuentaCobroBanco");

export const CuentaCobroBody = z
	.discriminatedUnion("tipo", [Breb, Banco])
	.openapi("CuentaCobroRegistro", { example: { tipo: "breb", llave: "@elias123" } });

export const CuentaCobroSchema = z
	.object({
		usuario_id: z.uuid(),
		tipo: z.enum(CUENTA_COBRO_TIPOS).openapi({ example: "breb" }),
		estado: z.enum(CUENTA_COBRO_ESTADOS).openapi({
			example: "por_confirmar",
			description: "Solo se paga a un destino `confirmada` por su dueño",
		}),
		titular: z.string().openapi({
			example: "Eli*** Can*** Mor***",
			description: "Bre-B: el titular según Wompi (enmascarado por Wompi); banco: el digitado",
		}),
		llave: z.string().nullable().openapi({ example: "@elias123" }),
		tipo_llave: z.string().nullable().openapi({ example: "ALPHANUMERIC" }),
		entidad: z.string().nullable().openapi({ example: "BANCO DAVIVIENDA" }),
		banco_id: z.string().nullable().openapi({ example: null }),
		banco: z.string().nullable().openapi({ example: null }),
		tipo_cuenta: z.enum(TIPOS_CUENTA_BANCO).nullable().openapi({ example: null }),
		numero: z.string().nullable().openapi({ example: null }),
		tipo_documento: z.enum(TIPOS_DOCUMENTO_COBRO).nullable().openapi({ example: null }),
		documento: z.string().nullable().openapi({ example: null }),
		confirmada_en: z.string().nullable().openapi({ example: null }),
		actualizada_en: z.string().openapi({ example: "2026-12-03T22:30:00.000Z" }),
	})
	.openapi("CuentaCobro");

export const CuentaConfirmadaSchema = CuentaCobroSchema.extend({
	premios_en_cola: z.number().int().openapi({
		example: 1,
		description: "Premios pendientes de este ganador enviados ahora a la cola de pagos",
	}),
}).openapi("CuentaCobroConfirmada");

export const BancosPremiosSchema = z
	.object({
		bancos: z.array(
			z.object({
				id: z.string(),
				nombre: z.string(),
				codigo: z.string(),
				deposito_electronico: z.boolean(),
			}),
		),
	})
	.openapi("BancosPremios", {
		example: {
			bancos: [
				{
					id: "9183a03b-cd82-451a-a6c7-6a9ab406a477",
					nombre: "Bancolombia",
					codigo: "BANCOLOMBIA",
					deposito_electronico: false,
				},
			],
		},
	});

export const toCuentaDto = (c: CuentaCobroRow): z.infer<typeof CuentaCobroSchema> => ({
	usuario_id: c.usuarioId,
	tipo: c.tipo,
	estado: c.estado,
	titular: c.titular,
	llave: c.llave,
	tipo_llave: c.tipoLlave,
	entidad: c.entidad,
	banco_id: c.bancoId,
	banco: c.bancoNombre,
	tipo_cuenta: c.tipoCuenta,
	numero: c.numero,
	tipo_documento: c.tipoDocumento,
	documento: c.documento,
	confirmada_en: c.confirmadaEn,
	actualizada_en: c.actualizadoEn,
});
