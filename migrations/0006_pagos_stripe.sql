-- A winner's Stripe Connect account, to which prizes are transferred when PAYOUTS_PROVIDER=stripe.
ALTER TABLE `users` ADD `stripe_account_id` text;--> statement-breakpoint
-- Set when a payout starts at a provider; from then on the prize can no longer be recalculated.
ALTER TABLE `ganadores` ADD `procesando_desde` text;
