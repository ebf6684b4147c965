/**
 * Writes to the catalog (categorias and loterias), each audited in the same D1 batch, and the
 * rules that keep a rifa's promise while it is not over: its category's money and its loteria's
 * results sources do not change, and its loteria's calendar only changes around its draw.
 */
import { and, asc, count, eq, inArray, notExists, type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import {
	type CategoriaRow,
	categorias,
	type LoteriaRow,
	loterias,
	type RifaRow,
	rifas,
} from "../db/schema";
import { type Calendario, drawInstants, fechaColombia } from "../domain/calendario";
import { ESTADOS_NO_TERMINALES } from "../domain/rifa-estado";
import { ApiError, conflict, type FieldError, notFound, type Texto, t } from "../lib/errors";
import { nextStamp, nowIso } from "../lib/time";
import {
	MONEY_FIELDS,
	moneyIssues,
	toCategoriaColumns,
	toCategoriaDto,
} from "../routes/categorias/categorias.schemas";
import { toLoteriaColumns, toLoteriaDto } from "../routes/loterias/loterias.schemas";
import { auditInsert, auditInsertIf } from "./audit";

export interface CatalogActor {
	userId: string;
	requestId: string | null;
}

type CategoriaBody = Parameters<typeof toCategoriaColumns>[0];
type LoteriaBody = Parameters<typeof toLoteriaColumns>[0];

export const CATEGORIA = t("La categoría", "The category");
export const LOTERIA = t("La lotería", "The lottery");

/** How many blocking rifas a refusal names; the rest are counted. */
const IDS_MOSTRADOS = 5;

const vivas = inArray(rifas.estado, ESTADOS_NO_TERMINALES);

/** JSON with object keys sorted: equal values compare equal whatever order their keys came in. */
const canonical = (value: unknown) =>
	JSON.stringify(value, (_key, v: unknown) =>
		v && typeof v === "object" && !Array.isArray(v)
			? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
			: v,
	);

/** The keys of `body` among `keys` whose value differs from `current`'s. */
const changedKeys = (body: object, current: object, keys: readonly string[]) => {
	const b = body as Record<string, unknown>;
	const c = current as Record<string, unknown>;
	return keys.filter((k) => b[k] !== undefined && canonical(b[k]) !== canonical(c[k]));
};

const listaIds = (ids: readonly string[], total: number) =>
	`${ids.slice(0, IDS_MOSTRADOS).join(", ")}${total > IDS_MOSTRADOS ? ", …" : ""}`;

const enUso = (detail: Texto, fields: readonly string[], code: string) =>
	new ApiError("CONFLICT", detail, {
		errors: fields.map((path): FieldError => ({ path, message: detail.es, code })),
	});

const changedMeanwhile = (what: Texto) =>
	conflict(
		t(
			`${what.es} o sus rifas cambiaron mientras se editaba; vuelva a intentarlo.`,
			`${what.en} or its rifas changed while it was being edited; try again.`,
		),
	);

// ---- Categorias -------------------------------------------------------------------------------

/** Each money field of the API and the column that holds it (rake is stored as basis points). */
const MONEY_COLUMNS: Record<(typeof MONEY_FIELDS)[number], keyof CategoriaRow> = {
	valor_boleta: "valorBoleta",
	total_recaudo: "totalRecaudo",
	rake: "rakeBps",
	fondo_premios: "fondoPremios",
	premio_por_ganador: "premioPorGanador",
};

export const crearCategoria = async (
	db: Database,
	actor: CatalogActor,
	body: CategoriaBody & { nombre: string; valor_boleta: number },
): Promise<CategoriaRow> => {
	const now = nowIso();
	const row: CategoriaRow = {
		id: crypto.randomUUID(),
		nombre: body.nombre,
		color: null,
		valorBoleta: body.valor_boleta,
		totalRecaudo: null,
		rakeBps: 0,
		fondoPremios: null,
		premioPorGanador: null,
		acumulado: 0,
		comentario: null,
		...toCategoriaColumns(body),
		creadoEn: now,
		actualizadoEn: now,
	};
	await db.batch([
		db.insert(categorias).values(row),
		auditInsert(db, {
			actorId: actor.userId,
			action: "categoria.created",
			entity: "categoria",
			entityId: row.id,
			after: toCategoriaDto(row),
			requestId: actor.requestId,
		}),
	]);
	return row;
};

/**
 * A category's money fields are frozen while any rifa of it is not over: settlement and
 * recalculation read them from the category, so changing them would change what those rifas
 * promised their buyers. The other fields change freely.
 */
export const actualizarCategoria = async (
	db: Database,
	actor: CatalogActor,
	id: string,
	body: CategoriaBody,
): Promise<CategoriaRow> => {
	const deCategoria = and(eq(rifas.categoriaId, id), vivas);
	const [[current], [dependientes], bloqueantes] = await db.batch([
		db.select().from(categorias).where(eq(categorias.id, id)),
		db.select({ n: count() }).from(rifas).where(deCategoria),
		db
			.select({ id: rifas.id })
			.from(rifas)
			.where(deCategoria)
			.orderBy(asc(rifas.fechaSorteo), asc(rifas.id))
			.limit(IDS_MOSTRADOS),
	]);
	if (!current) throw notFound(CATEGORIA);
	const before = toCategoriaDto(current);
	const next: CategoriaRow = {
		...current,
		...toCategoriaColumns(body),
		actualizadoEn: nextStamp(current.actualizadoEn),
	};
	const issues = moneyIssues(toCategoriaDto(next));
	if (issues.length) {
		throw new ApiError(
			"VALIDATION_FAILED",
			t(
				"Los valores de la categoría no son coherentes.",
				"The category's amounts are inconsistent.",
			),
			{ errors: issues },
		);
	}
	const dinero = MONEY_FIELDS.filter((f) => next[MONEY_COLUMNS[f]] !== current[MONEY_COLUMNS[f]]);
	const n = dependientes?.n ?? 0;
	if (dinero.length && n > 0) {
		const ids = listaIds(
			bloqueantes.map((r) => r.id),
			n,
		);
		throw enUso(
			t(
				`Regla: el dinero de una categoría no cambia mientras alguna rifa suya está pendiente, activa o cerrada; cada rifa conserva el premio con que se abrió. No se puede cambiar ${dinero.join(", ")}: ${n} rifa(s) dependen de ella (${ids}). Cree otra categoría o espere a que terminen.`,
				`Rule: a category's money does not change while any of its rifas is pendiente, activa or cerrada; each rifa keeps the prize it was opened with. ${dinero.join(", ")} cannot change: ${n} rifa(s) depend on it (${ids}). Create another category or wait until they are over.`,
			),
			dinero,
			"categoria_en_uso",
		);
	}
	// The same condition guards the write: a rifa created after the check above stops it.
	const guard = and(
		eq(categorias.id, id),
		eq(categorias.actualizadoEn, current.actualizadoEn),
		dinero.length
			? notExists(db.select({ id: rifas.id }).from(rifas).where(deCategoria))
			: undefined,
	) as SQL;
	const { id: _id, creadoEn: _c, acumulado: _a, ...changes } = next;
	const [, [updated]] = await db.batch([
		auditInsertIf(
			db,
			{
				actorId: actor.userId,
				action: "categoria.updated",
				entity: "categoria",
				entityId: id,
				before,
				after: toCategoriaDto(next),
				requestId: actor.requestId,
			},
			categorias,
			guard,
		),
		db.update(categorias).set(changes).where(guard).returning(),
	]);
	if (!updated) throw changedMeanwhile(CATEGORIA);
	return updated;
};

/** Refused by the database (foreign key) while any rifa, over or not, references the category. */
export const eliminarCategoria = async (db: Database, actor: CatalogActor, id: string) => {
	const current = await db.query.categorias.findFirst({ where: eq(categorias.id, id) });
	if (!current) throw notFound(CATEGORIA);
	const guard = and(
		eq(categorias.id, id),
		eq(categorias.actualizadoEn, current.actualizadoEn),
	) as SQL;
	const [, [deleted]] = await db.batch([
		auditInsertIf(
			db,
			{
				actorId: actor.userId,
				action: "categoria.deleted",
				entity: "categoria",
				entityId: id,
				before: toCategoriaDto(current),
				requestId: actor.requestId,
			},
			categorias,
			guard,
		),
		db.delete(categorias).where(guard).returning({ id: categorias.id }),
	]);
	if (!deleted) throw changedMeanwhile(CATEGORIA);
};

// ---- Loterias ---------------------------------------------------------------------------------

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

export const actualizarLoteria = async (
	db: Database,
	actor: CatalogActor,
	id: string,
	body: LoteriaBody,
): Promise<LoteriaRow> => {
	const [[current], dependientes] = await db.batch([
		db.select().from(loterias).where(eq(loterias.id, id)),
		db
			.select({ id: rifas.id, fechaSorteo: rifas.fechaSorteo })
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
	if (horario.length && n > 0) {
		// A rifa whose draw was not on the old calendar either (made before draws were checked) is
		// not moved by the change; only the draws the calendar gave and would take away count.
		const movidas = dependientes.filter(
			(r) => esSorteoDe(current, r.fechaSorteo) && !esSorteoDe(next, r.fechaSorteo),
		);
		if (movidas.length) {
			const ids = listaIds(
				movidas.map((r) => `${r.id} (${new Date(r.fechaSorteo).toISOString()})`),
				movidas.length,
			);
			throw enUso(
				t(
					`Regla: el horario de una lotería no puede mover el sorteo de una rifa pendiente, activa o cerrada. Con este cambio de ${horario.join(", ")} dejaría de haber sorteo en la fecha_sorteo de ${movidas.length} rifa(s): ${ids}.`,
					`Rule: a lottery's schedule cannot move the draw of a rifa that is pendiente, activa or cerrada. With this change of ${horario.join(", ")} there would no longer be a draw at the fecha_sorteo of ${movidas.length} rifa(s): ${ids}.`,
				),
				horario,
				"sorteo_movido",
			);
		}
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
	]);
	if (!updated) throw changedMeanwhile(LOTERIA);
	return updated;
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
