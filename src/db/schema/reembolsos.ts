import { sql } from "drizzle-orm";
import { check, index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { createdAt, inList } from "./columns";
import { rifas, transacciones } from "./rifas";
import { users } from "./users";

export const REEMBOLSO_ESTADOS = ["pendiente", "hecho"] as const;

/**
 * Money owed back that no provider can return by API (Wompi refunds only cards): an admin transfers
 * it and records the transfer here. The rifa room decides the refund once and writes the row
 * (keyed by the purchase, so a repeat writes nothing); this table is the authority for whether the
 * money has left.
 */
export const reembolsos = sqliteTable(
	"reembolsos",
	{
		/** The purchase's transaccion id: one refund per purchase. */
		id: text("id")
			.primaryKey()
			.references(() => transacciones.id, { onDelete: "restrict" }),
		rifaId: text("rifa_id")
			.notNull()
			.references(() => rifas.id, { onDelete: "restrict" }),
		usuarioId: text("usuario_id")
			.notNull()
			.references(() => users.id, { onDelete: "restrict" }),
		monto: integer("monto").notNull(),
		proveedor: text("proveedor").notNull(),
		/** The provider's method (NEQUI, PSE…), for the admin who sends the money back. */
		metodo: text("metodo"),
		/** The provider's transaction (Wompi's id). */
		referenciaProveedor: text("referencia_proveedor"),
		motivo: text("motivo").notNull(),
		estado: text("estado", { enum: REEMBOLSO_ESTADOS }).notNull().default("pendiente"),
		/** The transfer the admin made. */
		referenciaTransferencia: text("referencia_transferencia"),
		nota: text("nota"),
		hechoPor: text("hecho_por").references(() => users.id, { onDelete: "restrict" }),
		hechoEn: text("hecho_en"),
		alertadoEn: text("alertado_en"),
		creadoEn: createdAt(),
	},
	(t) => [
		index("reembolsos_estado_idx").on(t.estado, t.creadoEn),
		check("reembolsos_monto_check", sql`monto >= 0`),
		check("reembolsos_estado_check", inList("estado", REEMBOLSO_ESTADOS)),
		check(
			"reembolsos_hecho_check",
			sql`(estado = 'pendiente') = (referencia_transferencia IS NULL)`,
		),
	],
);

export type ReembolsoRow = typeof reembolsos.$inferSelect;
