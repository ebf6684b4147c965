import { and, desc, eq, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { creditos, users } from "../db/schema";
import { ApiError, t } from "../lib/errors";
import { nowIso } from "../lib/time";

/**
 * A buyer's credit with an operador (table `creditos`, the authority for the balance). It comes from
 * plans in instalments that lapsed under a rule that keeps what was paid, and from online abonos
 * approved after their plan stopped waiting; it pays later abonos in that operador's rifas.
 *
 * Paying with it spans two stores: the use is written here first, in one statement that checks the
 * balance, under the abono's id; then the rifa's room records the abono under the same id. A room
 * that refuses it gets the use given back here. A use whose abono never reached the room (the
 * request died between the two) is found by `creditosSinAbono`, annulled in the room so no retry
 * can record it later, and given back (jobs/reconcile.ts).
 */

const usoId = (abonoId: string) => `uso:${abonoId}`;
const devolucionId = (abonoId: string) => `devolucion:${abonoId}`;

export const saldoCredito = async (db: Database, usuarioId: string, operadorId: string) => {
	const [r] = await db
		.select({ s: sql<number>`coalesce(sum(${creditos.monto}), 0)` })
		.from(creditos)
		.where(and(eq(creditos.usuarioId, usuarioId), eq(creditos.operadorId, operadorId)));
	return r?.s ?? 0;
};

export interface UsoCredito {
	abonoId: string;
	usuarioId: string;
	operadorId: string;
	rifaId: string;
	transaccionId: string;
	monto: number;
}

/** Takes `monto` from the balance under the abono's id, once; the same id again is a no-op. */
export const usarCredito = async (db: Database, u: UsoCredito): Promise<void> => {
	await db.run(sql`INSERT INTO creditos (id, usuario_id, operador_id, monto, origen, rifa_id, transaccion_id, creado_en)
			SELECT ${usoId(u.abonoId)}, ${u.usuarioId}, ${u.operadorId}, ${-u.monto}, 'uso', ${u.rifaId}, ${u.transaccionId}, ${nowIso()}
			WHERE (SELECT coalesce(sum(monto), 0) FROM creditos WHERE usuario_id = ${u.usuarioId} AND operador_id = ${u.operadorId}) >= ${u.monto}
			ON CONFLICT (id) DO NOTHING`);
	const devuelto = await db
		.select({ id: creditos.id })
		.from(creditos)
		.where(eq(creditos.id, devolucionId(u.abonoId)));
	if (devuelto.length)
		throw new ApiError(
			"CONFLICT",
			t(
				"Este abono con crédito se anuló y su crédito se devolvió: use otra Idempotency-Key.",
				"This abono paid with credit was annulled and its credit given back: use another Idempotency-Key.",
			),
		);
	const [hecho] = await db
		.select({ monto: creditos.monto })
		.from(creditos)
		.where(eq(creditos.id, usoId(u.abonoId)));
	if (!hecho) {
		const saldo = await saldoCredito(db, u.usuarioId, u.operadorId);
		throw new ApiError(
			"VALIDATION_FAILED",
			t(
				`El crédito del comprador con este operador no alcanza: tiene ${saldo} centavos.`,
				`The buyer's credit with this operador is not enough: it has ${saldo} centavos.`,
			),
			{ errors: [{ path: "monto", message: `Saldo ${saldo}` }] },
		);
	}
	if (hecho.monto !== -u.monto)
		throw new ApiError(
			"VALIDATION_FAILED",
			t(
				"Esta Idempotency-Key ya se usó con otro abono.",
				"This Idempotency-Key was already used for another abono.",
			),
		);
};

/** Gives back the use written for an abono the room did not record; once. */
export const devolverCredito = async (db: Database, abonoId: string): Promise<void> => {
	await db.run(sql`INSERT INTO creditos (id, usuario_id, operador_id, monto, origen, rifa_id, transaccion_id, creado_en)
		SELECT ${devolucionId(abonoId)}, usuario_id, operador_id, -monto, 'devolucion', rifa_id, transaccion_id, ${nowIso()}
		FROM creditos WHERE id = ${usoId(abonoId)}
		ON CONFLICT (id) DO NOTHING`);
};

/**
 * Uses older than `antesDe` with neither their abono's audit entry (written by the room's outbox
 * once it recorded the abono) nor a devolution: the room is asked about each.
 */
export const creditosSinAbono = async (db: Database, antesDe: string, limite = 100) =>
	(
		await db.all<{ abono_id: string; rifa_id: string; transaccion_id: string }>(sql`
			SELECT substr(c.id, 5) AS abono_id, c.rifa_id, c.transaccion_id FROM creditos c
			WHERE c.origen = 'uso' AND c.creado_en < ${antesDe}
			AND NOT EXISTS (SELECT 1 FROM creditos d WHERE d.id = 'devolucion:' || substr(c.id, 5))
			AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.id = 'abono:' || substr(c.id, 5))
			LIMIT ${limite}`)
	).filter((r) => r.rifa_id && r.transaccion_id);

/** A buyer's balance per operador, and its movements, newest first. */
export const creditosDe = async (db: Database, usuarioId: string) => {
	const movimientos = await db
		.select({
			id: creditos.id,
			operadorId: creditos.operadorId,
			operador: users.nombre,
			monto: creditos.monto,
			origen: creditos.origen,
			rifaId: creditos.rifaId,
			transaccionId: creditos.transaccionId,
			creadoEn: creditos.creadoEn,
		})
		.from(creditos)
		.innerJoin(users, eq(users.id, creditos.operadorId))
		.where(eq(creditos.usuarioId, usuarioId))
		.orderBy(desc(creditos.creadoEn), desc(creditos.id))
		.limit(200);
	const saldos = new Map<string, { operador_id: string; operador: string; saldo: number }>();
	for (const m of await db
		.select({
			operadorId: creditos.operadorId,
			operador: users.nombre,
			saldo: sql<number>`sum(${creditos.monto})`,
		})
		.from(creditos)
		.innerJoin(users, eq(users.id, creditos.operadorId))
		.where(eq(creditos.usuarioId, usuarioId))
		.groupBy(creditos.operadorId, users.nombre)) {
		saldos.set(m.operadorId, { operador_id: m.operadorId, operador: m.operador, saldo: m.saldo });
	}
	return {
		saldos: [...saldos.values()].filter((s) => s.saldo !== 0),
		movimientos: movimientos.map((m) => ({
			id: m.id,
			operador_id: m.operadorId,
			operador: m.operador,
			monto: m.monto,
			origen: m.origen,
			rifa_id: m.rifaId,
			transaccion_id: m.transaccionId,
			creado_en: m.creadoEn,
		})),
	};
};
