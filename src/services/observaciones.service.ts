import { and, asc, eq } from "drizzle-orm";
import type { Database } from "../db/client";
import {
	type Fuente,
	type LoteriaRow,
	loterias,
	type ObservacionRow,
	observaciones,
	type ResultadoRow,
	resultados,
} from "../db/schema";
import { drawInstants, type Sorteo } from "../domain/calendario";
import { resultsAdapter } from "../integrations/loterias";
import { ResultSourceError } from "../integrations/loterias/types";
import { errorFields, type Logger } from "../lib/logger";
import { COUNTER, eventStatement } from "../lib/metrics";
import { nowIso } from "../lib/time";
import { alerta, avisoInsert, despacharLuego } from "../notificaciones/avisos";
import { auditInsert, auditInsertIf } from "./audit";

/**
 * A draw's result comes from the observations of independent sources. It is `confirmado` once
 * `fuentes_requeridas` distinct sources agree on número and serie and none disagrees, and from
 * then on the `resultados` row is the only result settlement reads: it is written once and never
 * overwritten. Sources that disagree make it `en_conflicto` until two admins resolve it
 * (`resoluciones.service.ts`).
 */
export type EstadoResultado = "pendiente" | "confirmado" | "en_conflicto";

export interface Evidencia {
	url: string | null;
	sha256: string | null;
}

export interface NuevaObservacion {
	loteriaId: string;
	fecha: string;
	fuente: Fuente;
	/** The admin who entered it (fuente `admin`). */
	actorId?: string | null;
	numero: string;
	serie: string;
	evidencia: Evidencia;
}

export type ObservacionOutcome =
	| { outcome: "loteria_no_existe" }
	| { outcome: "fuente_no_admitida"; fuentes: Fuente[] }
	| { outcome: "sin_sorteo" }
	/** The lottery has not drawn yet: nobody can know the result. */
	| { outcome: "antes_del_sorteo"; sorteo: Sorteo }
	/** This admin already observed the draw with another result, which stands. */
	| { outcome: "ya_observada"; anterior: ObservacionRow }
	| {
			outcome: "registrada";
			/** False when the same source had already said the same. */
			nueva: boolean;
			sorteo: Sorteo;
			estado: EstadoResultado;
			/** This observation disagrees with a result already confirmed, which does not change. */
			contradice: boolean;
	  };

/** The `mock` source answers a hash of public data: anyone could compute it. */
export const esDesarrollo = (env: Pick<Env, "ENVIRONMENT">) => env.ENVIRONMENT === "development";

export const fuentesRequeridasPorDefecto = (env: Pick<Env, "ENVIRONMENT">) =>
	esDesarrollo(env) ? 1 : 2;

/** Sources the cron asks by itself; `webhook` and `admin` come to us. */
export const FUENTES_CONSULTADAS: readonly Fuente[] = ["mock", "resultadosloterias"];

/** Who observed: each admin apart, so that each observes a draw once. */
export const fuenteClave = (fuente: Fuente, actorId: string | null | undefined) =>
	fuente === "admin" ? `admin:${actorId ?? "?"}` : fuente;

const clave = (o: { numero: string; serie: string | null }) => `${o.numero}/${o.serie ?? ""}`;

/**
 * What the observations say, with the confirmed result if there is one. The quorum counts
 * sources, not observers: all admins together are the one source `admin`, since an admin can make
 * another one. Any two results apart, admins' too, are a conflict.
 */
export const evaluar = (
	obs: readonly ObservacionRow[],
	requeridas: number,
	resultado: ResultadoRow | null,
): { estado: EstadoResultado; acuerdo?: { numero: string; serie: string; fuentes: string[] } } => {
	if (resultado) return { estado: "confirmado" };
	const grupos = new Map<string, { numero: string; serie: string; fuentes: Set<string> }>();
	for (const o of obs) {
		const g = grupos.get(clave(o)) ?? { numero: o.numero, serie: o.serie, fuentes: new Set() };
		g.fuentes.add(o.fuente);
		grupos.set(clave(o), g);
	}
	if (grupos.size > 1) return { estado: "en_conflicto" };
	const [only] = grupos.values();
	if (only && only.fuentes.size >= requeridas) {
		return {
			estado: "confirmado",
			acuerdo: { numero: only.numero, serie: only.serie, fuentes: [...only.fuentes].sort() },
		};
	}
	return { estado: "pendiente" };
};

/** The draw of a loteria on a Colombian date, if its calendar has one. */
export const sorteoDe = (lot: LoteriaRow, fecha: string): Sorteo | null =>
	drawInstants(lot, fecha, fecha)[0] ?? null;

