import { type Column, type SQL, sql } from "drizzle-orm";

/** Case-insensitive "contains" that treats %, _ and \ in the user's text literally. */
export const contains = (column: Column, text: string): SQL => {
	const pattern = `%${text.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
	return sql`lower(${column}) LIKE ${pattern} ESCAPE '\\'`;
};
