CREATE TABLE `outbox_aplicado` (
	`emisor` text PRIMARY KEY NOT NULL,
	`rifa_id` text NOT NULL,
	`seq` integer NOT NULL,
	`actualizado_en` text NOT NULL
);
--> statement-breakpoint
ALTER TABLE `rifas` ADD `sala_sincronizada_en` text;