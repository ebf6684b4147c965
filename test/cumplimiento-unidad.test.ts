import { describe, expect, it } from "vitest";
import { faltantes } from "../src/cumplimiento/checklist";
import { ConfigInvalida, cumplimientoConfig, DEFAULTS } from "../src/cumplimiento/config";
import { calcularEmision, partesPorDiezMilArriba } from "../src/cumplimiento/emision";
import { mesColombia } from "../src/cumplimiento/limite-mensual";
import type { Autorizacion, Garantia } from "../src/cumplimiento/tipos";

const TARIFAS = { derechosBps: 1400, administracionBps: 100 };

describe("emisión", () => {
	it("1,000 boletas of $10.000: emission, derechos (14 %) and administration (1 % of them), exact", () => {
		expect(calcularEmision({ totalBoletas: 1000, valorBoleta: 1_000_000 }, TARIFAS)).toEqual({
			total_boletas: 1000,
			valor_boleta: 1_000_000,
			valor_emision: 1_000_000_000,
			derechos: 140_000_000,
			administracion: 1_400_000,
		});
	});

	it("rounds a fraction of a centavo up, never down: the authority is never underpaid", () => {
		// 100 × 3,333 = 333,300 centavos; 14 % = 46,662 exactly; 1 % of it = 466.62 → 467.
		expect(calcularEmision({ totalBoletas: 100, valorBoleta: 3_333 }, TARIFAS)).toMatchObject({
			valor_emision: 333_300,
			derechos: 46_662,
			administracion: 467,
		});
		// 100 × 1,001 = 100,100; 14 % = 14,014 exactly; 1 % = 140.14 → 141.
		expect(calcularEmision({ totalBoletas: 100, valorBoleta: 1_001 }, TARIFAS)).toMatchObject({
			derechos: 14_014,
			administracion: 141,
		});
		// 100 × 1 = 100 → 14; 1 % of 14 = 0.14 → 1.
		expect(calcularEmision({ totalBoletas: 100, valorBoleta: 1 }, TARIFAS)).toMatchObject({
			valor_emision: 100,
			derechos: 14,
			administracion: 1,
		});
		// 1,000 × 12,345 = 12,345,000; 14 % = 1,728,300; 1 % = 17,283.
		expect(calcularEmision({ totalBoletas: 1000, valorBoleta: 12_345 }, TARIFAS)).toMatchObject({
			derechos: 1_728_300,
			administracion: 17_283,
		});
		// A rate that leaves a fraction of the emission: 13.33 % of 100 × 999 = 99,900 → 13,316.67 → 13,317.
		expect(
			calcularEmision(
				{ totalBoletas: 100, valorBoleta: 999 },
				{ derechosBps: 1333, administracionBps: 100 },
			),
		).toMatchObject({ valor_emision: 99_900, derechos: 13_317, administracion: 134 });
	});

	it("is exact past 2^53 in its products, with BigInt", () => {
		expect(partesPorDiezMilArriba(9_007_199_254_740_993n, 1400n)).toBe(1_261_007_895_663_740n);
		expect(partesPorDiezMilArriba(0n, 1400n)).toBe(0n);
		expect(partesPorDiezMilArriba(1n, 1n)).toBe(1n);
		expect(partesPorDiezMilArriba(10_000n, 1n)).toBe(1n);
		expect(partesPorDiezMilArriba(10_001n, 1n)).toBe(2n);
		// 10,000 boletas of $900.000.000: 9 × 10^15 centavos fit; their 14 % too.
		expect(
			calcularEmision({ totalBoletas: 10_000, valorBoleta: 90_000_000_000 }, TARIFAS),
		).toMatchObject({ valor_emision: 900_000_000_000_000, derechos: 126_000_000_000_000 });
		expect(() =>
			calcularEmision({ totalBoletas: 10_000, valorBoleta: 1_000_000_000_000 }, TARIFAS),
		).toThrow(RangeError);
		expect(() => calcularEmision({ totalBoletas: 100, valorBoleta: 1.5 }, TARIFAS)).toThrow(
			RangeError,
		);
	});
});

describe("configuración", () => {
	it("defaults to libre, 45 days, 14 %, 1 % of the derechos and two rifas a month", () => {
		expect(cumplimientoConfig({})).toEqual(DEFAULTS);
		expect(cumplimientoConfig({ MODO_LEGAL: "", DERECHOS_BPS: " " })).toEqual(DEFAULTS);
		expect(DEFAULTS).toEqual({
			modo: "libre",
			diasAnticipacionSolicitud: 45,
			derechosBps: 1400,
			administracionBps: 100,
			maxRifasMes: 2,
		});
	});

	it("reads every setting, and refuses a bad one instead of falling back", () => {
		expect(
			cumplimientoConfig({
				MODO_LEGAL: "colombia",
				DIAS_ANTICIPACION_SOLICITUD: "60",
				DERECHOS_BPS: "1200",
				ADMINISTRACION_BPS: "0",
				MAX_RIFAS_MES: "1",
			}),
		).toEqual({
			modo: "colombia",
			diasAnticipacionSolicitud: 60,
			derechosBps: 1200,
			administracionBps: 0,
			maxRifasMes: 1,
		});
		for (const bad of [
			{ MODO_LEGAL: "Colombia" },
			{ MODO_LEGAL: "legal" },
			{ DERECHOS_BPS: "14%" },
			{ DERECHOS_BPS: "10001" },
			{ ADMINISTRACION_BPS: "-1" },
			{ MAX_RIFAS_MES: "0" },
			{ DIAS_ANTICIPACION_SOLICITUD: "4.5" },
		]) {
			expect(() => cumplimientoConfig(bad), JSON.stringify(bad)).toThrow(ConfigInvalida);
		}
	});
});

