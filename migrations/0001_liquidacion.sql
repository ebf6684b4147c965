DROP INDEX `ganadores_rifa_ticket_unique`;--> statement-breakpoint
ALTER TABLE `ganadores` ADD `fuente` text;--> statement-breakpoint
ALTER TABLE `ganadores` ADD `numero_ganador` integer;--> statement-breakpoint
ALTER TABLE `ganadores` ADD `por_cercania` integer DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX `ganadores_rifa_ticket_idx` ON `ganadores` (`rifa_id`,`ticket_id`);--> statement-breakpoint
ALTER TABLE `categoria_rifa` ADD `acumulado` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `rifas` ADD `resultado_numero` text;--> statement-breakpoint
ALTER TABLE `rifas` ADD `resultado_serie` text;--> statement-breakpoint
ALTER TABLE `rifas` ADD `resultado_fecha` text;--> statement-breakpoint
ALTER TABLE `rifas` ADD `resultado_fuente` text;--> statement-breakpoint
ALTER TABLE `rifas` ADD `desglose` text;--> statement-breakpoint
ALTER TABLE `rifas` ADD `acumulado_recibido` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `rifas` ADD `liquidacion_id` text;--> statement-breakpoint
ALTER TABLE `rifas` ADD `resuelta_en` text;