export interface EstadoSorteo {
	estado: EstadoResultado;
	/** The agreement that reaches the quorum, while no result is written for it yet. */
	acuerdo?: { numero: string; serie: string; fuentes: string[] };
	resultado: ResultadoRow | null;
	observaciones: ObservacionRow[];
}

export const estadoSorteo = async (
	db: Database,
	lot: LoteriaRow,
	fecha: string,
): Promise<EstadoSorteo> => {
	const [obs, [resultado]] = await db.batch([
		db
			.select()
			.from(observaciones)
			.where(and(eq(observaciones.loteriaId, lot.id), eq(observaciones.fecha, fecha)))
			.orderBy(asc(observaciones.observadoEn), asc(observaciones.id)),
		db
			.select()
			.from(resultados)
			.where(and(eq(resultados.loteriaId, lot.id), eq(resultados.fecha, fecha))),
	]);
	return {
		...evaluar(obs, lot.fuentesRequeridas, resultado ?? null),
		resultado: resultado ?? null,
		observaciones: obs,
	};
};

/**
 * Records what one source says a draw's result is, and confirms the result when the quorum is
 * reached. Refused: a source the loteria does not list (or `mock` outside development), a day
 * without a draw, any observation before the draw's instant, and an admin's second result for a
 * draw (one admin, one voice: a mistake is corrected by a resolution). The same source saying the
 * same thing again changes nothing; anything that disagrees is kept, alerted (log, audit, metric)
 * and settles nothing.
 */
export const observar = async (
	env: Env,
	db: Database,
	o: NuevaObservacion,
	log: Logger,
	now: Date = new Date(),
): Promise<ObservacionOutcome> => {
	const lot = await db.query.loterias.findFirst({ where: eq(loterias.id, o.loteriaId) });
	if (!lot) return { outcome: "loteria_no_existe" };
	if (!lot.fuentes.includes(o.fuente) || (o.fuente === "mock" && !esDesarrollo(env))) {
		return { outcome: "fuente_no_admitida", fuentes: lot.fuentes };
	}
	const sorteo = sorteoDe(lot, o.fecha);
	if (!sorteo) return { outcome: "sin_sorteo" };
	if (now.toISOString() < sorteo.instante) {
		log.warn("result observation before the draw refused", {
			loteria_id: lot.id,
			fecha: o.fecha,
			fuente: o.fuente,
			sorteo: sorteo.instante,
		});
		return { outcome: "antes_del_sorteo", sorteo };
	}
	const id = crypto.randomUUID();
	const row: ObservacionRow = {
		id,
		loteriaId: lot.id,
		fecha: o.fecha,
		fuente: o.fuente,
		fuenteClave: fuenteClave(o.fuente, o.actorId),
		numero: o.numero,
		serie: o.serie,
		observadoEn: now.toISOString(),
		evidenciaUrl: o.evidencia.url,
		evidenciaSha256: o.evidencia.sha256,
		actorId: o.actorId ?? null,
	};
	await db.batch([
		db.insert(observaciones).values(row).onConflictDoNothing(),
		auditInsertIf(
			db,
			{
				actorId: o.actorId ?? null,
				action: "resultado.observado",
				entity: "resultado",
				entityId: `${lot.id}:${o.fecha}`,
				after: observacionDto(row),
			},
			observaciones,
			eq(observaciones.id, id),
		),
	]);
	const estado = await estadoSorteo(db, lot, o.fecha);
	const nueva = estado.observaciones.some((x) => x.id === id);
	if (!nueva && o.fuente === "admin") {
		// The unique index lets one row per admin and draw in, whichever request came first.
		const anterior = estado.observaciones.find((x) => x.fuenteClave === row.fuenteClave);
		if (anterior && clave(anterior) !== clave(row)) {
			log.warn("an admin's second, different result for a draw refused; the first stands", {
				loteria_id: lot.id,
				fecha: o.fecha,
				actor_id: o.actorId ?? null,
			});
			return { outcome: "ya_observada", anterior };
		}
	}
	const { estado: ahora, acuerdo } = estado;
	if (acuerdo) await confirmar(db, lot, o.fecha, acuerdo, log);
	const contradice = estado.resultado !== null && clave(estado.resultado) !== clave(row);
	if (ahora === "en_conflicto" || contradice) {
		const tipo = contradice ? "contradice_confirmado" : "en_conflicto";
		if (nueva) await alertar(env, db, lot, o.fecha, row, tipo, log);
		// Also for a repeat: the admins' alert has a stable id, and its first write may have failed.
		await avisarAdmins(env, db, lot, o.fecha, row, tipo);
	}
	return { outcome: "registrada", nueva, sorteo, estado: ahora, contradice };
};

