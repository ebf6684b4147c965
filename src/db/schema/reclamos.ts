import { sql } from "drizzle-orm";
import { check, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { createdAt } from "./columns";

/**
 * A walk-in buyer claiming its account: the one-time code sent to its phone, kept only as an HMAC,
 * with its expiry and failed attempts. One per phone; a new request replaces it.
 */
export const reclamosCuenta = sqliteTable(
	"reclamos_cuenta",
	{
		telefono: text("telefono").primaryKey(),
		codigoHmac: text("codigo_hmac").notNull(),
		expiraEn: text("expira_en").notNull(),
		intentos: integer("intentos").notNull().default(0),
		creadoEn: createdAt(),
	},
	() => [check("reclamos_cuenta_intentos_check", sql`intentos >= 0`)],
);
