import { sql } from "drizzle-orm";
import { check, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { createdAt, inList } from "./columns";
import { rifas, transacciones } from "./rifas";
import { users } from "./users";

export const COMPROBANTE_ESTADOS = ["pendiente", "aprobado", "rechazado"] as const;
export type ComprobanteEstado = (typeof COMPROBANTE_ESTADOS)[number];

/** What a proof may be, read from its first bytes (src/lib/archivos.ts), never from its name. */
export const COMPROBANTE_TIPOS = [
	"image/jpeg",
	"image/png",
	"image/webp",
	"application/pdf",
] as const;
export type ComprobanteTipo = (typeof COMPROBANTE_TIPOS)[number];

export const COMPROBANTE_MAX_BYTES = 5 * 1024 * 1024;

/**
 * The proof of a Nequi or bank transfer a buyer sends for a `transferencia` purchase: a screenshot
 * or PDF kept in the private COMPROBANTES bucket, and what the buyer says it shows. It is never the
 * payment: the rifa's operador checks it against the bank and approves or rejects it. The same file
 * (by SHA-256) or the same bank reference (normalised, per bank) can back one purchase only, across
 * all rifas: the unique indexes catch a proof reused for a second purchase, even two at once.
 */
export const comprobantes = sqliteTable(
	"comprobantes",
	{
		id: text("id").primaryKey(),
		/** One proof per purchase: a rejection ends the purchase, an approval sells it. */
		transaccionId: text("transaccion_id")
			.notNull()
			.references(() => transacciones.id, { onDelete: "restrict" }),
		rifaId: text("rifa_id")
			.notNull()
			.references(() => rifas.id, { onDelete: "restrict" }),
		/** The buyer. */
		usuarioId: text("usuario_id")
			.notNull()
			.references(() => users.id, { onDelete: "restrict" }),
		/** The buyer, or the staff who uploaded it for them. */
		subidoPor: text("subido_por")
			.notNull()
			.references(() => users.id, { onDelete: "restrict" }),
		r2Key: text("r2_key").notNull(),
		/** Hex SHA-256 of the file's bytes. */
		sha256: text("sha256").notNull(),
		tipo: text("tipo", { enum: COMPROBANTE_TIPOS }).notNull(),
		tamano: integer("tamano").notNull(),
		/** The bank's reference as the buyer typed it. */
		referencia: text("referencia").notNull(),
		/** Upper case, without spaces or dashes: `m 12-34` and `M1234` are one reference. */
		referenciaNormalizada: text("referencia_normalizada").notNull(),
		/** In centavos, as the buyer says it was sent; it may differ from the purchase's amount. */
		monto: integer("monto").notNull(),
		banco: text("banco").notNull(),
		/** Upper case, without accents, spaces or punctuation. */
		bancoNormalizado: text("banco_normalizado").notNull(),
		estado: text("estado", { enum: COMPROBANTE_ESTADOS }).notNull().default("pendiente"),
		/** Why it was rejected, as the buyer is told. */
		motivo: text("motivo"),
		revisadoPor: text("revisado_por").references(() => users.id, { onDelete: "restrict" }),
		revisadoEn: text("revisado_en"),
		creadoEn: createdAt(),
		actualizadoEn: text("actualizado_en").notNull(),
	},
	(t) => [
		uniqueIndex("comprobantes_sha256_unique").on(t.sha256),
		uniqueIndex("comprobantes_referencia_unique").on(t.bancoNormalizado, t.referenciaNormalizada),
		uniqueIndex("comprobantes_transaccion_unique").on(t.transaccionId),
		// The review queue: an operador's rifa by state, oldest first; an admin's across rifas.
		index("comprobantes_rifa_estado_idx").on(t.rifaId, t.estado, t.creadoEn),
		index("comprobantes_estado_idx").on(t.estado, t.creadoEn),
		check("comprobantes_estado_check", inList("estado", COMPROBANTE_ESTADOS)),
		check("comprobantes_tipo_check", inList("tipo", COMPROBANTE_TIPOS)),
		check(
			"comprobantes_tamano_check",
			sql`tamano > 0 AND tamano <= ${sql.raw(String(COMPROBANTE_MAX_BYTES))}`,
		),
		check("comprobantes_monto_check", sql`monto > 0`),
		check(
			"comprobantes_revision_check",
			sql`(estado = 'pendiente') = (revisado_por IS NULL AND revisado_en IS NULL)`,
		),
		check("comprobantes_motivo_check", sql`(estado = 'rechazado') = (motivo IS NOT NULL)`),
	],
);

export type ComprobanteRow = typeof comprobantes.$inferSelect;
