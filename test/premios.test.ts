import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { calcularPremios, numeroGanador, type PremiosInput, repartir } from "../src/domain/premios";

const PLATA = {
	valorBoleta: 1_000_000,
	rakeBps: 2500,
	fondoPremios: 75_000_000,
	premioPorGanador: 75_000_000,
};
const sold = (numeros: number[]) => numeros.map((numero) => ({ numero, ticketId: `t-${numero}` }));
const all = (n: number) => sold(Array.from({ length: n }, (_, i) => i));
const base = (over: Partial<PremiosInput> = {}): PremiosInput => ({
	totalBoletas: 100,
	numeroGanadores: 1,
	reglas: { base_premio: "fijo", reparto_bps: null, numero_no_vendido: "casa" },
	categoria: PLATA,
	vendidos: all(100),
	resultado: { numero: "3649", serie: "188" },
	...over,
});

describe("winning numbers from a real premio mayor", () => {
	it("takes the last 2, 3 or 4 digits, keeping leading zeros meaningful", () => {
		// Lotería de Bogotá 2026-01-15: 3649 serie 188; Lotería de Boyacá 2025-11-29: 0017 serie 271.
		expect(numeroGanador("ultimas", { numero: "3649", serie: "188" }, 100)).toBe(49);
		expect(numeroGanador("ultimas", { numero: "3649", serie: "188" }, 1000)).toBe(649);
		expect(numeroGanador("ultimas", { numero: "3649", serie: "188" }, 10000)).toBe(3649);
		expect(numeroGanador("ultimas", { numero: "0017", serie: "271" }, 100)).toBe(17);
		expect(numeroGanador("primeras", { numero: "0017", serie: "271" }, 100)).toBe(0);
		expect(numeroGanador("primeras", { numero: "3649", serie: "188" }, 1000)).toBe(364);
		expect(numeroGanador("serie", { numero: "0017", serie: "271" }, 100)).toBe(71);
		expect(numeroGanador("serie", { numero: "0017", serie: null }, 100)).toBeNull();
		expect(() => numeroGanador("ultimas", { numero: "41715", serie: null }, 100)).toThrow(
			RangeError,
		);
	});
});

describe("prizes", () => {
	it("pays a sold-out Plata rifa's single winner 75,000,000 centavos", () => {
		const { ganadores, desglose } = calcularPremios(base());
		expect(ganadores).toEqual([
			{
				posicion: 1,
				fuente: "ultimas",
				numeroGanador: 49,
				ticketId: "t-49",
				numero: 49,
				porCercania: false,
				monto: 75_000_000,
			},
		]);
		expect(desglose).toMatchObject({
			ventas: 100_000_000,
			fondo: 75_000_000,
			premios: 75_000_000,
			casa: 0,
			acumula: 0,
		});
	});

	it("splits the fund between positions by reparto_bps (last and first digits)", () => {
		const { ganadores } = calcularPremios(
			base({
				numeroGanadores: 2,
				reglas: { base_premio: "fijo", reparto_bps: [7000, 3000], numero_no_vendido: "casa" },
			}),
		);
		expect(ganadores.map((g) => [g.posicion, g.numero, g.monto])).toEqual([
			[1, 49, 52_500_000],
			[2, 36, 22_500_000],
		]);
	});

	it("keeps an unsold position's share for the house, rolls it over, or gives it to the nearest sold number", () => {
		const unsold49 = sold([10, 47, 51, 90]);
		const casa = calcularPremios(base({ vendidos: unsold49 }));
		expect(casa.ganadores).toEqual([]);
		expect(casa.desglose.casa).toBe(75_000_000);
		const acumula = calcularPremios(
			base({
				vendidos: unsold49,
				reglas: { base_premio: "fijo", reparto_bps: null, numero_no_vendido: "acumula" },
			}),
		);
		expect(acumula.desglose.acumula).toBe(75_000_000);
		const cercano = calcularPremios(
			base({
				vendidos: unsold49,
				reglas: { base_premio: "fijo", reparto_bps: null, numero_no_vendido: "mas_cercano" },
			}),
		);
		expect(cercano.ganadores[0]).toMatchObject({
			numero: 47,
			porCercania: true,
			monto: 75_000_000,
		});
	});

	it("computes a proportional prize from actual sales after rake, exact to the centavo", () => {
		const { ganadores, desglose } = calcularPremios(
			base({
				vendidos: sold([49, 1, 2]),
				categoria: { ...PLATA, valorBoleta: 333_333, rakeBps: 2500 },
				reglas: { base_premio: "proporcional", reparto_bps: null, numero_no_vendido: "casa" },
			}),
		);
		expect(desglose.ventas).toBe(999_999);
		expect(desglose.rake).toBe(249_999);
		expect(ganadores[0]?.monto).toBe(750_000);
	});

	it("adds a received rollover to the fund", () => {
		const { ganadores, desglose } = calcularPremios(base({ acumuladoRecibido: 10_000_001 }));
		expect(ganadores[0]?.monto).toBe(85_000_001);
		expect(desglose.acumulado_recibido).toBe(10_000_001);
	});

	it("refuses more positions than the rifa's digits allow", () => {
		expect(() =>
			calcularPremios(base({ totalBoletas: 10000, numeroGanadores: 2, vendidos: all(10) })),
		).toThrow(RangeError);
	});
});

