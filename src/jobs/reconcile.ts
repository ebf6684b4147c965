import { asc, inArray, isNull, ne, or, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { rifas } from "../db/schema";
import { errorFields, type Logger } from "../lib/logger";
import { COUNTER, incrementCounter } from "../lib/metrics";
import { loadRoomConfig } from "../rifa-room/config";
import { abonosDe, acknowledge, roomFor } from "../rifa-room/rooms";
import { creditosSinAbono, devolverCredito } from "../services/creditos.service";

const PER_RUN = 200;

export interface ReconcileReport {
	revisadas: number;
	reparadas: string[];
	atascadas: string[];
	errores: { rifa_id: string; detail: string }[];
}

/**
 * Brings every room in line with D1: each whose room has not acknowledged its last definition (a
 * push that failed, even to a terminal state), and up to PER_RUN of those that still sell or wait
 * for their draw, a different sample each run. The room takes D1's definition when it is behind and drains its outbox; either counts
 * as a repair, in the report and in `/metrics`. Safe to run any number of times.
 */
export const reconcileRooms = async (
	env: Env,
	db: Database,
	log: Logger,
): Promise<ReconcileReport> => {
	const report: ReconcileReport = { revisadas: 0, reparadas: [], atascadas: [], errores: [] };
	// Rooms that missed their last definition first (a cancellation whose push failed must not wait
	// behind a long list), then a rotating sample of the rifas that still sell or wait for a draw.
	const behind = await db
		.select({ id: rifas.id })
		.from(rifas)
		.where(or(isNull(rifas.salaSincronizadaEn), ne(rifas.salaSincronizadaEn, rifas.actualizadoEn)))
		.orderBy(asc(rifas.actualizadoEn))
		.limit(PER_RUN);
	const live = await db
		.select({ id: rifas.id })
		.from(rifas)
		.where(inArray(rifas.estado, ["pendiente", "activa", "cerrada"]))
		.orderBy(sql`random()`)
		.limit(PER_RUN);
	const rows = [...new Map([...behind, ...live].map((r) => [r.id, r])).values()];
	for (const { id } of rows) {
		try {
			const config = await loadRoomConfig(db, id);
			if (!config) continue;
			report.revisadas++;
			const sync = await roomFor(env, id).sync(config);
			await acknowledge(db, id, config.actualizadoEn);
			if (sync.configurada || sync.aplicadas > 0) {
				report.reparadas.push(id);
				log.warn("room repaired", { rifa_id: id, ...sync });
				await incrementCounter(env.DB, COUNTER.roomRepairs);
			}
			if (sync.atascadas > 0) {
				report.atascadas.push(id);
				log.error("room outbox has entries set aside", {
					alerta: "outbox_atascado",
					rifa_id: id,
					atascadas: sync.atascadas,
				});
			}
		} catch (err) {
			report.errores.push({ rifa_id: id, detail: String(err) });
			log.error("room reconciliation failed", { rifa_id: id, error: errorFields(err) });
		}
	}
	return report;
};

/** How long a credit use may wait for its abono before the room is asked (creditos.service.ts). */
const CREDITO_ESPERA_MS = 15 * 60_000;

/**
 * Credit set aside for an abono that never reached its room (the request died in between): the
 * room annuls the abono's id, unless it did record it, and the credit goes back. Idempotent: an
 * annulled id stays annulled, and each devolution has a stable id.
 */
export const reconcileCreditos = async (env: Env, db: Database, log: Logger): Promise<number> => {
	const antes = new Date(Date.now() - CREDITO_ESPERA_MS).toISOString();
	let devueltos = 0;
	for (const uso of await creditosSinAbono(db, antes)) {
		try {
			const r = await abonosDe(env, uso.rifa_id)({ tipo: "anular_credito", abonoId: uso.abono_id });
			if (r !== "anulado") continue;
			await devolverCredito(db, uso.abono_id);
			devueltos++;
			log.warn("credit use without its abono given back", { abono_id: uso.abono_id });
		} catch (err) {
			log.error("credit use not reconciled", { abono_id: uso.abono_id, error: errorFields(err) });
		}
	}
	return devueltos;
};
