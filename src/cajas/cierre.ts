import { and, count, eq, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { type CajaRow, cajaMovimientos, cajas } from "../db/schema";
import { ApiError, forbidden, notFound, t } from "../lib/errors";
import { nowIso } from "../lib/time";
import type { AuthUser } from "../lib/types";
import { auditInsertIf } from "../services/audit";
import { cuadreDe } from "./cuadre";

const CAJA = t("La caja", "The cash box");

/** Its seller, its operador and admins see a box. */
export const cajaVisible = async (db: Database, me: AuthUser, id: string): Promise<CajaRow> => {
	const caja = await db.query.cajas.findFirst({ where: eq(cajas.id, id) });
	if (!caja) throw notFound(CAJA);
	if (me.rol !== "admin" && caja.vendedorId !== me.id && caja.operadorId !== me.id)
		throw forbidden(t("Esa caja no es suya.", "That cash box is not yours."));
	return caja;
};

const releer = async (db: Database, id: string) =>
	(await db.query.cajas.findFirst({ where: eq(cajas.id, id) })) as CajaRow;

/**
 * The seller closes its box with what it counted. The box's figures are frozen in the same
 * statement that closes it, and only if no movement arrived since they were computed (a sale in
 * flight lands in the seller's next box instead). Repeating the same close is a no-op.
 */
export const cerrarCaja = async (
	db: Database,
	me: AuthUser,
	caja: CajaRow,
	contado: number,
	requestId: string,
): Promise<CajaRow> => {
	if (caja.vendedorId !== me.id)
		throw forbidden(t("Solo quien vende cierra su caja.", "Only its seller closes a cash box."));
	for (let intento = 0; intento < 5; intento++) {
		const actual = await releer(db, caja.id);
		if (actual.estado !== "abierta") {
			if (actual.contado === contado) return actual;
			throw new ApiError(
				"CONFLICT",
				t(
					`La caja ya se cerró con ${actual.contado} centavos contados; una corrección va como ajuste en la siguiente.`,
					`The box was already closed with ${actual.contado} centavos counted; a correction is an adjustment in the next one.`,
				),
			);
		}
		const [n] = await db
			.select({ n: count() })
			.from(cajaMovimientos)
			.where(eq(cajaMovimientos.cajaId, caja.id));
		const cuadre = await cuadreDe(db, actual);
		const ahora = nowIso();
		const sinCambios = and(
			eq(cajas.id, caja.id),
			eq(cajas.estado, "abierta"),
			sql`(SELECT count(*) FROM caja_movimientos WHERE caja_id = ${caja.id}) = ${n?.n ?? 0}`,
		);
		if (!sinCambios) throw new Error("unreachable");
		await db.batch([
			auditInsertIf(
				db,
				{
					actorId: me.id,
					action: "caja.cerrada",
					entity: "caja",
					entityId: caja.id,
					before: { estado: "abierta" },
					after: { estado: "cerrada", contado, ...cuadre, diferencia: contado - cuadre.a_entregar },
					requestId,
				},
				cajas,
				sinCambios,
			),
			db
				.update(cajas)
				.set({
					estado: "cerrada",
					contado,
					esperado: cuadre.a_entregar,
					comision: cuadre.comision,
					cerradaEn: ahora,
					actualizadoEn: ahora,
				})
				.where(sinCambios),
		]);
	}
	const final = await releer(db, caja.id);
	if (final.estado !== "abierta" && final.contado === contado) return final;
	throw new ApiError(
		"CONFLICT",
		t(
			"La caja recibe movimientos sin parar; intente de nuevo.",
			"The box keeps receiving movements; try again.",
		),
		{ headers: { "Retry-After": "1" } },
	);
};

/** The operador (or an admin) confirms it received what the seller handed over. */
export const confirmarCaja = async (
	db: Database,
	me: AuthUser,
	caja: CajaRow,
	requestId: string,
): Promise<CajaRow> => {
	if (me.rol !== "admin" && caja.operadorId !== me.id)
		throw forbidden(
			t(
				"Solo el operador del vendedor confirma su caja.",
				"Only the seller's operador confirms its box.",
			),
		);
	if (caja.estado === "confirmada") return caja;
	if (caja.estado === "abierta")
		throw new ApiError(
			"CONFLICT",
			t(
				"La caja sigue abierta: el vendedor la cierra primero.",
				"The box is still open: its seller closes it first.",
			),
		);
	const ahora = nowIso();
	const cerrada = and(eq(cajas.id, caja.id), eq(cajas.estado, "cerrada"));
	if (!cerrada) throw new Error("unreachable");
	await db.batch([
		auditInsertIf(
			db,
			{
				actorId: me.id,
				action: "caja.confirmada",
				entity: "caja",
				entityId: caja.id,
				before: { estado: "cerrada" },
				after: { estado: "confirmada" },
				requestId,
			},
			cajas,
			cerrada,
		),
		db
			.update(cajas)
			.set({
				estado: "confirmada",
				confirmadaEn: ahora,
				confirmadaPor: me.id,
				actualizadoEn: ahora,
			})
			.where(cerrada),
	]);
	return releer(db, caja.id);
};
