import { and, asc, eq, notExists, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import {
	type LoteriaRow,
	loterias,
	type PropuestaRow,
	propuestasResolucion,
	type ResultadoRow,
	resultados,
} from "../db/schema";
import { nowIso } from "../lib/time";
import { alerta, avisoInsert, despacharLuego } from "../notificaciones/avisos";
import { auditInsertIf } from "./audit";
import { type EstadoResultado, estadoSorteo, observacionDto } from "./observaciones.service";

/**
 * A result in conflict is decided by two admins: one proposes it, every admin is alerted, and
 * another confirms that same proposal. Only the confirmation writes the `resultados` row, with both
 * admins, so no single admin decides a result.
 */
export interface NuevaPropuesta {
	numero: string;
	serie: string;
	motivo: string;
	/** The official document; required when no observation of the draw reported this result. */
	evidencia: { url: string; sha256: string } | null;
	actorId: string;
	requestId: string | null;
}

export type PropuestaOutcome =
	| { outcome: "propuesta"; propuesta: PropuestaRow; nueva: boolean }
	| { outcome: "no_en_conflicto"; estado: EstadoResultado }
	| { outcome: "evidencia_requerida" };

export type ConfirmacionOutcome =
	| { outcome: "confirmada"; resultado: ResultadoRow; propuesta: PropuestaRow }
	| { outcome: "no_existe" }
	| { outcome: "propia" }
	/** The draw's result is already written: by this proposal's confirmation or by another. */
	| { outcome: "ya_resuelto"; resultado: ResultadoRow; propuestaId: string };

export type EstadoPropuesta = "propuesta" | "confirmada" | "sin_efecto";

const col = <T>(value: T, name: string) => sql<T>`${value}`.as(name);

const resultadoDelSorteo = (db: Database, loteriaId: string, fecha: string) =>
	db
		.select()
		.from(resultados)
		.where(and(eq(resultados.loteriaId, loteriaId), eq(resultados.fecha, fecha)));

/**
 * Records an admin's proposal for a draw in conflict and alerts every admin. The result must be
 * one an observation of the draw reported, or the proposal must bring the official document. The
 * same admin proposing the same result again gets its first proposal back.
 */
export const proposeResolution = async (
	env: Env,
	db: Database,
	lot: LoteriaRow,
	fecha: string,
	p: NuevaPropuesta,
	ctx?: Pick<ExecutionContext, "waitUntil">,
): Promise<PropuestaOutcome> => {
	const before = await estadoSorteo(db, lot, fecha);
	if (before.estado !== "en_conflicto")
		return { outcome: "no_en_conflicto", estado: before.estado };
	const observado = before.observaciones.some((o) => o.numero === p.numero && o.serie === p.serie);
	if (!observado && !p.evidencia) return { outcome: "evidencia_requerida" };
	const id = crypto.randomUUID();
	const row: PropuestaRow = {
		id,
		loteriaId: lot.id,
		fecha,
		numero: p.numero,
		serie: p.serie,
		motivo: p.motivo,
		evidenciaUrl: p.evidencia?.url ?? null,
		evidenciaSha256: p.evidencia?.sha256 ?? null,
		propuestaPor: p.actorId,
		creadaEn: nowIso(),
	};
	const inserted = eq(propuestasResolucion.id, id);
	const aviso = alerta(id, {
		clase: "resolucion_propuesta",
		detalle: {
			loteria: lot.nombre,
			fecha,
			numero: p.numero,
			serie: p.serie,
			motivo: p.motivo,
			evidencia_url: row.evidenciaUrl,
			propuesta_id: id,
			propuesta_por: p.actorId,
		},
	});
	await db.batch([
		// Not once the draw has its result: a proposal then would decide nothing.
		db
			.insert(propuestasResolucion)
			.select(
				db
					.select({
						id: col(row.id, "id"),
						loteriaId: col(row.loteriaId, "loteria_id"),
						fecha: col(row.fecha, "fecha"),
						numero: col(row.numero, "numero"),
						serie: col(row.serie, "serie"),
						motivo: col(row.motivo, "motivo"),
						evidenciaUrl: col(row.evidenciaUrl, "evidencia_url"),
						evidenciaSha256: col(row.evidenciaSha256, "evidencia_sha256"),
						propuestaPor: col(row.propuestaPor, "propuesta_por"),
						creadaEn: col(row.creadaEn, "creada_en"),
					})
					.from(loterias)
					.where(
						and(
							eq(loterias.id, lot.id),
							notExists(
								db
									.select({ id: resultados.id })
									.from(resultados)
									.where(and(eq(resultados.loteriaId, lot.id), eq(resultados.fecha, fecha))),
							),
						),
					),
			)
			.onConflictDoNothing(),
		auditInsertIf(
			db,
			{
				actorId: p.actorId,
				action: "resultado.resolucion_propuesta",
				entity: "resultado",
				entityId: `${lot.id}:${fecha}`,
				after: propuestaDto(row, null),
				requestId: p.requestId,
			},
			propuestasResolucion,
			inserted,
		),
		avisoInsert(db, aviso, { table: propuestasResolucion, where: inserted }),
	]);
	const [propuesta] = await db
		.select()
		.from(propuestasResolucion)
		.where(
			and(
				eq(propuestasResolucion.loteriaId, lot.id),
				eq(propuestasResolucion.fecha, fecha),
				eq(propuestasResolucion.propuestaPor, p.actorId),
				eq(propuestasResolucion.numero, p.numero),
				eq(propuestasResolucion.serie, p.serie),
			),
		);
	if (!propuesta) {
		const after = await estadoSorteo(db, lot, fecha);
		return { outcome: "no_en_conflicto", estado: after.estado };
	}
	// A repeat dispatches too: the first request may have stopped before it did.
	await despacharLuego(env, db, ctx, [`alerta:resolucion_propuesta:${propuesta.id}`]);
	return { outcome: "propuesta", propuesta, nueva: propuesta.id === id };
};

/**
 * Another admin confirms a proposal: the draw's result is written from it, with both admins, in
 * one guarded batch. Of two confirmations at once (of this proposal or of competing ones), the
 * unique (loteria, fecha) of `resultados` lets one write; the other writes nothing.
 */
export const confirmResolution = async (
	db: Database,
	lot: LoteriaRow,
	fecha: string,
	c: { propuestaId: string; actorId: string; requestId: string | null },
): Promise<ConfirmacionOutcome> => {
	const [propuesta] = await db
		.select()
		.from(propuestasResolucion)
		.where(
			and(
				eq(propuestasResolucion.id, c.propuestaId),
				eq(propuestasResolucion.loteriaId, lot.id),
				eq(propuestasResolucion.fecha, fecha),
			),
		);
	if (!propuesta) return { outcome: "no_existe" };
	if (propuesta.propuestaPor === c.actorId) return { outcome: "propia" };
	const before = await estadoSorteo(db, lot, fecha);
	if (before.resultado)
		return { outcome: "ya_resuelto", resultado: before.resultado, propuestaId: propuesta.id };
	const id = crypto.randomUUID();
	const resultado: ResultadoRow = {
		id,
		loteriaId: lot.id,
		fecha,
		numero: propuesta.numero,
		serie: propuesta.serie,
		fuente: "resolucion",
		recibidoEn: nowIso(),
		resueltoPor: propuesta.propuestaPor,
		motivo: propuesta.motivo,
		confirmadoPor: c.actorId,
		propuestaId: propuesta.id,
		evidenciaUrl: propuesta.evidenciaUrl,
		evidenciaSha256: propuesta.evidenciaSha256,
	};
	await db.batch([
		db.insert(resultados).values(resultado).onConflictDoNothing(),
		auditInsertIf(
			db,
			{
				actorId: c.actorId,
				action: "resultado.resuelto",
				entity: "resultado",
				entityId: `${lot.id}:${fecha}`,
				before: {
					estado: "en_conflicto",
					observaciones: before.observaciones.map(observacionDto),
				},
				after: {
					estado: "confirmado",
					numero: propuesta.numero,
					serie: propuesta.serie,
					motivo: propuesta.motivo,
					evidencia: evidenciaDe(propuesta),
					propuesta_id: propuesta.id,
					propuesta_por: propuesta.propuestaPor,
					propuesta_en: propuesta.creadaEn,
					confirmada_por: c.actorId,
				},
				requestId: c.requestId,
			},
			resultados,
			eq(resultados.id, id),
		),
	]);
	const [after] = await resultadoDelSorteo(db, lot.id, fecha);
	if (!after) throw new Error("the draw's result was neither written nor found");
	if (after.id !== id)
		return { outcome: "ya_resuelto", resultado: after, propuestaId: propuesta.id };
	return { outcome: "confirmada", resultado: after, propuesta };
};

/** The proposals for a draw, oldest first, with the draw's result to tell their state. */
export const listProposals = async (db: Database, loteriaId: string, fecha: string) => {
	const [rows, [resultado]] = await db.batch([
		db
			.select()
			.from(propuestasResolucion)
			.where(
				and(eq(propuestasResolucion.loteriaId, loteriaId), eq(propuestasResolucion.fecha, fecha)),
			)
			.orderBy(asc(propuestasResolucion.creadaEn), asc(propuestasResolucion.id)),
		resultadoDelSorteo(db, loteriaId, fecha),
	]);
	return rows.map((p) => propuestaDto(p, resultado ?? null));
};

const evidenciaDe = (p: PropuestaRow) =>
	p.evidenciaUrl && p.evidenciaSha256 ? { url: p.evidenciaUrl, sha256: p.evidenciaSha256 } : null;

const estadoPropuesta = (p: PropuestaRow, resultado: ResultadoRow | null): EstadoPropuesta =>
	!resultado ? "propuesta" : resultado.propuestaId === p.id ? "confirmada" : "sin_efecto";

export const propuestaDto = (p: PropuestaRow, resultado: ResultadoRow | null) => {
	const estado = estadoPropuesta(p, resultado);
	return {
		id: p.id,
		loteria_id: p.loteriaId,
		fecha: p.fecha,
		numero: p.numero,
		serie: p.serie,
		motivo: p.motivo,
		evidencia: evidenciaDe(p),
		propuesta_por: p.propuestaPor,
		creada_en: p.creadaEn,
		estado,
		...(estado === "confirmada" && resultado
			? { confirmada_por: resultado.confirmadoPor, confirmada_en: resultado.recibidoEn }
			: {}),
	};
};
