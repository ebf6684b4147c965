import { and, eq, isNull, type SQL } from "drizzle-orm";
import type { Database } from "../db/client";
import { ganadores, tickets, users } from "../db/schema";
import { auditInsertIf } from "../services/audit";
import { payoutProvider } from "./providers";

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
 * Pays one winner from the queue, through `PAYOUTS_PROVIDER` (see providers.ts). Before the
 * provider is called the prize is marked as in progress, which freezes it against recalculation;
 * the provider call and `recordPayout` are both idempotent per ganador, so this is safe to run any
 * number of times, concurrently or after a crash between the two.
 */
export const processPayout = async (
	env: Env,
	db: Database,
	msg: PayoutMessage,
): Promise<PayoutResult> => {
	const load = () =>
		db
			.select({ ganador: ganadores, stripeAccountId: users.stripeAccountId })
			.from(ganadores)
			.innerJoin(tickets, eq(tickets.id, ganadores.ticketId))
			.leftJoin(users, eq(users.id, tickets.usuarioId))
			.where(eq(ganadores.id, msg.ganador_id));
	const [row] = await load();
	if (!row) return "no_existe";
	if (row.ganador.estadoPago === "pagado") return "ya_pagado";
	const provider = payoutProvider(env);
	if (!provider || (provider.name === "stripe" && !row.stripeAccountId)) return "manual";
	const { ganador } = row;
	if (ganador.montoGanado === 0) return recordPayout(db, ganador.id, "sin_monto", null);

	await db
		.update(ganadores)
		.set({ procesandoDesde: new Date().toISOString() })
		.where(
			and(
				eq(ganadores.id, ganador.id),
				eq(ganadores.estadoPago, "pendiente"),
				isNull(ganadores.procesandoDesde),
			),
		);
	// Recalculation may have replaced this ganador before the mark landed: then nothing is paid.
	const [claimed] = await load();
	if (!claimed) return "no_existe";
	if (claimed.ganador.estadoPago === "pagado") return "ya_pagado";
	const outcome = await provider.pay({
		ganadorId: ganador.id,
		rifaId: ganador.rifaId,
		monto: claimed.ganador.montoGanado,
		stripeAccountId: claimed.stripeAccountId,
	});
	if (!outcome) return "manual";
	return recordPayout(db, ganador.id, outcome.referencia, null);
};
