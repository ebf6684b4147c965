import { eq } from "drizzle-orm";
import type { Database } from "../db/client";
import { categorias, type RifaRow, rifas } from "../db/schema";
import { parseReglas } from "../domain/reglas";
import type { RoomConfig } from "./room.types";

/** The room's configuration for a rifa row and its category's ticket price: built only here. */
export const configFromRow = (rifa: RifaRow, precio: number): RoomConfig => ({
	rifaId: rifa.id,
	estado: rifa.estado,
	fechaInicio: rifa.fechaInicio,
	fechaFin: rifa.fechaFin,
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
 * The room's own flags, kept next to its numbers: `congelada` while the API changes what buyers
 * pay for (no sale may slip in between its check and the new definition), `emisor` naming this
 * storage to D1's outbox mark.
 */
export const readFlag = (sql: SqlStorage, clave: string): string | null =>
	sql.exec<{ valor: string }>("SELECT valor FROM sala WHERE clave = ?", clave).toArray()[0]
		?.valor ?? null;

export const writeFlag = (sql: SqlStorage, clave: string, valor: string | null): void => {
	if (valor === null) sql.exec("DELETE FROM sala WHERE clave = ?", clave);
	else
		sql.exec(
			"INSERT INTO sala (clave, valor) VALUES (?, ?) ON CONFLICT (clave) DO UPDATE SET valor = excluded.valor",
			clave,
			valor,
		);
};
