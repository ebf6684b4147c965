/**
 * The legal mode's settings, read from the deployment's vars (wrangler.jsonc). Every number the
 * Colombian rules put on a rifa is a setting, not a constant: authorities differ (the 1 % of
 * administration is the Lotería de Bogotá's) and the decree may change them (docs/cumplimiento.md).
 *
 * A setting that is present but not valid stops every operation that depends on it (an Error,
 * answered as a 500 and logged) instead of falling back to a default: a typo in MODO_LEGAL must
 * never quietly switch the legal checks off.
 */

export const MODOS_LEGALES = ["libre", "colombia"] as const;
export type ModoLegal = (typeof MODOS_LEGALES)[number];

export interface CumplimientoConfig {
	/** `libre`: no legal checks (the default); `colombia`: a rifa as Colombian law defines it. */
	modo: ModoLegal;
	/** Calendar days between the authorization request and the draw, at least. */
	diasAnticipacionSolicitud: number;
	/** Derechos de explotación, in basis points of the whole emission (1400 = 14 %). */
	derechosBps: number;
	/** Administration costs, in basis points OF THE DERECHOS (100 = 1 % of the 14 %). */
	administracionBps: number;
	/** Non-cancelled rifas one operador may have drawing in one calendar month (Colombia time). */
	maxRifasMes: number;
}

export interface CumplimientoVars {
	MODO_LEGAL?: string | undefined;
	DIAS_ANTICIPACION_SOLICITUD?: string | undefined;
	DERECHOS_BPS?: string | undefined;
	ADMINISTRACION_BPS?: string | undefined;
	MAX_RIFAS_MES?: string | undefined;
}

export const DEFAULTS: CumplimientoConfig = {
	modo: "libre",
	diasAnticipacionSolicitud: 45,
	derechosBps: 1400,
	administracionBps: 100,
	maxRifasMes: 2,
};

export class ConfigInvalida extends Error {
	override readonly name = "ConfigInvalida";
}

const entero = (
	vars: CumplimientoVars,
	name: Exclude<keyof CumplimientoVars, "MODO_LEGAL">,
	fallback: number,
	min: number,
	max: number,
): number => {
	const raw = vars[name]?.trim();
	if (raw === undefined || raw === "") return fallback;
	const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
	if (!Number.isSafeInteger(n) || n < min || n > max) {
		throw new ConfigInvalida(`${name} must be an integer from ${min} to ${max}; it is "${raw}"`);
	}
	return n;
};

export const cumplimientoConfig = (vars: CumplimientoVars): CumplimientoConfig => {
	const modo = vars.MODO_LEGAL?.trim() || DEFAULTS.modo;
	if (!(MODOS_LEGALES as readonly string[]).includes(modo)) {
		throw new ConfigInvalida(`MODO_LEGAL must be "libre" or "colombia"; it is "${modo}"`);
	}
	return {
		modo: modo as ModoLegal,
		diasAnticipacionSolicitud: entero(
			vars,
			"DIAS_ANTICIPACION_SOLICITUD",
			DEFAULTS.diasAnticipacionSolicitud,
			0,
			3650,
		),
		derechosBps: entero(vars, "DERECHOS_BPS", DEFAULTS.derechosBps, 0, 10_000),
		administracionBps: entero(vars, "ADMINISTRACION_BPS", DEFAULTS.administracionBps, 0, 10_000),
		maxRifasMes: entero(vars, "MAX_RIFAS_MES", DEFAULTS.maxRifasMes, 1, 1000),
	};
};

/** The config, or null in `libre` mode: what the guards ask before doing anything. */
export const modoColombia = (vars: CumplimientoVars): CumplimientoConfig | null => {
	const config = cumplimientoConfig(vars);
	return config.modo === "colombia" ? config : null;
};
