CREATE TABLE `cuentas_cobro` (
	`usuario_id` text PRIMARY KEY NOT NULL,
	`tipo` text NOT NULL,
	`llave` text,
	`tipo_llave` text,
	`entidad` text,
	`banco_id` text,
	`banco_nombre` text,
	`tipo_cuenta` text,
	`numero` text,
	`tipo_documento` text,
	`documento` text,
	`titular` text NOT NULL,
	`estado` text DEFAULT 'por_confirmar' NOT NULL,
	`confirmada_en` text,
	`creado_en` text NOT NULL,
	`actualizado_en` text NOT NULL,
	FOREIGN KEY (`usuario_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "cuentas_cobro_tipo_check" CHECK(tipo IN ('breb', 'banco')),
	CONSTRAINT "cuentas_cobro_estado_check" CHECK(estado IN ('por_confirmar', 'confirmada')),
	CONSTRAINT "cuentas_cobro_confirmada_check" CHECK((estado = 'confirmada') = (confirmada_en IS NOT NULL)),
	CONSTRAINT "cuentas_cobro_destino_check" CHECK((tipo = 'breb' AND llave IS NOT NULL AND numero IS NULL) OR (tipo = 'banco' AND llave IS NULL AND banco_id IS NOT NULL AND tipo_cuenta IS NOT NULL AND numero IS NOT NULL AND tipo_documento IS NOT NULL AND documento IS NOT NULL))
);
--> statement-breakpoint
CREATE TABLE `dispersiones_premio` (
	`id` text PRIMARY KEY NOT NULL,
	`ganador_id` text NOT NULL,
	`intento` integer NOT NULL,
	`tipo` text NOT NULL,
	`payout_id` text,
	`transaccion_id` text,
	`estado` text DEFAULT 'creando' NOT NULL,
	`estado_proveedor` text,
	`motivo` text,
	`creado_en` text NOT NULL,
	`actualizado_en` text NOT NULL,
	FOREIGN KEY (`ganador_id`) REFERENCES `ganadores`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "dispersiones_premio_estado_check" CHECK(estado IN ('creando', 'en_curso', 'pagada', 'fallida')),
	CONSTRAINT "dispersiones_premio_tipo_check" CHECK(tipo IN ('breb', 'banco')),
	CONSTRAINT "dispersiones_premio_intento_check" CHECK(intento >= 1)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `dispersiones_premio_intento_unique` ON `dispersiones_premio` (`ganador_id`,`intento`);--> statement-breakpoint
CREATE INDEX `dispersiones_premio_payout_idx` ON `dispersiones_premio` (`payout_id`);--> statement-breakpoint
CREATE INDEX `dispersiones_premio_transaccion_idx` ON `dispersiones_premio` (`transaccion_id`);