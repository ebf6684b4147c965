CREATE TABLE `login_backoff` (
	`email_hash` text PRIMARY KEY NOT NULL,
	`failures` integer NOT NULL,
	`last_failure_at` text NOT NULL,
	CONSTRAINT "login_backoff_failures_check" CHECK(failures >= 1)
);
--> statement-breakpoint
CREATE INDEX `login_backoff_last_failure_idx` ON `login_backoff` (`last_failure_at`);
