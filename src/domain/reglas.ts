import { z } from "@hono/zod-openapi";
import { maxGanadores } from "./premios.ts";

/**
 * A rifa's rules. Every key has a default, so `{}` is a complete rule set; later modules (sales,
 * settlement) read rules only through `parseReglas`, never from raw JSON.
 */
export const ReglasSchema = z
	.strictObject({
		asignacion: z.enum(["secuencial", "aleatoria"]).default("secuencial").openapi({
			description:
				"`secuencial`: el número libre más bajo. `aleatoria`: permutación pseudoaleatoria determinista por rifa.",
		}),
		max_boletas_por_compra: z
			.number()
			.int()
			.min(1)
			.max(100)
			.default(10)
			.openapi({ description: "Máximo de boletas en una sola compra" }),
		max_boletas_por_usuario: z
			.number()
			.int()
			.min(1)
			.nullable()
			.default(null)
			.openapi({ description: "Tope de boletas por usuario en la rifa; null = sin tope" }),
		minutos_reserva: z
			.number()
			.int()
			.min(1)
			.max(1440)
			.default(15)
			.openapi({ description: "Minutos que un número queda reservado esperando el pago" }),
		base_premio: z.enum(["fijo", "proporcional"]).default("fijo").openapi({
			description:
				"`fijo`: el premio prometido por la categoría. `proporcional`: parte de las ventas reales después del rake.",
		}),
		reparto_bps: z
			.array(z.number().int().min(0).max(10_000))
			.min(1)
			.nullable()
			.default(null)
			.openapi({
				description:
					"Reparto del fondo entre posiciones en puntos básicos (10000 = 100%); una entrada por ganador. null = partes iguales.",
				example: [7000, 3000],
			}),
		numero_no_vendido: z.enum(["casa", "acumula", "mas_cercano"]).default("casa").openapi({
			description:
				"Si el número ganador no se vendió: `casa` lo conserva, `acumula` pasa a la siguiente rifa de la categoría, `mas_cercano` premia al número vendido más cercano.",
		}),
		// No default: a rifa without it has no abonos, and its definition stays as it was.
		abonos: z
			.strictObject({
				minimo_bps: z.int().min(1).max(10_000),
				fecha_limite: z.iso
					.datetime({ offset: true })
					.transform((v) => new Date(v).toISOString())
					.optional(),
				al_vencer: z.enum(["reembolso", "credito"]).optional(),
			})
			.optional()
			.openapi({
				description:
					'Pago por abonos: el primer abono cubre al menos `minimo_bps` del precio (puntos básicos); el número queda abonado hasta pagarse completo, a más tardar en `fecha_limite` (y nunca después de `fecha_fin`). Sin pagar a tiempo se libera, y lo abonado se devuelve (`al_vencer: "reembolso"`, por omisión) o queda como crédito del comprador con el operador (`"credito"`).',
				example: { minimo_bps: 2000 },
			}),
	})
	.superRefine((r, ctx) => {
		if (r.reparto_bps && r.reparto_bps.reduce((a, b) => a + b, 0) !== 10_000) {
			ctx.addIssue({
				code: "custom",
				path: ["reparto_bps"],
				message: "El reparto debe sumar 10000 puntos básicos (100%)",
			});
		}
	})
	.openapi("Reglas", {
		example: {
			asignacion: "secuencial",
			max_boletas_por_compra: 10,
			max_boletas_por_usuario: null,
			minutos_reserva: 15,
			base_premio: "fijo",
			reparto_bps: null,
			numero_no_vendido: "casa",
		},
	});

export type Reglas = z.infer<typeof ReglasSchema>;

export const parseReglas = (raw: unknown): Reglas => ReglasSchema.parse(raw ?? {});

/** Rules that depend on the rifa's other fields; returned as field errors under `reglas.*`. */
export const reglasIssues = (
	reglas: Reglas,
	rifa: { numero_ganadores: number; total_boletas: number },
) => {
	const issues: { path: string; message: string }[] = [];
	const max = maxGanadores(rifa.total_boletas);
	if (rifa.numero_ganadores > max) {
		issues.push({
			path: "numero_ganadores",
			message: `Una rifa de ${rifa.total_boletas} números admite hasta ${max} ganadores (últimas cifras, primeras cifras, serie)`,
		});
	}
	if (reglas.reparto_bps && reglas.reparto_bps.length !== rifa.numero_ganadores) {
		issues.push({
			path: "reglas.reparto_bps",
			message: `Debe tener una entrada por ganador (${rifa.numero_ganadores})`,
		});
	}
	if (reglas.max_boletas_por_compra > rifa.total_boletas) {
		issues.push({
			path: "reglas.max_boletas_por_compra",
			message: "No puede superar total_boletas",
		});
	}
	if (
		reglas.max_boletas_por_usuario !== null &&
		reglas.max_boletas_por_usuario > rifa.total_boletas
	) {
		issues.push({
			path: "reglas.max_boletas_por_usuario",
			message: "No puede superar total_boletas",
		});
	}
	return issues;
};
