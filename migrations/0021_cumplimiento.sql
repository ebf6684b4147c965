CREATE TABLE `premios_especie` (
	`id` text PRIMARY KEY NOT NULL,
	`rifa_id` text NOT NULL,
	`posicion` integer NOT NULL,
	`descripcion` text NOT NULL,
	`valor_comercial` integer NOT NULL,
	`fotos` text NOT NULL,
	`soporte_tipo` text,
	`soporte_sha256` text,
	`soporte_archivo` text,
	`creado_en` text NOT NULL,
	FOREIGN KEY (`rifa_id`) REFERENCES `rifas`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "premios_especie_valor_check" CHECK(valor_comercial > 0),
	CONSTRAINT "premios_especie_posicion_check" CHECK(posicion >= 1),
	CONSTRAINT "premios_especie_fotos_check" CHECK(json_valid(fotos) AND json_type(fotos) = 'array'),
	CONSTRAINT "premios_especie_soporte_check" CHECK((soporte_tipo IS NULL AND soporte_sha256 IS NULL AND soporte_archivo IS NULL) OR (soporte_tipo IS NOT NULL AND soporte_sha256 IS NOT NULL AND soporte_archivo IS NOT NULL)),
	CONSTRAINT "premios_especie_soporte_tipo_check" CHECK(soporte_tipo IS NULL OR soporte_tipo IN ('factura', 'avaluo', 'certificado_tradicion', 'tarjeta_propiedad', 'escritura', 'otro'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `premios_especie_rifa_posicion_unique` ON `premios_especie` (`rifa_id`,`posicion`);--> statement-breakpoint
CREATE TABLE `rifas_cumplimiento` (
	`rifa_id` text PRIMARY KEY NOT NULL,
	`autorizacion` text,
	`garantia` text,
	`valor_emision` integer,
	`derechos` integer,
	`administracion` integer,
	`fijado_en` text,
	`version` integer DEFAULT 0 NOT NULL,
	`actualizado_en` text NOT NULL,
	FOREIGN KEY (`rifa_id`) REFERENCES `rifas`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "rifas_cumplimiento_emision_check" CHECK((valor_emision IS NULL AND derechos IS NULL AND administracion IS NULL AND fijado_en IS NULL) OR (valor_emision > 0 AND derechos >= 0 AND administracion >= 0 AND fijado_en IS NOT NULL)),
	CONSTRAINT "rifas_cumplimiento_json_check" CHECK((autorizacion IS NULL OR json_valid(autorizacion)) AND (garantia IS NULL OR json_valid(garantia)))
);
