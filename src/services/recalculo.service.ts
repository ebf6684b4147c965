import { and, eq, type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { categorias, type GanadorRow, ganadores, rifas, tickets } from "../db/schema";
import type { Desglose, Ganador } from "../domain/premios";
import { parseReglas, type Reglas, ReglasSchema } from "../domain/reglas";
import { ApiError, conflict, notFound, RIFA, t, toFieldErrors } from "../lib/errors";
import { nextStamp } from "../lib/time";
import { ajusteDeRecalculo } from "./acumulado.service";
import { auditInsertIf } from "./audit";
import {
	announceWinners,
	categoriaPrometida,
	ganadorWrites,
	premiosDe,
	settlementIssues,
} from "./settlement.service";

const REGLAS_INVALIDAS = t("Las reglas no son válidas.", "The rules are not valid.");

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
 * Recomputes a resolved rifa's prizes from its stored result, its current rules (optionally
 * corrected) and its category's current money. Nothing changes when the outcome is the same. It
 * is refused once any prize has started to be paid, and when a different rollover would have to
 * be taken back from the rifa it went to after that rifa settled (see `ajusteDeRecalculo`). As in settlement,
 * the first statement of the batch claims the rifa under a new settlement id and every other
 * statement applies only under it, so concurrent calls, or a payout starting meanwhile, cannot
 * interleave.
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
	const current = parseReglas(rifa.reglas);
	const parsed = ReglasSchema.safeParse({ ...current, ...cambio.reglas });
	if (!parsed.success) {
		throw new ApiError("VALIDATION_FAILED", REGLAS_INVALIDAS, {
			errors: toFieldErrors(parsed.error, ["reglas"]),
		});
	}
	const reglas = parsed.data;
	const issues = settlementIssues(rifa, categoriaPrometida(categoria, rifa.desglose), reglas);
	if (issues.length) {
		throw new ApiError("VALIDATION_FAILED", REGLAS_INVALIDAS, { errors: issues });
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
	let calculo: Awaited<ReturnType<typeof premiosDe>>;
	try {
		calculo = await premiosDe(
			env,
			rifa,
			categoriaPrometida(categoria, rifa.desglose),
			reglas,
			resultado,
			rifa.acumuladoRecibido,
		);
	} catch (err) {
		// Never a 500: a RangeError left despite the checks above is still the input's fault; anything
		// else is the room not answering or its outbox not drained yet, which a retry can fix.
		throw new ApiError(
			err instanceof RangeError ? "VALIDATION_FAILED" : "SERVICE_UNAVAILABLE",
			err instanceof RangeError
				? REGLAS_INVALIDAS
				: t(
						"No se pudieron leer las boletas vendidas de la rifa; vuelva a intentarlo.",
						"The rifa's sold tickets could not be read; try again.",
					),
			{ cause: err },
		);
	}
	const winners = calculo.ganadores;
	const before = rifa.desglose as Desglose | null;
	// The pot's target was named at settlement and stays; a rifa settled before the rule has none.
	const desglose: Desglose = {
		...calculo.desglose,
		...(before && "acumula_a" in before ? { acumula_a: before.acumula_a ?? null } : {}),
		...(before?.promesa ? { promesa: before.promesa } : {}),
	};
	const reglasChanged = JSON.stringify(reglas) !== JSON.stringify(current);
	if (
		!reglasChanged &&
		JSON.stringify(before) === JSON.stringify(desglose) &&
		sameWinners(winners, anteriores)
	) {
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
			.set({ reglas, desglose, liquidacionId, actualizadoEn: at })
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
					reglas: current,
					desglose: before,
					ganadores: anteriores.map((g) => ({
						posicion: g.posicion,
						ticket_id: g.ticketId,
						monto: g.montoGanado,
					})),
				},
				after: {
					motivo: cambio.motivo,
					reglas,
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
	return { cambios: true };
};
