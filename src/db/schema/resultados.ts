import { sql } from "drizzle-orm";
import { check, index, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { FUENTES, loterias } from "./catalogo";
import { inList } from "./columns";
import { users } from "./users";

const sha256Check = (column: string) =>
	sql.raw(`${column} IS NULL OR (length(${column}) = 64 AND ${column} NOT GLOB '*[^0-9a-f]*')`);

/**
 * A loteria's confirmed result for a draw: reached by the quorum of its sources' observations, or
 * set by the resolution of a conflict, proposed by one admin and confirmed by another. Written
 * once, never overwritten; settlement reads only this.
 */
export const resultados = sqliteTable(
	"resultados",
	{
		id: text("id").primaryKey(),
		loteriaId: text("loteria_id")
			.notNull()
			.references(() => loterias.id, { onDelete: "restrict" }),
		fecha: text("fecha").notNull(),
		numero: text("numero").notNull(),
		serie: text("serie"),
		/** `quorum:` and the agreeing sources, or `resolucion` (an admin's decision). */
		fuente: text("fuente").notNull(),
		recibidoEn: text("recibido_en").notNull(),
		/** A resolution's proposer (before two-admin resolutions, its only admin), and why. */
		resueltoPor: text("resuelto_por"),
		motivo: text("motivo"),
		/** The second admin, who confirmed the proposal; `recibido_en` is when. */
		confirmadoPor: text("confirmado_por"),
		/** The proposal confirmed: when it was made is its `creada_en`. */
		propuestaId: text("propuesta_id").references(() => propuestasResolucion.id, {
			onDelete: "restrict",
		}),
		/** The official document the resolution rests on, when the proposal brought one. */
		evidenciaUrl: text("evidencia_url"),
		evidenciaSha256: text("evidencia_sha256"),
	},
	(t) => [
		uniqueIndex("resultados_loteria_fecha_unique").on(t.loteriaId, t.fecha),
		uniqueIndex("resultados_propuesta_unique").on(t.propuestaId),
		check("resultados_numero_check", sql`numero GLOB '[0-9][0-9][0-9][0-9]'`),
		check("resultados_serie_check", sql`serie IS NULL OR serie GLOB '[0-9][0-9][0-9]'`),
		check(
			"resultados_confirmado_por_check",
			sql`confirmado_por IS NULL OR (resuelto_por IS NOT NULL AND confirmado_por <> resuelto_por)`,
		),
		check("resultados_sha256_check", sha256Check("evidencia_sha256")),
	],
);

/**
 * An admin's proposal of a draw's result while its sources disagree. It decides nothing until
 * another admin confirms it; confirming one writes the `resultados` row and leaves the draw's
 * other proposals without effect.
 */
export const propuestasResolucion = sqliteTable(
	"propuestas_resolucion",
	{
		id: text("id").primaryKey(),
		loteriaId: text("loteria_id")
			.notNull()
			.references(() => loterias.id, { onDelete: "restrict" }),
		fecha: text("fecha").notNull(),
		numero: text("numero").notNull(),
		serie: text("serie").notNull(),
		motivo: text("motivo").notNull(),
		/** The official document: required when no observation of the draw reported this result. */
		evidenciaUrl: text("evidencia_url"),
		evidenciaSha256: text("evidencia_sha256"),
		propuestaPor: text("propuesta_por")
			.notNull()
			.references(() => users.id, { onDelete: "restrict" }),
		creadaEn: text("creada_en").notNull(),
	},
	(t) => [
		// The same admin proposing the same result again finds its first proposal.
		uniqueIndex("propuestas_resolucion_unica").on(
			t.loteriaId,
			t.fecha,
			t.propuestaPor,
			t.numero,
			t.serie,
		),
		index("propuestas_resolucion_sorteo_idx").on(t.loteriaId, t.fecha, t.creadaEn),
		check("propuestas_resolucion_numero_check", sql`numero GLOB '[0-9][0-9][0-9][0-9]'`),
		check("propuestas_resolucion_serie_check", sql`serie GLOB '[0-9][0-9][0-9]'`),
		check(
			"propuestas_resolucion_evidencia_check",
			sql`(evidencia_url IS NULL) = (evidencia_sha256 IS NULL)`,
		),
		check("propuestas_resolucion_sha256_check", sha256Check("evidencia_sha256")),
	],
);

/**
 * What one source said a draw's result was, with its evidence. Append-only: a source that says
 * something else later adds a row, and the disagreement is what `en_conflicto` is made of.
 */
export const observaciones = sqliteTable(
	"observaciones_resultado",
	{
		id: text("id").primaryKey(),
		loteriaId: text("loteria_id")
			.notNull()
			.references(() => loterias.id, { onDelete: "restrict" }),
		fecha: text("fecha").notNull(),
		fuente: text("fuente", { enum: FUENTES }).notNull(),
		/**
		 * Who observed: the source's name, or `admin:<user id>`. Each admin observes a draw once; for
		 * the quorum all admins together are the one source `admin`.
		 */
		fuenteClave: text("fuente_clave").notNull(),
		numero: text("numero").notNull(),
		serie: text("serie").notNull(),
		observadoEn: text("observado_en").notNull(),
		evidenciaUrl: text("evidencia_url"),
		/** SHA-256 (hex) of the raw payload or document the source gave. */
		evidenciaSha256: text("evidencia_sha256"),
		actorId: text("actor_id"),
	},
	(t) => [
		uniqueIndex("observaciones_unica").on(t.loteriaId, t.fecha, t.fuenteClave, t.numero, t.serie),
		// One voice per admin: a second, different result from the same admin is refused.
		uniqueIndex("observaciones_admin_unica")
			.on(t.loteriaId, t.fecha, t.actorId)
			.where(sql`fuente = 'admin'`),
		index("observaciones_loteria_fecha_idx").on(t.loteriaId, t.fecha, t.observadoEn),
		check("observaciones_numero_check", sql`numero GLOB '[0-9][0-9][0-9][0-9]'`),
		check("observaciones_serie_check", sql`serie GLOB '[0-9][0-9][0-9]'`),
		check("observaciones_fuente_check", inList("fuente", FUENTES)),
		check("observaciones_sha256_check", sha256Check("evidencia_sha256")),
	],
);

export type ObservacionRow = typeof observaciones.$inferSelect;
export type ResultadoRow = typeof resultados.$inferSelect;
export type PropuestaRow = typeof propuestasResolucion.$inferSelect;
