import { eq } from "drizzle-orm";
import type { Database } from "../../db/client";
import { type LoteriaRow, loterias } from "../../db/schema";
import { executionContext } from "../../lib/create-app";
import { ApiError, forbidden, notFound, t } from "../../lib/errors";
import type { AppRouteHandler } from "../../lib/types";
import { despacharLuego } from "../../notificaciones/avisos";
import {
	type EstadoResultado,
	type EstadoSorteo,
	estadoSorteo,
	observacionDto,
	sorteoDe,
} from "../../services/observaciones.service";
import {
	listProposals,
	proposeResolution,
	propuestaDto,
} from "../../services/resoluciones.service";
import {
	confirmAndSettle,
	observacionProblem,
	registrarObservacion,
} from "../../services/resultados.service";
import type {
	getPropuestas,
	getResultado,
	postConfirmacion,
	postObservacion,
	postResolucion,
} from "./resultados.routes";

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

const noEnConflicto = (estado: EstadoResultado) =>
	new ApiError(
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

export const postResolucionHandler: AppRouteHandler<typeof postResolucion> = async (c) => {
	const { id, fecha } = c.req.valid("param");
	const body = c.req.valid("json");
	const lot = await loteriaOr404(c.var.db, id);
	const done = await proposeResolution(
		c.env,
		c.var.db,
		lot,
		fecha,
		{
			numero: body.numero,
			serie: body.serie,
			motivo: body.motivo,
			evidencia: body.evidencia ?? null,
			actorId: c.var.user.id,
			requestId: c.var.requestId,
		},
		executionContext(c),
	);
	if (done.outcome === "no_en_conflicto") throw noEnConflicto(done.estado);
	if (done.outcome === "evidencia_requerida") {
		const detail = t(
			`Ninguna observación de este sorteo reportó ${body.numero}/${body.serie}: la propuesta debe traer la evidencia del documento oficial (URL https y su SHA-256).`,
			`No observation of this draw reported ${body.numero}/${body.serie}: the proposal must bring the official document as evidence (https URL and its SHA-256).`,
		);
		throw new ApiError("VALIDATION_FAILED", detail, {
			errors: [{ path: "evidencia", message: detail.es, code: "evidencia_requerida" }],
		});
	}
	return c.json(propuestaDto(done.propuesta, null), done.nueva ? 201 : 200);
};

export const getPropuestasHandler: AppRouteHandler<typeof getPropuestas> = async (c) => {
	const { id, fecha } = c.req.valid("param");
	await loteriaOr404(c.var.db, id);
	return c.json({ items: await listProposals(c.var.db, id, fecha) }, 200);
};

export const postConfirmacionHandler: AppRouteHandler<typeof postConfirmacion> = async (c) => {
	const { id, fecha, propuesta_id } = c.req.valid("param");
	const lot = await loteriaOr404(c.var.db, id);
	const done = await confirmAndSettle(
		c.env,
		c.var.db,
		lot,
		fecha,
		{ propuestaId: propuesta_id, actorId: c.var.user.id, requestId: c.var.requestId },
		c.var.logger,
	);
	// The rifas it settled tell their buyers.
	await despacharLuego(c.env, c.var.db, executionContext(c));
	const r = done.confirmacion;
	switch (r.outcome) {
		case "no_existe":
			throw notFound(t("La propuesta de resolución", "The resolution proposal"));
		case "propia":
			throw forbidden(
				t(
					"Quien propone una resolución no puede confirmarla: debe confirmarla otro administrador.",
					"Whoever proposes a resolution cannot confirm it: another admin must.",
				),
			);
		case "ya_resuelto":
			throw new ApiError(
				"CONFLICT",
				r.resultado.propuestaId === r.propuestaId
					? t(
							"Esta propuesta ya fue confirmada; el resultado no se escribe dos veces.",
							"This proposal was already confirmed; the result is not written twice.",
						)
					: t(
							"El resultado de este sorteo ya está confirmado por otra vía y no se sobrescribe: esta propuesta quedó sin efecto.",
							"This draw's result is already confirmed another way and is not overwritten: this proposal has no effect.",
						),
			);
		case "confirmada":
			return c.json(
				{
					...view(lot, fecha, await estadoSorteo(c.var.db, lot, fecha)),
					rifas_resueltas: done.resueltas,
					rifas_por_reintentar: done.porReintentar,
				},
				200,
			);
	}
};
