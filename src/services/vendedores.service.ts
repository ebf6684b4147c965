import { count, desc, eq, inArray, sql } from "drizzle-orm";
import { hashPassword } from "../auth/password";
import type { Database } from "../db/client";
import { isUniqueViolation } from "../db/errors";
import { users, vendedores } from "../db/schema";
import { ApiError, forbidden, t } from "../lib/errors";
import { offsetOf, type Page } from "../lib/pagination";
import { nowIso } from "../lib/time";
import type { AuthUser } from "../lib/types";
import { auditInsert, auditInsertIf } from "./audit";

/**
 * Who may sell in person in a rifa: an admin in any; an operador in its own; a vendedor in its
 * operador's. A jugador never (it buys for itself only).
 */
export const puedeVenderEn = (me: AuthUser, rifa: { creadoPor: string | null }): boolean =>
	me.rol === "admin" ||
	(me.rol === "operador" && rifa.creadoPor === me.id) ||
	(me.rol === "vendedor" && rifa.creadoPor !== null && rifa.creadoPor === me.operadorId);

export const noVende = () =>
	forbidden(
		t(
			"Un operador solo vende a nombre de otros en sus propias rifas; un vendedor, en las de su operador.",
			"An operador only sells on behalf of others in its own rifas; a vendedor, in its operador's.",
		),
	);

export interface NuevoVendedor {
	nombre: string;
	email: string;
	telefono: string;
	password: string;
}

const vendedorSelect = {
	id: users.id,
	nombre: users.nombre,
	email: users.email,
	telefono: users.telefono,
	isActive: users.isActive,
	operadorId: vendedores.operadorId,
	creadoEn: vendedores.creadoEn,
};

export type VendedorRow = {
	id: string;
	nombre: string;
	email: string;
	telefono: string | null;
	isActive: boolean;
	operadorId: string;
	creadoEn: string;
};

/** The operador a new seller belongs to: the caller, or for an admin the one it names. */
export const operadorDelVendedor = async (
	db: Database,
	me: AuthUser,
	pedido: string | undefined,
): Promise<string> => {
	if (me.rol === "operador") {
		if (pedido && pedido !== me.id)
			throw forbidden(
				t(
					"Un operador crea vendedores solo para sí.",
					"An operador creates sellers for itself only.",
				),
			);
		return me.id;
	}
	if (!pedido)
		throw new ApiError(
			"VALIDATION_FAILED",
			t(
				"Indique operador_id: el operador del vendedor.",
				"Give operador_id: the seller's operador.",
			),
			{ errors: [{ path: "operador_id", message: "Requerido para un admin" }] },
		);
	const op = await db.query.users.findFirst({
		columns: { rol: true, isActive: true },
		where: eq(users.id, pedido),
	});
	if (op?.rol !== "operador" || !op.isActive)
		throw new ApiError(
			"VALIDATION_FAILED",
			t("operador_id no es un operador activo.", "operador_id is not an active operador."),
			{ errors: [{ path: "operador_id", message: "No es un operador activo" }] },
		);
	return pedido;
};

/** A user who sells for `operadorId`: its row says jugador, its `vendedores` row makes it a seller. */
export const crearVendedor = async (
	db: Database,
	me: AuthUser,
	operadorId: string,
	v: NuevoVendedor,
	requestId: string,
): Promise<VendedorRow> => {
	const id = crypto.randomUUID();
	const now = nowIso();
	try {
		await db.batch([
			db.insert(users).values({
				id,
				nombre: v.nombre,
				email: v.email,
				telefono: v.telefono,
				hashedPassword: await hashPassword(v.password),
				rol: "jugador",
				isActive: true,
				creadoEn: now,
				actualizadoEn: now,
			}),
			db.insert(vendedores).values({
				userId: id,
				operadorId,
				creadoPor: me.id,
				creadoEn: now,
				actualizadoEn: now,
			}),
			auditInsert(db, {
				actorId: me.id,
				action: "vendedor.creado",
				entity: "user",
				entityId: id,
				before: null,
				after: { operador_id: operadorId, nombre: v.nombre, email: v.email },
				requestId,
			}),
		]);
	} catch (err) {
		if (isUniqueViolation(err))
			throw new ApiError(
				"CONFLICT",
				t("Ya existe una cuenta con ese correo.", "An account with that email already exists."),
			);
		throw err;
	}
	return {
		id,
		nombre: v.nombre,
		email: v.email,
		telefono: v.telefono,
		isActive: true,
		operadorId,
		creadoEn: now,
	};
};

/** An operador's sellers (an admin's: all, or one operador's). */
export const listarVendedores = async (db: Database, operadorId: string | null, page: Page) => {
	const where = operadorId ? eq(vendedores.operadorId, operadorId) : undefined;
	const [rows, [total]] = await db.batch([
		db
			.select(vendedorSelect)
			.from(vendedores)
			.innerJoin(users, eq(users.id, vendedores.userId))
			.where(where)
			.orderBy(desc(vendedores.creadoEn), desc(users.id))
			.limit(page.per_page)
			.offset(offsetOf(page)),
		db.select({ n: count() }).from(vendedores).where(where),
	]);
	return { rows: rows as VendedorRow[], total: total?.n ?? 0 };
};

export const vendedorDe = async (db: Database, id: string): Promise<VendedorRow | null> => {
	const [row] = await db
		.select(vendedorSelect)
		.from(vendedores)
		.innerJoin(users, eq(users.id, vendedores.userId))
		.where(eq(vendedores.userId, id));
	return (row as VendedorRow | undefined) ?? null;
};

/** Deactivated: it can no longer sign in, and its token stops working at once. Its boxes stay. */
export const desactivarVendedor = async (
	db: Database,
	me: AuthUser,
	v: VendedorRow,
	requestId: string,
): Promise<VendedorRow> => {
	if (me.rol !== "admin" && v.operadorId !== me.id)
		throw forbidden(t("Ese vendedor no es suyo.", "That seller is not yours."));
	if (!v.isActive) return v;
	const now = nowIso();
	const activo = sql`${users.id} = ${v.id} AND ${users.isActive} = 1`;
	await db.batch([
		auditInsertIf(
			db,
			{
				actorId: me.id,
				action: "vendedor.desactivado",
				entity: "user",
				entityId: v.id,
				before: { is_active: true },
				after: { is_active: false },
				requestId,
			},
			users,
			activo,
		),
		db.update(users).set({ isActive: false, actualizadoEn: now }).where(activo),
	]);
	return { ...v, isActive: false };
};

/** The operador each of these users sells for, for those that are vendedores. */
export const operadoresDe = async (db: Database, ids: string[]): Promise<Map<string, string>> => {
	if (!ids.length) return new Map();
	const rows = await db
		.select({ id: vendedores.userId, operadorId: vendedores.operadorId })
		.from(vendedores)
		.where(inArray(vendedores.userId, ids));
	return new Map(rows.map((r) => [r.id, r.operadorId]));
};
