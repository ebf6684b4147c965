import { eq } from "drizzle-orm";
import type { Database } from "../db/client";
import { categorias, type RifaRow } from "../db/schema";
import { configFromRow } from "./rifa-room";

export const roomFor = (env: Env, rifaId: string) => env.RIFA_ROOM.getByName(rifaId);

/** Pushes a rifa's definition to its room after every change in D1, so the room sells by it. */
export const syncRoom = async (env: Env, db: Database, rifa: RifaRow) => {
	const [cat] = await db
		.select({ precio: categorias.valorBoleta })
		.from(categorias)
		.where(eq(categorias.id, rifa.categoriaId));
	if (!cat) throw new Error(`categoria ${rifa.categoriaId} of rifa ${rifa.id} not found`);
	await roomFor(env, rifa.id).configure(configFromRow(rifa, cat.precio));
};
