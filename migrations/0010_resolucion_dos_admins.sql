CREATE TABLE `propuestas_resolucion` (
	`id` text PRIMARY KEY NOT NULL,
	`loteria_id` text NOT NULL,
	`fecha` text NOT NULL,
	`numero` text NOT NULL,
	`serie` text NOT NULL,
	`motivo` text NOT NULL,
	`evidencia_url` text,
	`evidencia_sha256` text,
	`propuesta_por` text NOT NULL,
	`creada_en` text NOT NULL,
	FOREIGN KEY (`loteria_id`) REFERENCES `loterias`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`propuesta_por`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "propuestas_resolucion_numero_check" CHECK(numero GLOB '[0-9][0-9][0-9][0-9]'),
	CONSTRAINT "propuestas_resolucion_serie_check" CHECK(serie GLOB '[0-9][0-9][0-9]'),
	CONSTRAINT "propuestas_resolucion_evidencia_check" CHECK((evidencia_url IS NULL) = (evidencia_sha256 IS NULL)),
	CONSTRAINT "propuestas_resolucion_sha256_check" CHECK(evidencia_sha256 IS NULL OR (length(evidencia_sha256) = 64 AND evidencia_sha256 NOT GLOB '*[^0-9a-f]*'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `propuestas_resolucion_unica` ON `propuestas_resolucion` (`loteria_id`,`fecha`,`propuesta_por`,`numero`,`serie`);--> statement-breakpoint
CREATE INDEX `propuestas_resolucion_sorteo_idx` ON `propuestas_resolucion` (`loteria_id`,`fecha`,`creada_en`);--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_resultados` (
	`id` text PRIMARY KEY NOT NULL,
	`loteria_id` text NOT NULL,
	`fecha` text NOT NULL,
	`numero` text NOT NULL,
	`serie` text,
	`fuente` text NOT NULL,
	`recibido_en` text NOT NULL,
	`resuelto_por` text,
	`motivo` text,
	`confirmado_por` text,
	`propuesta_id` text,
	`evidencia_url` text,
	`evidencia_sha256` text,
	FOREIGN KEY (`loteria_id`) REFERENCES `loterias`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`propuesta_id`) REFERENCES `propuestas_resolucion`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "resultados_numero_check" CHECK(numero GLOB '[0-9][0-9][0-9][0-9]'),
	CONSTRAINT "resultados_serie_check" CHECK(serie IS NULL OR serie GLOB '[0-9][0-9][0-9]'),
	CONSTRAINT "resultados_confirmado_por_check" CHECK(confirmado_por IS NULL OR (resuelto_por IS NOT NULL AND confirmado_por <> resuelto_por)),
	CONSTRAINT "resultados_sha256_check" CHECK(evidencia_sha256 IS NULL OR (length(evidencia_sha256) = 64 AND evidencia_sha256 NOT GLOB '*[^0-9a-f]*'))
);
--> statement-breakpoint
-- Edited after drizzle-kit: it copies the new columns too, which the old table lacks.
INSERT INTO `__new_resultados`("id", "loteria_id", "fecha", "numero", "serie", "fuente", "recibido_en", "resuelto_por", "motivo") SELECT "id", "loteria_id", "fecha", "numero", "serie", "fuente", "recibido_en", "resuelto_por", "motivo" FROM `resultados`;--> statement-breakpoint
DROP TABLE `resultados`;--> statement-breakpoint
ALTER TABLE `__new_resultados` RENAME TO `resultados`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `resultados_loteria_fecha_unique` ON `resultados` (`loteria_id`,`fecha`);--> statement-breakpoint
CREATE UNIQUE INDEX `resultados_propuesta_unique` ON `resultados` (`propuesta_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `observaciones_admin_unica` ON `observaciones_resultado` (`loteria_id`,`fecha`,`actor_id`) WHERE fuente = 'admin';