import { and, eq, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { type CajaRow, cajaMovimientos, cajas, comisiones } from "../db/schema";
import { fechaColombia } from "../domain/calendario";
import { comisionDeCaja, type EsquemaComision } from "./comision";
import { sentenciasMovimiento } from "./movimientos";

/**
 * A box's cuadre: the cash it took and gave back, the commission its seller earned in it, and
 * what the seller hands over (cash in, less cash out, less the commission the seller keeps).
 */
export interface Cuadre {
	ventas: number;
	abonos: number;
	reembolsos: number;
	ajustes: number;
	/** Fully paid boletas the box's movements count for the commission. */
	boletas: number;
	comision: number;
	a_entregar: number;
}

export const esquemaDe = async (db: Database, operadorId: string) => {
	const row = await db.query.comisiones.findFirst({
		where: eq(comisiones.operadorId, operadorId),
	});
	return (row?.esquema as EsquemaComision | undefined) ?? null;
};

/** Computed from the box's movements now; a closed box keeps the commission it closed with. */
export const cuadreDe = async (db: Database, caja: CajaRow): Promise<Cuadre> => {
	const [totales] = await db
		.select({
			ventas: sql<number>`coalesce(sum(CASE WHEN tipo = 'venta' THEN monto END), 0)`,
			abonos: sql<number>`coalesce(sum(CASE WHEN tipo = 'abono' THEN monto END), 0)`,
			reembolsos: sql<number>`coalesce(sum(CASE WHEN tipo = 'reembolso' THEN monto END), 0)`,
			ajustes: sql<number>`coalesce(sum(CASE WHEN tipo = 'ajuste' THEN monto END), 0)`,
			boletas: sql<number>`coalesce(sum(boletas), 0)`,
		})
		.from(cajaMovimientos)
		.where(eq(cajaMovimientos.cajaId, caja.id));
	const t = totales ?? { ventas: 0, abonos: 0, reembolsos: 0, ajustes: 0, boletas: 0 };
	const comision = caja.comision ?? (await comisionEnCaja(db, caja));
	const neto = t.ventas + t.abonos + t.reembolsos + t.ajustes;
	return { ...t, comision, a_entregar: neto - comision };
};

/**
 * Per rifa the box sold in: the seller's fully paid boletas before this box and in it, and their
 * price (a rifa's boletas all cost the same: its tickets say what).
 */
const comisionEnCaja = async (db: Database, caja: CajaRow): Promise<number> => {
	const porRifa = await db.all<{ precio: number; antes: number; enCaja: number }>(sql`
		SELECT (SELECT precio FROM tickets WHERE rifa_id = m.rifa_id LIMIT 1) AS precio,
			coalesce(sum(CASE WHEN c.dia < ${caja.dia} THEN m.boletas END), 0) AS antes,
			coalesce(sum(CASE WHEN c.id = ${caja.id} THEN m.boletas END), 0) AS enCaja
		FROM caja_movimientos m JOIN cajas c ON c.id = m.caja_id
		WHERE c.vendedor_id = ${caja.vendedorId} AND m.rifa_id IN
			(SELECT rifa_id FROM caja_movimientos WHERE caja_id = ${caja.id} AND rifa_id IS NOT NULL)
		GROUP BY m.rifa_id`);
	return comisionDeCaja(
		await esquemaDe(db, caja.operadorId),
		porRifa.map((r) => ({ ...r, precio: r.precio ?? 0 })),
	);
};

/**
 * The box a cash sale by this seller would go to now: the open box of today or after, made if
 * there is none (the same rule as a movement's, cajas/movimientos.ts).
 */
export const cajaActual = async (
	db: Database,
	d1: D1Database,
	vendedorId: string,
): Promise<CajaRow> => {
	const ahora = new Date().toISOString();
	const hoy = fechaColombia(new Date(ahora));
	const [crear] = sentenciasMovimiento(
		{
			id: `consulta:${crypto.randomUUID()}`,
			tipo: "venta",
			vendedorId,
			monto: 0,
			boletas: 0,
			rifaId: null,
			transaccionId: null,
			ocurridoEn: ahora,
		},
		ahora,
	);
	if (!crear) throw new Error("no statement to open a box");
	await d1
		.prepare(crear.sql)
		.bind(...crear.params)
		.run();
	const [caja] = await db
		.select()
		.from(cajas)
		.where(
			and(
				eq(cajas.vendedorId, vendedorId),
				eq(cajas.estado, "abierta"),
				sql`${cajas.dia} >= ${hoy}`,
			),
		)
		.orderBy(cajas.dia)
		.limit(1);
	if (!caja) throw new Error("the seller's open box was not found");
	return caja;
};
