import { sql } from "drizzle-orm";
import { text } from "drizzle-orm/sqlite-core";

export const inList = (column: string, values: readonly (string | number)[]) =>
	sql.raw(
		`${column} IN (${values.map((v) => (typeof v === "number" ? String(v) : `'${v}'`)).join(", ")})`,
	);

export const createdAt = () => text("creado_en").notNull();
