import { and, eq } from "drizzle-orm";
import type { Database } from "../db/client";
import { type LoteriaRow, rifas } from "../db/schema";
import { ApiError, type Texto, t } from "../lib/errors";
import { createLogger, errorFields, type Logger } from "../lib/logger";
import { type NuevaObservacion, type ObservacionOutcome, observar } from "./observaciones.service";
import { type ConfirmacionOutcome, confirmResolution } from "./resoluciones.service";
import { updateRifa } from "./rifas.service";
import { fechaSorteoColombia, settle } from "./settlement.service";

export interface Liquidadas {
	resueltas: string[];
	/** Rifas of this draw that could not be settled now; the cron tries them again. */
	porReintentar: string[];
}

/**
 * Everything that follows a result observation: the draw's rifas stop selling at once (the
 * observation proves the lottery has drawn), and once the result is confirmed the closed rifas
 * waiting for it settle.
 */
export const registrarObservacion = async (
	env: Env,
	db: Database,
	o: NuevaObservacion,
	logger: Logger = createLogger(env),
): Promise<{ observacion: ObservacionOutcome } & Liquidadas> => {
	const observacion = await observar(env, db, o, logger);
	const none = { resueltas: [], porReintentar: [] };
	if (observacion.outcome !== "registrada") return { observacion, ...none };
	await stopSales(env, db, o.loteriaId, o.fecha, logger);
	if (observacion.estado !== "confirmado") return { observacion, ...none };
	return { observacion, ...(await settleDraw(env, db, o.loteriaId, o.fecha, logger)) };
};

/**
 * A second admin's confirmation of a proposed resolution, then the settlement of the rifas that
 * waited for it.
 */
export const confirmAndSettle = async (
	env: Env,
	db: Database,
	lot: LoteriaRow,
	fecha: string,
	c: Parameters<typeof confirmResolution>[3],
	logger: Logger,
): Promise<{ confirmacion: ConfirmacionOutcome } & Liquidadas> => {
	const confirmacion = await confirmResolution(db, lot, fecha, c);
	if (confirmacion.outcome !== "confirmada")
		return { confirmacion, resueltas: [], porReintentar: [] };
	logger.warn("result conflict resolved by two admins", {
		loteria_id: lot.id,
		fecha,
		propuesta_id: confirmacion.propuesta.id,
		propuesta_por: confirmacion.propuesta.propuestaPor,
		confirmada_por: c.actorId,
		numero: confirmacion.resultado.numero,
		serie: confirmacion.resultado.serie,
	});
	return { confirmacion, ...(await settleDraw(env, db, lot.id, fecha, logger)) };
};

/** A loteria's rifas in `estado` whose draw falls on a Colombian date. */
const rifasDelSorteo = async (
	db: Database,
	loteriaId: string,
	fecha: string,
	estado: "activa" | "cerrada",
) =>
	(
		await db
			.select({ id: rifas.id, fechaSorteo: rifas.fechaSorteo })
			.from(rifas)
			.where(and(eq(rifas.loteriaId, loteriaId), eq(rifas.estado, estado)))
	).filter((r) => fechaSorteoColombia(r.fechaSorteo) === fecha);

/** Rifas of a draw still open for sale are closed; their rooms refuse from the push on. */
const stopSales = async (
	env: Env,
	db: Database,
	loteriaId: string,
	fecha: string,
	logger: Logger,
) => {
	for (const { id } of await rifasDelSorteo(db, loteriaId, fecha, "activa")) {
		try {
			await updateRifa(db, { user: null, requestId: null, env }, id, { estado: "cerrada" });
			logger.warn("a result was observed while the rifa still sold; sales closed", { rifa_id: id });
		} catch (err) {
			// Closed meanwhile by the cron or an admin: what was asked is done.
			if (!(err instanceof ApiError)) {
				logger.error("closing a rifa after its result was observed failed", {
					rifa_id: id,
					error: errorFields(err),
				});
			}
		}
	}
};

const settleDraw = async (
	env: Env,
	db: Database,
	loteriaId: string,
	fecha: string,
	logger: Logger,
): Promise<Liquidadas> => {
	const waiting = await rifasDelSorteo(db, loteriaId, fecha, "cerrada");
	const resueltas: string[] = [];
	const porReintentar: string[] = [];
	for (const w of waiting) {
		const result = await settle(env, db, w.id, { actorId: null, logger });
		if (result.outcome === "resuelta") resueltas.push(w.id);
		else if (result.outcome === "reintentar" || result.outcome === "error")
			porReintentar.push(w.id);
	}
	return { resueltas, porReintentar };
};

/** Why an observation was not taken, or contradicts the confirmed result, as the API's problem. */
export const observacionProblem = (o: ObservacionOutcome, fuente: string): ApiError | null => {
	const refused = (code: string, path: string, detail: Texto) =>
		new ApiError("VALIDATION_FAILED", detail, { errors: [{ path, message: detail.es, code }] });
	switch (o.outcome) {
		case "loteria_no_existe":
			return refused(
				"loteria_no_existe",
				"loteria_id",
				t("La lotería no existe.", "The lottery does not exist."),
			);
		case "fuente_no_admitida":
			return refused(
				"fuente_no_admitida",
				"fuente",
				t(
					`La lotería no admite resultados de la fuente ${fuente} (admite: ${o.fuentes.join(", ")}).`,
					`The lottery takes no results from the source ${fuente} (it takes: ${o.fuentes.join(", ")}).`,
				),
			);
		case "sin_sorteo":
			return refused(
				"sin_sorteo",
				"fecha",
				t(
					"La lotería no tiene sorteo en esa fecha según su calendario.",
					"The lottery has no draw on that date according to its calendar.",
				),
			);
		case "antes_del_sorteo":
			return refused(
				"antes_del_sorteo",
				"fecha",
				t(
					`La lotería todavía no ha jugado: el sorteo es el ${o.sorteo.instante}. Un resultado anterior al sorteo no se acepta.`,
					`The lottery has not drawn yet: the draw is at ${o.sorteo.instante}. A result before the draw is not accepted.`,
				),
			);
		case "ya_observada":
			return new ApiError(
				"CONFLICT",
				t(
					`Ya registró ${o.anterior.numero}/${o.anterior.serie} para este sorteo y un administrador registra una sola observación por sorteo: la primera se mantiene. Si fue un error, se corrige con una resolución (un administrador la propone y otro la confirma).`,
					`You already recorded ${o.anterior.numero}/${o.anterior.serie} for this draw and an admin records one observation per draw: the first stands. If it was a mistake, it is corrected by a resolution (one admin proposes it, another confirms it).`,
				),
			);
		case "registrada":
			return o.contradice
				? new ApiError(
						"CONFLICT",
						t(
							"Contradice el resultado ya confirmado de este sorteo, que no se sobrescribe; la observación queda registrada y se alertó a los administradores.",
							"It contradicts the result already confirmed for this draw, which is not overwritten; the observation is recorded and admins were alerted.",
						),
					)
				: null;
	}
};
