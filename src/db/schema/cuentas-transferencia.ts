import { sql } from "drizzle-orm";
import { check, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { createdAt, inList } from "./columns";
import { users } from "./users";

export const TIPOS_CUENTA_TRANSFERENCIA = ["ahorros", "corriente", "deposito_electronico"] as const;
export type TipoCuentaTransferencia = (typeof TIPOS_CUENTA_TRANSFERENCIA)[number];

/**
 * The account an operador's buyers transfer to (purchases by `transferencia`), one per operador,
 * shown on each of its rifas. Without one, its rifas take no transfers. The API validates and
 * normalises every field; the CHECKs keep what no writer may break.
 */
export const cuentasTransferencia = sqliteTable(
	"cuentas_transferencia",
	{
		operadorId: text("operador_id")
			.primaryKey()
			.references(() => users.id, { onDelete: "restrict" }),
		banco: text("banco").notNull(),
		tipoCuenta: text("tipo_cuenta", { enum: TIPOS_CUENTA_TRANSFERENCIA }).notNull(),
		/** Digits only. */
		numero: text("numero").notNull(),
		titular: text("titular").notNull(),
		documentoTitular: text("documento_titular"),
		/** A Bre-B key of the same account, as normalised by the API. */
		llaveBreb: text("llave_breb"),
		actualizadoPor: text("actualizado_por")
			.notNull()
			.references(() => users.id, { onDelete: "restrict" }),
		creadoEn: createdAt(),
		actualizadoEn: text("actualizado_en").notNull(),
	},
	() => [
		check("cuentas_transferencia_tipo_check", inList("tipo_cuenta", TIPOS_CUENTA_TRANSFERENCIA)),
		check(
			"cuentas_transferencia_numero_check",
			sql`length(numero) BETWEEN 6 AND 20 AND numero NOT GLOB '*[^0-9]*'`,
		),
	],
);

export type CuentaTransferenciaRow = typeof cuentasTransferencia.$inferSelect;
