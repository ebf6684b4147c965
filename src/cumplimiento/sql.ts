import { getTableColumns, type SQL, sql } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";

/**
 * `SELECT <the row's values, in the table's column order> WHERE <condition>`, for an
 * `INSERT … SELECT` that writes the row only while the condition holds when the statement runs
 * (D1 runs one write at a time). Values go through each column's driver mapping (JSON, booleans).
 */
export const filaSi = <T extends SQLiteTable>(
	table: T,
	row: Record<string, unknown>,
	condicion: SQL,
): SQL => {
	const valores = Object.entries(getTableColumns(table)).map(([key, col]) => {
		const value = row[key];
		return sql`${value === null || value === undefined ? null : col.mapToDriverValue(value)}`;
	});
	return sql`SELECT ${sql.join(valores, sql`, `)} WHERE ${condicion}`;
};

/** The rifa is still `pendiente`: the condition of every write of its compliance record. */
export const rifaPendiente = (rifaId: string): SQL =>
	sql`EXISTS (SELECT 1 FROM rifas r WHERE r.id = ${rifaId} AND r.estado = 'pendiente')`;
