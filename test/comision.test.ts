import { describe, expect, it } from "vitest";
import { comisionDeCaja, comisionPor, EsquemaComisionSchema } from "../src/cajas/comision";

const TRAMOS = EsquemaComisionSchema.parse({
	tipo: "tramos",
	tramos: [
		{ hasta: 20, monto: 200_000 },
		{ hasta: 50, monto: 250_000 },
		{ hasta: null, monto: 300_000 },
	],
});

describe("commission (docs/ventas.md's worked examples)", () => {
	it("pays the tier the seller's count reaches for all its boletas, and a box the difference", () => {
		expect(comisionPor(TRAMOS, 18, 2_000_000)).toBe(3_600_000);
		expect(comisionPor(TRAMOS, 23, 2_000_000)).toBe(5_750_000);
		expect(comisionDeCaja(TRAMOS, [{ precio: 2_000_000, antes: 18, enCaja: 5 }])).toBe(2_150_000);
		expect(comisionDeCaja(TRAMOS, [{ precio: 1_000_000, antes: 0, enCaja: 4 }])).toBe(800_000);
		expect(comisionPor(TRAMOS, 51, 1)).toBe(51 * 300_000);
	});

	it("takes a percentage of the price, rounded down to the centavo, exactly for large sums", () => {
		const pct = EsquemaComisionSchema.parse({ tipo: "porcentaje", bps: 1000 });
		expect(comisionPor(pct, 1, 2_000_000)).toBe(200_000);
		expect(comisionPor({ tipo: "porcentaje", bps: 333 }, 3, 1_000)).toBe(99);
		expect(comisionPor({ tipo: "porcentaje", bps: 9999 }, 10_000, 9_000_000_000)).toBe(
			89_991_000_000_000,
		);
		expect(comisionPor(null, 10, 1_000)).toBe(0);
	});

	it("refuses tiers out of order or with an open tier before the last", () => {
		const mal = (tramos: unknown) =>
			EsquemaComisionSchema.safeParse({ tipo: "tramos", tramos }).success;
		expect(
			mal([
				{ hasta: null, monto: 1 },
				{ hasta: 5, monto: 2 },
			]),
		).toBe(false);
		expect(
			mal([
				{ hasta: 10, monto: 1 },
				{ hasta: 5, monto: 2 },
				{ hasta: null, monto: 3 },
			]),
		).toBe(false);
		expect(mal([{ hasta: 10, monto: 1 }])).toBe(false);
	});
});
