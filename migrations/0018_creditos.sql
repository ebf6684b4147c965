CREATE TABLE `creditos` (
	`id` text PRIMARY KEY NOT NULL,
	`usuario_id` text NOT NULL,
	`operador_id` text NOT NULL,
	`monto` integer NOT NULL,
	`origen` text NOT NULL,
	`rifa_id` text,
	`transaccion_id` text,
	`creado_en` text NOT NULL,
	FOREIGN KEY (`usuario_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`operador_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`rifa_id`) REFERENCES `rifas`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "creditos_monto_check" CHECK(monto <> 0),
	CONSTRAINT "creditos_origen_check" CHECK(origen IN ('abonos_vencidos', 'abono_tarde', 'uso', 'devolucion'))
);
--> statement-breakpoint
CREATE INDEX `creditos_usuario_idx` ON `creditos` (`usuario_id`,`operador_id`);