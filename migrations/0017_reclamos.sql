CREATE TABLE `reclamos_cuenta` (
	`telefono` text PRIMARY KEY NOT NULL,
	`codigo_hmac` text NOT NULL,
	`expira_en` text NOT NULL,
	`intentos` integer DEFAULT 0 NOT NULL,
	`creado_en` text NOT NULL,
	CONSTRAINT "reclamos_cuenta_intentos_check" CHECK(intentos >= 0)
);
