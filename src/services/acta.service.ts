import { and, asc, eq } from "drizzle-orm";
import type { Database } from "../db/client";
import { ganadores, loterias, observaciones, type RifaRow, rifas, tickets } from "../db/schema";
import { parseReglas } from "../domain/reglas";
import { firmante } from "../recibos/claves";
import { roomFor } from "../rifa-room/rooms";
import { sha256Hex } from "../verificacion/merkle";
import { type ActaPayload, type FuenteResultado, TYP_ACTA } from "../verificacion/tipos";

export type ActaOutcome =
	| { outcome: "acta"; acta: string; payload: ActaPayload; rifa: RifaRow; loteria: string }
	| { outcome: "no_existe" | "no_resuelta" | "sin_firma" | "sin_sello" | "sin_recibos" };

/**
 * The signed acta de sorteo of a settled rifa, built from what settlement wrote (result, winners,
 * breakdown), the room's seal and the sources that agreed on the result. Made on request and
 * never stored: every input is fixed once the rifa is settled (a recalculation moves
 * `actualizado_en`, the acta's `emitido_en`), and Ed25519 signs deterministically, so the same
 * rifa always gets the same acta.
 */
export const actaDe = async (env: Env, db: Database, rifaId: string): Promise<ActaOutcome> => {
	const [row] = await db
		.select({ rifa: rifas, loteria: loterias.nombre })
		.from(rifas)
		.innerJoin(loterias, eq(loterias.id, rifas.loteriaId))
		.where(eq(rifas.id, rifaId));
	if (!row) return { outcome: "no_existe" };
	const { rifa } = row;
	if (rifa.estado !== "resuelta" || !rifa.desglose || !rifa.resultadoNumero || !rifa.resultadoFecha)
		return { outcome: "no_resuelta" };
	const f = await firmante(env);
	if (!f) return { outcome: "sin_firma" };
	const sello = await roomFor(env, rifa.id).sello();
	if (!sello) return { outcome: "sin_sello" };

	const [winners, obs] = await db.batch([
		db
			.select({
				posicion: ganadores.posicion,
				numero: tickets.numero,
				ticketId: tickets.id,
				recibo: tickets.recibo,
				monto: ganadores.montoGanado,
			})
			.from(ganadores)
			.innerJoin(tickets, eq(tickets.id, ganadores.ticketId))
			.where(eq(ganadores.rifaId, rifa.id))
			.orderBy(asc(ganadores.posicion)),
		db
			.select()
			.from(observaciones)
			.where(
				and(
					eq(observaciones.loteriaId, rifa.loteriaId),
					eq(observaciones.fecha, rifa.resultadoFecha),
					eq(observaciones.numero, rifa.resultadoNumero),
				),
			)
			.orderBy(asc(observaciones.observadoEn), asc(observaciones.id)),
	]);
	if (winners.some((w) => !w.recibo)) return { outcome: "sin_recibos" };

	// The sources that said the confirmed result; an admin's resolution is one more.
	const fuentes: FuenteResultado[] = obs
		.filter((o) => o.serie === rifa.resultadoSerie)
		.map((o) => ({
			fuente: o.fuente,
			evidencia_sha256: o.evidenciaSha256,
			observado_en: o.observadoEn,
		}));
	if (!fuentes.length || rifa.resultadoFuente === "resolucion") {
		fuentes.push({ fuente: rifa.resultadoFuente ?? "desconocida", evidencia_sha256: null });
	}

	const payload: ActaPayload = {
		v: 1,
		rifa_id: rifa.id,
		sello: { raiz: sello.raiz, tamano: sello.tamano },
		resultado: {
			numero: rifa.resultadoNumero,
			serie: rifa.resultadoSerie,
			fecha: rifa.resultadoFecha,
			fuentes,
		},
		reglas: parseReglas(rifa.reglas),
		total_boletas: rifa.totalBoletas,
		numero_ganadores: rifa.numeroGanadores,
		ganadores: await Promise.all(
			winners.map(async (w) => ({
				posicion: w.posicion,
				numero: w.numero,
				ticket_id: w.ticketId,
				recibo_sha256: await sha256Hex(w.recibo ?? ""),
				monto: w.monto,
			})),
		),
		premios: rifa.desglose,
		emitido_en: rifa.actualizadoEn,
	};
	const acta = await f.firmar(payload, TYP_ACTA);
	return { outcome: "acta", acta, payload, rifa, loteria: row.loteria };
};