describe("mes en hora de Colombia", () => {
	it("takes the month of the Colombian calendar day, UTC−5", () => {
		// 22:30 of 30 April in Bogotá is 03:30 of 1 May in UTC: still April.
		expect(mesColombia("2027-05-01T03:30:00.000Z")).toEqual({
			mes: "2027-04",
			desde: "2027-04-01T05:00:00.000Z",
			hasta: "2027-05-01T05:00:00.000Z",
		});
		expect(mesColombia("2027-05-01T05:00:00.000Z").mes).toBe("2027-05");
		expect(mesColombia("2027-12-31T23:00:00.000Z")).toMatchObject({
			mes: "2027-12",
			hasta: "2028-01-01T05:00:00.000Z",
		});
	});
});

describe("checklist", () => {
	// The draw: Thursday 2027-04-15 at 22:30 in Colombia.
	const rifa = { fechaSorteo: "2027-04-16T03:30:00.000Z", numeroGanadores: 2 };
	const now = new Date("2027-03-01T15:00:00.000Z");
	const autorizacion: Autorizacion = {
		autoridad: "Lotería de Bogotá",
		numero: "GESTORES-2027-0142",
		fecha: "2027-02-20",
		vigencia_hasta: "2027-04-15",
		fecha_solicitud: "2027-02-28",
	};
	const garantia: Garantia = {
		aseguradora: "Seguros del Estado S.A.",
		numero: "CU-104522",
		valor: 30_000_000_000,
		vigencia_hasta: "2027-05-15",
	};
	const soporte = { tipo: "factura" as const, sha256: "ab".repeat(32) };
	const completa = {
		rifa,
		valorBoleta: 1_000_000,
		autorizacion,
		garantia,
		premios: [
			{ posicion: 1, soporte },
			{ posicion: 2, soporte },
		],
	};
	const config = { diasAnticipacionSolicitud: 45 };

	it("is empty for a complete rifa; 45 days exactly is enough, and the draw's Colombian date counts", () => {
		// 2027-02-28 → 2027-04-15 is 46 days; the draw instant is already 2027-04-16 in UTC.
		expect(faltantes(completa, config, now)).toEqual([]);
		expect(
			faltantes(
				{
					...completa,
					autorizacion: { ...autorizacion, fecha_solicitud: "2027-03-01", fecha: "2027-03-01" },
				},
				config,
				now,
			),
		).toEqual([]);
	});

	it("names each missing item", () => {
		expect(
			faltantes({ ...completa, autorizacion: null, garantia: null, premios: [] }, config, now).map(
				(f) => f.campo,
			),
		).toEqual(["autorizacion", "premios", "garantia"]);
	});

	it("an authorization not yet in force, expiring before the draw, or requested too late", () => {
		const lista = faltantes(
			{
				...completa,
				autorizacion: {
					...autorizacion,
					fecha: "2027-03-02",
					vigencia_hasta: "2027-04-14",
					fecha_solicitud: "2027-03-02",
				},
			},
			config,
			now,
		);
		expect(lista.map((f) => f.campo)).toEqual([
			"autorizacion.fecha",
			"autorizacion",
			"autorizacion.fecha_solicitud",
		]);
		expect(lista[1]?.mensaje).toContain("vence el 2027-04-14, antes del sorteo del 2027-04-15");
		expect(lista[2]?.mensaje).toContain("44 días antes del sorteo");
		expect(lista[2]?.mensaje).toContain("al menos 45 días");
		// The number of days is a setting.
		expect(faltantes(completa, { diasAnticipacionSolicitud: 60 }, now).map((f) => f.campo)).toEqual(
			["autorizacion.fecha_solicitud"],
		);
	});

	it("prizes: a missing position, one beyond the winners, and one without its ownership proof", () => {
		const lista = faltantes(
			{
				...completa,
				premios: [
					{ posicion: 1, soporte },
					{ posicion: 3, soporte: null },
					{ posicion: 4, soporte },
				],
			},
			config,
			now,
		);
		expect(lista.map((f) => f.campo)).toEqual([
			"premios",
			"premios[1].posicion",
			"premios[1].soporte_propiedad",
			"premios[2].posicion",
		]);
		expect(lista[0]?.mensaje).toContain("posición 2");
	});

	it("a guarantee that expires before the draw; a price that is not positive", () => {
		const lista = faltantes(
			{ ...completa, garantia: { ...garantia, vigencia_hasta: "2027-04-14" }, valorBoleta: 0 },
			config,
			now,
		);
		expect(lista.map((f) => f.campo)).toEqual(["garantia", "emision.valor_boleta"]);
		expect(lista[0]?.mensaje).toContain("vence el 2027-04-14");
	});
});
