import { eq } from "drizzle-orm";
import type { Database } from "../db/client";
import {
	type CategoriaRow,
	categorias,
	type LoteriaRow,
	loterias,
	type RifaRow,
	rifas,
} from "../db/schema";
import { parseReglas } from "../domain/reglas";
import { canonico } from "../verificacion/definicion";
import type { Definicion } from "../verificacion/tipos";
import { cierre, ventaVencida } from "./cierre";
import { endSales } from "./holds";
import { rebuildOrder, takenCount } from "./numeros";
import type { RoomConfig, RoomTx } from "./room.types";
import { readFlag, writeFlag } from "./sala";

export type ConfigureResult = { aplicada: boolean; estructura?: "rechazada" };

/** What decides who wins what, from D1's rows: the one place a rifa's definition is built. */
export const definicionDe = (
	rifa: RifaRow,
	categoria: CategoriaRow,
	loteria: Pick<LoteriaRow, "id" | "fuentes" | "fuentesRequeridas">,
): Definicion => ({
	v: 1,
	rifa_id: rifa.id,
	categoria_id: categoria.id,
	loteria: {
		id: loteria.id,
		fuentes: [...loteria.fuentes].sort(),
		fuentes_requeridas: loteria.fuentesRequeridas,
	},
	fecha_sorteo: rifa.fechaSorteo,
	total_boletas: rifa.totalBoletas,
	valor_boleta: categoria.valorBoleta,
	numero_ganadores: rifa.numeroGanadores,
	reglas: parseReglas(rifa.reglas),
	promesa: {
		rake_bps: categoria.rakeBps,
		fondo_premios: categoria.fondoPremios,
		premio_por_ganador: categoria.premioPorGanador,
	},
	premio_garantizado: rifa.premioGarantizado,
});

/** The room's configuration for a rifa and its category and loteria: built only here. */
export const configFromRow = (
	rifa: RifaRow,
	categoria: CategoriaRow,
	loteria: Pick<LoteriaRow, "id" | "fuentes" | "fuentesRequeridas">,
): RoomConfig => ({
	rifaId: rifa.id,
	estado: rifa.estado,
	fechaInicio: rifa.fechaInicio,
	fechaFin: rifa.fechaFin,
	fechaSorteo: rifa.fechaSorteo,
	totalBoletas: rifa.totalBoletas,
	precio: categoria.valorBoleta,
	reglas: parseReglas(rifa.reglas),
	actualizadoEn: rifa.actualizadoEn,
	definicion: definicionDe(rifa, categoria, loteria),
});

/** The configuration D1 holds for a rifa, the authority for its definition; null if none. */
export const loadRoomConfig = async (db: Database, rifaId: string): Promise<RoomConfig | null> => {
	const [row] = await db
		.select({ rifa: rifas, categoria: categorias, loteria: loterias })
		.from(rifas)
		.innerJoin(categorias, eq(categorias.id, rifas.categoriaId))
		.innerJoin(loterias, eq(loterias.id, rifas.loteriaId))
		.where(eq(rifas.id, rifaId));
	return row ? configFromRow(row.rifa, row.categoria, row.loteria) : null;
};

export const readConfig = (sql: SqlStorage): RoomConfig | null => {
	const row = sql.exec<{ json: string }>("SELECT json FROM config WHERE id = 1").toArray()[0];
	return row ? (JSON.parse(row.json) as RoomConfig) : null;
};

export const writeConfig = (sql: SqlStorage, config: RoomConfig): void => {
	sql.exec(
		"INSERT INTO config (id, json) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET json = excluded.json",
		JSON.stringify(config),
	);
};

/**
 * What buyers paid for: it may change only while no number is held or sold. The draw's instant is
 * left out: it follows a move the loteria itself publishes, which the acta then records.
 */
const structure = (c: RoomConfig, conDefinicion: boolean) =>
	canonico({
		total: c.totalBoletas,
		precio: c.precio,
		reglas: c.reglas,
		...(conDefinicion ? { definicion: { ...c.definicion, fecha_sorteo: null } } : {}),
	});

/** Configs stored before definitions existed compare by what they hold. */
export const sameStructure = (a: RoomConfig, b: RoomConfig) => {
	const ambas = a.definicion !== undefined && b.definicion !== undefined;
	return structure(a, ambas) === structure(b, ambas);
};