const confirmar = async (
	db: Database,
	lot: LoteriaRow,
	fecha: string,
	acuerdo: { numero: string; serie: string; fuentes: string[] },
	log: Logger,
) => {
	const id = crypto.randomUUID();
	const fuente = `quorum:${acuerdo.fuentes.join("+")}`;
	await db.batch([
		db
			.insert(resultados)
			.values({
				id,
				loteriaId: lot.id,
				fecha,
				numero: acuerdo.numero,
				serie: acuerdo.serie,
				fuente,
				recibidoEn: nowIso(),
			})
			.onConflictDoNothing(),
		auditInsertIf(
			db,
			{
				actorId: null,
				action: "resultado.confirmado",
				entity: "resultado",
				entityId: `${lot.id}:${fecha}`,
				before: { estado: "pendiente" },
				after: { estado: "confirmado", numero: acuerdo.numero, serie: acuerdo.serie, fuente },
			},
			resultados,
			eq(resultados.id, id),
		),
	]);
	log.info("result confirmed", { loteria_id: lot.id, fecha, fuente, numero: acuerdo.numero });
};

const alertar = async (
	env: Env,
	db: Database,
	lot: LoteriaRow,
	fecha: string,
	row: ObservacionRow,
	tipo: "en_conflicto" | "contradice_confirmado",
	log: Logger,
) => {
	const { sql, params } = eventStatement(COUNTER.resultConflicts, row.id);
	await auditInsert(db, {
		actorId: row.actorId,
		action: `resultado.${tipo}`,
		entity: "resultado",
		entityId: `${lot.id}:${fecha}`,
		after: observacionDto(row),
	});
	await env.DB.prepare(sql)
		.bind(...params)
		.run();
	log.warn(
		tipo === "en_conflicto"
			? "result sources disagree; nothing settles until an admin resolves it"
			: "a source disagrees with a confirmed result; the result stays",
		{ loteria_id: lot.id, fecha, fuente: row.fuente, numero: row.numero, serie: row.serie },
	);
};

const avisarAdmins = async (
	env: Env,
	db: Database,
	lot: LoteriaRow,
	fecha: string,
	row: ObservacionRow,
	tipo: "en_conflicto" | "contradice_confirmado",
) => {
	const aviso = alerta(`${tipo}:${lot.id}:${fecha}`, {
		clase: "resultado_en_conflicto",
		detalle: {
			loteria: lot.nombre,
			fecha,
			fuente: row.fuente,
			numero: row.numero,
			serie: row.serie,
			estado: tipo,
		},
	});
	await avisoInsert(db, aviso);
	await despacharLuego(env, db, undefined, [aviso.id]);
};

/**
 * Asks the sources the cron polls (`mock` in development only, `resultadosloterias`) for a draw's
 * result and records what each says. A source that fails is logged and skipped: the others and
 * the next run go on. Returns what failed.
 */
export const consultarFuentes = async (
	env: Env,
	db: Database,
	lot: LoteriaRow,
	fecha: string,
	log: Logger,
	now: Date = new Date(),
): Promise<string[]> => {
	const failed: string[] = [];
	for (const fuente of lot.fuentes) {
		if (!FUENTES_CONSULTADAS.includes(fuente)) continue;
		if (fuente === "mock" && !esDesarrollo(env)) {
			log.error("the mock results source is refused outside development", { loteria_id: lot.id });
			continue;
		}
		try {
			const r = await resultsAdapter(fuente, env).getResult(
				{
					id: lot.id,
					nombre: lot.nombre,
					horaSorteo: lot.horaSorteo,
					meta: { adapter: fuente, slug: lot.meta.slug },
				},
				fecha,
			);
			if (!r?.serie) continue;
			await observar(
				env,
				db,
				{
					loteriaId: lot.id,
					fecha,
					fuente,
					numero: r.numero,
					serie: r.serie,
					evidencia: r.evidencia,
				},
				log,
				now,
			);
		} catch (err) {
			if (!(err instanceof ResultSourceError)) throw err;
			failed.push(`${fuente}: ${err.message}`);
			log.warn("results source failed; the next run asks again", {
				loteria_id: lot.id,
				fecha,
				fuente,
				error: errorFields(err),
			});
		}
	}
	return failed;
};

export const observacionDto = (o: ObservacionRow) => ({
	fuente: o.fuente,
	numero: o.numero,
	serie: o.serie,
	observado_en: o.observadoEn,
	evidencia: { url: o.evidenciaUrl, sha256: o.evidenciaSha256 },
});
