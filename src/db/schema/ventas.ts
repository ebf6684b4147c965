import { sql } from "drizzle-orm";
import { check, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { createdAt, inList } from "./columns";
import { rifas, transacciones } from "./rifas";
import { users } from "./users";

/**
 * A seller: a user that sells for one operador, in that operador's rifas only. D1 cannot rebuild
 * `users` to widen its rol CHECK (its rows are referenced ON DELETE RESTRICT and SET NULL, and D1
 * keeps foreign keys on, so a DROP would fail or null them): a vendedor's row there says
 * `jugador`, and this table makes the API see it as `vendedor` (auth.middleware.ts).
 */
export const vendedores = sqliteTable(
	"vendedores",
	{
		userId: text("user_id")
			.primaryKey()
			.references(() => users.id, { onDelete: "restrict" }),
		operadorId: text("operador_id")
			.notNull()
			.references(() => users.id, { onDelete: "restrict" }),
		creadoPor: text("creado_por")
			.notNull()
			.references(() => users.id, { onDelete: "restrict" }),
		creadoEn: createdAt(),
		actualizadoEn: text("actualizado_en").notNull(),
	},
	(t) => [index("vendedores_operador_idx").on(t.operadorId)],
);

export const CAJA_ESTADOS = ["abierta", "cerrada", "confirmada"] as const;
export type CajaEstado = (typeof CAJA_ESTADOS)[number];

/**
 * A seller's cash box of one Colombian day. It is the authority for the cash the seller owes: its
 * movements are written once each (by a stable id) from the rifa rooms' outboxes and the API; a
 * closed box never changes, and a movement that arrives after its day's box closed goes to the
 * seller's open box instead.
 */
export const cajas = sqliteTable(
	"cajas",
	{
		id: text("id").primaryKey(),
		vendedorId: text("vendedor_id")
			.notNull()
			.references(() => users.id, { onDelete: "restrict" }),
		operadorId: text("operador_id")
			.notNull()
			.references(() => users.id, { onDelete: "restrict" }),
		/** The Colombian day, YYYY-MM-DD. */
		dia: text("dia").notNull(),
		estado: text("estado", { enum: CAJA_ESTADOS }).notNull().default("abierta"),
		/** What the seller counted and handed over at the close, in centavos. */
		contado: integer("contado"),
		/** What the box said was owed at the close: cash in, less cash out, less the commission. */
		esperado: integer("esperado"),
		comision: integer("comision"),
		cerradaEn: text("cerrada_en"),
		confirmadaEn: text("confirmada_en"),
		confirmadaPor: text("confirmada_por").references(() => users.id, { onDelete: "restrict" }),
		creadoEn: createdAt(),
		actualizadoEn: text("actualizado_en").notNull(),
	},
	(t) => [
		uniqueIndex("cajas_vendedor_dia_unique").on(t.vendedorId, t.dia),
		index("cajas_operador_dia_idx").on(t.operadorId, t.dia),
		check("cajas_estado_check", inList("estado", CAJA_ESTADOS)),
		check(
			"cajas_cierre_check",
			sql`(estado = 'abierta') = (contado IS NULL AND esperado IS NULL AND cerrada_en IS NULL)`,
		),
	],
);

export const MOVIMIENTO_TIPOS = ["venta", "abono", "reembolso", "ajuste"] as const;
export type MovimientoTipo = (typeof MOVIMIENTO_TIPOS)[number];

/**
 * Cash into (+) or out of (−) a box, in centavos. `id` is stable (`venta:<transaccion>`…), so a
 * repeated write is a no-op. `boletas`: the boletas this movement left fully paid (or, negative,
 * took back), which the commission counts.
 */
export const cajaMovimientos = sqliteTable(
	"caja_movimientos",
	{
		id: text("id").primaryKey(),
		cajaId: text("caja_id")
			.notNull()
			.references(() => cajas.id, { onDelete: "restrict" }),
		tipo: text("tipo", { enum: MOVIMIENTO_TIPOS }).notNull(),
		monto: integer("monto").notNull(),
		boletas: integer("boletas").notNull().default(0),
		rifaId: text("rifa_id").references(() => rifas.id, { onDelete: "restrict" }),
		transaccionId: text("transaccion_id").references(() => transacciones.id, {
			onDelete: "restrict",
		}),
		/** When it happened (a late write keeps its own time, in the box it went to). */
		ocurridoEn: text("ocurrido_en").notNull(),
		motivo: text("motivo"),
		creadoPor: text("creado_por").references(() => users.id, { onDelete: "restrict" }),
		creadoEn: createdAt(),
	},
	(t) => [
		index("caja_movimientos_caja_idx").on(t.cajaId, t.ocurridoEn),
		index("caja_movimientos_rifa_idx").on(t.rifaId),
		check("caja_movimientos_tipo_check", inList("tipo", MOVIMIENTO_TIPOS)),
		check("caja_movimientos_motivo_check", sql`tipo <> 'ajuste' OR motivo IS NOT NULL`),
	],
);

/**
 * An operador's commission for its sellers, per fully paid boleta: `{tipo: "tramos", tramos:
 * [{hasta, monto}]}` (the rate of the tier the seller's count in the rifa reaches, applied to all
 * its boletas) or `{tipo: "porcentaje", bps}` of the price. None: no commission.
 */
export const comisiones = sqliteTable("comisiones", {
	operadorId: text("operador_id")
		.primaryKey()
		.references(() => users.id, { onDelete: "restrict" }),
	esquema: text("esquema", { mode: "json" }).notNull(),
	actualizadoPor: text("actualizado_por")
		.notNull()
		.references(() => users.id, { onDelete: "restrict" }),
	actualizadoEn: text("actualizado_en").notNull(),
});

export type CajaRow = typeof cajas.$inferSelect;
export type CajaMovimientoRow = typeof cajaMovimientos.$inferSelect;
