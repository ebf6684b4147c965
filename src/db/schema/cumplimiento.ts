import { sql } from "drizzle-orm";
import { check, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { type Autorizacion, type Garantia, SOPORTE_TIPOS } from "../../cumplimiento/tipos";
import { createdAt, inList } from "./columns";
import { rifas } from "./rifas";

/**
 * The legal mode's record of a rifa (docs/cumplimiento.md): its authorization and guarantee while
 * it is prepared, and the emission's figures fixed when it opens. Written only while the rifa is
 * `pendiente`; every write bumps `version`, and opening the rifa is conditional on the version
 * its checklist was computed from, so no change can slip between the check and the opening.
 */
export const rifasCumplimiento = sqliteTable(
	"rifas_cumplimiento",
	{
		rifaId: text("rifa_id")
			.primaryKey()
			.references(() => rifas.id, { onDelete: "restrict" }),
		autorizacion: text("autorizacion", { mode: "json" }).$type<Autorizacion>(),
		garantia: text("garantia", { mode: "json" }).$type<Garantia>(),
		/** total_boletas × valor_boleta, centavos; null until the rifa opens. */
		valorEmision: integer("valor_emision"),
		/** Derechos de explotación on the whole emission, centavos, rounded up. */
		derechos: integer("derechos"),
		/** Administration costs on the derechos, centavos, rounded up. */
		administracion: integer("administracion"),
		/** When the three figures were fixed: the rifa's opening. */
		fijadoEn: text("fijado_en"),
		version: integer("version").notNull().default(0),
		actualizadoEn: text("actualizado_en").notNull(),
	},
	() => [
		check(
			"rifas_cumplimiento_emision_check",
			sql`(valor_emision IS NULL AND derechos IS NULL AND administracion IS NULL AND fijado_en IS NULL) OR (valor_emision > 0 AND derechos >= 0 AND administracion >= 0 AND fijado_en IS NOT NULL)`,
		),
		check(
			"rifas_cumplimiento_json_check",
			sql`(autorizacion IS NULL OR json_valid(autorizacion)) AND (garantia IS NULL OR json_valid(garantia))`,
		),
	],
);

/**
 * The rifa's prizes in kind: one per winning position, each with its commercial value, its photos
 * (public) and the document that proves the operador owns it outright (private), kept in the
 * COMPROBANTES bucket under `cumplimiento/`. A prize may be registered before its proof; the
 * checklist names it until the proof is there.
 */
export const premiosEspecie = sqliteTable(
	"premios_especie",
	{
		id: text("id").primaryKey(),
		rifaId: text("rifa_id")
			.notNull()
			.references(() => rifas.id, { onDelete: "restrict" }),
		posicion: integer("posicion").notNull(),
		descripcion: text("descripcion").notNull(),
		/** Centavos. */
		valorComercial: integer("valor_comercial").notNull(),
		/** R2 keys of its photos, in order. */
		fotos: text("fotos", { mode: "json" }).$type<string[]>().notNull(),
		soporteTipo: text("soporte_tipo", { enum: SOPORTE_TIPOS }),
		/** Hex SHA-256 of the proof's bytes. */
		soporteSha256: text("soporte_sha256"),
		/** R2 key of the proof. */
		soporteArchivo: text("soporte_archivo"),
		creadoEn: createdAt(),
	},
	(t) => [
		uniqueIndex("premios_especie_rifa_posicion_unique").on(t.rifaId, t.posicion),
		check("premios_especie_valor_check", sql`valor_comercial > 0`),
		check("premios_especie_posicion_check", sql`posicion >= 1`),
		check("premios_especie_fotos_check", sql`json_valid(fotos) AND json_type(fotos) = 'array'`),
		check(
			"premios_especie_soporte_check",
			sql`(soporte_tipo IS NULL AND soporte_sha256 IS NULL AND soporte_archivo IS NULL) OR (soporte_tipo IS NOT NULL AND soporte_sha256 IS NOT NULL AND soporte_archivo IS NOT NULL)`,
		),
		check(
			"premios_especie_soporte_tipo_check",
			sql`soporte_tipo IS NULL OR ${inList("soporte_tipo", SOPORTE_TIPOS)}`,
		),
	],
);

export type RifaCumplimientoRow = typeof rifasCumplimiento.$inferSelect;
export type PremioEspecieRow = typeof premiosEspecie.$inferSelect;
