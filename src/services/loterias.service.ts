import { and, asc, eq, notExists, type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { type LoteriaRow, loterias, type RifaRow, rifas } from "../db/schema";
import {
	type Calendario,
	drawInstants,
	fechaColombia,
	movimientosConDosSorteos,
	sorteoSeguido,
} from "../domain/calendario";
import { ESTADOS_NO_TERMINALES } from "../domain/rifa-estado";
import { ApiError, type FieldError, notFound, t } from "../lib/errors";
import { nextStamp, nowIso } from "../lib/time";
import { toLoteriaColumns, toLoteriaDto } from "../routes/loterias/loterias.schemas";
import { auditInsert, auditInsertIf } from "./audit";
import {
	type CatalogActor,
	changedKeys,
	changedMeanwhile,
	enUso,
	LOTERIA,
	listaIds,
	vivas,
} from "./catalogo.service";

/**
 * Writes to loterias, each audited in the same D1 batch: the results sources of a loteria do not
 * change while a rifa depends on it, and its calendar changes only where no rifa's draw moves,
 * unless the lottery itself moved a draw before it took place: then the rifas of that draw follow
 * it, each audited, as long as their sales still end before the new draw.
 */

type LoteriaBody = Parameters<typeof toLoteriaColumns>[0];

/** Where results come from: frozen while a rifa depends on the loteria. */
export const CAMPOS_FUENTES: readonly string[] = ["meta", "fuentes", "fuentes_requeridas"];
/** When the loteria draws: may change only where no dependent rifa's draw moves. */
export const CAMPOS_HORARIO: readonly string[] = [
	"frecuencia",
	"dia_sorteo",
	"hora_sorteo",
	"movimientos",
];

/** Whether `instant` is one of the calendar's draws (both normalized to UTC ISO-8601). */
const esSorteoDe = (cal: Calendario, instant: string) => {
	const iso = new Date(instant).toISOString();
	const fecha = fechaColombia(new Date(iso));
	return drawInstants(cal, fecha, fecha).some((s) => new Date(s.instante).toISOString() === iso);
};

/**
 * The dependent rifas as one string, `id fecha_sorteo` ordered by id: the write of a schedule
 * change compares it in SQL with what the check read, so a rifa created, moved or reopened in
 * between stops the write (the client retries and the check runs again).
 */
const huella = (rs: readonly Pick<RifaRow, "id" | "fechaSorteo">[]) =>
	rs.map((r) => `${r.id} ${r.fechaSorteo}`).join(",");

const huellaSql = (loteriaId: string) =>
	sql`coalesce((SELECT group_concat(id || ' ' || fecha_sorteo, ',') FROM (SELECT id, fecha_sorteo FROM rifas WHERE loteria_id = ${loteriaId} AND estado IN (${sql.join(
		ESTADOS_NO_TERMINALES.map((e) => sql`${e}`),
		sql`, `,
	)}) ORDER BY id)), '')`;

/** Refuses a calendar that gives a date two draws: a draw is looked up by its date. */
const unSorteoPorDia = (cal: Calendario) => {
	const dobles = movimientosConDosSorteos(cal);
	if (!dobles.length) return;
	const fechas = [...new Set(dobles.map((d) => d.fecha))].join(", ");
	throw new ApiError(
		"VALIDATION_FAILED",
		t(
			`Regla: una lotería juega a lo sumo un sorteo por día. Con estos movimientos tendría dos sorteos el ${fechas}.`,
			`Rule: a lottery draws at most once a day. With these moves it would draw twice on ${fechas}.`,
		),
		{
			errors: dobles.map(
				(d): FieldError => ({
					path: `movimientos.${d.indice}.fecha_real`,
					message: `El ${d.fecha} la lotería ya tiene otro sorteo`,
					code: "dos_sorteos_mismo_dia",
				}),
			),
		},
	);
};

export const crearLoteria = async (
	db: Database,
	actor: CatalogActor,
	body: LoteriaBody & { nombre: string },
): Promise<LoteriaRow> => {
	const now = nowIso();
	const row: LoteriaRow = {
		id: crypto.randomUUID(),
		nombre: body.nombre,
		descripcion: null,
		frecuencia: "semanal",
		diaSorteo: null,
		horaSorteo: null,
		urlResultados: null,
		meta: {},
		movimientos: [],
		fuentes: ["mock"],
		fuentesRequeridas: 1,
		...toLoteriaColumns(body),
		creadoEn: now,
		actualizadoEn: now,
	};
	unSorteoPorDia(row);
	await db.batch([
		db.insert(loterias).values(row),
		auditInsert(db, {
			actorId: actor.userId,
			action: "loteria.created",
			entity: "loteria",
			entityId: row.id,
			after: toLoteriaDto(row),
			requestId: actor.requestId,
		}),
	]);
	return row;
};

/** A rifa whose draw the loteria's change moves, and where its draw goes (null: nowhere). */
interface Movida {
	rifa: Pick<RifaRow, "id" | "fechaSorteo" | "fechaFin" | "actualizadoEn">;
	nuevo: string | null;
}

/**
 * Why a rifa cannot follow its draw where the change puts it: the draw has no counterpart, the
 * lottery has drawn already (moving it now would choose another result), or its sales would not end
 * `margen` minutes before the new draw.
 */
const porQueNoSigue = (m: Movida, margen: number): string | null => {
	if (!m.nuevo) return "sorteo_movido";
	const ahora = nowIso();
	if (ahora >= m.rifa.fechaSorteo || ahora >= m.nuevo) return "sorteo_realizado";
	if (Date.parse(m.rifa.fechaFin) + margen * 60_000 > Date.parse(m.nuevo)) return "cierre_tardio";
	return null;
};

export const actualizarLoteria = async (
	db: Database,
	actor: CatalogActor,
	id: string,
	body: LoteriaBody,
	margen: number,
): Promise<{ loteria: LoteriaRow; rifasMovidas: string[] }> => {
	const [[current], dependientes] = await db.batch([
		db.select().from(loterias).where(eq(loterias.id, id)),
		db
			.select({
				id: rifas.id,
				fechaSorteo: rifas.fechaSorteo,
				fechaFin: rifas.fechaFin,
				actualizadoEn: rifas.actualizadoEn,
			})
			.from(rifas)
			.where(and(eq(rifas.loteriaId, id), vivas))
			.orderBy(asc(rifas.id)),
	]);
	if (!current) throw notFound(LOTERIA);
	const before = toLoteriaDto(current);
	const next: LoteriaRow = {
		...current,
		...toLoteriaColumns(body),
		actualizadoEn: nextStamp(current.actualizadoEn),
	};
	const fuentes = changedKeys(body, before, CAMPOS_FUENTES);
	const horario = changedKeys(body, before, CAMPOS_HORARIO);
	if (horario.length) unSorteoPorDia(next);
	const n = dependientes.length;
	if (fuentes.length && n > 0) {
		const ids = listaIds(
			dependientes.map((r) => r.id),
			n,
		);
		throw enUso(
			t(
				`Regla: las fuentes de resultados de una lotería no cambian mientras alguna rifa suya está pendiente, activa o cerrada. No se puede cambiar ${fuentes.join(", ")}: ${n} rifa(s) la usan (${ids}).`,
				`Rule: a lottery's results sources do not change while any of its rifas is pendiente, activa or cerrada. ${fuentes.join(", ")} cannot change: ${n} rifa(s) use it (${ids}).`,
			),
			fuentes,
			"loteria_en_uso",
		);
	}
	// A rifa whose draw was not on the old calendar either (made before draws were checked) is
	// not moved by the change; only the draws the calendar gave and would take away count.
	const movidas: Movida[] =
		horario.length && n > 0
			? dependientes
					.filter((r) => esSorteoDe(current, r.fechaSorteo) && !esSorteoDe(next, r.fechaSorteo))
					.map((rifa) => ({ rifa, nuevo: sorteoSeguido(current, next, rifa.fechaSorteo) }))
			: [];
	const bloqueadas = movidas.flatMap((m) => {
		const code = porQueNoSigue(m, margen);
		return code ? [{ ...m, code }] : [];
	});
	if (bloqueadas.length) {
		const ids = listaIds(
			bloqueadas.map((m) => `${m.rifa.id} (${new Date(m.rifa.fechaSorteo).toISOString()})`),
			bloqueadas.length,
		);
		const detail = t(
			`Regla: un cambio de ${horario.join(", ")} solo puede mover el sorteo de una rifa viva a otro sorteo de la misma fecha nominal, antes de que la lotería sortee y dejando la venta cerrada ${margen} minutos antes. No se cumple para ${bloqueadas.length} rifa(s): ${ids}.`,
			`Rule: a change of ${horario.join(", ")} may move the draw of a live rifa only to another draw of the same nominal date, before the lottery draws, and with its sales ending ${margen} minutes before it. It does not hold for ${bloqueadas.length} rifa(s): ${ids}.`,
		);
		throw new ApiError("CONFLICT", detail, {
			errors: bloqueadas.map(
				(m): FieldError => ({
					path: horario[0] ?? "movimientos",
					message: `Rifa ${m.rifa.id}: ${m.nuevo ? `su sorteo pasaría a ${m.nuevo}` : "su sorteo dejaría de existir"}`,
					code: m.code,
				}),
			),
		});
	}
	const guard = and(
		eq(loterias.id, id),
		eq(loterias.actualizadoEn, current.actualizadoEn),
		fuentes.length
			? notExists(
					db
						.select({ id: rifas.id })
						.from(rifas)
						.where(and(eq(rifas.loteriaId, id), vivas)),
				)
			: undefined,
		horario.length ? sql`${huellaSql(id)} = ${huella(dependientes)}` : undefined,
	) as SQL;
	const { id: _id, creadoEn: _c, ...changes } = next;
	// The rifas follow their draw only if the loteria's change itself went through.
	const aplicada = sql`EXISTS (SELECT 1 FROM loterias WHERE id = ${id} AND actualizado_en = ${next.actualizadoEn})`;
	const seguir = movidas.flatMap(({ rifa, nuevo }) => {
		if (!nuevo) return [];
		const donde = and(
			eq(rifas.id, rifa.id),
			eq(rifas.fechaSorteo, rifa.fechaSorteo),
			eq(rifas.actualizadoEn, rifa.actualizadoEn),
			aplicada,
		) as SQL;
		return [
			auditInsertIf(
				db,
				{
					actorId: actor.userId,
					action: "rifa.sorteo_movido",
					entity: "rifa",
					entityId: rifa.id,
					before: { fecha_sorteo: rifa.fechaSorteo },
					after: { fecha_sorteo: nuevo, movimientos: toLoteriaDto(next).movimientos },
					requestId: actor.requestId,
				},
				rifas,
				donde,
			),
			db
				.update(rifas)
				.set({ fechaSorteo: nuevo, actualizadoEn: nextStamp(rifa.actualizadoEn) })
				.where(donde),
		];
	});
	const [, [updated]] = await db.batch([
		auditInsertIf(
			db,
			{
				actorId: actor.userId,
				action: "loteria.updated",
				entity: "loteria",
				entityId: id,
				before,
				after: toLoteriaDto(next),
				requestId: actor.requestId,
			},
			loterias,
			guard,
		),
		db.update(loterias).set(changes).where(guard).returning(),
		...seguir,
	]);
	if (!updated) throw changedMeanwhile(LOTERIA);
	return { loteria: updated, rifasMovidas: movidas.map((m) => m.rifa.id) };
};

/** Refused by the database (foreign key) while any rifa, over or not, references the loteria. */
export const eliminarLoteria = async (db: Database, actor: CatalogActor, id: string) => {
	const current = await db.query.loterias.findFirst({ where: eq(loterias.id, id) });
	if (!current) throw notFound(LOTERIA);
	const guard = and(eq(loterias.id, id), eq(loterias.actualizadoEn, current.actualizadoEn)) as SQL;
	const [, [deleted]] = await db.batch([
		auditInsertIf(
			db,
			{
				actorId: actor.userId,
				action: "loteria.deleted",
				entity: "loteria",
				entityId: id,
				before: toLoteriaDto(current),
				requestId: actor.requestId,
			},
			loterias,
			guard,
		),
		db.delete(loterias).where(guard).returning({ id: loterias.id }),
	]);
	if (!deleted) throw changedMeanwhile(LOTERIA);
};
