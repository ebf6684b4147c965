import { and, asc, eq, gt, isNotNull, lte, type SQL } from "drizzle-orm";
import { faltantesParaAbrir } from "../cumplimiento/guardas";
import { createDb } from "../db/client";
import { ganadores, type RifaEstado, rifas, tickets, transacciones, users } from "../db/schema";
import { ApiError } from "../lib/errors";
import { createLogger, errorFields } from "../lib/logger";
import { despacharAvisos } from "../notificaciones/avisos";
import { reenviableWompi } from "../payouts/dispersiones";
import { roomFor } from "../rifa-room/rooms";
import { alertarReembolsosVencidos } from "../services/reembolsos.service";
import { updateRifa } from "../services/rifas.service";
import { settle } from "../services/settlement.service";
import { reconcileCreditos, reconcileRooms } from "./reconcile";

const PER_RUN = 50;

export interface ScheduledReport {
	abiertas: string[];
	cerradas: string[];
	resueltas: string[];
	esperando_resultado: string[];
	salas_reparadas: string[];
	pagos_reenviados: number;
	reembolsos_pendientes: number;
	/** Manual refunds alerted in this run for being pending too long. */
	reembolsos_vencidos: number;
	/** Legal mode colombia: pendiente rifas left closed because their checklist does not pass. */
	sin_requisitos: string[];
	avisos_despachados: number;
	notificaciones_encoladas: number;
	errores: { rifa_id: string; detail: string }[];
}

const STALE_PAYOUT_MS = 30 * 60_000;

/** Cancelled rifas that still hold paid purchases get their refunds tried again. */
const retryRefunds = async (env: Env, db: ReturnType<typeof createDb>) => {
	const pending = await db
		.selectDistinct({ id: rifas.id })
		.from(rifas)
		.innerJoin(transacciones, eq(transacciones.rifaId, rifas.id))
		.where(and(eq(rifas.estado, "cancelada"), eq(transacciones.status, "succeeded")))
		.limit(PER_RUN);
	let failed = 0;
	for (const { id } of pending) {
		try {
			failed += (await roomFor(env, id).refundAll()).failed;
		} catch (err) {
			// One room's trouble must not stop the refunds of the others; the next run tries again.
			failed++;
			createLogger(env).error("refund retry failed", { rifa_id: id, error: errorFields(err) });
		}
	}
	return failed;
};

/**
 * The backstop for a payout message that was never sent (the Worker stopped between settlement's
 * batch and its send): prizes still `pendiente` after half an hour are sent again. The consumer
 * pays each ganador at most once, so a duplicate costs nothing. With manual payouts there is
 * nothing for the queue to do.
 */
const resendStalePayouts = async (env: Env, db: ReturnType<typeof createDb>, now: Date) => {
	if (env.PAYOUTS_PROVIDER === "manual") return 0;
	const stale = await db
		.select({ id: ganadores.id })
		.from(ganadores)
		.innerJoin(tickets, eq(tickets.id, ganadores.ticketId))
		.leftJoin(users, eq(users.id, tickets.usuarioId))
		.where(
			and(
				eq(ganadores.estadoPago, "pendiente"),
				lte(ganadores.creadoEn, new Date(now.getTime() - STALE_PAYOUT_MS).toISOString()),
				// Winners the provider cannot pay wait for an admin (or, with Wompi, for a destination
				// to pay); resending them would change nothing.
				env.PAYOUTS_PROVIDER === "stripe"
					? isNotNull(users.stripeAccountId)
					: env.PAYOUTS_PROVIDER === "wompi"
						? reenviableWompi
						: undefined,
			),
		)
		.limit(100);
	if (stale.length) await env.PAYOUTS.sendBatch(stale.map((g) => ({ body: { ganador_id: g.id } })));
	return stale.length;
};

/**
 * One cron run: opens `pendiente` rifas whose sale window has started, closes `activa` rifas
 * whose window has ended, and settles `cerrada` rifas whose draw has happened. Each step is the same guarded state transition the API uses, so a
 * repeated, overlapping or late run changes nothing twice.
 */
