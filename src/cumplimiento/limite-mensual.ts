/**
 * At most MAX_RIFAS_MES non-cancelled rifas of one operador drawing in one calendar month
 * (Colombia time, UTC−5 all year): a gestor that holds more is running a permanent rifa, which
 * the law forbids (docs/cumplimiento.md, R3). The limit is decided by the very statement that
 * writes the rifa (its INSERT or UPDATE counts the others in a subquery), so two creations at
 * once cannot both take the last place: D1 runs one write at a time.
 */
import { and, eq, gte, lt, ne, type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { type RifaRow, rifas } from "../db/schema";
import { fechaColombia } from "../domain/calendario";
import { ApiError, t } from "../lib/errors";
import { filaSi } from "./sql";

export interface MesColombia {
	/** YYYY-MM. */
	mes: string;
	/** The month as UTC instants: [desde, hasta). */
	desde: string;
	hasta: string;
}

/** The Colombian calendar month an instant falls in: 22:30 of the 31st in Bogotá is still that month. */
export const mesColombia = (instante: string): MesColombia => {
	const fecha = fechaColombia(new Date(instante));
	const anio = Number(fecha.slice(0, 4));
	const mes = Number(fecha.slice(5, 7));
	// Midnight in Colombia is 05:00 UTC.
	return {
		mes: fecha.slice(0, 7),
		desde: new Date(Date.UTC(anio, mes - 1, 1, 5)).toISOString(),
		hasta: new Date(Date.UTC(anio, mes, 1, 5)).toISOString(),
	};
};

const delMes = (operador: string, mes: MesColombia, excepto: string) =>
	and(
		eq(rifas.creadoPor, operador),
		ne(rifas.estado, "cancelada"),
		gte(rifas.fechaSorteo, mes.desde),
		lt(rifas.fechaSorteo, mes.hasta),
		ne(rifas.id, excepto),
	);

/** The operador's other rifas that count in the month. */
export const rifasDelMes = (db: Database, operador: string, mes: MesColombia, excepto: string) =>
	db
		.select({ id: rifas.id, nombre: rifas.nombre, fechaSorteo: rifas.fechaSorteo })
		.from(rifas)
		.where(delMes(operador, mes, excepto));

/** True while fewer than `max` other rifas of the operador draw in the month; for a write's WHERE. */
export const hayCupo = (operador: string, mes: MesColombia, max: number, excepto: string): SQL =>
	sql`(SELECT count(*) FROM rifas AS otras WHERE otras.creado_por = ${operador} AND otras.estado <> 'cancelada' AND otras.fecha_sorteo >= ${mes.desde} AND otras.fecha_sorteo < ${mes.hasta} AND otras.id <> ${excepto}) < ${max}`;

export const limiteAlcanzado = (
	mes: MesColombia,
	max: number,
	otras: { id: string; nombre: string; fechaSorteo: string }[],
) => {
	const lista = otras
		.slice(0, 5)
		.map((r) => `${r.nombre} (${r.fechaSorteo})`)
		.join(", ");
	const detail = t(
		`Regla: un operador puede tener a lo sumo ${max} rifas no canceladas con sorteo en un mismo mes (hora de Colombia); en ${mes.mes} ya tiene ${otras.length || max}${lista ? `: ${lista}` : ""}.`,
		`Rule: an operador may have at most ${max} non-cancelled rifas drawing in one month (Colombia time); in ${mes.mes} it already has ${otras.length || max}${lista ? `: ${lista}` : ""}.`,
	);
	return new ApiError("VALIDATION_FAILED", detail, {
		errors: [{ path: "fecha_sorteo", message: detail.es, code: "limite_mensual" }],
	});
};

/** Fails when the month is already full; the write that follows decides again, atomically. */
export const comprobarCupo = async (
	db: Database,
	operador: string,
	fechaSorteo: string,
	max: number,
	excepto: string,
) => {
	const mes = mesColombia(fechaSorteo);
	const otras = await rifasDelMes(db, operador, mes, excepto);
	if (otras.length >= max) throw limiteAlcanzado(mes, max, otras);
	return mes;
};

/**
 * `INSERT INTO rifas SELECT <the row> WHERE <room in the month>`: the row is written only if the
 * month still has room when the statement runs. Returns the id when it was written.
 */
export const insertarConCupo = (
	db: Database,
	row: RifaRow,
	operador: string,
	mes: MesColombia,
	max: number,
) =>
	db
		.insert(rifas)
		.select(filaSi(rifas, row, hayCupo(operador, mes, max, row.id)))
		.returning({ id: rifas.id });
