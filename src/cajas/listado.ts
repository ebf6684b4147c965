import { and, count, desc, eq, gte, lte, type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { type CajaEstado, cajas, vendedores } from "../db/schema";
import { ApiError, forbidden, t } from "../lib/errors";
import { offsetOf, type Page } from "../lib/pagination";
import { nowIso } from "../lib/time";
import type { AuthUser } from "../lib/types";
import { auditInsert } from "../services/audit";
import { sentenciasMovimiento } from "./movimientos";

export interface FiltrosCajas {
	vendedor_id?: string | undefined;
	estado?: CajaEstado | undefined;
	desde?: string | undefined;
	hasta?: string | undefined;
}

/** A vendedor sees its own boxes; an operador its sellers' (and its own); an admin all. */
export const listarCajas = async (db: Database, me: AuthUser, f: FiltrosCajas, page: Page) => {
	if (me.rol === "vendedor" && f.vendedor_id && f.vendedor_id !== me.id)
		throw forbidden(t("Un vendedor ve solo su caja.", "A seller sees only its own box."));
	if (me.rol === "jugador")
		throw forbidden(t("Las cajas son de quien vende.", "Boxes belong to sellers."));
	const alcance: SQL | undefined =
		me.rol === "vendedor"
			? eq(cajas.vendedorId, me.id)
			: me.rol === "operador"
				? eq(cajas.operadorId, me.id)
				: undefined;
	const where = and(
		alcance,
		f.vendedor_id ? eq(cajas.vendedorId, f.vendedor_id) : undefined,
		f.estado ? eq(cajas.estado, f.estado) : undefined,
		f.desde ? gte(cajas.dia, f.desde) : undefined,
		f.hasta ? lte(cajas.dia, f.hasta) : undefined,
	);
	const [rows, [total]] = await db.batch([
		db
			.select()
			.from(cajas)
			.where(where)
			.orderBy(desc(cajas.dia), cajas.vendedorId)
			.limit(page.per_page)
			.offset(offsetOf(page)),
		db.select({ n: count() }).from(cajas).where(where),
	]);
	return { rows, total: total?.n ?? 0 };
};

export interface Ajuste {
	vendedor_id: string;
	monto: number;
	motivo: string;
}

/**
 * A correction by the seller's operador (or an admin): a movement in the seller's open box, never
 * a change to a closed one. Keyed by the Idempotency-Key, so a retry adds nothing.
 */
export const ajustar = async (
	db: Database,
	d1: D1Database,
	me: AuthUser,
	a: Ajuste,
	clave: string,
	requestId: string,
): Promise<string> => {
	const v = await db.query.vendedores.findFirst({ where: eq(vendedores.userId, a.vendedor_id) });
	const operadorId = v?.operadorId ?? a.vendedor_id;
	if (me.rol !== "admin" && operadorId !== me.id)
		throw forbidden(
			t(
				"Solo el operador del vendedor o un admin ajustan su caja.",
				"Only the seller's operador or an admin adjust its box.",
			),
		);
	const id = `ajuste:${me.id}:${clave}`;
	const previo = await d1
		.prepare("SELECT monto, motivo FROM caja_movimientos WHERE id = ?")
		.bind(id)
		.first<{ monto: number; motivo: string }>();
	if (previo && (previo.monto !== a.monto || previo.motivo !== a.motivo))
		throw new ApiError(
			"VALIDATION_FAILED",
			t(
				"Esta Idempotency-Key ya se usó con otro ajuste.",
				"This Idempotency-Key was already used for another adjustment.",
			),
		);
	const ahora = nowIso();
	const sentencias = sentenciasMovimiento(
		{
			id,
			tipo: "ajuste",
			vendedorId: a.vendedor_id,
			monto: a.monto,
			boletas: 0,
			rifaId: null,
			transaccionId: null,
			ocurridoEn: ahora,
			motivo: a.motivo,
			creadoPor: me.id,
		},
		ahora,
	);
	const auditoria = auditInsert(db, {
		actorId: me.id,
		action: "caja.ajuste",
		entity: "caja_movimiento",
		entityId: id,
		after: { vendedor_id: a.vendedor_id, monto: a.monto, motivo: a.motivo },
		requestId,
	}).toSQL();
	if (!previo) {
		await d1.batch([
			...sentencias.map((s) => d1.prepare(s.sql).bind(...s.params)),
			d1.prepare(auditoria.sql).bind(...(auditoria.params as unknown[])),
		]);
	}
	return id;
};

/**
 * Cash taken per seller, rifa and day (the box's day), for the operador's reports: each seller's
 * own for a vendedor, its sellers' for an operador, everyone's for an admin.
 */
export const resumenVentas = async (
	db: Database,
	me: AuthUser,
	f: { vendedor_id?: string | undefined; desde?: string | undefined; hasta?: string | undefined },
) => {
	if (me.rol === "jugador")
		throw forbidden(t("Las cajas son de quien vende.", "Boxes belong to sellers."));
	const alcance =
		me.rol === "vendedor"
			? sql`c.vendedor_id = ${me.id}`
			: me.rol === "operador"
				? sql`c.operador_id = ${me.id}`
				: sql`1 = 1`;
	return db.all<{
		vendedor_id: string;
		vendedor: string;
		rifa_id: string | null;
		rifa: string | null;
		dia: string;
		ventas: number;
		abonos: number;
		reembolsos: number;
		ajustes: number;
		boletas: number;
	}>(sql`
		SELECT c.vendedor_id, u.nombre AS vendedor, m.rifa_id, r.nombre AS rifa, c.dia,
			coalesce(sum(CASE WHEN m.tipo = 'venta' THEN m.monto END), 0) AS ventas,
			coalesce(sum(CASE WHEN m.tipo = 'abono' THEN m.monto END), 0) AS abonos,
			coalesce(sum(CASE WHEN m.tipo = 'reembolso' THEN m.monto END), 0) AS reembolsos,
			coalesce(sum(CASE WHEN m.tipo = 'ajuste' THEN m.monto END), 0) AS ajustes,
			coalesce(sum(m.boletas), 0) AS boletas
		FROM caja_movimientos m
		JOIN cajas c ON c.id = m.caja_id
		JOIN users u ON u.id = c.vendedor_id
		LEFT JOIN rifas r ON r.id = m.rifa_id
		WHERE ${alcance}
			AND (${f.vendedor_id ?? null} IS NULL OR c.vendedor_id = ${f.vendedor_id ?? null})
			AND (${f.desde ?? null} IS NULL OR c.dia >= ${f.desde ?? null})
			AND (${f.hasta ?? null} IS NULL OR c.dia <= ${f.hasta ?? null})
		GROUP BY c.vendedor_id, m.rifa_id, c.dia
		ORDER BY c.dia DESC, u.nombre, r.nombre
		LIMIT 1000`);
};
