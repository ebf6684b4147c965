import { sql } from "drizzle-orm";
import { check, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import type { Desglose } from "../../domain/premios";
import type { Reglas } from "../../domain/reglas";
import { categorias, loterias } from "./catalogo";
import { createdAt, inList } from "./columns";
import { users } from "./users";

export const RIFA_ESTADOS = ["pendiente", "activa", "cerrada", "resuelta", "cancelada"] as const;
export const TOTAL_BOLETAS = [100, 1000, 10000] as const;
export const TICKET_ESTADOS = ["disponible", "reservado", "vendido", "ganador", "anulado"] as const;
export const TRANSACCION_ESTADOS = ["pending", "succeeded", "failed", "refunded"] as const;
export const TRANSACCION_TIPOS = ["compra", "reembolso", "pago_premio"] as const;
export const PAGO_ESTADOS = ["pendiente", "pagado", "fallido"] as const;
export type RifaEstado = (typeof RIFA_ESTADOS)[number];

export const rifas = sqliteTable(
	"rifas",
	{
		id: text("id").primaryKey(),
		nombre: text("nombre").notNull(),
		categoriaId: text("categoria_id")
			.notNull()
			.references(() => categorias.id, { onDelete: "restrict" }),
		loteriaId: text("loteria_id")
			.notNull()
			.references(() => loterias.id, { onDelete: "restrict" }),
		fechaInicio: text("fecha_inicio").notNull(),
		fechaFin: text("fecha_fin").notNull(),
		fechaSorteo: text("fecha_sorteo").notNull(),
		numeroGanadores: integer("numero_ganadores").notNull().default(1),
		estado: text("estado", { enum: RIFA_ESTADOS }).notNull().default("pendiente"),
		/** Keys left out take their defaults: read it through `parseReglas`. */
		reglas: text("reglas", { mode: "json" }).$type<Partial<Reglas>>().notNull(),
		totalBoletas: integer("total_boletas").notNull().default(100),
		/**
		 * An admin accepted that the house pays a fixed prize larger than the rifa can collect; part
		 * of the definition the seal fixes.
		 */
		premioGarantizado: integer("premio_garantizado", { mode: "boolean" }).notNull().default(false),
		creadoPor: text("creado_por").references(() => users.id, { onDelete: "set null" }),
		resultadoNumero: text("resultado_numero"),
		resultadoSerie: text("resultado_serie"),
		resultadoFecha: text("resultado_fecha"),
		resultadoFuente: text("resultado_fuente"),
		/** The prize breakdown computed at settlement. */
		desglose: text("desglose", { mode: "json" }).$type<Desglose>(),
		acumuladoRecibido: integer("acumulado_recibido").notNull().default(0),
		/**
		 * Centavos of its category's pot assigned to this rifa by the settlement of the rifa before
		 * it; only a rifa with a pot assigned can receive one.
		 */
		acumuladoAsignado: integer("acumulado_asignado").notNull().default(0),
		/** Id of the settlement that resolved the rifa; guards every write of that settlement. */
		liquidacionId: text("liquidacion_id"),
		resueltaEn: text("resuelta_en"),
		/**
		 * The `actualizado_en` of the last definition the rifa's room acknowledged; behind
		 * `actualizado_en` until the room has it (the cron's reconciler pushes it again).
		 */
		salaSincronizadaEn: text("sala_sincronizada_en"),
		creadoEn: createdAt(),
		actualizadoEn: text("actualizado_en").notNull(),
	},
	(t) => [
		index("rifas_estado_fecha_fin_idx").on(t.estado, t.fechaFin),
		index("rifas_estado_fecha_inicio_idx").on(t.estado, t.fechaInicio),
		index("rifas_estado_fecha_sorteo_idx").on(t.estado, t.fechaSorteo),
		index("rifas_categoria_idx").on(t.categoriaId, t.fechaInicio),
		index("rifas_loteria_idx").on(t.loteriaId),
		index("rifas_fecha_inicio_idx").on(t.fechaInicio),
		index("rifas_fecha_fin_idx").on(t.fechaFin),
		index("rifas_creado_por_idx").on(t.creadoPor),
		index("rifas_estado_resuelta_en_idx").on(t.estado, t.resueltaEn),
		check("rifas_estado_check", inList("estado", RIFA_ESTADOS)),
		check("rifas_total_boletas_check", inList("total_boletas", TOTAL_BOLETAS)),
		check(
			"rifas_numero_ganadores_check",
			sql`numero_ganadores >= 1 AND numero_ganadores <= total_boletas`,
		),
		check("rifas_fechas_check", sql`fecha_inicio < fecha_fin AND fecha_fin <= fecha_sorteo`),
		check("rifas_reglas_check", sql`json_valid(reglas) AND json_type(reglas) = 'object'`),
	],
);

export const transacciones = sqliteTable(
	"transacciones",
	{
		id: text("id").primaryKey(),
		userId: text("user_id")
			.notNull()
			.references(() => users.id, { onDelete: "restrict" }),
		rifaId: text("rifa_id").references(() => rifas.id, { onDelete: "restrict" }),
		tipo: text("tipo", { enum: TRANSACCION_TIPOS }).notNull().default("compra"),
		amount: integer("amount").notNull(),
		currency: text("currency").notNull().default("COP"),
		provider: text("provider").notNull(),
		providerRef: text("provider_ref"),
		status: text("status", { enum: TRANSACCION_ESTADOS }).notNull().default("pending"),
		createdAt: text("created_at").notNull(),
		updatedAt: text("updated_at").notNull(),
		/**
		 * Staff who sold it on the buyer's behalf (a vendedor, operador or admin); null online. No
		 * foreign key: D1 cannot add one to a referenced table without rebuilding it.
		 */
		vendedorId: text("vendedor_id"),
	},
	(t) => [
		index("transacciones_vendedor_idx")
			.on(t.vendedorId, t.createdAt)
			.where(sql`vendedor_id IS NOT NULL`),
		index("transacciones_user_idx").on(t.userId, t.createdAt),
		index("transacciones_rifa_idx").on(t.rifaId, t.status),
		index("transacciones_status_created_idx").on(t.status, t.createdAt),
		// Partial: a purchase writes no entry here, only a refund does.
		index("transacciones_reembolsos_idx").on(t.status, t.updatedAt).where(sql`status = 'refunded'`),
		uniqueIndex("transacciones_provider_ref_unique").on(t.provider, t.providerRef),
		check("transacciones_amount_check", sql`amount >= 0`),
		check("transacciones_currency_check", sql`currency = 'COP'`),
		check("transacciones_status_check", inList("status", TRANSACCION_ESTADOS)),
		check("transacciones_tipo_check", inList("tipo", TRANSACCION_TIPOS)),
	],
);

export const tickets = sqliteTable(
	"tickets",
	{
		id: text("id").primaryKey(),
		rifaId: text("rifa_id")
			.notNull()
			.references(() => rifas.id, { onDelete: "restrict" }),
		usuarioId: text("usuario_id").references(() => users.id, { onDelete: "restrict" }),
		numero: integer("numero").notNull(),
		compradoEn: text("comprado_en"),
		estado: text("estado", { enum: TICKET_ESTADOS }).notNull().default("disponible"),
		precio: integer("precio").notNull(),
		transaccionId: text("transaccion_id").references(() => transacciones.id, {
			onDelete: "restrict",
		}),
		/** The sale's signed receipt (compact JWS), copied from the rifa room's ledger. */
		recibo: text("recibo"),
		creadoEn: createdAt(),
		actualizadoEn: text("actualizado_en").notNull(),
	},
	(t) => [
		uniqueIndex("tickets_rifa_numero_unique").on(t.rifaId, t.numero),
		index("tickets_rifa_estado_idx").on(t.rifaId, t.estado),
		index("tickets_usuario_idx").on(t.usuarioId, t.rifaId),
		index("tickets_transaccion_idx").on(t.transaccionId),
		check("tickets_numero_check", sql`numero >= 0 AND numero < 10000`),
		check("tickets_precio_check", sql`precio >= 0`),
		check("tickets_estado_check", inList("estado", TICKET_ESTADOS)),
	],
);

export const ganadores = sqliteTable(
	"ganadores",
	{
		id: text("id").primaryKey(),
		rifaId: text("rifa_id")
			.notNull()
			.references(() => rifas.id, { onDelete: "restrict" }),
		ticketId: text("ticket_id")
			.notNull()
			.references(() => tickets.id, { onDelete: "restrict" }),
		posicion: integer("posicion").notNull().default(1),
		fuente: text("fuente"),
		numeroGanador: integer("numero_ganador"),
		porCercania: integer("por_cercania", { mode: "boolean" }).notNull().default(false),
		montoGanado: integer("monto_ganado").notNull(),
		estadoPago: text("estado_pago", { enum: PAGO_ESTADOS }).notNull().default("pendiente"),
		fechaPago: text("fecha_pago"),
		referenciaPago: text("referencia_pago"),
		procesandoDesde: text("procesando_desde"),
		creadoEn: createdAt(),
	},
	(t) => [
		index("ganadores_rifa_ticket_idx").on(t.rifaId, t.ticketId),
		uniqueIndex("ganadores_rifa_posicion_unique").on(t.rifaId, t.posicion),
		index("ganadores_ticket_idx").on(t.ticketId),
		index("ganadores_estado_pago_idx").on(t.estadoPago),
		index("ganadores_estado_pago_fecha_idx").on(t.estadoPago, t.fechaPago),
		check("ganadores_monto_check", sql`monto_ganado >= 0`),
		check("ganadores_posicion_check", sql`posicion >= 1`),
		check("ganadores_estado_pago_check", inList("estado_pago", PAGO_ESTADOS)),
	],
);

/**
 * How far each rifa room's outbox has been applied, moved in the same D1 batch as the entries it
 * covers. Keyed by the room storage's own id (`emisor`), so a room can tell after a restart which
 * of its stored entries D1 already has.
 */
export const outboxAplicado = sqliteTable("outbox_aplicado", {
	emisor: text("emisor").primaryKey(),
	rifaId: text("rifa_id").notNull(),
	seq: integer("seq").notNull(),
	actualizadoEn: text("actualizado_en").notNull(),
});

export type RifaRow = typeof rifas.$inferSelect;
export type TicketRow = typeof tickets.$inferSelect;
export type GanadorRow = typeof ganadores.$inferSelect;
