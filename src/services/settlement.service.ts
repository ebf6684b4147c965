import { and, eq, inArray, type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import {
	type CategoriaRow,
	categorias,
	ganadores,
	loterias,
	type RifaRow,
	rifas,
	tickets,
} from "../db/schema";
import { fechaColombia } from "../domain/calendario";
import { type Ganador, premiosIssues, type Resultado } from "../domain/premios";
import { type Reglas, ReglasSchema, reglasIssues } from "../domain/reglas";
import { createLogger, errorFields, type Logger } from "../lib/logger";
import { nextStamp } from "../lib/time";
import { avisoInsert } from "../notificaciones/avisos";
import { roomFor, syncRoom } from "../rifa-room/rooms";
import { archivarActa } from "./acta-archivo";
import { asignarAcumulado, siguienteRifa, siguienteRifaSql } from "./acumulado.service";
import { auditInsertIf } from "./audit";
import { consultarFuentes, estadoSorteo } from "./observaciones.service";
import { premiosSellados, promesaSellada, selloDe } from "./sello.service";

/**
 * What one settlement attempt did. `reintentar` and `error` are failures: nothing was written, the
 * rifa stays `cerrada` and the next cron run tries again. `reintentar` is expected to pass by
 * itself (outbox not drained, results source down, the rifa's pot or its category's next rifa
 * changed meanwhile);
 * `error` needs a person (the rifa's data cannot be settled as it stands).
 */
export type SettleOutcome =
	| {
			outcome:
				| "resuelta"
				| "ya_resuelta"
				| "no_cerrada"
				| "sorteo_pendiente"
				| "resultado_pendiente"
				| "resultado_en_conflicto";
	  }
	| { outcome: "reintentar" | "error"; detail: string };

export interface SettleOptions {
	/** Who asked; null for the system (cron, results webhook). */
	actorId: string | null;
	logger?: Logger;
	/** The instant at which "is the draw due" is judged (the cron's scheduled time); default now. */
	dueBy?: Date;
}

/** The draw's calendar day in Colombia (UTC−5), which is how lotteries date their results. */
export const fechaSorteoColombia = (fechaSorteo: string) => fechaColombia(new Date(fechaSorteo));

/**
 * The one way to settle a rifa, for the cron, `POST /rifas/{id}/cerrar` and the results webhook.
 * It never throws: a failure comes back as an outcome, logged here once at error with the rifa id,
 * and the caller only reports it.
 */
export const settle = async (
	env: Env,
	db: Database,
	rifaId: string,
	opts: SettleOptions,
): Promise<SettleOutcome> => {
	const log = (opts.logger ?? createLogger(env)).with({ rifa_id: rifaId });
	let result: SettleOutcome;
	let error: unknown;
	try {
		result = await settleRifa(env, db, rifaId, opts.dueBy ?? new Date(), opts.actorId, log);
	} catch (err) {
		error = err;
		// RangeError is what the prize rules throw for inputs they cannot settle; anything else
		// (D1, the room, the results source) is taken as passing.
		result = {
			outcome: err instanceof RangeError ? "error" : "reintentar",
			detail: err instanceof Error ? err.message : String(err),
		};
	}
	if (result.outcome === "reintentar" || result.outcome === "error") {
		log.error("settlement failed; the rifa stays cerrada for the next run", {
			outcome: result.outcome,
			detail: result.detail,
			...(error === undefined ? {} : { error: errorFields(error) }),
		});
	}
	return result;
};

/**
 * Settles a closed rifa whose draw has happened: fetches the loteria's result, computes the prizes
 * with the pot assigned to this rifa, and in one D1 batch writes the result, the winners, the
 * `ganador` tickets, the pot this rifa rolls over (to the rifa named in `desglose.acumula_a`, see
 * `acumulado.service.ts`) and the audit entries. The batch's first statement claims the rifa with
 * a fresh settlement id, on condition that it is still `cerrada`, its assigned pot is the one read
 * and the category's next rifa is the one named; every later statement applies only under that
 * id. A repeated, overlapping or late run therefore changes nothing twice, and a pot is received
 * once, by the rifa it was assigned to.
 */
const settleRifa = async (
	env: Env,
	db: Database,
	rifaId: string,
	dueBy: Date,
	actorId: string | null,
	log: Logger,
): Promise<SettleOutcome> => {
	const [row] = await db
		.select({ rifa: rifas, categoria: categorias, loteria: loterias })
		.from(rifas)
		.innerJoin(categorias, eq(categorias.id, rifas.categoriaId))
		.innerJoin(loterias, eq(loterias.id, rifas.loteriaId))
		.where(eq(rifas.id, rifaId));
	if (!row) return { outcome: "no_cerrada" };
	const { rifa, categoria, loteria } = row;
	if (rifa.estado === "resuelta") return { outcome: "ya_resuelta" };
	if (rifa.estado !== "cerrada") return { outcome: "no_cerrada" };
	if (new Date(rifa.fechaSorteo) > dueBy) return { outcome: "sorteo_pendiente" };
	const parsedReglas = ReglasSchema.safeParse(rifa.reglas ?? {});
	if (!parsedReglas.success) {
		return { outcome: "error", detail: `reglas: ${parsedReglas.error.message}` };
	}
	const reglas = parsedReglas.data;
	const issues = settlementIssues(rifa, categoria, reglas);
	if (issues.length) {
		return { outcome: "error", detail: issues.map((i) => `${i.path}: ${i.message}`).join("; ") };
	}

	const fecha = fechaSorteoColombia(rifa.fechaSorteo);
	let sorteo = await estadoSorteo(db, loteria, fecha);
	let failed: string[] = [];
	if (!sorteo.resultado && sorteo.estado === "pendiente") {
		failed = await consultarFuentes(env, db, loteria, fecha, log);
		sorteo = await estadoSorteo(db, loteria, fecha);
	}
	if (sorteo.estado === "en_conflicto") return { outcome: "resultado_en_conflicto" };
	if (!sorteo.resultado && failed.length)
		return { outcome: "reintentar", detail: failed.join("; ") };
	const confirmado = sorteo.resultado;
	const resultado = confirmado
		? {
				numero: confirmado.numero,
				serie: confirmado.serie,
				numbers: [confirmado.numero],
				fecha,
				fuente: confirmado.fuente,
			}
		: null;
	if (!resultado) return { outcome: "resultado_pendiente" };

	// The room must have stopped selling before its sold tickets are read.
	await syncRoom(env, db, rifa.id);
	const sellado = await selloDe(env, rifa, sorteo.observaciones[0]?.observadoEn ?? null);
	if ("outcome" in sellado) return sellado;
	const recibido = rifa.acumuladoAsignado;
	const calculo = await premiosSellados(env, db, rifa.id, sellado.definicion, resultado, recibido);
	if ("outcome" in calculo) return calculo;
	const winners = calculo.ganadores;
	const acumulaA = await siguienteRifa(db, categoria.id, rifa.id);
	const desglose = {
		...calculo.desglose,
		acumula_a: acumulaA,
		promesa: promesaSellada(sellado.definicion),
	};

	const liquidacionId = crypto.randomUUID();
	// The real time, not `dueBy`: a late run stamping its scheduled time could date the settlement
	// before the rifa's last change, and the room drops a configuration older than the one it has.
	const at = nextStamp(rifa.actualizadoEn);
	const mine: SQL = sql`EXISTS (SELECT 1 FROM rifas WHERE id = ${rifa.id} AND liquidacion_id = ${liquidacionId})`;
	const ganadorIds = winners.map(() => crypto.randomUUID());
	const statements = [
		db
			.update(rifas)
			.set({
				estado: "resuelta",
				resultadoNumero: resultado.numero,
				resultadoSerie: resultado.serie,
				resultadoFecha: resultado.fecha,
				resultadoFuente: resultado.fuente,
				desglose,
				acumuladoRecibido: recibido,
				liquidacionId,
				resueltaEn: at,
				actualizadoEn: at,
			})
			.where(
				and(
					eq(rifas.id, rifa.id),
					eq(rifas.estado, "cerrada"),
					eq(rifas.acumuladoAsignado, recibido),
					sql`${siguienteRifaSql(categoria.id, rifa.id)} IS ${acumulaA}`,
				),
			),
		...asignarAcumulado(db, {
			categoriaId: categoria.id,
			excluir: rifa.id,
			monto: desglose.acumula,
			guard: mine,
			quien: { actorId, requestId: null },
			detalle: { motivo: "liquidacion", desde_rifa: rifa.id },
		}),
		...ganadorWrites(db, rifa.id, liquidacionId, winners, ganadorIds, at),
		avisoInsert(
			db,
			{
				id: `resultado:${rifa.id}`,
				tipo: "resultado",
				rifaId: rifa.id,
				datos: {
					loteria_numero: resultado.numero,
					numeros_ganadores: calculo.desglose.por_posicion.flatMap((p) =>
						p.numero_ganador === null ? [] : [p.numero_ganador],
					),
					pago:
						env.PAYOUTS_PROVIDER === "manual"
							? "manual"
							: env.PAYOUTS_PROVIDER === "wompi"
								? "cuenta"
								: "transferencia",
				},
			},
			{ table: rifas, where: and(eq(rifas.id, rifa.id), mine) as SQL },
		),
		auditInsertIf(
			db,
			{
				actorId,
				action: "rifa.resuelta",
				entity: "rifa",
				entityId: rifa.id,
				before: { estado: "cerrada" },
				after: { estado: "resuelta", resultado, desglose, ganadores: winners },
			},
			rifas,
			and(eq(rifas.id, rifa.id), eq(rifas.liquidacionId, liquidacionId)) as SQL,
		),
	] as const;
	await db.batch(statements as unknown as Parameters<typeof db.batch>[0]);

	const [after] = await db.select().from(rifas).where(eq(rifas.id, rifa.id));
	if (after?.liquidacionId !== liquidacionId) {
		// Another run got there first, or the pot or the next rifa changed: nothing of ours applied.
		return after?.estado === "resuelta"
			? { outcome: "ya_resuelta" }
			: {
					outcome: "reintentar",
					detail: "the rifa, its pot or its category's next rifa changed during settlement",
				};
	}
	try {
		await syncRoom(env, db, rifa.id);
		await announceWinners(env, rifa.id, resultado, winners, ganadorIds, false);
		await archivarActa(env, db, rifa.id);
	} catch (err) {
		// D1 already holds the settlement and the rifa is no longer cerrada, so nothing can retry
		// it: the room, closed since `cerrada`, only misses the `resuelta` label and the watchers'
		// announcement; the cron resends payouts still pending after half an hour.
		log.error("rifa settled, but its room, the payouts queue or the acta's archive was not told", {
			error: errorFields(err),
		});
	}
	return { outcome: "resuelta" };
};

/** Every input of `calcularPremios` a rifa and its category can get wrong, as field errors. */
export const settlementIssues = (rifa: RifaRow, categoria: CategoriaRow, reglas: Reglas) => [
	...reglasIssues(reglas, {
		numero_ganadores: rifa.numeroGanadores,
		total_boletas: rifa.totalBoletas,
	}),
	...premiosIssues({ totalBoletas: rifa.totalBoletas, reglas }, categoria),
];

/** Inserts the ganadores and marks their tickets, each only under the given settlement id. */
export const ganadorWrites = (
	db: Database,
	rifaId: string,
	liquidacionId: string,
	winners: Ganador[],
	ids: string[],
	at: string,
) => {
	const mine = and(eq(rifas.id, rifaId), eq(rifas.liquidacionId, liquidacionId));
	const winnerTickets = [...new Set(winners.map((g) => g.ticketId))];
	return [
		...winners.map((g, i) =>
			db.insert(ganadores).select(
				db
					.select({
						id: sql`${ids[i]}`.as("id"),
						rifaId: sql`${rifaId}`.as("rifa_id"),
						ticketId: sql`${g.ticketId}`.as("ticket_id"),
						posicion: sql`${g.posicion}`.as("posicion"),
						fuente: sql`${g.fuente}`.as("fuente"),
						numeroGanador: sql`${g.numeroGanador}`.as("numero_ganador"),
						porCercania: sql`${g.porCercania ? 1 : 0}`.as("por_cercania"),
						montoGanado: sql`${g.monto}`.as("monto_ganado"),
						estadoPago: sql`'pendiente'`.as("estado_pago"),
						fechaPago: sql`NULL`.as("fecha_pago"),
						referenciaPago: sql`NULL`.as("referencia_pago"),
						procesandoDesde: sql`NULL`.as("procesando_desde"),
						creadoEn: sql`${at}`.as("creado_en"),
					})
					.from(rifas)
					.where(mine),
			),
		),
		...(winnerTickets.length
			? [
					db
						.update(tickets)
						.set({ estado: "ganador", actualizadoEn: at })
						.where(
							and(
								eq(tickets.rifaId, rifaId),
								inArray(tickets.id, winnerTickets),
								sql`EXISTS (SELECT 1 FROM rifas WHERE id = ${rifaId} AND liquidacion_id = ${liquidacionId})`,
							),
						),
				]
			: []),
	];
};

export const announceWinners = async (
	env: Env,
	rifaId: string,
	resultado: Resultado & { fecha: string },
	winners: Ganador[],
	ganadorIds: string[],
	recalculado: boolean,
) => {
	if (ganadorIds.length) {
		// The consumer is idempotent per ganador, so a message sent twice pays once.
		await env.PAYOUTS.sendBatch(ganadorIds.map((id) => ({ body: { ganador_id: id } })));
	}
	await roomFor(env, rifaId).announce({
		type: "resultado",
		resultado: { numero: resultado.numero, serie: resultado.serie, fecha: resultado.fecha },
		ganadores: winners.map((g) => ({ posicion: g.posicion, numero: g.numero, monto: g.monto })),
		...(recalculado ? { recalculado } : {}),
	});
};
