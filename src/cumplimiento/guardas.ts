/**
 * What the legal mode adds to the writes of a rifa (src/services/rifas.service.ts) and to the
 * cron's opening of rifas (src/jobs/scheduler.ts). In `libre` mode every function here returns
 * at once and changes nothing.
 *
 * - Creating: the monthly limit, decided by the INSERT itself (limite-mensual.ts).
 * - Changing: a move of `fecha_sorteo` into another month takes a place in that month, decided
 *   by the UPDATE itself; once the rifa is open, what its authorization and emission cover does
 *   not change.
 * - Opening: refused (422, one error per missing item) until the checklist passes; when it
 *   passes, the emission's figures are fixed in the same D1 batch as the opening. The opening is
 *   conditional on the version of the compliance record the checklist read: a change of the
 *   authorization, guarantee or prizes between the check and the write makes it a 409.
 */

import { and, eq, isNull, type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Database } from "../db/client";
import { type RifaRow, rifas, rifasCumplimiento } from "../db/schema";
import { ApiError, t } from "../lib/errors";
import { nowIso } from "../lib/time";
import { auditInsertIf } from "../services/audit";
import { type CumplimientoConfig, modoColombia } from "./config";
import { calcularEmision } from "./emision";
import { cargarRequisitos, checklistDe } from "./estado";
import {
	comprobarCupo,
	hayCupo,
	insertarConCupo,
	limiteAlcanzado,
	mesColombia,
	rifasDelMes,
} from "./limite-mensual";
import type { Faltante } from "./tipos";

type Sentencia = BatchItem<"sqlite">;

/** What an authorization and the emission cover: they cannot change once the rifa is open. */
export const CAMPOS_AUTORIZADOS = [
	"categoria_id",
	"loteria_id",
	"total_boletas",
	"numero_ganadores",
	"fecha_sorteo",
] as const;

export const requisitosIncumplidos = (lista: Faltante[]) => {
	const detail = t(
		`Modo legal colombia: la rifa no puede abrirse; falta: ${lista.map((f) => f.campo).join(", ")}.`,
		`Legal mode colombia: the rifa cannot open; missing: ${lista.map((f) => f.campo).join(", ")}.`,
	);
	return new ApiError("VALIDATION_FAILED", detail, {
		errors: lista.map((f) => ({ path: f.campo, message: f.mensaje, code: "requisito_legal" })),
	});
};

/**
 * The INSERT of a new rifa: in `colombia` mode, written only while its operador's month has room
 * (422 otherwise, before and after the write). `confirmar` takes the INSERT's result.
 */
export const insercionDeRifa = async (db: Database, env: Env, row: RifaRow) => {
	const config = modoColombia(env);
	if (!config || !row.creadoPor) return null;
	const operador = row.creadoPor;
	const max = config.maxRifasMes;
	const mes = await comprobarCupo(db, operador, row.fechaSorteo, max, row.id);
	return {
		insert: insertarConCupo(db, row, operador, mes, max),
		confirmar: async (insertadas: { id: string }[]) => {
			if (insertadas.length) return;
			throw limiteAlcanzado(mes, max, await rifasDelMes(db, operador, mes, row.id));
		},
	};
};

export interface CambioLegal {
	/** Added to the UPDATE's condition (and its audit's). */
	condicion: SQL | undefined;
	/** Run in the same batch, after the UPDATE. */
	sentencias: Sentencia[];
	/** When the UPDATE matched nothing: throws the 422 if the month filled up meanwhile. */
	trasFallo: () => Promise<void>;
}

const SIN_CAMBIO: CambioLegal = { condicion: undefined, sentencias: [], trasFallo: async () => {} };

const autorizadaNoCambia = (campos: string[]) => {
	const detail = t(
		`Modo legal colombia: la rifa ya abrió con su autorización y su emisión fijadas; no cambia: ${campos.join(", ")}.`,
		`Legal mode colombia: the rifa opened with its authorization and emission fixed; it does not change: ${campos.join(", ")}.`,
	);
	return new ApiError("CONFLICT", detail, {
		errors: campos.map((path) => ({ path, message: detail.es, code: "definicion_autorizada" })),
	});
};

