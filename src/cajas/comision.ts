import { z } from "@hono/zod-openapi";

/**
 * An operador's commission per fully paid boleta. `tramos`: the rate of the tier the seller's
 * count in the rifa reaches, for all its boletas (retroactive); the last tier has no `hasta`.
 * `porcentaje`: basis points of the boleta's price, rounded down to the centavo.
 */
export const EsquemaComisionSchema = z
	.discriminatedUnion("tipo", [
		z.strictObject({
			tipo: z.literal("tramos"),
			tramos: z
				.array(
					z.strictObject({
						hasta: z.int().positive().nullable(),
						monto: z.int().nonnegative().max(1_000_000_000),
					}),
				)
				.min(1)
				.max(20)
				.refine(
					(ts) =>
						ts.every((t, i) => (i === ts.length - 1 ? t.hasta === null : t.hasta !== null)) &&
						ts.every(
							(t, i) => i === 0 || (ts[i - 1]?.hasta ?? 0) < (t.hasta ?? Number.MAX_SAFE_INTEGER),
						),
					{ error: "Tramos en orden creciente de `hasta`; solo el último sin `hasta`" },
				),
		}),
		z.strictObject({ tipo: z.literal("porcentaje"), bps: z.int().min(0).max(10_000) }),
	])
	.openapi("EsquemaComision", {
		example: {
			tipo: "tramos",
			tramos: [
				{ hasta: 20, monto: 200_000 },
				{ hasta: 50, monto: 250_000 },
				{ hasta: null, monto: 300_000 },
			],
		},
	});

export type EsquemaComision = z.infer<typeof EsquemaComisionSchema>;

/** The commission, in centavos, for a seller's `boletas` fully paid boletas of one rifa at `precio`. */
export const comisionPor = (
	esquema: EsquemaComision | null,
	boletas: number,
	precio: number,
): number => {
	if (!esquema || boletas <= 0) return 0;
	if (esquema.tipo === "porcentaje") {
		return Number((BigInt(boletas) * BigInt(precio) * BigInt(esquema.bps)) / 10_000n);
	}
	const tramo = esquema.tramos.find((t) => t.hasta === null || boletas <= t.hasta);
	return boletas * (tramo?.monto ?? 0);
};

/**
 * What a box earned: per rifa, the commission on the seller's count after the box less the one on
 * the count before it, so a tier reached in this box pays its difference on the earlier boletas.
 */
export const comisionDeCaja = (
	esquema: EsquemaComision | null,
	porRifa: { precio: number; antes: number; enCaja: number }[],
): number =>
	porRifa.reduce(
		(total, r) =>
			total +
			comisionPor(esquema, r.antes + r.enCaja, r.precio) -
			comisionPor(esquema, r.antes, r.precio),
		0,
	);
