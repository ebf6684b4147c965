import { and, eq, inArray, type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { categorias, ganadores, loterias, resultados, rifas, tickets } from "../db/schema";
import { calcularPremios } from "../domain/premios";
import { parseReglas } from "../domain/reglas";
import { resultsAdapter } from "../integrations/loterias";
import { configFromRow } from "../rifa-room/rifa-room";
import { roomFor } from "../rifa-room/rooms";
import { auditInsertIf } from "./audit";

export type SettlementOutcome =
	| "resuelta"
	| "ya_resuelta"
	| "no_cerrada"
	| "sorteo_pendiente"
	| "resultado_pendiente"
	| "reintentar";

const COLOMBIA_OFFSET_MS = 5 * 3600_000;

/** The draw's calendar day in Colombia (UTC−5), which is how lotteries date their results. */
export const fechaSorteoColombia = (fechaSorteo: string) =>
	new Date(new Date(fechaSorteo).getTime() - COLOMBIA_OFFSET_MS).toISOString().slice(0, 10);

/**
 * Settles a closed rifa whose draw has happened: fetches the loteria's result, computes the prizes,
 * and in one D1 batch writes the result, the winners, the `ganador` tickets, the category's
 * rollover and the audit entry. The batch's first statement claims the rifa with a fresh
 * settlement id, on condition that it is still `cerrada` and the category's rollover is the one
 * read; every later statement applies only under that id. A repeated, overlapping or late run
 * therefore changes nothing twice, and two rifas of one category never spend one rollover.
 */
export const settleRifa = async (
	env: Env,
	db: Database,
	rifaId: string,
	now: Date,
	actorId: string | null,
): Promise<SettlementOutcome> => {
	const [row] = await db
		.select({ rifa: rifas, categoria: categorias, loteria: loterias })
		.from(rifas)
		.innerJoin(categorias, eq(categorias.id, rifas.categoriaId))
		.innerJoin(loterias, eq(loterias.id, rifas.loteriaId))
		.where(eq(rifas.id, rifaId));
	if (!row) return "no_cerrada";
	const { rifa, categoria, loteria } = row;
	if (rifa.estado === "resuelta") return "ya_resuelta";
	if (rifa.estado !== "cerrada") return "no_cerrada";
	if (new Date(rifa.fechaSorteo) > now) return "sorteo_pendiente";

	const meta = loteria.meta as { adapter?: string; slug?: string };
	const fecha = fechaSorteoColombia(rifa.fechaSorteo);
	const [pushed] = await db
		.select()
		.from(resultados)
		.where(and(eq(resultados.loteriaId, loteria.id), eq(resultados.fecha, fecha)));
	const resultado = pushed
		? {
				numero: pushed.numero,
				serie: pushed.serie,
				numbers: [pushed.numero],
				fecha,
				fuente: pushed.fuente,
			}
		: await resultsAdapter(meta.adapter ?? "mock", env).getResult(
				{
					id: loteria.id,
					nombre: loteria.nombre,
					horaSorteo: loteria.horaSorteo,
					meta: { adapter: meta.adapter ?? "mock", slug: meta.slug },
				},
				fecha,
			);
	if (!resultado) return "resultado_pendiente";

	const vendidos = await roomFor(env, rifa.id).soldTickets();
	const reglas = parseReglas(rifa.reglas);
	const { ganadores: winners, desglose } = calcularPremios({
		totalBoletas: rifa.totalBoletas,
		numeroGanadores: rifa.numeroGanadores,
		reglas,
		categoria: {
			valorBoleta: categoria.valorBoleta,
			rakeBps: categoria.rakeBps,
			fondoPremios: categoria.fondoPremios,
			premioPorGanador: categoria.premioPorGanador,
		},
		vendidos,
		resultado,
		acumuladoRecibido: categoria.acumulado,
	});

	const liquidacionId = crypto.randomUUID();
	const at = now.toISOString();
	const mine: SQL = sql`EXISTS (SELECT 1 FROM rifas WHERE id = ${rifa.id} AND liquidacion_id = ${liquidacionId})`;
	const winnerTickets = [...new Set(winners.map((g) => g.ticketId))];
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
				acumuladoRecibido: categoria.acumulado,
				liquidacionId,
				resueltaEn: at,
				actualizadoEn: at,
			})
			.where(
				and(
					eq(rifas.id, rifa.id),
					eq(rifas.estado, "cerrada"),
					sql`(SELECT acumulado FROM categoria_rifa WHERE id = ${categoria.id}) = ${categoria.acumulado}`,
				),
			),
		db
			.update(categorias)
			.set({ acumulado: desglose.acumula, actualizadoEn: at })
			.where(and(eq(categorias.id, categoria.id), mine)),
		...winners.map((g, i) =>
			db.insert(ganadores).select(
				db
					.select({
						id: sql`${ganadorIds[i]}`.as("id"),
						rifaId: sql`${rifa.id}`.as("rifa_id"),
						ticketId: sql`${g.ticketId}`.as("ticket_id"),
						posicion: sql`${g.posicion}`.as("posicion"),
						fuente: sql`${g.fuente}`.as("fuente"),
						numeroGanador: sql`${g.numeroGanador}`.as("numero_ganador"),
						porCercania: sql`${g.porCercania ? 1 : 0}`.as("por_cercania"),
						montoGanado: sql`${g.monto}`.as("monto_ganado"),
						estadoPago: sql`'pendiente'`.as("estado_pago"),
						fechaPago: sql`NULL`.as("fecha_pago"),
						referenciaPago: sql`NULL`.as("referencia_pago"),
						creadoEn: sql`${at}`.as("creado_en"),
					})
					.from(rifas)
					.where(and(eq(rifas.id, rifa.id), eq(rifas.liquidacionId, liquidacionId))),
			),
		),
		...(winnerTickets.length
			? [
					db
						.update(tickets)
						.set({ estado: "ganador", actualizadoEn: at })
						.where(and(eq(tickets.rifaId, rifa.id), inArray(tickets.id, winnerTickets), mine)),
				]
			: []),
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
		// Another run got there first, or the category's rollover moved: nothing of ours applied.
		return after?.estado === "resuelta" ? "ya_resuelta" : "reintentar";
	}
	if (ganadorIds.length) {
		// The consumer is idempotent per ganador, so a message sent twice pays once.
		await env.PAYOUTS.sendBatch(ganadorIds.map((id) => ({ body: { ganador_id: id } })));
	}
	const room = roomFor(env, rifa.id);
	await room.configure(configFromRow(after, categoria.valorBoleta));
	await room.announce({
		type: "resultado",
		resultado: { numero: resultado.numero, serie: resultado.serie, fecha: resultado.fecha },
		ganadores: winners.map((g) => ({ posicion: g.posicion, numero: g.numero, monto: g.monto })),
	});
	return "resuelta";
};