describe("properties", () => {
	it("repartir always adds up exactly and never strays a centavo from the ideal share", () => {
		fc.assert(
			fc.property(
				fc.integer({ min: 0, max: 10 ** 13 }),
				fc
					.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 8 })
					.filter((w) => w.some((x) => x > 0)),
				(total, pesos) => {
					const partes = repartir(total, pesos);
					const suma = pesos.reduce((a, b) => a + b, 0);
					expect(partes.reduce((a, b) => a + b, 0)).toBe(total);
					partes.forEach((p, i) => {
						const ideal = (total * (pesos[i] ?? 0)) / suma;
						expect(Number.isInteger(p)).toBe(true);
						expect(Math.abs(p - ideal)).toBeLessThan(1);
					});
				},
			),
		);
	});

	it("prizes + house + rollover always equal the fund plus what was rolled in; proportional rake + fund equal sales", () => {
		const totals = fc.constantFrom(100, 1000, 10000);
		fc.assert(
			fc.property(
				totals.chain((total) =>
					fc.record({
						total: fc.constant(total),
						ganadores: fc.integer({ min: 1, max: total === 10000 ? 1 : 3 }),
						vendidos: fc.uniqueArray(fc.integer({ min: 0, max: total - 1 }), { maxLength: 120 }),
						numero: fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, "0")),
						serie: fc.option(
							fc.integer({ min: 0, max: 999 }).map((n) => String(n).padStart(3, "0")),
							{ nil: null },
						),
						base: fc.constantFrom("fijo" as const, "proporcional" as const),
						politica: fc.constantFrom("casa" as const, "acumula" as const, "mas_cercano" as const),
						valor: fc.integer({ min: 1, max: 10_000_000 }),
						rake: fc.integer({ min: 0, max: 9999 }),
						fondo: fc.integer({ min: 0, max: 10 ** 11 }),
						acumulado: fc.integer({ min: 0, max: 10 ** 9 }),
						conReparto: fc.boolean(),
					}),
				),
				(c) => {
					const reparto = c.conReparto
						? repartir(
								10_000,
								Array.from({ length: c.ganadores }, (_, i) => i + 1),
							)
						: null;
					const { ganadores, desglose } = calcularPremios({
						totalBoletas: c.total,
						numeroGanadores: c.ganadores,
						reglas: { base_premio: c.base, reparto_bps: reparto, numero_no_vendido: c.politica },
						categoria: {
							valorBoleta: c.valor,
							rakeBps: c.rake,
							fondoPremios: c.fondo,
							premioPorGanador: null,
						},
						vendidos: sold(c.vendidos),
						resultado: { numero: c.numero, serie: c.serie },
						acumuladoRecibido: c.acumulado,
					});
					expect(desglose.premios + desglose.casa + desglose.acumula).toBe(
						desglose.fondo + c.acumulado,
					);
					if (c.base === "proporcional")
						expect(desglose.rake + desglose.fondo).toBe(desglose.ventas);
					const soldSet = new Set(c.vendidos);
					for (const g of ganadores) {
						expect(soldSet.has(g.numero)).toBe(true);
						expect(Number.isInteger(g.monto) && g.monto >= 0).toBe(true);
						if (!g.porCercania) expect(g.numero).toBe(g.numeroGanador);
					}
					expect(ganadores.length).toBeLessThanOrEqual(c.ganadores);
				},
			),
			{ numRuns: 300 },
		);
	});
});
