import { and, eq, inArray } from "drizzle-orm";
import type { Database } from "../db/client";
import { tickets } from "../db/schema";
import { calcularPremios, type Desglose, entradaDe, type Resultado } from "../domain/premios";
import { alerta, avisoInsert, despacharLuego } from "../notificaciones/avisos";
import { firmante } from "../recibos/claves";
import { roomFor } from "../rifa-room/rooms";
import { payloadSinVerificar } from "../verificacion/firma";
import { esSello } from "../verificacion/guardas";
import type { Definicion } from "../verificacion/tipos";

/**
 * What a rifa's seal fixed, for settlement and recalculation: the tickets of a ledger sealed
 * before anyone could know the result, and the definition (rules, price, money promise) they were
 * sold under. Both pay only what the seal holds, by the rules it holds.
 */

export type Problema = { outcome: "reintentar" | "error"; detail: string };

/** The category's money promise as the seal fixed it, kept in the breakdown. */
export const promesaSellada = (d: Definicion): NonNullable<Desglose["promesa"]> => ({
	valor_boleta: d.valor_boleta,
	rake_bps: d.promesa.rake_bps,
	fondo_premios: d.promesa.fondo_premios,
	premio_por_ganador: d.promesa.premio_por_ganador,
});

/**
 * The sealed definition, once the seal is known to precede the draw (the sealed instant and the
 * one it follows if its loteria moved it) and the first observation of its result. No seal, no
 * settlement: a deployment without its signing key settles nothing, and says so, rather than pay
 * from an unsealed ledger.
 */
export const selloDe = async (
	env: Env,
	rifa: { id: string; fechaSorteo: string },
	primeraObservacion: string | null,
): Promise<{ definicion: Definicion } | Problema> => {
	if (!(await firmante(env)))
		return {
			outcome: "error",
			detail: "RECIBOS_CLAVE_PRIVADA is not set: the ledger cannot be sealed",
		};
	const sello = await roomFor(env, rifa.id).sello();
	if (!sello) return { outcome: "reintentar", detail: "the rifa's ledger is not sealed yet" };
	const payload = payloadSinVerificar(sello.sello);
	if (!esSello(payload))
		return {
			outcome: "error",
			detail: "the rifa's seal does not name its definition (sealed before seals did)",
		};
	const limite = [primeraObservacion, payload.fecha_sorteo, rifa.fechaSorteo]
		.filter((x): x is string => x !== null)
		.sort()[0] as string;
	if (sello.sellado_en >= limite) {
		return {
			outcome: "error",
			detail: `the ledger was sealed at ${sello.sellado_en}, not before the draw (${payload.fecha_sorteo}) and its first result observation`,
		};
	}
	return { definicion: payload.definicion };
};

/**
 * The winners under the sealed definition, from the tickets the seal covers. D1 must show the very
 * same sold tickets: one the seal does not hold (sold after it, or written by another path) stops
 * the settlement and alerts the admins, instead of being paid or silently dropped.
 */
export const premiosSellados = async (
	env: Env,
	db: Database,
	rifaId: string,
	definicion: Definicion,
	resultado: Resultado,
	acumuladoRecibido: number,
): Promise<ReturnType<typeof calcularPremios> | Problema> => {
	const vendidos = await roomFor(env, rifaId).soldTickets();
	const enD1 = await db
		.select({ id: tickets.id })
		.from(tickets)
		.where(and(eq(tickets.rifaId, rifaId), inArray(tickets.estado, ["vendido", "ganador"])));
	const sellados = new Set(vendidos.map((v) => v.ticketId));
	const fuera = enD1.filter((t) => !sellados.has(t.id)).map((t) => t.id);
	if (fuera.length || enD1.length !== sellados.size) {
		const aviso = alerta(
			rifaId,
			{
				clase: "sello_no_coincide",
				detalle: { rifa_id: rifaId, fuera_del_sello: fuera.length, en_el_sello: sellados.size },
			},
			rifaId,
		);
		await avisoInsert(db, aviso);
		await despacharLuego(env, db, undefined, [aviso.id]);
		return {
			outcome: "error",
			detail: `D1 holds ${enD1.length} sold tickets and the seal ${sellados.size}; outside the seal: ${fuera.slice(0, 5).join(", ") || "none"}`,
		};
	}
	return calcularPremios({ ...entradaDe(definicion, resultado, acumuladoRecibido), vendidos });
};
