import { and, eq, type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { auditLog, categorias, type RifaRow, rifas } from "../db/schema";
import { conflict, t } from "../lib/errors";
import { nowIso } from "../lib/time";

/**
 * A category's rollover ("acumulado") goes by rule, never to whichever rifa settles first. A pot
 * that a settling rifa rolls over is assigned, in its settlement's batch, to the category's next
 * rifa by `fecha_sorteo` (then `creado_en`, then `id`) still `pendiente` or `activa`; that rifa
 * holds it in `acumulado_asignado` and receives exactly that at its own settlement. With no such
 * rifa, the pot waits in `categoria_rifa.acumulado`, and is assigned by the same rule when a rifa
 * of the category opens for sale. Every change of a pot is audited with its before and after,
 * computed in the same statement that makes it.
 */

export type Monto = number | SQL;

export interface Quien {
	actorId: string | null;
	requestId: string | null;
}

type Detalle = Record<string, string | number | null | SQL>;

/**
 * The id of the rifa a pot of the category goes to now (NULL when none): the one rule, as a SQL
 * subquery, so that the target is chosen by the database inside the batch that moves the pot.
 */
export const siguienteRifaSql = (categoriaId: string, excluir: string | null): SQL =>
	sql`(SELECT n.id FROM rifas n WHERE n.categoria_id = ${categoriaId} AND n.estado IN ('pendiente', 'activa') AND n.id <> ${excluir ?? ""} ORDER BY n.fecha_sorteo, n.creado_en, n.id LIMIT 1)`;

export const siguienteRifa = async (
	db: Database,
	categoriaId: string,
	excluir: string | null,
): Promise<string | null> =>
	(await db.get<{ id: string | null }>(sql`SELECT ${siguienteRifaSql(categoriaId, excluir)} AS id`))
		?.id ?? null;

const jsonObject = (detalle: Detalle) =>
	sql`json_object(${sql.join(
		Object.entries(detalle).map(([k, v]) => sql`${k}, ${v}`),
		sql`, `,
	)})`;

const auditFields = (
	quien: Quien,
	e: { action: string; entity: string; entityId: SQL; before: Detalle; after: Detalle },
) => ({
	id: sql`${crypto.randomUUID()}`.as("id"),
	actorId: sql`${quien.actorId}`.as("actor_id"),
	action: sql`${e.action}`.as("action"),
	entity: sql`${e.entity}`.as("entity"),
	entityId: sql`${e.entityId}`.as("entity_id"),
	before: jsonObject(e.before).as("before"),
	after: jsonObject(e.after).as("after"),
	requestId: sql`${quien.requestId}`.as("request_id"),
	createdAt: sql`${nowIso()}`.as("created_at"),
});

/**
 * Adds `monto` (negative to take) to a rifa's assigned pot while `where` holds, audited as
 * `rifa.acumulado`. `monto` may read the database: it is evaluated in the statements themselves.
 */
export const sumarARifa = (
	db: Database,
	rifaId: SQL | string,
	monto: Monto,
	where: SQL,
	quien: Quien,
	detalle: Detalle,
) => {
	const target = and(eq(rifas.id, typeof rifaId === "string" ? sql`${rifaId}` : rifaId), where);
	const fields = auditFields(quien, {
		action: "rifa.acumulado",
		entity: "rifa",
		entityId: sql`${rifas.id}`,
		before: { acumulado_asignado: sql`${rifas.acumuladoAsignado}` },
		after: {
			acumulado_asignado: sql`${rifas.acumuladoAsignado} + ${monto}`,
			cambio: sql`${monto}`,
			...detalle,
		},
	});
	return [
		db.insert(auditLog).select(db.select(fields).from(rifas).where(target).limit(1)),
		db
			.update(rifas)
			.set({ acumuladoAsignado: sql`${rifas.acumuladoAsignado} + ${monto}` })
			.where(target),
	] as const;
};

/** Adds `monto` to the category's unassigned pot while `where` holds, audited as `categoria.acumulado`. */
export const sumarACategoria = (
	db: Database,
	categoriaId: string,
	monto: Monto,
	where: SQL,
	quien: Quien,
	detalle: Detalle,
) => {
	const target = and(eq(categorias.id, categoriaId), where);
	const fields = auditFields(quien, {
		action: "categoria.acumulado",
		entity: "categoria",
		entityId: sql`${categorias.id}`,
		before: { acumulado: sql`${categorias.acumulado}` },
		after: {
			acumulado: sql`${categorias.acumulado} + ${monto}`,
			cambio: sql`${monto}`,
			...detalle,
		},
	});
	return [
		db.insert(auditLog).select(db.select(fields).from(categorias).where(target).limit(1)),
		db
			.update(categorias)
			.set({ acumulado: sql`${categorias.acumulado} + ${monto}` })
			.where(target),
	] as const;
};

/**
 * Gives `monto` to the category's next rifa (other than `excluir`), or to its unassigned pot when
 * there is none, while `guard` holds. The statements neither change which rifa is next nor make
 * `guard` false, so they apply all or none; whatever takes the pot from its source comes after.
 */
export const asignarAcumulado = (
	db: Database,
	p: {
		categoriaId: string;
		excluir: string | null;
		monto: Monto;
		guard: SQL;
		quien: Quien;
		detalle: Detalle;
	},
) => {
	if (p.monto === 0) return [];
	const siguiente = siguienteRifaSql(p.categoriaId, p.excluir);
	return [
		...sumarARifa(db, siguiente, p.monto, p.guard, p.quien, p.detalle),
		...sumarACategoria(
			db,
			p.categoriaId,
			p.monto,
			sql`${siguiente} IS NULL AND ${p.guard}`,
			p.quien,
			p.detalle,
		),
	];
};

/**
 * The pot's part of a change a rifa goes through in `updateRifa`, as statements for the same batch,
 * placed after the rifa's own update; each applies only if that update did.
 * - Cancelled, or moved to another category: the pot it was assigned moves on to its category's
 *   next rifa (or back to the category's unassigned pot), so it is never lost.
 * - Opened for sale: the category's unassigned pot, if any, is assigned by the rule. Tied to
 *   opening rather than to the next settlement because a category selling one rifa at a time
 *   would otherwise never assign it; and it cannot be raced: the target is the next rifa by
 *   `fecha_sorteo`, whichever rifa opens, and an opening that finds the pot empty does nothing.
 */
export const acumuladoTrasCambio = (
	db: Database,
	current: RifaRow,
	next: RifaRow,
	quien: Quien,
) => {
	const aplicado = sql`EXISTS (SELECT 1 FROM rifas s WHERE s.id = ${next.id} AND s.estado = ${next.estado} AND s.categoria_id = ${next.categoriaId} AND s.actualizado_en = ${next.actualizadoEn})`;
	const statements = [];
	if (next.estado === "cancelada" || next.categoriaId !== current.categoriaId) {
		const monto = sql`(SELECT s.acumulado_asignado FROM rifas s WHERE s.id = ${next.id})`;
		const guard = sql`${aplicado} AND ${monto} > 0`;
		const motivo = next.estado === "cancelada" ? "cancelacion" : "cambio_categoria";
		statements.push(
			...asignarAcumulado(db, {
				categoriaId: current.categoriaId,
				excluir: next.id,
				monto,
				guard,
				quien,
				detalle: { motivo, desde_rifa: next.id },
			}),
			// Last: it makes `guard` false.
			...sumarARifa(db, next.id, sql`-${monto}`, guard, quien, {
				motivo,
				hacia_rifa: siguienteRifaSql(current.categoriaId, next.id),
			}),
		);
	}
	if (current.estado === "pendiente" && next.estado === "activa") {
		const monto = sql`(SELECT c.acumulado FROM categoria_rifa c WHERE c.id = ${next.categoriaId})`;
		const siguiente = siguienteRifaSql(next.categoriaId, null);
		const guard = sql`${aplicado} AND ${monto} > 0 AND ${siguiente} IS NOT NULL`;
		statements.push(
			...sumarARifa(db, siguiente, monto, guard, quien, {
				motivo: "activacion",
				desde_categoria: next.categoriaId,
			}),
			...sumarACategoria(db, next.categoriaId, sql`-${monto}`, guard, quien, {
				motivo: "activacion",
				hacia_rifa: siguiente,
			}),
		);
	}
	return statements;
};

/**
 * How a recalculation that changes what a rifa rolls over by `delta` moves the pot: the rifa named
 * at settlement gets the difference while it has not settled (a settled one already paid with the
 * old amount: 409); a pot left unassigned in the category is adjusted there, refused when the
 * category no longer holds enough of it because it was assigned since (an unassigned pot is
 * promised to no rifa, so which rifa's rollover in it makes up the difference does not matter to
 * anyone's prize). `guard` goes into the
 * recalculation's claim; `statements` run under its settlement id.
 */
export const ajusteDeRecalculo = async (
	db: Database,
	p: { categoriaId: string; rifaId: string; acumulaA: string | null; delta: number; quien: Quien },
) => {
	const detalle = { motivo: "recalculo", desde_rifa: p.rifaId };
	if (p.acumulaA !== null) {
		const destino = p.acumulaA;
		const [row] = await db
			.select({ estado: rifas.estado })
			.from(rifas)
			.where(eq(rifas.id, destino));
		if (!row || row.estado === "resuelta" || row.estado === "cancelada") {
			const estado = row?.estado ?? "borrada";
			throw conflict(
				t(
					`El acumulado de esta rifa ya pasó a la rifa ${destino}, que está ${estado}; no se puede recalcular.`,
					`This rifa's rollover already went to rifa ${destino}, which is ${estado}; it cannot be recalculated.`,
				),
			);
		}
		return {
			guard: sql`EXISTS (SELECT 1 FROM rifas d WHERE d.id = ${destino} AND d.estado IN ('pendiente', 'activa', 'cerrada') AND d.acumulado_asignado + ${p.delta} >= 0)`,
			statements: (mine: SQL) => sumarARifa(db, destino, p.delta, mine, p.quien, detalle),
		};
	}
	const [cat] = await db
		.select({ acumulado: categorias.acumulado })
		.from(categorias)
		.where(eq(categorias.id, p.categoriaId));
	if ((cat?.acumulado ?? 0) + p.delta < 0) {
		throw conflict(
			t(
				"El acumulado de esta rifa quedó en la categoría y ya se asignó a otra rifa; no se puede recalcular.",
				"This rifa's rollover was left in the category and has since been assigned to another rifa; it cannot be recalculated.",
			),
		);
	}
	return {
		guard: sql`(SELECT c.acumulado FROM categoria_rifa c WHERE c.id = ${p.categoriaId}) + ${p.delta} >= 0`,
		statements: (mine: SQL) => sumarACategoria(db, p.categoriaId, p.delta, mine, p.quien, detalle),
	};
};
