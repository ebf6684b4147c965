import { cierre, ventaVencida } from "./cierre";
import { proximaConsulta } from "./consultas";
import { nextHoldExpiry } from "./holds";
import type { RoomConfig } from "./room.types";
import { readFlag, writeFlag } from "./sala";

/**
 * The room has one alarm and several deadlines: the end of sales (the seal, at `fecha_fin`), the
 * next hold to expire, the next question to a payment provider (consultas.ts), and retries of whatever failed (the outbox, signatures, refunds). Each is
 * kept in storage or derived from it, and the alarm is always set to the earliest, so setting one
 * never loses another, and a room that restarts finds them all again.
 */

const REINTENTO = "alarma:reintento";

/** The alarm must run again by `at` at the latest: kept until the alarm runs. */
export const pedirReintento = (sql: SqlStorage, at: number): void => {
	const actual = Number(readFlag(sql, REINTENTO) ?? Number.POSITIVE_INFINITY);
	if (at < actual) writeFlag(sql, REINTENTO, String(at));
};

/** The alarm is running: it asks again for whatever still fails. */
export const olvidarReintento = (sql: SqlStorage): void => writeFlag(sql, REINTENTO, null);

/** When the ledger must be closed: at `fecha_fin`, or now if the definition already ended sales. */
const cierreDebido = (sql: SqlStorage, config: RoomConfig | null, now: number): number | null => {
	if (!config || cierre(sql)) return null;
	return ventaVencida(config, now) ? now : Date.parse(config.fechaFin);
};

/** The earliest deadline, or null when the room waits for nothing. */
export const proximoPlazo = (
	sql: SqlStorage,
	config: RoomConfig | null,
	now: number,
): number | null => {
	const plazos = [
		cierreDebido(sql, config, now),
		nextHoldExpiry(sql),
		proximaConsulta(sql),
		Number(readFlag(sql, REINTENTO) ?? Number.NaN),
	].filter((t): t is number => t !== null && Number.isFinite(t));
	return plazos.length ? Math.min(...plazos) : null;
};
