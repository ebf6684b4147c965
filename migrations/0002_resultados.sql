CREATE TABLE `resultados` (
	`id` text PRIMARY KEY NOT NULL,
	`loteria_id` text NOT NULL,
	`fecha` text NOT NULL,
	`numero` text NOT NULL,
	`serie` text,
	`fuente` text NOT NULL,
	`recibido_en` text NOT NULL,
	FOREIGN KEY (`loteria_id`) REFERENCES `loterias`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "resultados_numero_check" CHECK(numero GLOB '[0-9][0-9][0-9][0-9]'),
	CONSTRAINT "resultados_serie_check" CHECK(serie IS NULL OR serie GLOB '[0-9][0-9][0-9]')
);
--> statement-breakpoint
CREATE UNIQUE INDEX `resultados_loteria_fecha_unique` ON `resultados` (`loteria_id`,`fecha`);