import { z } from "@hono/zod-openapi";
import { RIFA_ESTADOS } from "../../db/schema";
import { formatBps, formatCop } from "../../lib/format";

export const MAX_DIAS_REPORTE = 366;
const DAY_MS = 86_400_000;

const fecha = (name: string, example: string) =>
	z.iso
		.date({ error: "Debe ser una fecha AAAA-MM-DD válida" })
		.openapi({ param: { name, in: "query" }, example });

/** Range checks run only on two valid dates, so a malformed one is not also reported as a bad range. */
const siFechasValidas = { when: ({ issues }: { issues: unknown[] }) => issues.length === 0 };

export const IngresosQuery = z
	.object({
		desde: fecha("desde", "2026-01-01"),
		hasta: fecha("hasta", "2026-01-31"),
	})
	.refine(({ desde, hasta }) => desde <= hasta, {
		path: ["hasta"],
		error: "Debe ser igual o posterior a desde",
		...siFechasValidas,
	})
	.refine(
		({ desde, hasta }) => (Date.parse(hasta) - Date.parse(desde)) / DAY_MS + 1 <= MAX_DIAS_REPORTE,
		{
			path: ["hasta"],
			error: `El rango no puede pasar de ${MAX_DIAS_REPORTE} días`,
			...siFechasValidas,
		},
	);

export const ParticipacionQuery = z.object({
	rifa_id: z.uuid({ error: "Debe ser un UUID" }).openapi({
		param: { name: "rifa_id", in: "query" },
		example: "0b6f7c9e-3f5a-4d8e-9a41-7c2d1e5f8a90",
	}),
});

export const DineroSchema = z
	.object({
		centavos: z.number().int().openapi({ example: 100_000_000 }),
		texto: z.string().openapi({
			example: "$\u00a01.000.000",
			description:
				"El monto en formato es-CO; el espacio tras `$` es U+00A0. Con centavos: `$\u00a01.234,50`.",
		}),
	})
	.openapi("Dinero");

export const dinero = (centavos: number) => ({ centavos, texto: formatCop(centavos) });

const MontosSchema = z
	.object({
		ventas_brutas: DineroSchema,
		reembolsos: DineroSchema,
		rake: DineroSchema,
		premios_causados: DineroSchema,
		premios_pagados: DineroSchema,
		premios_por_pagar: DineroSchema,
		neto: DineroSchema,
	})
	.openapi("Montos", {
		description:
			"`ventas_brutas`: compras pagadas, por fecha de compra (incluye las reembolsadas después). `reembolsos`: por fecha del reembolso. `rake`: lo que retiene la casa en rifas de base proporcional, por fecha de liquidación. `premios_causados`: premios de los sorteos liquidados en el periodo (lo que se adeuda a los ganadores). `premios_pagados`: por fecha de pago. `premios_por_pagar`: de los causados en el periodo, los que aún no se han pagado. `neto` = ventas_brutas − reembolsos − premios_causados.",
	});

export const IngresosSchema = z
	.object({
		desde: z.string().openapi({ example: "2026-01-01" }),
		hasta: z.string().openapi({ example: "2026-01-31" }),
		zona_horaria: z.literal("America/Bogota"),
		alcance: z.enum(["todas", "propias"]).openapi({
			description: "`propias`: un operador ve solo las rifas que creó",
		}),
		totales: MontosSchema,
		por_dia: z
			.array(MontosSchema.extend({ dia: z.string().openapi({ example: "2026-01-05" }) }))
			.openapi({ description: "Solo los días con movimiento, en orden" }),
		por_categoria: z
			.array(
				MontosSchema.extend({
					categoria_id: z.uuid(),
					categoria: z.string().openapi({ example: "Plata" }),
				}),
			)
			.openapi({ description: "Solo las categorías con movimiento, por nombre" }),
	})
	.openapi("ReporteIngresos");

export const ParticipacionSchema = z
	.object({
		rifa_id: z.uuid(),
		nombre: z.string(),
		estado: z.enum(RIFA_ESTADOS),
		zona_horaria: z.literal("America/Bogota"),
		numeros: z.object({
			total: z.number().int().openapi({ example: 100 }),
			vendidos: z.number().int().openapi({ example: 40 }),
			reservados: z
				.number()
				.int()
				.openapi({ example: 2, description: "Apartados esperando el pago" }),
			libres: z.number().int().openapi({ example: 58 }),
			anulados: z.number().int().openapi({
				example: 0,
				description: "Vendidos y luego reembolsados al cancelar la rifa",
			}),
		}),
		porcentaje_vendido: z.object({
			bps: z.number().int().openapi({
				example: 4000,
				description: "Puntos básicos (10000 = 100%); exacto para 100, 1.000 y 10.000 números",
			}),
			texto: z.string().openapi({ example: "40%" }),
		}),
		compradores_unicos: z.number().int().openapi({ example: 12 }),
		recaudo: DineroSchema.openapi({ description: "Suma del precio de las boletas vendidas" }),
		ventas_por_dia: z.array(
			z.object({
				dia: z.string().openapi({ example: "2026-01-05" }),
				boletas: z.number().int(),
				monto: DineroSchema,
			}),
		),
		boletas_por_comprador: z
			.array(
				z.object({
					boletas: z.number().int().openapi({ example: 3 }),
					compradores: z.number().int().openapi({ example: 4 }),
				}),
			)
			.openapi({ description: "Cuántos compradores tienen cada cantidad de boletas" }),
	})
	.openapi("ReporteParticipacion");

export const porcentaje = (bps: number) => ({ bps, texto: formatBps(bps) });
