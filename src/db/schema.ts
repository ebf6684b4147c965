import { sql } from "drizzle-orm";
import { check, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import type { MovimientoSorteo } from "../domain/calendario";
import type { Desglose } from "../domain/premios";
import type { Reglas } from "../domain/reglas";

export const ROLES = ["jugador", "operador", "admin"] as const;
export const DIAS_SORTEO = [
	"lunes",
	"martes",
	"miercoles",
	"jueves",
	"viernes",
	"sabado",
	"domingo",
] as const;
export const RIFA_ESTADOS = ["pendiente", "activa", "cerrada", "resuelta", "cancelada"] as const;
export const TOTAL_BOLETAS = [100, 1000, 10000] as const;
export const TICKET_ESTADOS = ["disponible", "reservado", "vendido", "ganador", "anulado"] as const;
export const TRANSACCION_ESTADOS = ["pending", "succeeded", "failed", "refunded"] as const;
export const TRANSACCION_TIPOS = ["compra", "reembolso", "pago_premio"] as const;
export const PAGO_ESTADOS = ["pendiente", "pagado", "fallido"] as const;
/**
 * Where a result observation comes from: an adapter the cron polls (`mock`, `resultadosloterias`),
 * the signed push of `POST /webhooks/loteria` (`webhook`), or an admin's entry (`admin`).
 */
export const FUENTES = ["mock", "resultadosloterias", "webhook", "admin"] as const;
export type Fuente = (typeof FUENTES)[number];
export const IDIOMAS = ["es", "en"] as const;
export type Idioma = (typeof IDIOMAS)[number];
export const NOTIFICACION_TIPOS = [
	"compra",
	"reserva",
	"reserva_expirada",
	"rifa_cerrada",
	"resultado",
	"ganador",
	"premio_pagado",
	"reembolso",
	"alerta",
] as const;
export type NotificacionTipo = (typeof NOTIFICACION_TIPOS)[number];
export const CANALES = ["email", "whatsapp"] as const;
export type Canal = (typeof CANALES)[number];
export const NOTIFICACION_ESTADOS = ["pendiente", "enviada", "fallida", "omitida"] as const;
export type NotificacionEstado = (typeof NOTIFICACION_ESTADOS)[number];

export type Rol = (typeof ROLES)[number];
export type RifaEstado = (typeof RIFA_ESTADOS)[number];

const inList = (column: string, values: readonly (string | number)[]) =>
	sql.raw(
		`${column} IN (${values.map((v) => (typeof v === "number" ? String(v) : `'${v}'`)).join(", ")})`,
	);

const createdAt = () => text("creado_en").notNull();

export const users = sqliteTable(
	"users",
	{
		id: text("id").primaryKey(),
		nombre: text("nombre").notNull(),
		email: text("email").notNull(),
		telefono: text("telefono"),
		hashedPassword: text("hashed_password"),
		rol: text("rol", { enum: ROLES }).notNull().default("jugador"),
		isActive: integer("is_active", { mode: "boolean" }).notNull().default(true),
		stripeAccountId: text("stripe_account_id"),
		// Checked by the API: D1 cannot rebuild this referenced table to add a CHECK.
		idioma: text("idioma", { enum: IDIOMAS }).notNull().default("es"),
		notifEmail: integer("notif_email", { mode: "boolean" }).notNull().default(true),
		notifWhatsapp: integer("notif_whatsapp", { mode: "boolean" }).notNull().default(false),
		creadoEn: createdAt(),
		actualizadoEn: text("actualizado_en").notNull(),
	},
	(t) => [
		uniqueIndex("users_email_lower_unique").on(sql`lower(${t.email})`),
		index("users_rol_idx").on(t.rol),
		index("users_creado_en_idx").on(t.creadoEn),
		check("users_rol_check", inList("rol", ROLES)),
		check("users_is_active_check", sql`is_active IN (0, 1)`),
		check("users_email_check", sql`email = lower(email) AND email LIKE '%_@_%'`),
	],
);

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
	},
	(t) => [
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
 * A loteria's confirmed result for a draw: reached by the quorum of its sources' observations, or
 * set by an admin's resolution of a conflict. Written once, never overwritten; settlement reads
 * only this.
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
		/** The admin who resolved a conflict, and why. */
		resueltoPor: text("resuelto_por"),
		motivo: text("motivo"),
	},
	(t) => [
		uniqueIndex("resultados_loteria_fecha_unique").on(t.loteriaId, t.fecha),
		check("resultados_numero_check", sql`numero GLOB '[0-9][0-9][0-9][0-9]'`),
		check("resultados_serie_check", sql`serie IS NULL OR serie GLOB '[0-9][0-9][0-9]'`),
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
		/** Who counts as one source: the source's name, or `admin:<user id>` (two admins are two). */
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
		index("observaciones_loteria_fecha_idx").on(t.loteriaId, t.fecha, t.observadoEn),
		check("observaciones_numero_check", sql`numero GLOB '[0-9][0-9][0-9][0-9]'`),
		check("observaciones_serie_check", sql`serie GLOB '[0-9][0-9][0-9]'`),
		check("observaciones_fuente_check", inList("fuente", FUENTES)),
		check(
			"observaciones_sha256_check",
			sql`evidencia_sha256 IS NULL OR (length(evidencia_sha256) = 64 AND evidencia_sha256 NOT GLOB '*[^0-9a-f]*')`,
		),
	],
);

