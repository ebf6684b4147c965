import { and, asc, eq, inArray } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { Database } from "../db/client";
import { categorias, loterias, rifas, tickets, transacciones, users } from "../db/schema";
import { type CategoriaDinero, fondoDe, repartir } from "../domain/premios";
import { parseReglas, type Reglas } from "../domain/reglas";
import { conflict, forbidden, notFound, t } from "../lib/errors";
import { formatBps, formatCop, numeroDeRifa } from "../lib/format";
import type { AuthUser } from "../lib/types";
import { fechaColombiana } from "../notificaciones/plantillas";
import { roomFor } from "../rifa-room/rooms";
import { sha256Hex } from "../verificacion/merkle";
import type { Boleta, FormatoBoleta } from "./boleta-pdf";

const TICKET = t("La boleta", "The ticket");
const SOLD = ["vendido", "ganador"] as const;
const ORDINALS = ["1.er", "2.º", "3.er"];
/** Part of every ETag: a change of what a boleta prints (not of its data) changes it too. */
const LAYOUT = "boleta-1";

export interface PrintableBoletas {
	rifaId: string;
	/** The requested ticket's number as the rifa prints it. */
	numero: string;
	/** Sorted by number: the requested ticket alone (termica) or its whole purchase (a4). */
	boletas: Boleta[];
	/** When the requested ticket was sold: the PDF's date, so the same data renders the same. */
	soldAt: Date;
	etag: string;
}

/**
 * What the rifa promises each winning position, in words: the same money the rifa page shows
 * ("Qué se gana y cómo") and settlement pays, from the prize rules (`fondoDe`, `repartir`).
 */
export const prizeLines = (
	rifa: { totalBoletas: number; numeroGanadores: number; acumuladoAsignado: number },
	reglas: Reglas,
	categoria: CategoriaDinero,
): string[] => {
	const n = rifa.numeroGanadores;
	const pesos = reglas.reparto_bps ?? Array.from({ length: n }, () => 1);
	const label = (i: number) => (n === 1 ? "Premio" : `${ORDINALS[i] ?? `${i + 1}.º`} premio`);
	const input = { categoria, numeroGanadores: n, reglas };
	if (reglas.base_premio === "fijo") {
		// premiosIssues keeps one of them on every fijo rifa that sells; should that ever break, the
		// boleta prints without an amount rather than not at all.
		if (categoria.fondoPremios === null && categoria.premioPorGanador === null)
			return ["Premio: —"];
		const { fondo } = fondoDe(input, 0);
		return repartir(fondo + rifa.acumuladoAsignado, pesos).map(
			(monto, i) => `${label(i)}: ${formatCop(monto)}`,
		);
	}
	const lleno =
		fondoDe(input, categoria.valorBoleta * rifa.totalBoletas).fondo + rifa.acumuladoAsignado;
	const fondo = `lo vendido menos ${formatBps(categoria.rakeBps)} para la casa${
		rifa.acumuladoAsignado ? `, más ${formatCop(rifa.acumuladoAsignado)} acumulados` : ""
	}; hasta ${formatCop(lleno)} si se venden todos los números`;
	if (n === 1) return [`Premio: ${fondo}`];
	const suma = pesos.reduce((a, p) => a + p, 0);
	return [
		...pesos.map((p, i) => `${label(i)}: ${formatBps(Math.round((p * 10_000) / suma))} del fondo`),
		`Fondo: ${fondo}`,
	];
};

const buyer = alias(users, "comprador");
const creator = alias(users, "operador");

