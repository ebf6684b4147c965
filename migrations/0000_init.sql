CREATE TABLE `audit_log` (
	`id` text PRIMARY KEY NOT NULL,
	`actor_id` text,
	`action` text NOT NULL,
	`entity` text NOT NULL,
	`entity_id` text NOT NULL,
	`before` text,
	`after` text,
	`request_id` text,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_log_entity_idx` ON `audit_log` (`entity`,`entity_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `audit_log_created_idx` ON `audit_log` (`created_at`);--> statement-breakpoint
CREATE INDEX `audit_log_actor_idx` ON `audit_log` (`actor_id`);--> statement-breakpoint
CREATE TABLE `categoria_rifa` (
	`id` text PRIMARY KEY NOT NULL,
	`nombre` text NOT NULL,
	`color` text,
	`valor_boleta` integer NOT NULL,
	`total_recaudo` integer,
	`rake_bps` integer DEFAULT 0 NOT NULL,
	`fondo_premios` integer,
	`premio_por_ganador` integer,
	`comentario` text,
	`creado_en` text NOT NULL,
	`actualizado_en` text NOT NULL,
	CONSTRAINT "categoria_rifa_valor_boleta_check" CHECK(valor_boleta > 0),
	CONSTRAINT "categoria_rifa_total_recaudo_check" CHECK(total_recaudo IS NULL OR total_recaudo >= 0),
	CONSTRAINT "categoria_rifa_rake_check" CHECK(rake_bps >= 0 AND rake_bps < 10000),
	CONSTRAINT "categoria_rifa_fondo_check" CHECK(fondo_premios IS NULL OR fondo_premios >= 0),
	CONSTRAINT "categoria_rifa_premio_check" CHECK(premio_por_ganador IS NULL OR premio_por_ganador >= 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `categoria_rifa_nombre_unique` ON `categoria_rifa` (lower("nombre"));--> statement-breakpoint
CREATE TABLE `ganadores` (
	`id` text PRIMARY KEY NOT NULL,
	`rifa_id` text NOT NULL,
	`ticket_id` text NOT NULL,
	`posicion` integer DEFAULT 1 NOT NULL,
	`monto_ganado` integer NOT NULL,
	`estado_pago` text DEFAULT 'pendiente' NOT NULL,
	`fecha_pago` text,
	`referencia_pago` text,
	`creado_en` text NOT NULL,
	FOREIGN KEY (`rifa_id`) REFERENCES `rifas`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`ticket_id`) REFERENCES `tickets`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "ganadores_monto_check" CHECK(monto_ganado >= 0),
	CONSTRAINT "ganadores_posicion_check" CHECK(posicion >= 1),
	CONSTRAINT "ganadores_estado_pago_check" CHECK(estado_pago IN ('pendiente', 'pagado', 'fallido'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ganadores_rifa_ticket_unique` ON `ganadores` (`rifa_id`,`ticket_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `ganadores_rifa_posicion_unique` ON `ganadores` (`rifa_id`,`posicion`);--> statement-breakpoint
CREATE INDEX `ganadores_ticket_idx` ON `ganadores` (`ticket_id`);--> statement-breakpoint
CREATE INDEX `ganadores_estado_pago_idx` ON `ganadores` (`estado_pago`);--> statement-breakpoint
CREATE TABLE `loterias` (
	`id` text PRIMARY KEY NOT NULL,
	`nombre` text NOT NULL,
	`descripcion` text,
	`frecuencia` text DEFAULT 'semanal' NOT NULL,
	`dia_sorteo` text,
	`hora_sorteo` text,
	`url_resultados` text,
	`meta` text DEFAULT '{}' NOT NULL,
	`creado_en` text NOT NULL,
	`actualizado_en` text NOT NULL,
	CONSTRAINT "loterias_frecuencia_check" CHECK(frecuencia IN ('diaria', 'semanal', 'mensual')),
	CONSTRAINT "loterias_dia_sorteo_check" CHECK(dia_sorteo IS NULL OR dia_sorteo IN ('lunes', 'martes', 'miercoles', 'jueves', 'viernes', 'sabado', 'domingo')),
	CONSTRAINT "loterias_hora_sorteo_check" CHECK(hora_sorteo IS NULL OR hora_sorteo GLOB '[0-2][0-9]:[0-5][0-9]'),
	CONSTRAINT "loterias_meta_check" CHECK(json_valid(meta) AND json_type(meta) = 'object')
);
--> statement-breakpoint
CREATE UNIQUE INDEX `loterias_nombre_unique` ON `loterias` (lower("nombre"));--> statement-breakpoint
CREATE TABLE `rifas` (
	`id` text PRIMARY KEY NOT NULL,
	`nombre` text NOT NULL,
	`categoria_id` text NOT NULL,
	`loteria_id` text NOT NULL,
	`fecha_inicio` text NOT NULL,
	`fecha_fin` text NOT NULL,
	`fecha_sorteo` text NOT NULL,
	`numero_ganadores` integer DEFAULT 1 NOT NULL,
	`estado` text DEFAULT 'pendiente' NOT NULL,
	`reglas` text NOT NULL,
	`total_boletas` integer DEFAULT 100 NOT NULL,
	`creado_por` text,
	`creado_en` text NOT NULL,
	`actualizado_en` text NOT NULL,
	FOREIGN KEY (`categoria_id`) REFERENCES `categoria_rifa`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`loteria_id`) REFERENCES `loterias`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`creado_por`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "rifas_estado_check" CHECK(estado IN ('pendiente', 'activa', 'cerrada', 'resuelta', 'cancelada')),
	CONSTRAINT "rifas_total_boletas_check" CHECK(total_boletas IN (100, 1000, 10000)),
	CONSTRAINT "rifas_numero_ganadores_check" CHECK(numero_ganadores >= 1 AND numero_ganadores <= total_boletas),
	CONSTRAINT "rifas_fechas_check" CHECK(fecha_inicio < fecha_fin AND fecha_fin <= fecha_sorteo),
	CONSTRAINT "rifas_reglas_check" CHECK(json_valid(reglas) AND json_type(reglas) = 'object')
);
--> statement-breakpoint
CREATE INDEX `rifas_estado_fecha_fin_idx` ON `rifas` (`estado`,`fecha_fin`);--> statement-breakpoint
CREATE INDEX `rifas_estado_fecha_inicio_idx` ON `rifas` (`estado`,`fecha_inicio`);--> statement-breakpoint
CREATE INDEX `rifas_estado_fecha_sorteo_idx` ON `rifas` (`estado`,`fecha_sorteo`);--> statement-breakpoint
CREATE INDEX `rifas_categoria_idx` ON `rifas` (`categoria_id`,`fecha_inicio`);--> statement-breakpoint
CREATE INDEX `rifas_loteria_idx` ON `rifas` (`loteria_id`);--> statement-breakpoint
CREATE INDEX `rifas_fecha_inicio_idx` ON `rifas` (`fecha_inicio`);--> statement-breakpoint
CREATE INDEX `rifas_fecha_fin_idx` ON `rifas` (`fecha_fin`);--> statement-breakpoint
CREATE INDEX `rifas_creado_por_idx` ON `rifas` (`creado_por`);--> statement-breakpoint
CREATE TABLE `tickets` (
	`id` text PRIMARY KEY NOT NULL,
	`rifa_id` text NOT NULL,
	`usuario_id` text,
	`numero` integer NOT NULL,
	`comprado_en` text,
	`estado` text DEFAULT 'disponible' NOT NULL,
	`precio` integer NOT NULL,
	`transaccion_id` text,
	`creado_en` text NOT NULL,
	`actualizado_en` text NOT NULL,
	FOREIGN KEY (`rifa_id`) REFERENCES `rifas`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`usuario_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`transaccion_id`) REFERENCES `transacciones`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "tickets_numero_check" CHECK(numero >= 0 AND numero < 10000),
	CONSTRAINT "tickets_precio_check" CHECK(precio >= 0),
	CONSTRAINT "tickets_estado_check" CHECK(estado IN ('disponible', 'reservado', 'vendido', 'ganador', 'anulado'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tickets_rifa_numero_unique` ON `tickets` (`rifa_id`,`numero`);--> statement-breakpoint
CREATE INDEX `tickets_rifa_estado_idx` ON `tickets` (`rifa_id`,`estado`);--> statement-breakpoint
CREATE INDEX `tickets_usuario_idx` ON `tickets` (`usuario_id`,`rifa_id`);--> statement-breakpoint
CREATE INDEX `tickets_transaccion_idx` ON `tickets` (`transaccion_id`);--> statement-breakpoint
CREATE TABLE `transacciones` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`rifa_id` text,
	`tipo` text DEFAULT 'compra' NOT NULL,
	`amount` integer NOT NULL,
	`currency` text DEFAULT 'COP' NOT NULL,
	`provider` text NOT NULL,
	`provider_ref` text,
	`status` text DEFAULT 'pending' NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`rifa_id`) REFERENCES `rifas`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "transacciones_amount_check" CHECK(amount >= 0),
	CONSTRAINT "transacciones_currency_check" CHECK(currency = 'COP'),
	CONSTRAINT "transacciones_status_check" CHECK(status IN ('pending', 'succeeded', 'failed', 'refunded')),
	CONSTRAINT "transacciones_tipo_check" CHECK(tipo IN ('compra', 'reembolso', 'pago_premio'))
);
--> statement-breakpoint
CREATE INDEX `transacciones_user_idx` ON `transacciones` (`user_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `transacciones_rifa_idx` ON `transacciones` (`rifa_id`,`status`);--> statement-breakpoint
CREATE INDEX `transacciones_status_created_idx` ON `transacciones` (`status`,`created_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `transacciones_provider_ref_unique` ON `transacciones` (`provider`,`provider_ref`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`nombre` text NOT NULL,
	`email` text NOT NULL,
	`telefono` text,
	`hashed_password` text,
	`rol` text DEFAULT 'jugador' NOT NULL,
	`is_active` integer DEFAULT true NOT NULL,
	`creado_en` text NOT NULL,
	`actualizado_en` text NOT NULL,
	CONSTRAINT "users_rol_check" CHECK(rol IN ('jugador', 'operador', 'admin')),
	CONSTRAINT "users_is_active_check" CHECK(is_active IN (0, 1)),
	CONSTRAINT "users_email_check" CHECK(email = lower(email) AND email LIKE '%_@_%')
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_email_lower_unique` ON `users` (lower("email"));--> statement-breakpoint
CREATE INDEX `users_rol_idx` ON `users` (`rol`);--> statement-breakpoint
CREATE INDEX `users_creado_en_idx` ON `users` (`creado_en`);