/**
 * Writes to the catalog (categorias here, loterias in loterias.service.ts), each audited in the
 * same D1 batch, and the rules that keep a rifa's promise while it is not over: its category's
 * money and its loteria's results sources do not change, and its loteria's calendar only changes
 * around its draw.
 */
import { and, asc, count, eq, inArray, notExists, type SQL } from "drizzle-orm";
import type { Database } from "../db/client";
import { type CategoriaRow, categorias, rifas } from "../db/schema";
import { ESTADOS_NO_TERMINALES } from "../domain/rifa-estado";
import { ApiError, conflict, type FieldError, notFound, type Texto, t } from "../lib/errors";
import { nextStamp, nowIso } from "../lib/time";
import {
	MONEY_FIELDS,
	moneyIssues,
	toCategoriaColumns,
	toCategoriaDto,
} from "../routes/categorias/categorias.schemas";
import { canonico } from "../verificacion/definicion";
import { auditInsert, auditInsertIf } from "./audit";

export interface CatalogActor {
	userId: string;
	requestId: string | null;
}

type CategoriaBody = Parameters<typeof toCategoriaColumns>[0];

export const CATEGORIA = t("La categoría", "The category");
export const LOTERIA = t("La lotería", "The lottery");

/** How many blocking rifas a refusal names; the rest are counted. */
export const IDS_MOSTRADOS = 5;

export const vivas = inArray(rifas.estado, ESTADOS_NO_TERMINALES);

/** The keys of `body` among `keys` whose value differs from `current`'s. */
export const changedKeys = (body: object, current: object, keys: readonly string[]) => {
	const b = body as Record<string, unknown>;
	const c = current as Record<string, unknown>;
	return keys.filter((k) => b[k] !== undefined && canonico(b[k]) !== canonico(c[k]));
};

export const listaIds = (ids: readonly string[], total: number) =>
	`${ids.slice(0, IDS_MOSTRADOS).join(", ")}${total > IDS_MOSTRADOS ? ", …" : ""}`;

export const enUso = (detail: Texto, fields: readonly string[], code: string) =>
	new ApiError("CONFLICT", detail, {
		errors: fields.map((path): FieldError => ({ path, message: detail.es, code })),
	});

export const changedMeanwhile = (what: Texto) =>
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
