const COP = { style: "currency", currency: "COP" } as const;
// Both bounds are set: ICU builds disagree on how many decimals COP has by default.
const pesos = new Intl.NumberFormat("es-CO", {
	...COP,
	minimumFractionDigits: 0,
	maximumFractionDigits: 0,
});
const conCentavos = new Intl.NumberFormat("es-CO", {
	...COP,
	minimumFractionDigits: 2,
	maximumFractionDigits: 2,
});
const porcentaje = new Intl.NumberFormat("es-CO", {
	style: "percent",
	minimumFractionDigits: 0,
	maximumFractionDigits: 2,
});

/** `1234` → `"12.34"`, exactly: Intl takes decimal strings without going through a float. */
const decimal = (units: number, scale: number): `${number}` => {
	if (!Number.isSafeInteger(units)) throw new RangeError(`not a safe integer: ${units}`);
	const digits = String(Math.abs(units)).padStart(scale + 1, "0");
	return `${units < 0 ? "-" : ""}${digits.slice(0, -scale)}.${digits.slice(-scale)}` as `${number}`;
};

/**
 * COP centavos as es-CO text: `"$ 1.000.000"`, or `"$ 1.234,50"` when there are centavos; the
 * space is U+00A0, as Intl writes it. Formatting `cents / 100` with the locale's defaults would
 * round the centavos away.
 */
export const formatCop = (cents: number): string =>
	(cents % 100 === 0 ? pesos : conCentavos).format(decimal(cents, 2));

/** Basis points as an es-CO percentage: `1234` → `"12,34%"`. */
export const formatBps = (bps: number): string => porcentaje.format(decimal(bps, 4));

/** A phone number in E.164: `+`, a country code and up to 15 digits in all. */
export const E164 = /^\+[1-9]\d{6,14}$/;

/** Numbers as the rifa prints them: `7` in a 100-number rifa is `07`. */
export const numeroDeRifa = (numero: number, totalBoletas: number): string =>
	String(numero).padStart(String(totalBoletas - 1).length, "0");
