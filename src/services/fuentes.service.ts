import type { Fuente, LoteriaMeta } from "../db/schema";
import { ApiError, type FieldError, t } from "../lib/errors";
import { esDesarrollo, fuentesRequeridasPorDefecto } from "./observaciones.service";

export interface FuentesConfig {
	fuentes: Fuente[];
	fuentesRequeridas: number;
}

/**
 * A new loteria's sources when the request names none: the adapter of a legacy `meta.adapter`,
 * else the mock in development and, elsewhere, the public results API plus the signed push.
 */
export const fuentesPorDefecto = (
	env: Pick<Env, "ENVIRONMENT">,
	meta: LoteriaMeta,
	body: { fuentes?: Fuente[] | undefined; fuentes_requeridas?: number | undefined },
): FuentesConfig => {
	const fuentes =
		body.fuentes ??
		(meta.adapter
			? [meta.adapter as Fuente]
			: esDesarrollo(env)
				? (["mock"] as Fuente[])
				: (["resultadosloterias", "webhook"] as Fuente[]));
	const requeridas =
		body.fuentes_requeridas ??
		Math.min(fuentesRequeridasPorDefecto(env), maxIndependientes(fuentes));
	return { fuentes, fuentesRequeridas: requeridas };
};

/** How many sources can agree: each listed source is one, all admins together too. */
const maxIndependientes = (fuentes: readonly Fuente[]) => new Set(fuentes).size;

/**
 * Sources a loteria may have here: outside development the mock (whose result anyone can
 * compute) is refused and two independent sources must agree.
 */
export const fuentesIssues = (
	env: Pick<Env, "ENVIRONMENT">,
	c: FuentesConfig,
	meta: LoteriaMeta,
): FieldError[] => {
	const errors: FieldError[] = [];
	if (!esDesarrollo(env) && c.fuentes.includes("mock")) {
		errors.push({
			path: "fuentes",
			message:
				"La fuente mock solo existe en desarrollo: su resultado lo puede calcular cualquiera",
			code: "mock_solo_desarrollo",
		});
	}
	if (!esDesarrollo(env) && c.fuentesRequeridas < 2) {
		errors.push({
			path: "fuentes_requeridas",
			message: "Fuera de desarrollo deben coincidir al menos 2 fuentes independientes",
			code: "quorum_minimo",
		});
	}
	if (c.fuentesRequeridas > maxIndependientes(c.fuentes)) {
		errors.push({
			path: "fuentes_requeridas",
			message: `No puede superar las fuentes distintas de la lotería (${maxIndependientes(c.fuentes)}; todos los admins juntos son una): el resultado nunca se confirmaría`,
			code: "quorum_imposible",
		});
	}
	if (c.fuentes.includes("resultadosloterias") && !meta.slug) {
		errors.push({
			path: "meta.slug",
			message: "La fuente resultadosloterias necesita el slug de la lotería",
			code: "slug_requerido",
		});
	}
	return errors;
};

export const fuentesInvalidas = (errors: FieldError[]) =>
	new ApiError(
		"VALIDATION_FAILED",
		t(
			`Las fuentes de resultados no son válidas: ${errors.map((e) => e.message).join("; ")}.`,
			`The results sources are not valid: ${errors.map((e) => e.code).join(", ")}.`,
		),
		{ errors },
	);
