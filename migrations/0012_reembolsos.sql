CREATE TABLE `reembolsos` (
	`id` text PRIMARY KEY NOT NULL,
	`rifa_id` text NOT NULL,
	`usuario_id` text NOT NULL,
	`monto` integer NOT NULL,
	`proveedor` text NOT NULL,
	`metodo` text,
	`referencia_proveedor` text,
	`motivo` text NOT NULL,
	`estado` text DEFAULT 'pendiente' NOT NULL,
	`referencia_transferencia` text,
	`nota` text,
	`hecho_por` text,
	`hecho_en` text,
	`alertado_en` text,
	`creado_en` text NOT NULL,
	FOREIGN KEY (`id`) REFERENCES `transacciones`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`rifa_id`) REFERENCES `rifas`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`usuario_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`hecho_por`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "reembolsos_monto_check" CHECK(monto >= 0),
	CONSTRAINT "reembolsos_estado_check" CHECK(estado IN ('pendiente', 'hecho')),
	CONSTRAINT "reembolsos_hecho_check" CHECK((estado = 'pendiente') = (referencia_transferencia IS NULL))
);
--> statement-breakpoint
CREATE INDEX `reembolsos_estado_idx` ON `reembolsos` (`estado`,`creado_en`);