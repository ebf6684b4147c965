import { sql } from "drizzle-orm";
import { check, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { createdAt, inList } from "./columns";
import { IDIOMAS, users } from "./users";

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
	"abono",
	"abonos_vencidos",
] as const;
export type NotificacionTipo = (typeof NOTIFICACION_TIPOS)[number];
export const CANALES = ["email", "whatsapp", "sms"] as const;
export type Canal = (typeof CANALES)[number];
export const NOTIFICACION_ESTADOS = ["pendiente", "enviada", "fallida", "omitida"] as const;
export type NotificacionEstado = (typeof NOTIFICACION_ESTADOS)[number];

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

export type NotificacionRow = typeof notificaciones.$inferSelect;
