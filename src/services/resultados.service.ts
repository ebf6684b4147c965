import { and, eq } from "drizzle-orm";
import type { Database } from "../db/client";
import { loterias, resultados, rifas } from "../db/schema";
import type { Logger } from "../lib/logger";
import { fechaSorteoColombia, settle } from "./settlement.service";

export interface ResultadoPublicado {
	loteria_id: string;
	/** The draw's calendar day in Colombia, YYYY-MM-DD. */
	fecha: string;
	numero: string;
	serie: string | null;
	fuente: string;
}

export type RegistroResultado =
	| { outcome: "loteria_no_existe" }
	/** Another result is already stored for that loteria and day; it is never overwritten. */
	| { outcome: "contradice"; guardado: { numero: string; serie: string | null } }
	| {
			outcome: "registrado";
			/** False when this very result was already stored. */
			nuevo: boolean;
			resueltas: string[];
			/** Rifas of this draw that could not be settled now; the cron tries them again. */
			porReintentar: string[];
	  };

/**
 * Stores a loteria's published result once (the same result again changes nothing, another one
 * for the same day is refused) and settles at once the closed rifas waiting for that draw.
 */
export const registrarResultado = async (
	env: Env,
	db: Database,
	r: ResultadoPublicado,
	logger?: Logger,
): Promise<RegistroResultado> => {
	const [lot] = await db
		.select({ id: loterias.id })
		.from(loterias)
		.where(eq(loterias.id, r.loteria_id));
	if (!lot) return { outcome: "loteria_no_existe" };
	const inserted = await db
		.insert(resultados)
		.values({
			id: crypto.randomUUID(),
			loteriaId: r.loteria_id,
			fecha: r.fecha,
			numero: r.numero,
			serie: r.serie,
			fuente: r.fuente,
			recibidoEn: new Date().toISOString(),
		})
		.onConflictDoNothing()
		.returning({ id: resultados.id });
	const [stored] = await db
		.select()
		.from(resultados)
		.where(and(eq(resultados.loteriaId, r.loteria_id), eq(resultados.fecha, r.fecha)));
	if (!stored) throw new Error(`result of loteria ${r.loteria_id} on ${r.fecha} not stored`);
	if (stored.numero !== r.numero || stored.serie !== r.serie) {
		return { outcome: "contradice", guardado: { numero: stored.numero, serie: stored.serie } };
	}

	const waiting = await db
		.select({ id: rifas.id, fechaSorteo: rifas.fechaSorteo })
		.from(rifas)
		.where(and(eq(rifas.loteriaId, r.loteria_id), eq(rifas.estado, "cerrada")));
	const resueltas: string[] = [];
	const porReintentar: string[] = [];
	for (const w of waiting) {
		if (fechaSorteoColombia(w.fechaSorteo) !== r.fecha) continue;
		const result = await settle(env, db, w.id, { actorId: null, logger });
		if (result.outcome === "resuelta") resueltas.push(w.id);
		else if (result.outcome === "reintentar" || result.outcome === "error")
			porReintentar.push(w.id);
	}
	return { outcome: "registrado", nuevo: inserted.length > 0, resueltas, porReintentar };
};
