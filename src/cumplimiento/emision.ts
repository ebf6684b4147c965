/**
 * The whole emission of a rifa and what the authority charges on it. Pure, integer centavos.
 *
 * The derechos de explotación are charged on every boleta issued, sold or not
 * (docs/cumplimiento.md), so they are known before the first sale: `total_boletas × valor_boleta`
 * is the base. The administration costs are a share of the derechos (the Lotería de Bogotá's 1 %
 * of the 14 %), computed on the derechos as charged, i.e. after their rounding.
 *
 * Rounding: both are rounded UP to the next whole centavo, so that the amount declared is never
 * below what the rule asks: the authority is never underpaid by a fraction. The products are
 * taken in BigInt: 10,000 boletas of a large price times basis points goes past 2^53.
 */

export interface Emision {
	total_boletas: number;
	valor_boleta: number;
	/** total_boletas × valor_boleta. */
	valor_emision: number;
	/** ⌈valor_emision × derechosBps / 10 000⌉. */
	derechos: number;
	/** ⌈derechos × administracionBps / 10 000⌉. */
	administracion: number;
}

const BPS = 10_000n;

/** ⌈a × bps / 10 000⌉ for a ≥ 0, bps ≥ 0, exactly. */
export const partesPorDiezMilArriba = (a: bigint, bps: bigint): bigint => {
	if (a < 0n || bps < 0n) throw new RangeError("partesPorDiezMilArriba: negative input");
	return (a * bps + BPS - 1n) / BPS;
};

const centavos = (value: bigint, what: string): number => {
	if (value > BigInt(Number.MAX_SAFE_INTEGER))
		throw new RangeError(`${what} exceeds 2^53 centavos`);
	return Number(value);
};

const entero = (n: number, what: string): bigint => {
	if (!Number.isSafeInteger(n) || n < 0) {
		throw new RangeError(`${what} must be a non-negative integer, got ${n}`);
	}
	return BigInt(n);
};

export const calcularEmision = (
	rifa: { totalBoletas: number; valorBoleta: number },
	tarifas: { derechosBps: number; administracionBps: number },
): Emision => {
	const valor = entero(rifa.totalBoletas, "totalBoletas") * entero(rifa.valorBoleta, "valorBoleta");
	const derechos = partesPorDiezMilArriba(valor, entero(tarifas.derechosBps, "derechosBps"));
	const administracion = partesPorDiezMilArriba(
		derechos,
		entero(tarifas.administracionBps, "administracionBps"),
	);
	return {
		total_boletas: rifa.totalBoletas,
		valor_boleta: rifa.valorBoleta,
		valor_emision: centavos(valor, "valor_emision"),
		derechos: centavos(derechos, "derechos"),
		administracion: centavos(administracion, "administracion"),
	};
};
