CREATE TABLE `caja_movimientos` (
	`id` text PRIMARY KEY NOT NULL,
	`caja_id` text NOT NULL,
	`tipo` text NOT NULL,
	`monto` integer NOT NULL,
	`boletas` integer DEFAULT 0 NOT NULL,
	`rifa_id` text,
	`transaccion_id` text,
	`ocurrido_en` text NOT NULL,
	`motivo` text,
	`creado_por` text,
	`creado_en` text NOT NULL,
	FOREIGN KEY (`caja_id`) REFERENCES `cajas`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`rifa_id`) REFERENCES `rifas`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`transaccion_id`) REFERENCES `transacciones`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`creado_por`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "caja_movimientos_tipo_check" CHECK(tipo IN ('venta', 'abono', 'reembolso', 'ajuste')),
	CONSTRAINT "caja_movimientos_motivo_check" CHECK(tipo <> 'ajuste' OR motivo IS NOT NULL)
);
--> statement-breakpoint
CREATE INDEX `caja_movimientos_caja_idx` ON `caja_movimientos` (`caja_id`,`ocurrido_en`);--> statement-breakpoint
CREATE INDEX `caja_movimientos_rifa_idx` ON `caja_movimientos` (`rifa_id`);--> statement-breakpoint
CREATE TABLE `cajas` (
	`id` text PRIMARY KEY NOT NULL,
	`vendedor_id` text NOT NULL,
	`operador_id` text NOT NULL,
	`dia` text NOT NULL,
	`estado` text DEFAULT 'abierta' NOT NULL,
	`contado` integer,
	`esperado` integer,
	`comision` integer,
	`cerrada_en` text,
	`confirmada_en` text,
	`confirmada_por` text,
	`creado_en` text NOT NULL,
	`actualizado_en` text NOT NULL,
	FOREIGN KEY (`vendedor_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`operador_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`confirmada_por`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "cajas_estado_check" CHECK(estado IN ('abierta', 'cerrada', 'confirmada')),
	CONSTRAINT "cajas_cierre_check" CHECK((estado = 'abierta') = (contado IS NULL AND esperado IS NULL AND cerrada_en IS NULL))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `cajas_vendedor_dia_unique` ON `cajas` (`vendedor_id`,`dia`);--> statement-breakpoint
CREATE INDEX `cajas_operador_dia_idx` ON `cajas` (`operador_id`,`dia`);--> statement-breakpoint
CREATE TABLE `comisiones` (
	`operador_id` text PRIMARY KEY NOT NULL,
	`esquema` text NOT NULL,
	`actualizado_por` text NOT NULL,
	`actualizado_en` text NOT NULL,
	FOREIGN KEY (`operador_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`actualizado_por`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE TABLE `vendedores` (
	`user_id` text PRIMARY KEY NOT NULL,
	`operador_id` text NOT NULL,
	`creado_por` text NOT NULL,
	`creado_en` text NOT NULL,
	`actualizado_en` text NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`operador_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`creado_por`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE INDEX `vendedores_operador_idx` ON `vendedores` (`operador_id`);--> statement-breakpoint
ALTER TABLE `transacciones` ADD `vendedor_id` text;--> statement-breakpoint
CREATE INDEX `transacciones_vendedor_idx` ON `transacciones` (`vendedor_id`,`created_at`) WHERE vendedor_id IS NOT NULL;