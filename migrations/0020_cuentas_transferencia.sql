CREATE TABLE `cuentas_transferencia` (
	`operador_id` text PRIMARY KEY NOT NULL,
	`banco` text NOT NULL,
	`tipo_cuenta` text NOT NULL,
	`numero` text NOT NULL,
	`titular` text NOT NULL,
	`documento_titular` text,
	`llave_breb` text,
	`actualizado_por` text NOT NULL,
	`creado_en` text NOT NULL,
	`actualizado_en` text NOT NULL,
	FOREIGN KEY (`operador_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`actualizado_por`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "cuentas_transferencia_tipo_check" CHECK(tipo_cuenta IN ('ahorros', 'corriente', 'deposito_electronico')),
	CONSTRAINT "cuentas_transferencia_numero_check" CHECK(length(numero) BETWEEN 6 AND 20 AND numero NOT GLOB '*[^0-9]*')
);
