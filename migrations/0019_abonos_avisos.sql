-- Edited after drizzle-kit: no PRAGMA foreign_keys, which D1 ignores. Two new tipos (abono,
-- abonos_vencidos) widen the tipo CHECK of avisos and notificaciones, which SQLite can change only
-- by a rebuild (new table, copy, drop, rename, indexes). No table, view or trigger references
-- either one (avisos has no foreign keys at all; notificaciones only points at users, and keeps
-- pointing there), so dropping them with D1's foreign keys on fails nothing and nulls nothing.
CREATE TABLE `__new_avisos` (
	`id` text PRIMARY KEY NOT NULL,
	`tipo` text NOT NULL,
	`rifa_id` text,
	`datos` text NOT NULL,
	`creado_en` text NOT NULL,
	`despachado_en` text,
	CONSTRAINT "avisos_tipo_check" CHECK(tipo IN ('compra', 'reserva', 'reserva_expirada', 'rifa_cerrada', 'resultado', 'ganador', 'premio_pagado', 'reembolso', 'alerta', 'abono', 'abonos_vencidos'))
);
--> statement-breakpoint
INSERT INTO `__new_avisos`("id", "tipo", "rifa_id", "datos", "creado_en", "despachado_en") SELECT "id", "tipo", "rifa_id", "datos", "creado_en", "despachado_en" FROM `avisos`;--> statement-breakpoint
DROP TABLE `avisos`;--> statement-breakpoint
ALTER TABLE `__new_avisos` RENAME TO `avisos`;--> statement-breakpoint
CREATE INDEX `avisos_pendientes_idx` ON `avisos` (`despachado_en`,`creado_en`);--> statement-breakpoint
CREATE TABLE `__new_notificaciones` (
	`id` text PRIMARY KEY NOT NULL,
	`evento` text NOT NULL,
	`tipo` text NOT NULL,
	`canal` text NOT NULL,
	`usuario_id` text NOT NULL,
	`rifa_id` text,
	`destino` text,
	`idioma` text NOT NULL,
	`asunto` text NOT NULL,
	`cuerpo_texto` text NOT NULL,
	`estado` text DEFAULT 'pendiente' NOT NULL,
	`motivo` text,
	`intentos` integer DEFAULT 0 NOT NULL,
	`proveedor` text,
	`proveedor_id` text,
	`reclamado_en` text,
	`creado_en` text NOT NULL,
	`actualizado_en` text NOT NULL,
	`enviado_en` text,
	FOREIGN KEY (`usuario_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "notificaciones_tipo_check" CHECK(tipo IN ('compra', 'reserva', 'reserva_expirada', 'rifa_cerrada', 'resultado', 'ganador', 'premio_pagado', 'reembolso', 'alerta', 'abono', 'abonos_vencidos')),
	CONSTRAINT "notificaciones_canal_check" CHECK(canal IN ('email', 'whatsapp', 'sms')),
	CONSTRAINT "notificaciones_estado_check" CHECK(estado IN ('pendiente', 'enviada', 'fallida', 'omitida')),
	CONSTRAINT "notificaciones_intentos_check" CHECK(intentos >= 0)
);
--> statement-breakpoint
INSERT INTO `__new_notificaciones`("id", "evento", "tipo", "canal", "usuario_id", "rifa_id", "destino", "idioma", "asunto", "cuerpo_texto", "estado", "motivo", "intentos", "proveedor", "proveedor_id", "reclamado_en", "creado_en", "actualizado_en", "enviado_en") SELECT "id", "evento", "tipo", "canal", "usuario_id", "rifa_id", "destino", "idioma", "asunto", "cuerpo_texto", "estado", "motivo", "intentos", "proveedor", "proveedor_id", "reclamado_en", "creado_en", "actualizado_en", "enviado_en" FROM `notificaciones`;--> statement-breakpoint
DROP TABLE `notificaciones`;--> statement-breakpoint
ALTER TABLE `__new_notificaciones` RENAME TO `notificaciones`;--> statement-breakpoint
CREATE UNIQUE INDEX `notificaciones_evento_unique` ON `notificaciones` (`evento`,`usuario_id`,`canal`);--> statement-breakpoint
CREATE INDEX `notificaciones_usuario_idx` ON `notificaciones` (`usuario_id`,`creado_en`);--> statement-breakpoint
CREATE INDEX `notificaciones_creado_idx` ON `notificaciones` (`creado_en`);--> statement-breakpoint
CREATE INDEX `notificaciones_rifa_idx` ON `notificaciones` (`rifa_id`);