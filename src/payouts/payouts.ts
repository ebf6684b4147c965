import { and, eq, isNull, lt, or, type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { type GanadorRow, ganadores, tickets, users } from "../db/schema";
import { createLogger } from "../lib/logger";
import { COUNTER, eventStatement } from "../lib/metrics";
import { alerta, avisoInsert, avisoPremioPagado, despacharLuego } from "../notificaciones/avisos";
import { auditInsertIf } from "../services/audit";
import { sinDispersionAbierta } from "./dispersiones";
import { type PayoutRequest, payoutProvider } from "./providers";

export interface PayoutMessage {
	ganador_id: string;
}

export type PayoutResult =
	| "pagado"
	| "ya_pagado"
	| "manual"
	| "no_existe"
	| "referencia_distinta"
	/** A queue transfer of this prize may still be running: no manual payment now. */
	| "en_curso"
	/** The provider accepted the payout and has not finished it: ask again later. */
	| "esperando"
	/** A transfer went out for a prize already paid with another reference: recorded, to recover. */
	| "duplicado";

/**
 * How long a queue attempt's in-progress mark (`procesando_desde`, set before each call to the
 * provider) counts as a transfer in flight. A queue consumer runs at most 15 minutes of wall time,
 * so an older mark belongs to an attempt that has stopped; twice that leaves a margin. Until then a
 * manual payment is refused; after it an admin may record one, and should first check with the
 * provider: if the stopped attempt's transfer did go out, the next delivery finds it and records a
 * duplicate payout.
 */
export const EN_CURSO_MS = 30 * 60_000;

/** Until when a transfer marked at `procesandoDesde` counts as in flight; null when none is. */
export const enCursoHasta = (procesandoDesde: string | null, now = Date.now()): Date | null => {
	if (procesandoDesde === null) return null;
	const hasta = Date.parse(procesandoDesde) + EN_CURSO_MS;
	return hasta > now ? new Date(hasta) : null;
};

const record = async (
	db: Database,
	ganadorId: string,
	referencia: string,
	actorId: string | null,
	at: string,
	guard?: SQL,
): Promise<PayoutResult> => {
	const pendiente = and(
		eq(ganadores.id, ganadorId),
		eq(ganadores.estadoPago, "pendiente"),
		guard,
	) as SQL;
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
		avisoPremioPagado(db, ganadorId, referencia, at),
	]);
	const [row] = await db.select().from(ganadores).where(eq(ganadores.id, ganadorId));
	if (!row) return "no_existe";
	if (row.estadoPago === "pendiente") return "en_curso";
	if (row.referenciaPago !== referencia) return "referencia_distinta";
	return row.fechaPago === at ? "pagado" : "ya_pagado";
};

/**
 * Records a prize as paid, once: the update only applies while the ganador is still `pendiente`,
 * and the audit entry is written under the same condition in the same batch. A second call with
 * the same reference is a no-op; with another reference it is refused.
 */
export const recordPayout = (
	db: Database,
	ganadorId: string,
	referencia: string,
	actorId: string | null,
	at = new Date().toISOString(),
) => record(db, ganadorId, referencia, actorId, at);

/**
 * A payment an admin made outside the system. Like `recordPayout`, and refused (`en_curso`) while
 * a queue transfer of the prize may be in flight (see EN_CURSO_MS), or while a Wompi dispersal of
 * it may still pay, however long Wompi takes: the condition is part of the update, so a transfer
 * marked just before cannot slip past it, and one marked after finds the prize paid and does not
 * call the provider.
 */
export const recordManualPayout = (
	db: Database,
	ganadorId: string,
	referencia: string,
	actorId: string,
) => {
	const at = new Date().toISOString();
	const staleBefore = new Date(Date.parse(at) - EN_CURSO_MS).toISOString();
	return record(
		db,
		ganadorId,
		referencia,
		actorId,
		at,
		and(
			or(isNull(ganadores.procesandoDesde), lt(ganadores.procesandoDesde, staleBefore)),
			sinDispersionAbierta,
		),
	);
};

/**
 * A transfer made for a prize already paid with another reference: the money went out twice.
 * Recorded once per transfer, in one batch (the audit entry with both references and the
 * duplicate-payout counter) and logged at error the first time. The caller then acks the message:
 * retrying cannot undo a transfer, and what recovers the money is this record and its alert.
 */
