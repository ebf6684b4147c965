import { and, asc, eq } from "drizzle-orm";
import type { Database } from "../db/client";
import {
	auditLog,
	ganadores,
	loterias,
	observaciones,
	propuestasResolucion,
	type RifaRow,
	resultados,
	rifas,
	tickets,
} from "../db/schema";
import { fechaColombia } from "../domain/calendario";
import type { Desglose } from "../domain/premios";
import { firmante } from "../recibos/claves";
import { roomFor } from "../rifa-room/rooms";
import { payloadSinVerificar } from "../verificacion/firma";
import { esSello } from "../verificacion/guardas";
import { sha256Hex } from "../verificacion/merkle";
import { type ActaPayload, type ObservacionActa, TYP_ACTA } from "../verificacion/tipos";
import { sorteoDe } from "./observaciones.service";

export type ActaOutcome =
	| { outcome: "acta"; acta: string; payload: ActaPayload; rifa: RifaRow; loteria: string }
	| { outcome: "no_existe" | "no_resuelta" | "sin_firma" | "sin_sello" | "sin_recibos" };

/** The same person gets the same pseudonym in one rifa's acta, and different people different ones. */
const seudonimo = async (rifaId: string, userId: string | null) =>
	userId ? `admin-${(await sha256Hex(`rifa1122-admin:${rifaId}:${userId}`)).slice(0, 16)}` : null;

/**
 * The signed acta de sorteo of a settled rifa, from what settlement wrote (result, winners,
 * breakdown), the room's seal with the definition it fixed, every observation of the draw and the
 * resolution that decided a conflict, and the pots the rifa received. Every input is fixed once
 * the rifa is settled (a recalculation gives a new `liquidacion_id` and `actualizado_en`, the
 * acta's `emitido_en`), and Ed25519 signs deterministically, so the same settlement always gets
 * the same acta; `actas.ts` stores it once.
 */
export const actaDe = async (env: Env, db: Database, rifaId: string): Promise<ActaOutcome> => {
	const [row] = await db
		.select({ rifa: rifas, loteria: loterias })
		.from(rifas)
		.innerJoin(loterias, eq(loterias.id, rifas.loteriaId))
		.where(eq(rifas.id, rifaId));
	if (!row) return { outcome: "no_existe" };
	const { rifa, loteria } = row;
	if (rifa.estado !== "resuelta" || !rifa.desglose || !rifa.resultadoNumero || !rifa.resultadoFecha)
		return { outcome: "no_resuelta" };
	const f = await firmante(env);
	if (!f) return { outcome: "sin_firma" };
	const room = roomFor(env, rifa.id);
	const sello = await room.sello();
	const selloPayload = sello ? payloadSinVerificar(sello.sello) : undefined;
	if (!sello || !esSello(selloPayload)) return { outcome: "sin_sello" };
	const fecha = rifa.resultadoFecha;

	const [winners, obs, [resultado], pots] = await db.batch([
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
			.where(and(eq(observaciones.loteriaId, rifa.loteriaId), eq(observaciones.fecha, fecha)))
			.orderBy(asc(observaciones.observadoEn), asc(observaciones.id)),
		db
			.select({ resultado: resultados, propuestaEn: propuestasResolucion.creadaEn })
			.from(resultados)
			.leftJoin(propuestasResolucion, eq(propuestasResolucion.id, resultados.propuestaId))
			.where(and(eq(resultados.loteriaId, rifa.loteriaId), eq(resultados.fecha, fecha))),
		db
			.select({ after: auditLog.after })
			.from(auditLog)
			.where(
				and(
					eq(auditLog.entity, "rifa"),
					eq(auditLog.entityId, rifa.id),
					eq(auditLog.action, "rifa.acumulado"),
				),
			)
			.orderBy(asc(auditLog.createdAt), asc(auditLog.id)),
	]);
	if (!resultado) return { outcome: "no_resuelta" };

	const ganadoresActa: ActaPayload["ganadores"] = [];
	for (const w of winners) {
		const recibo = w.recibo ?? (await room.recibo(w.ticketId));
		const prueba = await room.prueba(w.ticketId);
		if (!recibo || !prueba || prueba.tamano !== sello.tamano) return { outcome: "sin_recibos" };
		ganadoresActa.push({
			posicion: w.posicion,
			numero: w.numero,
			ticket_id: w.ticketId,
			recibo,
			recibo_sha256: await sha256Hex(recibo),
			seq: prueba.seq,
			ruta: prueba.ruta,
			monto: w.monto,
		});
	}

	const observacionesActa: ObservacionActa[] = [];
	for (const o of obs) {
		observacionesActa.push({
			fuente: o.fuente,
			observador: o.fuente === "admin" ? await seudonimo(rifa.id, o.actorId) : null,
			numero: o.numero,
			serie: o.serie,
			observado_en: o.observadoEn,
			evidencia_sha256: o.evidenciaSha256,
		});
	}
	const r = resultado.resultado;
	const resolucion =
		r.fuente === "resolucion" && r.resueltoPor && r.confirmadoPor && r.serie
			? {
					numero: r.numero,
					serie: r.serie,
					motivo: r.motivo ?? "",
					propuesta_por: (await seudonimo(rifa.id, r.resueltoPor)) ?? "",
					confirmada_por: (await seudonimo(rifa.id, r.confirmadoPor)) ?? "",
					propuesta_en: resultado.propuestaEn ?? r.recibidoEn,
					confirmada_en: r.recibidoEn,
					evidencia_sha256: r.evidenciaSha256,
				}
			: null;

	const sorteo = sorteoDe(loteria, fecha);
	const instante = sorteo?.instante ?? rifa.fechaSorteo;
	const definicion = selloPayload.definicion;
	// The lottery moved the sealed draw (another day, or another hour) before it took place.
	const movimiento =
		instante === definicion.fecha_sorteo
			? null
			: {
					fecha_nominal: fechaColombia(new Date(definicion.fecha_sorteo)),
					fecha_real: fecha,
					hora: new Date(Date.parse(instante) - 5 * 3_600_000).toISOString().slice(11, 16),
				};

	const payload: ActaPayload = {
		v: 2,
		rifa_id: rifa.id,
		definicion,
		definicion_sha256: selloPayload.definicion_sha256,
		sello: { raiz: sello.raiz, tamano: sello.tamano, sellado_en: sello.sellado_en },
		sorteo: {
			fecha,
			instante,
			movimiento,
		},
		resultado: {
			numero: r.numero,
			serie: r.serie,
			fecha,
			confirmado_por: r.fuente === "resolucion" ? "resolucion" : "quorum",
			confirmado_en: r.recibidoEn,
			observaciones: observacionesActa,
			resolucion,
		},
		acumulado: pots.flatMap(({ after }) => {
			const cambio = Number(after?.cambio ?? 0);
			const desde = after?.desde_rifa;
			return cambio
				? [{ desde_rifa: typeof desde === "string" ? desde : null, monto: cambio }]
				: [];
		}),
		ganadores: ganadoresActa,
		premios: rifa.desglose as Desglose,
		emitido_en: rifa.actualizadoEn,
	};
	const acta = await f.firmar(payload, TYP_ACTA);
	return { outcome: "acta", acta, payload, rifa, loteria: loteria.nombre };
};
