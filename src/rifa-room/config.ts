import { eq } from "drizzle-orm";
import type { Database } from "../db/client";
import { categorias, type RifaRow, rifas } from "../db/schema";
import { parseReglas } from "../domain/reglas";
import { avisarReservaExpirada } from "./avisos";
import { rebuildOrder, takenCount } from "./numeros";
import type { RoomConfig, RoomTx } from "./room.types";
import { readFlag, writeFlag } from "./sala";
import { markFailed, transaccion } from "./sales";
import { cerrarRegistro } from "./sello";

export type ConfigureResult = { aplicada: boolean; estructura?: "rechazada" };

/** The room's configuration for a rifa row and its category's ticket price: built only here. */
export const configFromRow = (rifa: RifaRow, precio: number): RoomConfig => ({
	rifaId: rifa.id,
	estado: rifa.estado,
	fechaInicio: rifa.fechaInicio,
	fechaFin: rifa.fechaFin,
	fechaSorteo: rifa.fechaSorteo,
	totalBoletas: rifa.totalBoletas,
	precio,
	reglas: parseReglas(rifa.reglas),
	actualizadoEn: rifa.actualizadoEn,
});

/** The configuration D1 holds for a rifa, the authority for its definition; null if none. */
export const loadRoomConfig = async (db: Database, rifaId: string): Promise<RoomConfig | null> => {
	const [row] = await db
		.select({ rifa: rifas, precio: categorias.valorBoleta })
		.from(rifas)
		.innerJoin(categorias, eq(categorias.id, rifas.categoriaId))
		.where(eq(rifas.id, rifaId));
	return row ? configFromRow(row.rifa, row.precio) : null;
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

/** What buyers paid for: it may change only while no number is held or sold. */
const structure = (c: RoomConfig) =>
	JSON.stringify({ total: c.totalBoletas, precio: c.precio, reglas: c.reglas });

export const sameStructure = (a: RoomConfig, b: RoomConfig) => structure(a) === structure(b);

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
 * Stores a rifa's new definition in one step. What buyers paid for (numbers, price, rules) never
 * changes under a held or sold number: such a change keeps the current structure and says so.
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
	const refused = current !== null && takenCount(sql) > 0 && !sameStructure(current, next);
	const applied: RoomConfig = refused
		? {
				...next,
				totalBoletas: current.totalBoletas,
				precio: current.precio,
				reglas: current.reglas,
			}
		: next;
	const reorder = !refused && (!current || !sameOrder(current, applied));
	if (reorder && !order) {
		if (mayRetry) return "retry";
		throw new Error("the rifa's definition kept changing while its order was computed");
	}
	writeConfig(sql, applied);
	tx.config = applied;
	if (reorder && order) rebuildOrder(sql, order);
	thaw(sql, { stamp: applied.actualizadoEn });
	if (current?.estado === "activa" && applied.estado !== "activa") {
		cerrarRegistro(sql, new Date().toISOString());
		// Sales are over: holds waiting for payment go back; a payment that still arrives is refunded.
		const pending = sql
			.exec<{ id: string }>("SELECT id FROM transacciones WHERE status = 'pending'")
			.toArray();
		for (const { id } of pending) {
			markFailed(tx, id, null);
			avisarReservaExpirada(tx, transaccion(sql, id));
		}
	}
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
