import { and, eq } from "drizzle-orm";
import type { Database } from "../db/client";
import { rifas } from "../db/schema";
import type { OperacionAbono, ResultadosAbono } from "./abonos-rpc";
import { loadRoomConfig } from "./config";

export const roomFor = (env: Env, rifaId: string) => env.RIFA_ROOM.getByName(rifaId);

/** Rifas known to exist, with their creator: neither ever changes once a rifa is created. */
const known = new Map<string, { creadoPor: string | null }>();
const KNOWN_MAX = 10_000;

/**
 * A rifa as far as its room's callers need it, or null when there is none. Asking D1 first means
 * no request can create a Durable Object for an id that is no rifa.
 */
export const findRifa = async (db: Database, rifaId: string) => {
	const cached = known.get(rifaId);
	if (cached) return cached;
	const [row] = await db
		.select({ creadoPor: rifas.creadoPor })
		.from(rifas)
		.where(eq(rifas.id, rifaId));
	if (!row) return null;
	if (known.size >= KNOWN_MAX) known.clear();
	known.set(rifaId, row);
	return row;
};

/**
 * Pushes a rifa's definition, as D1 now holds it, to its room, so the room sells by it, and records
 * that the room has it. D1 is the authority for the definition and the room for the numbers: a
 * push that fails leaves `sala_sincronizada_en` behind `actualizado_en`, and the cron's reconciler
 * pushes again until the room acknowledges.
 */
export const syncRoom = async (env: Env, db: Database, rifaId: string) => {
	const config = await loadRoomConfig(db, rifaId);
	if (!config) throw new Error(`rifa ${rifaId} or its categoria not found`);
	const result = await roomFor(env, rifaId).configure(config);
	// A room that kept its structure under a taken number does not hold this definition.
	if (result.estructura !== "rechazada") await acknowledge(db, rifaId, config.actualizadoEn);
	return result;
};

export const acknowledge = (db: Database, rifaId: string, actualizadoEn: string) =>
	db
		.update(rifas)
		.set({ salaSincronizadaEn: actualizadoEn })
		.where(and(eq(rifas.id, rifaId), eq(rifas.actualizadoEn, actualizadoEn)));

/** The room's one RPC for a plan's later abonos, typed by operation (abonos-rpc.ts). */
export const abonosDe =
	(env: Env, rifaId: string) =>
	async <T extends OperacionAbono>(op: T) =>
		(await roomFor(env, rifaId).abonos(op)) as unknown as ResultadosAbono[T["tipo"]];
