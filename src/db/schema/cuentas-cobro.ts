import { sql } from "drizzle-orm";
import { check, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { createdAt, inList } from "./columns";
import { ganadores } from "./rifas";
import { users } from "./users";

export const CUENTA_COBRO_TIPOS = ["breb", "banco"] as const;
export const CUENTA_COBRO_ESTADOS = ["por_confirmar", "confirmada"] as const;
export const TIPOS_CUENTA_BANCO = ["AHORROS", "CORRIENTE", "DEPOSITO_ELECTRONICO"] as const;
export const TIPOS_DOCUMENTO_COBRO = ["CC", "CE", "NIT", "PP", "TI", "DNI"] as const;
export const DISPERSION_ESTADOS = ["creando", "en_curso", "pagada", "fallida"] as const;
/** A dispersal that may still pay: no other may be created for its ganador meanwhile. */
export const DISPERSION_ABIERTA = ["creando", "en_curso"] as const;

export type CuentaCobroTipo = (typeof CUENTA_COBRO_TIPOS)[number];
export type DispersionEstado = (typeof DISPERSION_ESTADOS)[number];

/**
 * Where a winner is paid (one destination per user): a Bre-B key as Wompi resolved it, or a bank
 * account. Paid only once the winner has confirmed it, after seeing the holder's name.
 */
export const cuentasCobro = sqliteTable(
	"cuentas_cobro",
	{
		usuarioId: text("usuario_id")
			.primaryKey()
			.references(() => users.id, { onDelete: "restrict" }),
		tipo: text("tipo", { enum: CUENTA_COBRO_TIPOS }).notNull(),
		llave: text("llave"),
		tipoLlave: text("tipo_llave"),
		/** The financial entity Wompi resolved the key to. */
		entidad: text("entidad"),
		bancoId: text("banco_id"),
		bancoNombre: text("banco_nombre"),
		tipoCuenta: text("tipo_cuenta", { enum: TIPOS_CUENTA_BANCO }),
		numero: text("numero"),
		tipoDocumento: text("tipo_documento", { enum: TIPOS_DOCUMENTO_COBRO }),
		documento: text("documento"),
		/** Bre-B: the holder's name as Wompi resolved it (masked by Wompi); bank: as the winner typed it. */
		titular: text("titular").notNull(),
		estado: text("estado", { enum: CUENTA_COBRO_ESTADOS }).notNull().default("por_confirmar"),
		confirmadaEn: text("confirmada_en"),
		creadoEn: createdAt(),
		actualizadoEn: text("actualizado_en").notNull(),
	},
	() => [
		check("cuentas_cobro_tipo_check", inList("tipo", CUENTA_COBRO_TIPOS)),
		check("cuentas_cobro_estado_check", inList("estado", CUENTA_COBRO_ESTADOS)),
		check(
			"cuentas_cobro_confirmada_check",
			sql`(estado = 'confirmada') = (confirmada_en IS NOT NULL)`,
		),
		check(
			"cuentas_cobro_destino_check",
			sql`(tipo = 'breb' AND llave IS NOT NULL AND numero IS NULL) OR (tipo = 'banco' AND llave IS NULL AND banco_id IS NOT NULL AND tipo_cuenta IS NOT NULL AND numero IS NOT NULL AND tipo_documento IS NOT NULL AND documento IS NOT NULL)`,
		),
	],
);

/**
 * Each batch sent to Wompi's payouts API for a prize, written before the request so a batch can
 * always be found again. `id` is both the batch reference and its idempotency key.
 */
export const dispersionesPremio = sqliteTable(
	"dispersiones_premio",
	{
		id: text("id").primaryKey(),
		ganadorId: text("ganador_id")
			.notNull()
			.references(() => ganadores.id, { onDelete: "restrict" }),
		intento: integer("intento").notNull(),
		/** Which API holds it: Bre-B batches are read on /v2, bank batches on /v1. */
		tipo: text("tipo", { enum: CUENTA_COBRO_TIPOS }).notNull(),
		payoutId: text("payout_id"),
		transaccionId: text("transaccion_id"),
		estado: text("estado", { enum: DISPERSION_ESTADOS }).notNull().default("creando"),
		/** The last status Wompi gave (batch or dispersal), and why it failed. */
		estadoProveedor: text("estado_proveedor"),
		motivo: text("motivo"),
		creadoEn: createdAt(),
		actualizadoEn: text("actualizado_en").notNull(),
	},
	(t) => [
		uniqueIndex("dispersiones_premio_intento_unique").on(t.ganadorId, t.intento),
		index("dispersiones_premio_payout_idx").on(t.payoutId),
		index("dispersiones_premio_transaccion_idx").on(t.transaccionId),
		check("dispersiones_premio_estado_check", inList("estado", DISPERSION_ESTADOS)),
		check("dispersiones_premio_tipo_check", inList("tipo", CUENTA_COBRO_TIPOS)),
		check("dispersiones_premio_intento_check", sql`intento >= 1`),
	],
);

export type CuentaCobroRow = typeof cuentasCobro.$inferSelect;
export type DispersionRow = typeof dispersionesPremio.$inferSelect;
