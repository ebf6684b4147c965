import { eq } from "drizzle-orm";
import type { Database } from "../../db/client";
import { type LoteriaRow, loterias } from "../../db/schema";
import { executionContext } from "../../lib/create-app";
import { ApiError, notFound, t } from "../../lib/errors";
import type { AppRouteHandler } from "../../lib/types";
import { despacharLuego } from "../../notificaciones/avisos";
import {
	type EstadoSorteo,
	estadoSorteo,
	observacionDto,
	sorteoDe,
} from "../../services/observaciones.service";
import {
	observacionProblem,
	registrarObservacion,
	resolverConflicto,
} from "../../services/resultados.service";
import type { getResultado, postObservacion, postResolucion } from "./resultados.routes";

const LOTERIA = t("La lotería", "The lottery");

const loteriaOr404 = async (db: Database, id: string) => {
	const lot = await db.query.loterias.findFirst({ where: eq(loterias.id, id) });
	if (!lot) throw notFound(LOTERIA);
	return lot;
};

const view = (lot: LoteriaRow, fecha: string, s: EstadoSorteo) => ({
	loteria_id: lot.id,
	fecha,
	instante: sorteoDe(lot, fecha)?.instante ?? null,
	estado: s.estado,
	...(s.resultado
		? {
				numero: s.resultado.numero,
				serie: s.resultado.serie,
				fuente: s.resultado.fuente,
				motivo: s.resultado.motivo,
			}
		: {}),
	fuentes_requeridas: lot.fuentesRequeridas,
	observaciones: s.observaciones.map(observacionDto),
});

export const getResultadoHandler: AppRouteHandler<typeof getResultado> = async (c) => {
	const { id, fecha } = c.req.valid("param");
	const lot = await loteriaOr404(c.var.db, id);
	return c.json(view(lot, fecha, await estadoSorteo(c.var.db, lot, fecha)), 200);
};

export const postObservacionHandler: AppRouteHandler<typeof postObservacion> = async (c) => {
	const { id, fecha } = c.req.valid("param");
	const body = c.req.valid("json");
	const lot = await loteriaOr404(c.var.db, id);
	const registro = await registrarObservacion(
		c.env,
		c.var.db,
		{
			loteriaId: id,
			fecha,
			fuente: "admin",
			actorId: c.var.user.id,
			numero: body.numero,
			serie: body.serie,
			evidencia: { url: body.evidencia.url, sha256: body.evidencia.sha256 ?? null },
		},
		c.var.logger,
	);
	// What it closed or settled tells the buyers.
	await despacharLuego(c.env, c.var.db, executionContext(c));
	const problem = observacionProblem(registro.observacion, "admin");
	if (problem) throw problem;
	return c.json(view(lot, fecha, await estadoSorteo(c.var.db, lot, fecha)), 201);
};

export const postResolucionHandler: AppRouteHandler<typeof postResolucion> = async (c) => {
	const { id, fecha } = c.req.valid("param");
	const body = c.req.valid("json");
	const lot = await loteriaOr404(c.var.db, id);
	const done = await resolverConflicto(
		c.env,
		c.var.db,
		lot,
		fecha,
		{ ...body, actorId: c.var.user.id, requestId: c.var.requestId },
		c.var.logger,
	);
	// The rifas it settled tell their buyers.
	await despacharLuego(c.env, c.var.db, executionContext(c));
	if (done.resolucion.outcome === "no_en_conflicto") {
		const estado = done.resolucion.estado;
		throw new ApiError(
			"CONFLICT",
			estado === "confirmado"
				? t(
						"El resultado de este sorteo ya está confirmado y no se sobrescribe.",
						"This draw's result is already confirmed and is not overwritten.",
					)
				: t(
						"El resultado no está en conflicto: no hay nada que resolver. Registre una observación si falta una fuente.",
						"The result is not in conflict: there is nothing to resolve. Record an observation if a source is missing.",
					),
		);
	}
	return c.json(
		{
			...view(lot, fecha, await estadoSorteo(c.var.db, lot, fecha)),
			rifas_resueltas: done.resueltas,
			rifas_por_reintentar: done.porReintentar,
		},
		200,
	);
};