const recordDuplicate = async (env: Env, db: Database, ganador: GanadorRow, duplicada: string) => {
	const clave = `${ganador.id}:${duplicada}`;
	const event = eventStatement(COUNTER.payoutDuplicates, clave);
	const audit = auditInsertIf(
		db,
		{
			actorId: null,
			action: "ganador.pago_duplicado",
			entity: "ganador",
			entityId: ganador.id,
			before: { estado_pago: ganador.estadoPago, referencia_pago: ganador.referenciaPago },
			after: {
				referencia_pago: ganador.referenciaPago,
				referencia_duplicada: duplicada,
				monto: ganador.montoGanado,
			},
		},
		ganadores,
		and(
			eq(ganadores.id, ganador.id),
			sql`NOT EXISTS (SELECT 1 FROM metricas_eventos WHERE nombre = ${COUNTER.payoutDuplicates} AND clave = ${clave})`,
		) as SQL,
	).toSQL();
	const [, counted] = await env.DB.batch([
		env.DB.prepare(audit.sql).bind(...audit.params),
		env.DB.prepare(event.sql).bind(...event.params),
	]);
	// Written whether or not this delivery counted it: the alert's id is stable, and an earlier
	// delivery may have counted the duplicate and then failed before writing it.
	const aviso = alerta(
		clave,
		{
			clase: "pago_duplicado",
			detalle: {
				ganador_id: ganador.id,
				monto: ganador.montoGanado,
				referencia_pago: ganador.referenciaPago,
				referencia_duplicada: duplicada,
			},
		},
		ganador.rifaId,
	);
	await avisoInsert(db, aviso);
	await despacharLuego(env, db, undefined, [aviso.id]);
	if (counted?.meta.changes) {
		createLogger(env).error("prize paid twice: a transfer went out after another payment", {
			ganador_id: ganador.id,
			rifa_id: ganador.rifaId,
			monto: ganador.montoGanado,
			referencia_pago: ganador.referenciaPago,
			referencia_duplicada: duplicada,
		});
	}
	return "duplicado" as const;
};

/**
 * A payment the provider made, recorded once; if the prize was already paid with another
 * reference, the money went out twice and is recorded as a duplicate.
 */
export const recordTransfer = async (
	env: Env,
	db: Database,
	ganadorId: string,
	referencia: string,
): Promise<PayoutResult> => {
	const result = await recordPayout(db, ganadorId, referencia, null);
	if (result !== "referencia_distinta") return result;
	const [paid] = await db.select().from(ganadores).where(eq(ganadores.id, ganadorId));
	return paid ? recordDuplicate(env, db, paid, referencia) : "no_existe";
};

/** The provider reported that this attempt did not pay: the message is retried (then the DLQ). */
export class PayoutFailedError extends Error {}

/**
 * Pays one winner from the queue, through `PAYOUTS_PROVIDER` (see providers.ts). Before each call
 * to the provider the prize is marked as in progress, which freezes it against recalculation and
 * against a manual payment; the provider call and `recordPayout` are both idempotent per ganador,
 * so this is safe to run any number of times, concurrently or after a crash between the two. A
 * provider that pays asynchronously (Wompi) answers `esperando` until its payout is final; the
 * prize is recorded as paid only when the provider says the money went out.
 */
export const processPayout = async (
	env: Env,
	db: Database,
	msg: PayoutMessage,
): Promise<PayoutResult> => {
	const load = () =>
		db
			.select({
				ganador: ganadores,
				usuarioId: tickets.usuarioId,
				stripeAccountId: users.stripeAccountId,
			})
			.from(ganadores)
			.innerJoin(tickets, eq(tickets.id, ganadores.ticketId))
			.leftJoin(users, eq(users.id, tickets.usuarioId))
			.where(eq(ganadores.id, msg.ganador_id));
	const [row] = await load();
	if (!row) return "no_existe";
	const request = (r: typeof row): PayoutRequest => ({
		ganadorId: r.ganador.id,
		rifaId: r.ganador.rifaId,
		monto: r.ganador.montoGanado,
		usuarioId: r.usuarioId,
		stripeAccountId: r.stripeAccountId,
	});
	if (row.ganador.estadoPago === "pagado") {
		// Paid by other means after an attempt of ours had started (one that stopped after the
		// provider moved the money, before recording it): that transfer is a duplicate.
		if (row.ganador.procesandoDesde === null) return "ya_pagado";
		const found = await payoutProvider(env)?.find(request(row));
		if (found && found.referencia !== row.ganador.referenciaPago) {
			return recordDuplicate(env, db, row.ganador, found.referencia);
		}
		return "ya_pagado";
	}
	const provider = payoutProvider(env);
	if (!provider || !(await provider.canPay(request(row)))) return "manual";
	const { ganador } = row;
	if (ganador.montoGanado === 0) return recordPayout(db, ganador.id, "sin_monto", null);

	// Refreshed on every attempt, so that a manual payment is refused while this one runs.
	await db
		.update(ganadores)
		.set({ procesandoDesde: new Date().toISOString() })
		.where(and(eq(ganadores.id, ganador.id), eq(ganadores.estadoPago, "pendiente")));
	// Recalculation may have replaced this ganador before the mark landed, or an admin may have
	// paid it: then nothing is paid.
	const [claimed] = await load();
	if (!claimed) return "no_existe";
	if (claimed.ganador.estadoPago === "pagado") return "ya_pagado";
	const outcome = await provider.pay(request(claimed));
	if (!outcome) return "manual";
	if (outcome.estado === "en_curso") return "esperando";
	if (outcome.estado === "fallido") {
		throw new PayoutFailedError(`payout ${outcome.referencia} failed: ${outcome.motivo}`);
	}
	return recordTransfer(env, db, ganador.id, outcome.referencia);
};
