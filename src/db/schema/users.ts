import { sql } from "drizzle-orm";
import { check, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { createdAt, inList } from "./columns";

export const ROLES = ["jugador", "operador", "admin"] as const;
export const IDIOMAS = ["es", "en"] as const;
export type Idioma = (typeof IDIOMAS)[number];
export type Rol = (typeof ROLES)[number];

export const users = sqliteTable(
	"users",
	{
		id: text("id").primaryKey(),
		nombre: text("nombre").notNull(),
		email: text("email").notNull(),
		telefono: text("telefono"),
		hashedPassword: text("hashed_password"),
		rol: text("rol", { enum: ROLES }).notNull().default("jugador"),
		isActive: integer("is_active", { mode: "boolean" }).notNull().default(true),
		stripeAccountId: text("stripe_account_id"),
		// Checked by the API: D1 cannot rebuild this referenced table to add a CHECK.
		idioma: text("idioma", { enum: IDIOMAS }).notNull().default("es"),
		notifEmail: integer("notif_email", { mode: "boolean" }).notNull().default(true),
		notifWhatsapp: integer("notif_whatsapp", { mode: "boolean" }).notNull().default(false),
		notifSms: integer("notif_sms", { mode: "boolean" }).notNull().default(false),
		creadoEn: createdAt(),
		actualizadoEn: text("actualizado_en").notNull(),
	},
	(t) => [
		uniqueIndex("users_email_lower_unique").on(sql`lower(${t.email})`),
		index("users_rol_idx").on(t.rol),
		index("users_creado_en_idx").on(t.creadoEn),
		check("users_rol_check", inList("rol", ROLES)),
		check("users_is_active_check", sql`is_active IN (0, 1)`),
		check("users_email_check", sql`email = lower(email) AND email LIKE '%_@_%'`),
	],
);

/**
 * Consecutive failed logins per email address, whether or not an account has it (so the lockout
 * does not reveal which emails exist). Keyed by the SHA-256 of the address: unknown addresses that
 * someone tried are not kept in clear.
 */
export const loginBackoff = sqliteTable(
	"login_backoff",
	{
		emailHash: text("email_hash").primaryKey(),
		failures: integer("failures").notNull(),
		lastFailureAt: text("last_failure_at").notNull(),
	},
	(t) => [
		index("login_backoff_last_failure_idx").on(t.lastFailureAt),
		check("login_backoff_failures_check", sql`failures >= 1`),
	],
);

export type UserRow = typeof users.$inferSelect;
