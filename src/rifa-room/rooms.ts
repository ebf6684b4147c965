import { and, eq } from "drizzle-orm";
import type { Database } from "../db/client";
import { rifas } from "../db/schema";
import { loadRoomConfig } from "./config";

export const roomFor = (env: Env, rifaId: string) => env.RIFA_ROOM.getByName(rifaId);

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
	await acknowledge(db, rifaId, config.actualizadoEn);
	return result;
};

export const acknowledge = (db: Database, rifaId: string, actualizadoEn: string) =>
	db
		.update(rifas)
		.set({ salaSincronizadaEn: actualizadoEn })
		.where(and(eq(rifas.id, rifaId), eq(rifas.actualizadoEn, actualizadoEn)));
