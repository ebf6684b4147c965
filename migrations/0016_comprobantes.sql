CREATE TABLE `comprobantes` (
	`id` text PRIMARY KEY NOT NULL,
	`transaccion_id` text NOT NULL,
	`rifa_id` text NOT NULL,
	`usuario_id` text NOT NULL,
	`subido_por` text NOT NULL,
	`r2_key` text NOT NULL,
	`sha256` text NOT NULL,
	`tipo` text NOT NULL,
	`tamano` integer NOT NULL,
	`referencia` text NOT NULL,
	`referencia_normalizada` text NOT NULL,
	`monto` integer NOT NULL,
	`banco` text NOT NULL,
	`banco_normalizado` text NOT NULL,
	`estado` text DEFAULT 'pendiente' NOT NULL,
	`motivo` text,
	`revisado_por` text,
	`revisado_en` text,
	`creado_en` text NOT NULL,
	`actualizado_en` text NOT NULL,
	FOREIGN KEY (`transaccion_id`) REFERENCES `transacciones`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`rifa_id`) REFERENCES `rifas`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`usuario_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`subido_por`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`revisado_por`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "comprobantes_estado_check" CHECK(estado IN ('pendiente', 'aprobado', 'rechazado')),
	CONSTRAINT "comprobantes_tipo_check" CHECK(tipo IN ('image/jpeg', 'image/png', 'image/webp', 'application/pdf')),
	CONSTRAINT "comprobantes_tamano_check" CHECK(tamano > 0 AND tamano <= 5242880),
	CONSTRAINT "comprobantes_monto_check" CHECK(monto > 0),
	CONSTRAINT "comprobantes_revision_check" CHECK((estado = 'pendiente') = (revisado_por IS NULL AND revisado_en IS NULL)),
	CONSTRAINT "comprobantes_motivo_check" CHECK((estado = 'rechazado') = (motivo IS NOT NULL))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `comprobantes_sha256_unique` ON `comprobantes` (`sha256`);--> statement-breakpoint
CREATE UNIQUE INDEX `comprobantes_referencia_unique` ON `comprobantes` (`banco_normalizado`,`referencia_normalizada`);--> statement-breakpoint
CREATE UNIQUE INDEX `comprobantes_transaccion_unique` ON `comprobantes` (`transaccion_id`);--> statement-breakpoint
CREATE INDEX `comprobantes_rifa_estado_idx` ON `comprobantes` (`rifa_id`,`estado`,`creado_en`);--> statement-breakpoint
CREATE INDEX `comprobantes_estado_idx` ON `comprobantes` (`estado`,`creado_en`);