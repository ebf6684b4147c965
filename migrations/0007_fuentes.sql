CREATE TABLE `observaciones_resultado` (
	`id` text PRIMARY KEY NOT NULL,
	`loteria_id` text NOT NULL,
	`fecha` text NOT NULL,
	`fuente` text NOT NULL,
	`fuente_clave` text NOT NULL,
	`numero` text NOT NULL,
	`serie` text NOT NULL,
	`observado_en` text NOT NULL,
	`evidencia_url` text,
	`evidencia_sha256` text,
	`actor_id` text,
	FOREIGN KEY (`loteria_id`) REFERENCES `loterias`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "observaciones_numero_check" CHECK(numero GLOB '[0-9][0-9][0-9][0-9]'),
	CONSTRAINT "observaciones_serie_check" CHECK(serie GLOB '[0-9][0-9][0-9]'),
	CONSTRAINT "observaciones_fuente_check" CHECK(fuente IN ('mock', 'resultadosloterias', 'webhook', 'admin')),
	CONSTRAINT "observaciones_sha256_check" CHECK(evidencia_sha256 IS NULL OR (length(evidencia_sha256) = 64 AND evidencia_sha256 NOT GLOB '*[^0-9a-f]*'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `observaciones_unica` ON `observaciones_resultado` (`loteria_id`,`fecha`,`fuente_clave`,`numero`,`serie`);--> statement-breakpoint
CREATE INDEX `observaciones_loteria_fecha_idx` ON `observaciones_resultado` (`loteria_id`,`fecha`,`observado_en`);--> statement-breakpoint
ALTER TABLE `loterias` ADD `fuentes` text DEFAULT '["mock"]' NOT NULL CONSTRAINT "loterias_fuentes_check" CHECK(json_valid(fuentes) AND json_type(fuentes) = 'array');--> statement-breakpoint
ALTER TABLE `loterias` ADD `fuentes_requeridas` integer DEFAULT 1 NOT NULL CONSTRAINT "loterias_fuentes_requeridas_check" CHECK(fuentes_requeridas BETWEEN 1 AND 4);--> statement-breakpoint
UPDATE `loterias` SET `fuentes` = json_array(coalesce(json_extract(`meta`, '$.adapter'), 'mock'));--> statement-breakpoint
ALTER TABLE `resultados` ADD `resuelto_por` text;--> statement-breakpoint
ALTER TABLE `resultados` ADD `motivo` text;--> statement-breakpoint
ALTER TABLE `rifas` ADD `acumulado_asignado` integer DEFAULT 0 NOT NULL;