import { and, eq, type SQL } from "drizzle-orm";
import type { Database } from "../db/client";
import { ganadores } from "../db/schema";
import { auditInsertIf } from "../services/audit";

export interface PayoutMessage {
	ganador_id: string;
}

export type PayoutResult = "pagado" | "ya_pagado" | "manual" | "no_existe" | "referencia_distinta";

/**
 * Records a prize as paid, once: the update only applies while the ganador is still `pendiente`,
 * and the audit entry is written under the same condition in the same batch. A second call with
 * the same reference is a no-op; with another reference it is refused.
 */
export const recordPayout = async (
	db: Database,
	ganadorId: string,
	referencia: string,
	actorId: string | null,
	at = new Date().toISOString(),
): Promise<PayoutResult> => {
	const pendiente = and(eq(ganadores.id, ganadorId), eq(ganadores.estadoPago, "pendiente")) as SQL;
	await db.batch([
		auditInsertIf(
			db,
			{
				actorId,
				action: "ganador.pagado",
				entity: "ganador",
				entityId: ganadorId,
				before: { estado_pago: "pendiente" },
				after: { estado_pago: "pagado", referencia_pago: referencia, fecha_pago: at },
			},
			ganadores,
			pendiente,
		),
		db
			.update(ganadores)
			.set({ estadoPago: "pagado", fechaPago: at, referenciaPago: referencia })
			.where(pendiente),
	]);
	const [row] = await db.select().from(ganadores).where(eq(ganadores.id, ganadorId));
	if (!row) return "no_existe";
	if (row.referenciaPago !== referencia) return "referencia_distinta";
	return row.fechaPago === at ? "pagado" : "ya_pagado";
};

/**
 * Pays one winner from the queue. `manual` leaves the prize for an admin to record
 * (`POST /ganadores/{id}/pago`); `sandbox` pays at once. Safe to run any number of times.
 */
export const processPayout = async (
	env: Env,
	db: Database,
	msg: PayoutMessage,
): Promise<PayoutResult> => {
	const [row] = await db.select().from(ganadores).where(eq(ganadores.id, msg.ganador_id));
	if (!row) return "no_existe";
	if (row.estadoPago === "pagado") return "ya_pagado";
	if (env.PAYOUTS_PROVIDER !== "sandbox") return "manual";
	return recordPayout(db, row.id, `sandbox_payout_${row.id}`, null);
};
