import { eq } from "drizzle-orm";
import type { Database } from "../db/client";
import { loterias } from "../db/schema";
import {
	type Calendario,
	esSorteo,
	primerSorteoDesde,
	type Sorteo,
	sorteosCercanos,
} from "../domain/calendario";
import { ApiError, type FieldError, t } from "../lib/errors";
import { nowIso } from "../lib/time";

/**
 * A rifa's dates: sales end before its draw, and its draw is one of its loteria's, checked against
 * the loteria's calendar when a rifa is created and whenever its dates or loteria change.
 */

export const checkDates = (
	d: { fecha_inicio: string; fecha_fin: string; fecha_sorteo: string },
	opts: { finMustBeFuture: boolean },
): FieldError[] => {
	const errors: FieldError[] = [];
	if (d.fecha_inicio >= d.fecha_fin) {
		errors.push({ path: "fecha_fin", message: "Debe ser posterior a fecha_inicio" });
	}
	if (d.fecha_sorteo < d.fecha_fin) {
		errors.push({ path: "fecha_sorteo", message: "No puede ser anterior a fecha_fin" });
	}
	if (opts.finMustBeFuture && d.fecha_fin <= nowIso()) {
		errors.push({ path: "fecha_fin", message: "Debe estar en el futuro" });
	}
	return errors;
};

/** Minutes between the end of sales and the draw (`MINUTOS_CIERRE_ANTES_SORTEO`, default 30). */
export const minutosCierre = (env: Env): number => {
	const n = Number(env.MINUTOS_CIERRE_ANTES_SORTEO ?? "30");
	return Number.isInteger(n) && n >= 0 ? n : 30;
};

const horaColombia = (s: Sorteo) =>
	`${s.fecha} ${new Date(Date.parse(s.instante) - 5 * 3_600_000).toISOString().slice(11, 16)}`;

const drawRefused = (code: string, detail: { es: string; en: string }) =>
	new ApiError("VALIDATION_FAILED", detail, {
		errors: [{ path: "fecha_sorteo", message: detail.es, code }],
	});

export const loteriaCalendario = async (db: Database, loteriaId: string) =>
	(await db.query.loterias.findFirst({
		where: eq(loterias.id, loteriaId),
		columns: {
			nombre: true,
			frecuencia: true,
			diaSorteo: true,
			horaSorteo: true,
			movimientos: true,
		},
	})) ?? null;

/**
 * The rifa's draw, checked against its loteria's calendar: the given `fecha_sorteo` must be one of
 * its draw instants, and when none is given it is the first draw at or after the end of sales
 * plus the margin. Sales must end at least the margin before the draw: nobody may buy a number
 * after the lottery could have drawn it.
 */
export const resolveDraw = (
	cal: Calendario & { nombre: string },
	fechaFin: string,
	fechaSorteo: string | undefined,
	margen: number,
): string => {
	if (fechaSorteo === undefined) {
		const first = primerSorteoDesde(cal, new Date(Date.parse(fechaFin) + margen * 60_000));
		if (!first) {
			throw drawRefused(
				"sin_sorteos",
				t(
					`${cal.nombre} no tiene sorteos en su calendario después de fecha_fin; indique uno con fecha_sorteo.`,
					`${cal.nombre} has no draws in its calendar after fecha_fin; give one as fecha_sorteo.`,
				),
			);
		}
		return first.instante;
	}
	const instant = new Date(fechaSorteo);
	if (!esSorteo(cal, instant)) {
		const near = sorteosCercanos(cal, instant);
		const list = near.map((s) => `${s.instante} (${horaColombia(s)} hora de Colombia)`);
		const listEn = near.map((s) => `${s.instante} (${horaColombia(s)} Colombia time)`);
		throw drawRefused(
			"no_es_sorteo",
			near.length
				? t(
						`fecha_sorteo no es un sorteo de ${cal.nombre}. Los más cercanos: ${list.join(", ")}.`,
						`fecha_sorteo is not a draw of ${cal.nombre}. The nearest: ${listEn.join(", ")}.`,
					)
				: t(
						`${cal.nombre} no tiene calendario de sorteos (día y hora).`,
						`${cal.nombre} has no draw calendar (day and hour).`,
					),
		);
	}
	checkCierre(fechaFin, fechaSorteo, margen);
	return fechaSorteo;
};

/** Sales end at least `margen` minutes before the draw: nobody buys after it could be known. */
export const checkCierre = (fechaFin: string, fechaSorteo: string, margen: number): void => {
	const latest = new Date(Date.parse(fechaSorteo) - margen * 60_000).toISOString();
	if (fechaFin > latest) {
		throw drawRefused(
			"cierre_tardio",
			t(
				`La venta debe cerrar al menos ${margen} minutos antes del sorteo: fecha_fin a más tardar ${latest}.`,
				`Sales must end at least ${margen} minutes before the draw: fecha_fin at the latest ${latest}.`,
			),
		);
	}
};