const loadTicket = (db: Database, ticketId: string) =>
	db
		.select({
			ticket: tickets,
			rifa: rifas,
			loteria: loterias.nombre,
			categoria: categorias,
			vendedorId: transacciones.vendedorId,
			comprador: buyer.nombre,
			operador: creator.nombre,
		})
		.from(tickets)
		.innerJoin(rifas, eq(rifas.id, tickets.rifaId))
		.innerJoin(loterias, eq(loterias.id, rifas.loteriaId))
		.innerJoin(categorias, eq(categorias.id, rifas.categoriaId))
		.leftJoin(transacciones, eq(transacciones.id, tickets.transaccionId))
		.leftJoin(buyer, eq(buyer.id, tickets.usuarioId))
		.leftJoin(creator, eq(creator.id, rifas.creadoPor))
		.where(eq(tickets.id, ticketId));

type TicketRow = typeof tickets.$inferSelect;

/**
 * The boletas to print for a ticket: only a sold one has a boleta, and only its buyer, the staff
 * who sold it, the rifa's operador and admins may print it (404, 403, then 409, so a stranger
 * learns nothing of its state). A4 holds the ticket's whole purchase, each number with its receipt.
 */
export const printableBoletas = async (
	env: Env,
	db: Database,
	me: AuthUser,
	ticketId: string,
	formato: FormatoBoleta,
): Promise<PrintableBoletas> => {
	const [row] = await loadTicket(db, ticketId);
	if (!row) throw notFound(TICKET);
	const { ticket, rifa, categoria } = row;
	const allowed =
		me.rol === "admin" ||
		ticket.usuarioId === me.id ||
		row.vendedorId === me.id ||
		(me.rol === "operador" && rifa.creadoPor === me.id);
	if (!allowed) {
		throw forbidden(
			t(
				"Solo el comprador de la boleta, quien la vendió, el operador de la rifa o un admin la imprimen.",
				"Only the ticket's buyer, whoever sold it, the rifa's operador or an admin can print it.",
			),
		);
	}
	const numero = numeroDeRifa(ticket.numero, rifa.totalBoletas);
	if (!(SOLD as readonly string[]).includes(ticket.estado)) {
		throw conflict(
			t(
				`El número ${numero} está ${ticket.estado}, no vendido: solo una boleta vendida se imprime.`,
				`Number ${numero} is ${ticket.estado}, not sold: only a sold ticket can be printed.`,
			),
		);
	}
	const purchase: TicketRow[] =
		formato === "a4" && ticket.transaccionId
			? await db
					.select()
					.from(tickets)
					.where(
						and(
							eq(tickets.transaccionId, ticket.transaccionId),
							inArray(tickets.estado, [...SOLD]),
						),
					)
					.orderBy(asc(tickets.numero))
			: [ticket];

	const premios = prizeLines(rifa, parseReglas(rifa.reglas), {
		valorBoleta: categoria.valorBoleta,
		rakeBps: categoria.rakeBps,
		fondoPremios: categoria.fondoPremios,
		premioPorGanador: categoria.premioPorGanador,
	});
	const sorteo = fechaColombiana(rifa.fechaSorteo, "es");
	const room = roomFor(env, rifa.id);
	const boletas = await Promise.all(
		purchase.map(async (tk): Promise<Boleta> => {
			// D1 copies the receipt from the room's ledger; until it has, the room is asked.
			const jws = tk.recibo ?? (await room.recibo(tk.id));
			return {
				ticketId: tk.id,
				rifa: rifa.nombre,
				numero: numeroDeRifa(tk.numero, rifa.totalBoletas),
				valor: formatCop(tk.precio),
				premios,
				loteria: row.loteria,
				sorteo,
				operador: row.operador ?? "—",
				comprador: row.comprador ?? "—",
				recibo: jws ? (await sha256Hex(jws)).slice(0, 12) : null,
				verificar: jws ? new URL(`/verificar#recibo=${jws}`, env.APP_URL).toString() : null,
			};
		}),
	);
	const soldAt = new Date(ticket.compradoEn ?? ticket.creadoEn);
	const hash = await sha256Hex(
		JSON.stringify({ v: LAYOUT, formato, boletas, soldAt: soldAt.toISOString() }),
	);
	return { rifaId: rifa.id, numero, boletas, soldAt, etag: `W/"${hash.slice(0, 32)}"` };
};
