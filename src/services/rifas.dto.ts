/**
 * A rifa as the API shows it and the bodies that create and change one: the contract the rifas
 * service works in (its audit entries are these DTOs), shared with the routes that validate it.
 */
import { z } from "@hono/zod-openapi";
import {
	type CuentaTransferenciaRow,
	RIFA_ESTADOS,
	type RifaRow,
	TOTAL_BOLETAS,
} from "../db/schema";
import { parseReglas, ReglasSchema } from "../domain/reglas";
import { isoDateTime } from "../lib/openapi";
import { CuentaTransferenciaSchema, toCuentaTransferencia } from "./cuentas-transferencia.service";

const totalBoletas = z
	.union(
		TOTAL_BOLETAS.map((n) => z.literal(n)) as [
			z.ZodLiteral<100>,
			z.ZodLiteral<1000>,
			z.ZodLiteral<10000>,
		],
		{
			error: "total_boletas debe ser 100, 1000 o 10000 (2, 3 o 4 cifras de la lotería)",
		},
	)
	.openapi({ example: 100 });

const numeroGanadores = z.number().int().min(1).max(100).openapi({ example: 1 });

const PremioGarantizado = z.boolean().openapi({
	description:
		"Solo un admin: la casa garantiza un premio fijo mayor que lo que la rifa puede recaudar (sin esto, esa rifa es un 422)",
});

export const RifaSchema = z
	.object({
		id: z.uuid(),
		nombre: z.string().openapi({ example: "Rifa Plata — Lotería de Bogotá" }),
		categoria_id: z.uuid(),
		loteria_id: z.uuid(),
		fecha_inicio: z.string().openapi({ example: "2026-12-01T05:00:00.000Z" }),
		fecha_fin: z.string().openapi({ example: "2026-12-03T22:00:00.000Z" }),
		fecha_sorteo: z.string().openapi({ example: "2026-12-04T03:30:00.000Z" }),
		numero_ganadores: z.number().int(),
		estado: z.enum(RIFA_ESTADOS).openapi({ example: "activa" }),
		reglas: ReglasSchema,
		total_boletas: z.number().int().openapi({ example: 100 }),
		premio_garantizado: z.boolean().openapi({
			example: false,
			description:
				"Un admin aceptó que la casa pague un premio fijo mayor que lo que la rifa puede recaudar (`total_boletas × valor_boleta` menos el rake); queda en la definición sellada.",
		}),
		acumulado_asignado: z.number().int().openapi({
			example: 0,
			description:
				"Centavos del acumulado de la categoría asignados a esta rifa, que se suman a su fondo al liquidarla (en una rifa resuelta, los que recibió). Los asigna la liquidación de la rifa anterior de la categoría (`desglose.acumula_a`); si la rifa se cancela, pasan a la siguiente.",
		}),
		creado_por: z.uuid().nullable(),
		creado_en: z.string(),
		actualizado_en: z.string(),
	})
	.openapi("Rifa");

export type RifaDto = z.infer<typeof RifaSchema>;

export const toRifaDto = (r: RifaRow): RifaDto => ({
	id: r.id,
	nombre: r.nombre,
	categoria_id: r.categoriaId,
	loteria_id: r.loteriaId,
	fecha_inicio: r.fechaInicio,
	fecha_fin: r.fechaFin,
	fecha_sorteo: r.fechaSorteo,
	numero_ganadores: r.numeroGanadores,
	estado: r.estado,
	reglas: parseReglas(r.reglas),
	total_boletas: r.totalBoletas,
	premio_garantizado: r.premioGarantizado,
	acumulado_asignado: r.acumuladoAsignado,
	creado_por: r.creadoPor,
	creado_en: r.creadoEn,
	actualizado_en: r.actualizadoEn,
});

/** One rifa as `GET /rifas/{id}` shows it: with where its buyers transfer to. */
export const RifaDetalleSchema = RifaSchema.extend({
	cuenta_transferencia: CuentaTransferenciaSchema.nullable().openapi({
		description:
			'La cuenta del operador de la rifa para pagar por transferencia (`payment_method: "transferencia"`); null: la rifa no acepta transferencias',
	}),
}).openapi("RifaDetalle");

export const toRifaDetalle = (
	r: RifaRow,
	cuenta: CuentaTransferenciaRow | null,
): z.infer<typeof RifaDetalleSchema> => ({
	...toRifaDto(r),
	cuenta_transferencia: cuenta ? toCuentaTransferencia(cuenta) : null,
});

export const RifaCreateBody = z
	.strictObject({
		nombre: z.string().trim().min(1).max(255),
		categoria_id: z.uuid(),
		loteria_id: z.uuid(),
		fecha_inicio: isoDateTime(),
		fecha_fin: isoDateTime(),
		fecha_sorteo: isoDateTime().optional().openapi({
			description:
				"Uno de los sorteos de la lotería (GET /loterias/{id}/sorteos) que decide la rifa; por defecto, el primero al menos MINUTOS_CIERRE_ANTES_SORTEO minutos después de fecha_fin",
		}),
		numero_ganadores: numeroGanadores.default(1),
		reglas: ReglasSchema.default(parseReglas({})),
		total_boletas: totalBoletas.default(100),
		premio_garantizado: PremioGarantizado.default(false),
	})
	.openapi("RifaCreate", {
		example: {
			nombre: "Rifa Plata — Lotería de Bogotá del jueves",
			categoria_id: "0b6f7c9e-3f5a-4d8e-9a41-7c2d1e5f8a90",
			loteria_id: "4c1d2e3f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
			fecha_inicio: "2026-12-01T00:00:00-05:00",
			fecha_fin: "2026-12-03T22:00:00-05:00",
			fecha_sorteo: "2026-12-03T22:30:00-05:00",
			numero_ganadores: 1,
			reglas: { asignacion: "secuencial", max_boletas_por_compra: 10 },
			total_boletas: 100,
		},
	});

/** Why a rifa is cancelled: required of an admin once its sales have ended. */
export const Motivo = z.string().trim().min(10).max(1000).openapi({
	description:
		"Por qué se cancela (solo con estado cancelada); obligatorio para un admin que cancela después de fecha_fin",
	example: "La lotería suspendió el sorteo por orden de Coljuegos.",
});

export const CancelarBody = z.strictObject({ motivo: Motivo.optional() }).openapi("CancelarRifa");

export const RifaPatchBody = z
	.strictObject({
		nombre: z.string().trim().min(1).max(255).optional(),
		categoria_id: z.uuid().optional(),
		loteria_id: z.uuid().optional(),
		fecha_inicio: isoDateTime().optional(),
		fecha_fin: isoDateTime().optional(),
		fecha_sorteo: isoDateTime().optional(),
		numero_ganadores: numeroGanadores.optional(),
		reglas: z
			.record(z.string(), z.unknown())
			.optional()
			.openapi({ description: "Claves de `Reglas` a cambiar; se combinan con las actuales" }),
		total_boletas: totalBoletas.optional(),
		premio_garantizado: PremioGarantizado.optional(),
		estado: z.enum(RIFA_ESTADOS).optional().openapi({
			description: "Transición de estado: pendiente→activa, activa→cerrada, →cancelada",
		}),
		motivo: Motivo.optional(),
	})
	.refine((b) => Object.keys(b).length > 0, { error: "Envíe al menos un campo" })
	.openapi("RifaPatch", { example: { estado: "activa" } });

export type RifaCreateInput = z.infer<typeof RifaCreateBody>;
export type RifaPatchInput = z.infer<typeof RifaPatchBody>;
