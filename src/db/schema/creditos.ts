import { sql } from "drizzle-orm";
import { check, index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { createdAt, inList } from "./columns";
import { rifas } from "./rifas";
import { users } from "./users";

export const CREDITO_ORIGENES = ["abonos_vencidos", "abono_tarde", "uso", "devolucion"] as const;

/**
 * A buyer's credit with one operador, as a ledger: a plan in instalments that lapsed under a rule
 * that keeps what was paid (`reglas.abonos.al_vencer: "credito"`) adds it, an abono paid with it
 * takes it, and an abono the rifa refused gives it back. This table is the authority for the
 * balance (the sum of `monto`); every row has a stable id, so a repeated write adds nothing, and a
 * use is inserted only while the balance covers it, in one statement.
 */
export const creditos = sqliteTable(
	"creditos",
	{
		/** `abonos-vencidos:<transaccion>`, `abono-tarde:<referencia>`, `uso:<abono>` or `devolucion:<abono>`. */
		id: text("id").primaryKey(),
		usuarioId: text("usuario_id")
			.notNull()
			.references(() => users.id, { onDelete: "restrict" }),
		operadorId: text("operador_id")
			.notNull()
			.references(() => users.id, { onDelete: "restrict" }),
		/** Positive adds to the balance, negative takes from it; centavos. */
		monto: integer("monto").notNull(),
		origen: text("origen", { enum: CREDITO_ORIGENES }).notNull(),
		rifaId: text("rifa_id").references(() => rifas.id, { onDelete: "restrict" }),
		/** The purchase it came from or went to. */
		transaccionId: text("transaccion_id"),
		creadoEn: createdAt(),
	},
	(t) => [
		index("creditos_usuario_idx").on(t.usuarioId, t.operadorId),
		check("creditos_monto_check", sql`monto <> 0`),
		check("creditos_origen_check", inList("origen", CREDITO_ORIGENES)),
	],
);

export type CreditoRow = typeof creditos.$inferSelect;
