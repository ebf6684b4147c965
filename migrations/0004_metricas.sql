-- Counters for GET /metrics that D1 cannot derive from its other tables. Written with raw SQL
-- (src/lib/metrics.ts) and kept out of src/db/schema.ts: this migration is a custom one.

-- Plain counters, incremented by one upsert per event from the Worker.
CREATE TABLE `metricas` (
	`nombre` text NOT NULL,
	`etiquetas` text DEFAULT '' NOT NULL,
	`valor` integer DEFAULT 0 NOT NULL,
	`actualizado_en` text NOT NULL,
	PRIMARY KEY (`nombre`, `etiquetas`)
);
--> statement-breakpoint
-- Events that reach D1 through a rifa room's outbox, which may apply an entry twice: each event is
-- stored once under its key, so counting rows stays exact.
CREATE TABLE `metricas_eventos` (
	`nombre` text NOT NULL,
	`clave` text NOT NULL,
	`creado_en` text NOT NULL,
	PRIMARY KEY (`nombre`, `clave`)
);
