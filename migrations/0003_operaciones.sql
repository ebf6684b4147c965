-- Consecutive failed logins per email hash (src/auth/login-backoff.ts).
CREATE TABLE `login_backoff` (
	`email_hash` text PRIMARY KEY NOT NULL,
	`failures` integer NOT NULL,
	`last_failure_at` text NOT NULL,
	CONSTRAINT "login_backoff_failures_check" CHECK(failures >= 1)
);
--> statement-breakpoint
CREATE INDEX `login_backoff_last_failure_idx` ON `login_backoff` (`last_failure_at`);--> statement-breakpoint
-- Set when a payout starts at a provider; from then on the prize can no longer be recalculated.
ALTER TABLE `ganadores` ADD `procesando_desde` text;--> statement-breakpoint
CREATE INDEX `ganadores_estado_pago_fecha_idx` ON `ganadores` (`estado_pago`,`fecha_pago`);--> statement-breakpoint
-- A winner's Stripe Connect account, to which prizes are transferred when PAYOUTS_PROVIDER=stripe.
ALTER TABLE `users` ADD `stripe_account_id` text;--> statement-breakpoint
CREATE INDEX `rifas_estado_resuelta_en_idx` ON `rifas` (`estado`,`resuelta_en`);--> statement-breakpoint
-- Reports read each movement by when it happened. Partial, so a purchase (the hot path) writes no
-- entry here: only refunded compras have one.
CREATE INDEX `transacciones_reembolsos_idx` ON `transacciones` (`status`,`updated_at`) WHERE status = 'refunded';