/** The state of an audited entity (whole or the fields that matter) before or after a change. */
export type AuditSnapshot = Record<string, unknown>;

export const auditLog = sqliteTable(
	"audit_log",
	{
		id: text("id").primaryKey(),
		actorId: text("actor_id"),
		action: text("action").notNull(),
		entity: text("entity").notNull(),
		entityId: text("entity_id").notNull(),
		before: text("before", { mode: "json" }).$type<AuditSnapshot>(),
		after: text("after", { mode: "json" }).$type<AuditSnapshot>(),
		requestId: text("request_id"),
		createdAt: text("created_at").notNull(),
	},
	(t) => [
		index("audit_log_entity_idx").on(t.entity, t.entityId, t.createdAt),
		index("audit_log_created_idx").on(t.createdAt),
		index("audit_log_actor_idx").on(t.actorId),
	],
);

/**
 * Consecutive failed logins per email address, whether or not an account has it (so the lockout
 * does not reveal which emails exist). Keyed by the SHA-256 of the address: unknown addresses that
 * someone tried are not kept in clear.
 */
export const loginBackoff = sqliteTable(
	"login_backoff",
	{
		emailHash: text("email_hash").primaryKey(),
		failures: integer("failures").notNull(),
		lastFailureAt: text("last_failure_at").notNull(),
	},
	(t) => [
		index("login_backoff_last_failure_idx").on(t.lastFailureAt),
		check("login_backoff_failures_check", sql`failures >= 1`),
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

/**
 * Domain events written in the same D1 batch as the change they announce, keyed by a stable id
 * (`resultado:<rifa>`, `premio_pagado:<ganador>`…) so a repeated change writes one. The dispatcher
 * (src/notificaciones/avisos.ts) turns each into queue messages, one per recipient, and marks it.
 */
export const avisos = sqliteTable(
	"avisos",
	{
		id: text("id").primaryKey(),
		tipo: text("tipo", { enum: NOTIFICACION_TIPOS }).notNull(),
		rifaId: text("rifa_id"),
		datos: text("datos", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
		creadoEn: createdAt(),
		despachadoEn: text("despachado_en"),
	},
	(t) => [
		index("avisos_pendientes_idx").on(t.despachadoEn, t.creadoEn),
		check("avisos_tipo_check", inList("tipo", NOTIFICACION_TIPOS)),
	],
);

/**
 * Every message for one recipient on one channel, once per event: `(evento, usuario_id, canal)` is
 * unique, so a redelivered queue message finds its row instead of sending again. `reclamado_en`
 * marks an attempt in progress.
 */
export const notificaciones = sqliteTable(
	"notificaciones",
	{
		id: text("id").primaryKey(),
		evento: text("evento").notNull(),
		tipo: text("tipo", { enum: NOTIFICACION_TIPOS }).notNull(),
		canal: text("canal", { enum: CANALES }).notNull(),
		usuarioId: text("usuario_id")
			.notNull()
			.references(() => users.id, { onDelete: "restrict" }),
		rifaId: text("rifa_id"),
		destino: text("destino"),
		idioma: text("idioma", { enum: IDIOMAS }).notNull(),
		asunto: text("asunto").notNull(),
		cuerpoTexto: text("cuerpo_texto").notNull(),
		estado: text("estado", { enum: NOTIFICACION_ESTADOS }).notNull().default("pendiente"),
		motivo: text("motivo"),
		intentos: integer("intentos").notNull().default(0),
		proveedor: text("proveedor"),
		proveedorId: text("proveedor_id"),
		reclamadoEn: text("reclamado_en"),
		creadoEn: createdAt(),
		actualizadoEn: text("actualizado_en").notNull(),
		enviadoEn: text("enviado_en"),
	},
	(t) => [
		uniqueIndex("notificaciones_evento_unique").on(t.evento, t.usuarioId, t.canal),
		index("notificaciones_usuario_idx").on(t.usuarioId, t.creadoEn),
		index("notificaciones_creado_idx").on(t.creadoEn),
		index("notificaciones_rifa_idx").on(t.rifaId),
		check("notificaciones_tipo_check", inList("tipo", NOTIFICACION_TIPOS)),
		check("notificaciones_canal_check", inList("canal", CANALES)),
		check("notificaciones_estado_check", inList("estado", NOTIFICACION_ESTADOS)),
		check("notificaciones_intentos_check", sql`intentos >= 0`),
	],
);

export type UserRow = typeof users.$inferSelect;
export type NotificacionRow = typeof notificaciones.$inferSelect;
export type LoteriaRow = typeof loterias.$inferSelect;
export type CategoriaRow = typeof categorias.$inferSelect;
export type RifaRow = typeof rifas.$inferSelect;
export type TicketRow = typeof tickets.$inferSelect;
export type GanadorRow = typeof ganadores.$inferSelect;
export type ObservacionRow = typeof observaciones.$inferSelect;
