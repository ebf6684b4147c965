-- Indexes behind GET /admin/reportes/ingresos: each movement is read by the instant it happened.
-- Partial, so purchases (the hot path) write no entry in it: only refunded compras have one.
CREATE INDEX IF NOT EXISTS `transacciones_reembolsos_idx` ON `transacciones` (`status`,`updated_at`) WHERE status = 'refunded';--> statement-breakpoint
CREATE INDEX IF NOT EXISTS `ganadores_estado_pago_fecha_idx` ON `ganadores` (`estado_pago`,`fecha_pago`);--> statement-breakpoint
CREATE INDEX IF NOT EXISTS `rifas_estado_resuelta_en_idx` ON `rifas` (`estado`,`resuelta_en`);