export const runScheduled = async (env: Env, now: Date): Promise<ScheduledReport> => {
	const db = createDb(env.DB);
	const at = now.toISOString();
	const report: ScheduledReport = {
		abiertas: [],
		cerradas: [],
		resueltas: [],
		esperando_resultado: [],
		salas_reparadas: [],
		pagos_reenviados: 0,
		reembolsos_pendientes: 0,
		reembolsos_vencidos: 0,
		sin_requisitos: [],
		avisos_despachados: 0,
		notificaciones_encoladas: 0,
		errores: [],
	};
	const actor = { user: null, requestId: null, env };
	const logger = createLogger(env);

	const step = async (
		from: RifaEstado,
		to: RifaEstado,
		due: SQL | undefined,
		into: string[],
		admits: (id: string) => Promise<boolean> = async () => true,
	) => {
		const rows = await db
			.select({ id: rifas.id })
			.from(rifas)
			.where(and(eq(rifas.estado, from), due))
			.orderBy(asc(rifas.fechaFin))
			.limit(PER_RUN);
		for (const { id } of rows) {
			try {
				if (!(await admits(id))) continue;
				const updated = await updateRifa(db, actor, id, { estado: to });
				if (updated.estado === to) into.push(id);
			} catch (err) {
				// One rifa's problem must not stop the others; the next run tries again.
				report.errores.push({
					rifa_id: id,
					detail:
						err instanceof ApiError
							? [err.message, ...(err.errors ?? []).map((e) => `${e.path}: ${e.message}`)].join(" ")
							: String(err),
				});
			}
		}
	};

	await step("activa", "cerrada", lte(rifas.fechaFin, at), report.cerradas);
	// A pendiente rifa whose window already ended is left for an admin: opening it would sell nothing.
	// In legal mode colombia one whose checklist fails stays pendiente until it passes.
	await step(
		"pendiente",
		"activa",
		and(lte(rifas.fechaInicio, at), gt(rifas.fechaFin, at)),
		report.abiertas,
		async (id) => {
			const faltan = await faltantesParaAbrir(db, env, id, now);
			if (!faltan.length) return true;
			report.sin_requisitos.push(id);
			logger.info("rifa not opened: legal requirements missing", {
				rifa_id: id,
				faltantes: faltan.map((f) => f.campo),
			});
			return false;
		},
	);
	// Rooms that missed a change catch up before anything is settled or refunded.
	const sync = await reconcileRooms(env, db, createLogger(env));
	report.salas_reparadas = sync.reparadas;
	report.errores.push(...sync.errores);
	await reconcileCreditos(env, db, createLogger(env));
	const due = await db
		.select({ id: rifas.id })
		.from(rifas)
		.where(and(eq(rifas.estado, "cerrada"), lte(rifas.fechaSorteo, at)))
		.orderBy(asc(rifas.fechaSorteo))
		.limit(PER_RUN);
	for (const { id } of due) {
		const result = await settle(env, db, id, { actorId: null, logger, dueBy: now });
		if (result.outcome === "resuelta") report.resueltas.push(id);
		else if (
			result.outcome === "resultado_pendiente" ||
			result.outcome === "resultado_en_conflicto"
		)
			report.esperando_resultado.push(id);
		else if (result.outcome === "reintentar" || result.outcome === "error") {
			report.errores.push({ rifa_id: id, detail: result.detail });
		}
	}
	report.pagos_reenviados = await resendStalePayouts(env, db, now);
	report.reembolsos_pendientes = await retryRefunds(env, db);
	report.reembolsos_vencidos = await alertarReembolsosVencidos(env, db, now.getTime());
	try {
		// Last, so this run's closes and settlements go out in it.
		const sent = await despacharAvisos(env, db);
		report.avisos_despachados = sent.avisos;
		report.notificaciones_encoladas = sent.mensajes;
	} catch (err) {
		report.errores.push({ rifa_id: "", detail: `notifications not dispatched: ${String(err)}` });
	}
	// The run's info line (counts, duration) is written by its caller; the ids are for debugging.
	logger.debug("scheduled run", { at, ...report });
	return report;
};
