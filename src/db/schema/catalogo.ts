import { sql } from "drizzle-orm";
import { check, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import type { MovimientoSorteo } from "../../domain/calendario";
import { createdAt, inList } from "./columns";

export const DIAS_SORTEO = [
	"lunes",
	"martes",
	"miercoles",
	"jueves",
	"viernes",
	"sabado",
	"domingo",
] as const;
/**
 * Where a result observation comes from: an adapter the cron polls (`mock`, `resultadosloterias`),
 * the signed push of `POST /webhooks/loteria` (`webhook`), or an admin's entry (`admin`).
 */
export const FUENTES = ["mock", "resultadosloterias", "webhook", "admin"] as const;
export type Fuente = (typeof FUENTES)[number];

/**
 * Where a loteria's results come from (`src/integrations/loterias/`), checked on write by the
 * loterias routes; `{}`, the column's default, reads as the `mock` adapter.
 */
export interface LoteriaMeta {
	adapter?: string;
	slug?: string;
}

export const loterias = sqliteTable(
	"loterias",
	{
		id: text("id").primaryKey(),
		nombre: text("nombre").notNull(),
		descripcion: text("descripcion"),
		frecuencia: text("frecuencia").notNull().default("semanal"),
		diaSorteo: text("dia_sorteo", { enum: DIAS_SORTEO }),
		horaSorteo: text("hora_sorteo"),
		urlResultados: text("url_resultados"),
		meta: text("meta", { mode: "json" }).$type<LoteriaMeta>().notNull().default(sql`'{}'`),
		movimientos: text("movimientos", { mode: "json" })
			.$type<MovimientoSorteo[]>()
			.notNull()
			.default(sql`'[]'`),
		/** The sources whose observations count for this loteria's results. */
		fuentes: text("fuentes", { mode: "json" }).$type<Fuente[]>().notNull().default(sql`'["mock"]'`),
		/** How many distinct sources must agree on número and serie for a result to be confirmed. */
		fuentesRequeridas: integer("fuentes_requeridas").notNull().default(1),
		creadoEn: createdAt(),
		actualizadoEn: text("actualizado_en").notNull(),
	},
	(t) => [
		uniqueIndex("loterias_nombre_unique").on(sql`lower(${t.nombre})`),
		check("loterias_frecuencia_check", inList("frecuencia", ["diaria", "semanal", "mensual"])),
		check(
			"loterias_dia_sorteo_check",
			sql`dia_sorteo IS NULL OR ${inList("dia_sorteo", DIAS_SORTEO)}`,
		),
		check(
			"loterias_hora_sorteo_check",
			sql`hora_sorteo IS NULL OR hora_sorteo GLOB '[0-2][0-9]:[0-5][0-9]'`,
		),
		check("loterias_meta_check", sql`json_valid(meta) AND json_type(meta) = 'object'`),
		check("loterias_fuentes_check", sql`json_valid(fuentes) AND json_type(fuentes) = 'array'`),
		check("loterias_fuentes_requeridas_check", sql`fuentes_requeridas BETWEEN 1 AND 4`),
	],
);

export const categorias = sqliteTable(
	"categoria_rifa",
	{
		id: text("id").primaryKey(),
		nombre: text("nombre").notNull(),
		color: text("color"),
		valorBoleta: integer("valor_boleta").notNull(),
		totalRecaudo: integer("total_recaudo"),
		rakeBps: integer("rake_bps").notNull().default(0),
		fondoPremios: integer("fondo_premios"),
		premioPorGanador: integer("premio_por_ganador"),
		/** Centavos rolled over by settled rifas, paid into the next rifa of the category to settle. */
		acumulado: integer("acumulado").notNull().default(0),
		comentario: text("comentario"),
		creadoEn: createdAt(),
		actualizadoEn: text("actualizado_en").notNull(),
	},
	(t) => [
		uniqueIndex("categoria_rifa_nombre_unique").on(sql`lower(${t.nombre})`),
		check("categoria_rifa_valor_boleta_check", sql`valor_boleta > 0`),
		check("categoria_rifa_total_recaudo_check", sql`total_recaudo IS NULL OR total_recaudo >= 0`),
		check("categoria_rifa_rake_check", sql`rake_bps >= 0 AND rake_bps < 10000`),
		check("categoria_rifa_fondo_check", sql`fondo_premios IS NULL OR fondo_premios >= 0`),
		check(
			"categoria_rifa_premio_check",
			sql`premio_por_ganador IS NULL OR premio_por_ganador >= 0`,
		),
	],
);

export type LoteriaRow = typeof loterias.$inferSelect;
export type CategoriaRow = typeof categorias.$inferSelect;