/** The number order depends on these two only. */
export const sameOrder = (a: RoomConfig, b: RoomConfig) =>
	a.totalBoletas === b.totalBoletas && a.reglas.asignacion === b.reglas.asignacion;

/**
 * `actualizadoEn` orders a rifa's definitions: D1 writes it on every change and never lets it go
 * backwards, so an older push that arrives late is ignored.
 */
export const isStale = (current: RoomConfig | null, next: RoomConfig) =>
	current !== null && current.actualizadoEn > next.actualizadoEn;

/**
 * Stores a rifa's new definition in one step. What buyers paid for (numbers, price, rules, the
 * draw) never changes under a held or sold number, nor after the seal: such a change keeps the
 * current definition and says so; the draw's instant alone follows a move of its loteria.
 * `order` is the number order for `next` when it differs from the stored one; "retry" when it was
 * computed for a definition that changed meanwhile.
 */
export const applyConfig = (
	tx: RoomTx,
	next: RoomConfig,
	order: number[] | null,
	mayRetry: boolean,
): ConfigureResult | "retry" => {
	const { sql } = tx;
	const current = readConfig(sql);
	if (isStale(current, next)) return { aplicada: false };
	// From the first number taken, and after the seal, the definition is the one buyers paid for.
	const fixed = current !== null && (takenCount(sql) > 0 || cierre(sql) !== null);
	const refused = fixed && !sameStructure(current, next);
	const applied: RoomConfig = !fixed
		? next
		: {
				...next,
				totalBoletas: current.totalBoletas,
				precio: current.precio,
				reglas: current.reglas,
				definicion: current.definicion ?? next.definicion,
				definicionSha256: current.definicion ? current.definicionSha256 : next.definicionSha256,
			};
	const reorder = !refused && (!current || !sameOrder(current, applied));
	if (reorder && !order) {
		if (mayRetry) return "retry";
		throw new Error("the rifa's definition kept changing while its order was computed");
	}
	writeConfig(sql, applied);
	tx.config = applied;
	if (reorder && order) rebuildOrder(sql, order);
	thaw(sql, { stamp: applied.actualizadoEn });
	// Sales are over (closed, or past fecha_fin): the ledger closes and holds go back, in this step.
	if (!cierre(sql) && ventaVencida(applied, Date.now())) endSales(tx, Date.now());
	if (current && current.estado !== applied.estado)
		tx.emit({ type: "estado", estado: applied.estado });
	return refused ? { aplicada: true, estructura: "rechazada" } : { aplicada: true };
};

/** Who froze the room's sales, for which definition, and since when. */
interface Freeze {
	token: string;
	stamp: string;
	desde: number;
}

const readFreeze = (sql: SqlStorage): Freeze | null => {
	const v = readFlag(sql, "congelada");
	return v === null ? null : (JSON.parse(v) as Freeze);
};

export const frozenSince = (sql: SqlStorage): number | null => readFreeze(sql)?.desde ?? null;

/**
 * Freezes sales for a change of what buyers pay for, which will be stamped `stamp`: possible only
 * while nothing is taken and no other change holds the room (`maxAgeMs` lets an abandoned one go).
 */
export const freeze = (
	sql: SqlStorage,
	token: string,
	stamp: string,
	maxAgeMs: number,
): "congelada" | "tomados" | "otro_cambio" => {
	if (takenCount(sql) > 0) return "tomados";
	const current = readFreeze(sql);
	if (current && current.token !== token && Date.now() - current.desde <= maxAgeMs)
		return "otro_cambio";
	writeFlag(sql, "congelada", JSON.stringify({ token, stamp, desde: Date.now() } satisfies Freeze));
	return "congelada";
};

/** Lifts the freeze: only its own change may, or a definition at least as new as that change. */
export const thaw = (
	sql: SqlStorage,
	by: { token: string } | { stamp: string } | "stale",
): void => {
	const current = readFreeze(sql);
	if (!current) return;
	const lift =
		by === "stale" || ("token" in by ? by.token === current.token : by.stamp >= current.stamp);
	if (lift) writeFlag(sql, "congelada", null);
};
