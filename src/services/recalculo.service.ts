import { and, eq, type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { categorias, type GanadorRow, ganadores, rifas, tickets } from "../db/schema";
import type { Desglose, Ganador } from "../domain/premios";
import type { Reglas } from "../domain/reglas";
import { ApiError, conflict, notFound, RIFA, t } from "../lib/errors";
import { createLogger, errorFields } from "../lib/logger";
import { nextStamp } from "../lib/time";
import { canonico } from "../verificacion/definicion";
import { archivarActa } from "./acta-archivo";
import { ajusteDeRecalculo } from "./acumulado.service";
import { auditInsertIf } from "./audit";
import { type Problema, premiosSellados, promesaSellada, selloDe } from "./sello.service";
import { announceWinners, ganadorWrites } from "./settlement.service";

export type ReglasPremio = Partial<
	Pick<Reglas, "base_premio" | "reparto_bps" | "numero_no_vendido">
>;

export interface Recalculo {
	cambios: boolean;
}

const sameWinners = (a: Ganador[], b: GanadorRow[]) =>
	a.length === b.length &&
	a.every((g) =>
		b.some(
			(r) =>
				r.posicion === g.posicion &&
				r.ticketId === g.ticketId &&
				r.montoGanado === g.monto &&
				r.fuente === g.fuente &&
				r.numeroGanador === g.numeroGanador &&
				r.porCercania === g.porCercania,
		),
	);

/**
 * Recomputes a resolved rifa's prizes from its stored result, the definition its seal fixed and the
 * tickets the seal covers, as settlement does: a settled rifa was sealed, so its rules and money
 * can no longer change (409 `reglas_selladas`), and this only repairs a settlement that did not
 * follow them. Nothing changes when the outcome is the same. It is refused once any prize has
 * started to be paid, and when a different rollover would have to be taken back from the rifa it
 * went to after that rifa settled (see `ajusteDeRecalculo`). As in settlement, the first statement
 * of the batch claims the rifa under a new settlement id and every other statement applies only
 * under it, so concurrent calls, or a payout starting meanwhile, cannot interleave.
 */
export const recalcularRifa = async (
	env: Env,
	db: Database,
	rifaId: string,
	actor: { userId: string; requestId: string | null },
	cambio: { motivo: string; reglas?: ReglasPremio | undefined },
): Promise<Recalculo> => {
	const [row] = await db
		.select({ rifa: rifas, categoria: categorias })
		.from(rifas)
		.innerJoin(categorias, eq(categorias.id, rifas.categoriaId))
		.where(eq(rifas.id, rifaId));
	if (!row) throw notFound(RIFA);
	const { rifa, categoria } = row;
	if (rifa.estado !== "resuelta") {
		throw conflict(
			t(
				`Solo una rifa resuelta puede recalcularse; esta está ${rifa.estado}.`,
				`Only a resolved rifa can be recalculated; this one is ${rifa.estado}.`,
			),
		);
	}
	if (!rifa.resultadoNumero || !rifa.resultadoFecha || !rifa.liquidacionId) {
		throw conflict(
			t(
				"La rifa no tiene un resultado guardado que recalcular.",
				"The rifa has no stored result to recalculate from.",
			),
		);
	}
	if (cambio.reglas && Object.keys(cambio.reglas).length) {
		throw new ApiError(
			"CONFLICT",
			t(
				"Las reglas de la rifa quedaron selladas al terminar la venta; no pueden cambiar después del sorteo. El recálculo solo aplica las reglas selladas.",
				"The rifa's rules were sealed when its sales ended; they cannot change after the draw. A recalculation only applies the sealed rules.",
			),
			{
				errors: Object.keys(cambio.reglas).map((k) => ({
					path: `reglas.${k}`,
					message: "Regla sellada",
					code: "reglas_selladas",
				})),
			},
		);
	}
	const anteriores = await db.select().from(ganadores).where(eq(ganadores.rifaId, rifa.id));
	const enPago = (g: GanadorRow) => g.estadoPago !== "pendiente" || g.procesandoDesde !== null;
	if (anteriores.some(enPago)) {
		throw conflict(
			t(
				"Ya salió el pago de un premio de esta rifa; no se puede recalcular.",
				"A prize of this rifa has already been paid out; it cannot be recalculated.",
			),
		);
	}
	const resultado = {
		numero: rifa.resultadoNumero,
		serie: rifa.resultadoSerie,
		fecha: rifa.resultadoFecha,
		fuente: rifa.resultadoFuente ?? "",
	};
	const noLeidas = t(
		"No se pudieron leer el sello o las boletas selladas de la rifa; vuelva a intentarlo.",
		"The rifa's seal or its sealed tickets could not be read; try again.",
	);
	let sellado: Awaited<ReturnType<typeof selloDe>>;
	let calculo: Awaited<ReturnType<typeof premiosSellados>>;
	try {
		sellado = await selloDe(env, rifa, null);
		calculo =
			"outcome" in sellado
				? sellado
				: await premiosSellados(
						env,
						db,
						rifa.id,
						sellado.definicion,
						resultado,
						rifa.acumuladoRecibido,
					);
	} catch (err) {
		// Never a 500: the room not answering or its outbox not drained yet is for a retry.
		throw new ApiError("SERVICE_UNAVAILABLE", noLeidas, { cause: err });
	}
	if ("outcome" in calculo || "outcome" in sellado) {
		const problema = "outcome" in calculo ? calculo : (sellado as Problema);
		throw new ApiError(problema.outcome === "error" ? "CONFLICT" : "SERVICE_UNAVAILABLE", {
			es: `${noLeidas.es} (${problema.detail})`,
			en: `${noLeidas.en} (${problema.detail})`,
		});
	}
	const winners = calculo.ganadores;
	const before = rifa.desglose as Desglose | null;
	// The pot's target was named at settlement and stays; a rifa settled before the rule has none.
	const desglose: Desglose = {
		...calculo.desglose,
		...(before && "acumula_a" in before ? { acumula_a: before.acumula_a ?? null } : {}),
		promesa: promesaSellada(sellado.definicion),
	};
	if (canonico(before) === canonico(desglose) && sameWinners(winners, anteriores)) {
		return { cambios: false };
	}

	const delta = desglose.acumula - (before?.acumula ?? 0);
	const ajuste =
		delta === 0
			? null
			: await ajusteDeRecalculo(db, {
					categoriaId: categoria.id,
					rifaId: rifa.id,
					acumulaA: desglose.acumula_a ?? null,
					delta,
					quien: { actorId: actor.userId, requestId: actor.requestId },
				});

	const liquidacionId = crypto.randomUUID();
	const at = nextStamp(rifa.actualizadoEn);
	const mine = sql`EXISTS (SELECT 1 FROM rifas WHERE id = ${rifa.id} AND liquidacion_id = ${liquidacionId})`;
	const ganadorIds = winners.map(() => crypto.randomUUID());
	const statements = [
		db
			.update(rifas)
			.set({ desglose, liquidacionId, actualizadoEn: at })
			.where(
				and(
					eq(rifas.id, rifa.id),
					eq(rifas.estado, "resuelta"),
					eq(rifas.liquidacionId, rifa.liquidacionId),
					sql`NOT EXISTS (SELECT 1 FROM ganadores WHERE rifa_id = ${rifa.id} AND (estado_pago <> 'pendiente' OR procesando_desde IS NOT NULL))`,
					ajuste?.guard,
				),
			),
		...(ajuste ? ajuste.statements(mine) : []),
		db.delete(ganadores).where(and(eq(ganadores.rifaId, rifa.id), mine)),
		db
			.update(tickets)
			.set({ estado: "vendido", actualizadoEn: at })
			.where(and(eq(tickets.rifaId, rifa.id), eq(tickets.estado, "ganador"), mine)),
		...ganadorWrites(db, rifa.id, liquidacionId, winners, ganadorIds, at),
		auditInsertIf(
			db,
			{
				actorId: actor.userId,
				action: "rifa.recalculada",
				entity: "rifa",
				entityId: rifa.id,
				before: {
					desglose: before,
					ganadores: anteriores.map((g) => ({
						posicion: g.posicion,
						ticket_id: g.ticketId,
						monto: g.montoGanado,
					})),
				},
				after: {
					motivo: cambio.motivo,
					desglose,
					ganadores: winners.map((g) => ({
						posicion: g.posicion,
						ticket_id: g.ticketId,
						monto: g.monto,
					})),
				},
				requestId: actor.requestId,
			},
			rifas,
			and(eq(rifas.id, rifa.id), eq(rifas.liquidacionId, liquidacionId)) as SQL,
		),
	];
	await db.batch(statements as unknown as Parameters<typeof db.batch>[0]);

	const [after] = await db
		.select({ liquidacionId: rifas.liquidacionId })
		.from(rifas)
		.where(eq(rifas.id, rifa.id));
	if (after?.liquidacionId !== liquidacionId) {
		throw conflict(
			t(
				"La rifa o sus pagos cambiaron mientras se recalculaba; vuelva a intentarlo.",
				"The rifa or its payouts changed during the recalculation; try again.",
			),
		);
	}
	await announceWinners(env, rifa.id, resultado, winners, ganadorIds, true);
	try {
		await archivarActa(env, db, rifa.id);
	} catch (err) {
		// The recalculation stands; its acta is made on the first read instead.
		createLogger(env).error("acta of a recalculation not archived; it is made when first read", {
			rifa_id: rifa.id,
			error: errorFields(err),
		});
	}
	return { cambios: true };
};