/** The opening: checklist, then the emission fixed with it. */
const apertura = async (
	db: Database,
	config: CumplimientoConfig,
	next: RifaRow,
	quien: { actorId: string | null; requestId: string | null },
) => {
	const req = await cargarRequisitos(db, next.id, next.categoriaId);
	const lista = checklistDe(next, req, config, new Date());
	if (lista.length || !req.fila) throw requisitosIncumplidos(lista);
	const version = req.fila.version;
	const emision = calcularEmision(
		{ totalBoletas: next.totalBoletas, valorBoleta: req.valorBoleta },
		config,
	);
	const fijadoEn = nowIso();
	const abierta = sql`EXISTS (SELECT 1 FROM rifas s WHERE s.id = ${next.id} AND s.estado = 'activa' AND s.actualizado_en = ${next.actualizadoEn})`;
	const fijar = and(
		eq(rifasCumplimiento.rifaId, next.id),
		eq(rifasCumplimiento.version, version),
		isNull(rifasCumplimiento.fijadoEn),
		abierta,
	) as SQL;
	const sentencias: Sentencia[] = [
		auditInsertIf(
			db,
			{
				...quien,
				action: "cumplimiento.emision_fijada",
				entity: "rifa",
				entityId: next.id,
				after: {
					...emision,
					derechos_bps: config.derechosBps,
					administracion_bps: config.administracionBps,
				},
			},
			rifasCumplimiento,
			fijar,
		),
		db
			.update(rifasCumplimiento)
			.set({
				valorEmision: emision.valor_emision,
				derechos: emision.derechos,
				administracion: emision.administracion,
				fijadoEn,
				version: version + 1,
				actualizadoEn: fijadoEn,
			})
			.where(fijar),
	];
	return {
		condicion: sql`EXISTS (SELECT 1 FROM rifas_cumplimiento c WHERE c.rifa_id = ${next.id} AND c.version = ${version} AND c.fijado_en IS NULL)`,
		sentencias,
	};
};

export const cambioDeRifa = async (
	db: Database,
	env: Env,
	current: RifaRow,
	next: RifaRow,
	changedFields: readonly string[],
	quien: { actorId: string | null; requestId: string | null },
): Promise<CambioLegal> => {
	const config = modoColombia(env);
	if (!config) return SIN_CAMBIO;
	const autorizados = CAMPOS_AUTORIZADOS.filter((f) => changedFields.includes(f));
	if (current.estado !== "pendiente" && autorizados.length) throw autorizadaNoCambia(autorizados);

	const condiciones: SQL[] = [];
	const sentencias: Sentencia[] = [];
	let trasFallo = SIN_CAMBIO.trasFallo;
	const operador = current.creadoPor;
	const otroMes = mesColombia(next.fechaSorteo).mes !== mesColombia(current.fechaSorteo).mes;
	if (operador && otroMes && next.estado !== "cancelada") {
		const max = config.maxRifasMes;
		const mes = await comprobarCupo(db, operador, next.fechaSorteo, max, current.id);
		condiciones.push(hayCupo(operador, mes, max, current.id));
		trasFallo = async () => {
			const otras = await rifasDelMes(db, operador, mes, current.id);
			if (otras.length >= max) throw limiteAlcanzado(mes, max, otras);
		};
	}
	if (current.estado === "pendiente" && next.estado === "activa") {
		const abre = await apertura(db, config, next, quien);
		condiciones.push(abre.condicion);
		sentencias.push(...abre.sentencias);
	}
	return { condicion: condiciones.length ? and(...condiciones) : undefined, sentencias, trasFallo };
};

/**
 * For the cron: whether a `pendiente` rifa may open now. In `libre` mode always; in `colombia`
 * mode only when its checklist passes, otherwise the list of what it lacks.
 */
export const faltantesParaAbrir = async (
	db: Database,
	env: Env,
	rifaId: string,
	now: Date,
): Promise<Faltante[]> => {
	const config = modoColombia(env);
	if (!config) return [];
	const rifa = await db.query.rifas.findFirst({ where: eq(rifas.id, rifaId) });
	if (!rifa) return [];
	return checklistDe(rifa, await cargarRequisitos(db, rifa.id, rifa.categoriaId), config, now);
};
