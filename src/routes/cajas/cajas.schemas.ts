import { z } from "@hono/zod-openapi";
import type { Cuadre } from "../../cajas/cuadre";
import {
	CAJA_ESTADOS,
	type CajaMovimientoRow,
	type CajaRow,
	MOVIMIENTO_TIPOS,
} from "../../db/schema";

const Centavos = z.int().openapi({ description: "Centavos de peso (COP)" });

export const CuadreSchema = z
	.object({
		ventas: Centavos,
		abonos: Centavos,
		reembolsos: Centavos.openapi({ description: "Efectivo devuelto (negativo)" }),
		ajustes: Centavos,
		boletas: z.int(),
		comision: Centavos,
		a_entregar: Centavos.openapi({
			description: "Lo que el vendedor entrega: ventas + abonos + reembolsos + ajustes − comisión",
		}),
	})
	.openapi("Cuadre");

export const CajaSchema = z
	.object({
		id: z.uuid(),
		vendedor_id: z.uuid(),
		operador_id: z.uuid(),
		dia: z.string().openapi({ example: "2026-12-08", description: "Día colombiano" }),
		estado: z.enum(CAJA_ESTADOS),
		cuadre: CuadreSchema,
		contado: Centavos.nullable(),
		diferencia: Centavos.nullable().openapi({ description: "contado − a_entregar, al cerrar" }),
		resultado: z.enum(["cuadrada", "faltante", "sobrante"]).nullable(),
		cerrada_en: z.string().nullable(),
		confirmada_en: z.string().nullable(),
		confirmada_por: z.uuid().nullable(),
	})
	.openapi("Caja");

export const MovimientoSchema = z
	.object({
		id: z.string(),
		tipo: z.enum(MOVIMIENTO_TIPOS),
		monto: Centavos,
		boletas: z.int(),
		rifa_id: z.uuid().nullable(),
		transaccion_id: z.uuid().nullable(),
		ocurrido_en: z.string(),
		motivo: z.string().nullable(),
	})
	.openapi("MovimientoCaja");

export const CajaDetalleSchema = CajaSchema.extend({
	movimientos: z.array(MovimientoSchema),
}).openapi("CajaDetalle");

export const CierreBody = z
	.strictObject({ contado: z.int().min(0).max(100_000_000_000) })
	.openapi("CierreCaja", { example: { contado: 6_000_000 } });

export const AjusteBody = z
	.strictObject({
		vendedor_id: z.uuid(),
		monto: z
			.int()
			.min(-100_000_000_000)
			.max(100_000_000_000)
			.refine((m) => m !== 0, "No puede ser 0"),
		motivo: z.string().trim().min(5).max(500),
	})
	.openapi("AjusteCaja", {
		example: {
			vendedor_id: "5f1e7a52-2d4b-4c7e-8f3a-0e9d1c2b3a45",
			monto: -200_000,
			motivo: "Faltante del 7 de diciembre reconocido por el vendedor",
		},
	});

export const ResumenSchema = z
	.object({
		vendedor_id: z.uuid(),
		vendedor: z.string(),
		rifa_id: z.uuid().nullable().openapi({ description: "null: ajustes, que no son de una rifa" }),
		rifa: z.string().nullable(),
		dia: z.string(),
		ventas: Centavos,
		abonos: Centavos,
		reembolsos: Centavos,
		ajustes: Centavos,
		boletas: z.int(),
	})
	.openapi("ResumenVentasEnPersona");

export const CajasQuery = z.object({
	vendedor_id: z.uuid().optional(),
	estado: z.enum(CAJA_ESTADOS).optional(),
	desde: z.iso.date().optional().openapi({ description: "Día colombiano, inclusive" }),
	hasta: z.iso.date().optional().openapi({ description: "Día colombiano, inclusive" }),
});

export const toCajaDto = (c: CajaRow, cuadre: Cuadre): z.infer<typeof CajaSchema> => {
	const diferencia = c.contado === null || c.esperado === null ? null : c.contado - c.esperado;
	return {
		id: c.id,
		vendedor_id: c.vendedorId,
		operador_id: c.operadorId,
		dia: c.dia,
		estado: c.estado,
		cuadre,
		contado: c.contado,
		diferencia,
		resultado:
			diferencia === null
				? null
				: diferencia === 0
					? "cuadrada"
					: diferencia < 0
						? "faltante"
						: "sobrante",
		cerrada_en: c.cerradaEn,
		confirmada_en: c.confirmadaEn,
		confirmada_por: c.confirmadaPor,
	};
};

export const toMovimientoDto = (m: CajaMovimientoRow): z.infer<typeof MovimientoSchema> => ({
	id: m.id,
	tipo: m.tipo,
	monto: m.monto,
	boletas: m.boletas,
	rifa_id: m.rifaId,
	transaccion_id: m.transaccionId,
	ocurrido_en: m.ocurridoEn,
	motivo: m.motivo,
});
