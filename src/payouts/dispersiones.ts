import { and, desc, eq, inArray, ne, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import {
	type CuentaCobroTipo,
	cuentasCobro,
	DISPERSION_ABIERTA,
	type DispersionRow,
	dispersionesPremio,
	users,
} from "../db/schema";
import { nowIso } from "../lib/time";
import type { PayoutOutcome } from "./types";
import type { VersionPagos } from "./wompi";

/**
 * Failed dispersals to one confirmed destination before the queue stops trying: the message then
 * ends in the dead-letter queue, and the prize waits for the winner to register another
 * destination or for an admin.
 */
export const MAX_FALLIDAS = 3;

/** The batch reference and idempotency key of a prize's n-th attempt (≤ 40 characters). */
export const referenciaIntento = (ganadorId: string, intento: number) =>
	intento === 1 ? ganadorId : `${ganadorId}-${intento}`;

export const versionDe = (tipo: CuentaCobroTipo): VersionPagos => (tipo === "breb" ? "v2" : "v1");

// One dispersal per batch, so a batch status and its dispersal's status say the same thing.
const PAGADA = new Set(["APPROVED", "TOTAL_PAYMENT"]);
const FALLIDA = new Set(["FAILED", "REJECTED", "CANCELLED", "NOT_APPROVED", "AFE_REJECTED"]);

/** What a Wompi status (batch or dispersal) means for the prize; null while it can still go either way. */
export const desenlace = (status: string): "pagada" | "fallida" | null =>
	PAGADA.has(status) ? "pagada" : FALLIDA.has(status) ? "fallida" : null;

export const abierta = (d: Pick<DispersionRow, "estado">) =>
	(DISPERSION_ABIERTA as readonly string[]).includes(d.estado);

/** The outcome for the prize of a dispersal as it stands. */
export const outcomeDe = (d: DispersionRow): PayoutOutcome => {
	const referencia = d.payoutId ?? d.id;
	if (d.estado === "pagada") return { referencia };
	if (d.estado === "fallida")
		return { referencia, estado: "fallido", motivo: d.motivo ?? d.estadoProveedor ?? "fallida" };
	return { referencia, estado: "en_curso" };
};

export const ultimaDispersion = async (db: Database, ganadorId: string) => {
	const [d] = await db
		.select()
		.from(dispersionesPremio)
		.where(eq(dispersionesPremio.ganadorId, ganadorId))
		.orderBy(desc(dispersionesPremio.intento))
		.limit(1);
	return d ?? null;
};

/**
 * Applies a status Wompi gave for dispersal `d`, by polling or by event. A final status takes
 * effect once: `pagada` from any other state (money that went out is recorded even after a failure
 * was reported), `fallida` only from an open one. Returns the dispersal as it now stands and
 * whether this call closed it.
 */
export const aplicarEstado = async (
	db: Database,
	d: DispersionRow,
	status: string,
	campos: {
		payoutId?: string | null;
		transaccionId?: string | null;
		motivo?: string | null;
		/** What to keep as Wompi's status when it is not `status` (an error code). */
		estadoProveedor?: string;
	} = {},
): Promise<{ dispersion: DispersionRow; cerrada: boolean }> => {
	const fin = desenlace(status);
	const ids = {
		...(campos.payoutId ? { payoutId: campos.payoutId } : {}),
		...(campos.transaccionId ? { transaccionId: campos.transaccionId } : {}),
	};
	const actualizadas = await db
		.update(dispersionesPremio)
		.set({
			...ids,
			estado: fin ?? "en_curso",
			estadoProveedor: campos.estadoProveedor ?? status,
			...(fin === "fallida" ? { motivo: campos.motivo ?? status } : {}),
			actualizadoEn: nowIso(),
		})
		.where(
			and(
				eq(dispersionesPremio.id, d.id),
				fin === "pagada"
					? ne(dispersionesPremio.estado, "pagada")
					: inArray(dispersionesPremio.estado, DISPERSION_ABIERTA),
			),
		)
		.returning();
	const [ahora] = actualizadas.length
		? actualizadas
		: await db.select().from(dispersionesPremio).where(eq(dispersionesPremio.id, d.id));
	return { dispersion: ahora ?? d, cerrada: fin !== null && actualizadas.length > 0 };
};

/** A winner's confirmed destination, with the name and email Wompi's dispersal needs. */
export const destinoConfirmado = async (db: Database, usuarioId: string | null) => {
	if (!usuarioId) return null;
	const [row] = await db
		.select({ cuenta: cuentasCobro, nombre: users.nombre, email: users.email })
		.from(cuentasCobro)
		.innerJoin(users, eq(users.id, cuentasCobro.usuarioId))
		.where(and(eq(cuentasCobro.usuarioId, usuarioId), eq(cuentasCobro.estado, "confirmada")));
	return row ?? null;
};

export type Destino = NonNullable<Awaited<ReturnType<typeof destinoConfirmado>>>;

/** Failed dispersals of this prize since its winner confirmed the destination they go to. */
export const fallidasDesde = async (db: Database, ganadorId: string, desde: string) => {
	const [row] = await db
		.select({ n: sql<number>`count(*)` })
		.from(dispersionesPremio)
		.where(
			and(
				eq(dispersionesPremio.ganadorId, ganadorId),
				eq(dispersionesPremio.estado, "fallida"),
				sql`${dispersionesPremio.creadoEn} >= ${desde}`,
			),
		);
	return row?.n ?? 0;
};

// Raw, qualified outer references: inside the subqueries an unqualified `id` would name the
// dispersal's own column.
const abiertaDe = sql.raw(
	`EXISTS (SELECT 1 FROM dispersiones_premio d WHERE d.ganador_id = "ganadores"."id" AND d.estado IN ('creando', 'en_curso'))`,
);

/** For a condition on `ganadores`: no dispersal of the prize may still pay. */
export const sinDispersionAbierta = sql`NOT ${abiertaDe}`;

/**
 * For a condition on `ganadores` joined to `users` (the scheduler's backstop): a prize worth
 * sending again to the queue under `PAYOUTS_PROVIDER=wompi`, because a dispersal of it is still
 * open, or its winner confirmed a destination that has not yet failed MAX_FALLIDAS times.
 */
export const reenviableWompi = sql`(${abiertaDe} OR EXISTS (SELECT 1 FROM cuentas_cobro c WHERE c.usuario_id = "users"."id" AND c.estado = 'confirmada' AND (SELECT count(*) FROM dispersiones_premio d WHERE d.ganador_id = "ganadores"."id" AND d.estado = 'fallida' AND d.creado_en >= c.confirmada_en) < ${sql.raw(String(MAX_FALLIDAS))}))`;

/**
 * For a condition on `cuentas_cobro`: a pending prize of its user has a dispersal that may still
 * pay, so the destination must not change.
 */
export const pagoEnCurso = sql.raw(
	`EXISTS (SELECT 1 FROM dispersiones_premio d INNER JOIN ganadores g ON g.id = d.ganador_id INNER JOIN tickets t ON t.id = g.ticket_id WHERE t.usuario_id = "cuentas_cobro"."usuario_id" AND d.estado IN ('creando', 'en_curso'))`,
);
