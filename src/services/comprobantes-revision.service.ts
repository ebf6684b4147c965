import { and, eq, type SQL } from "drizzle-orm";
import { comprobantes } from "../db/schema";
import { conflict, forbidden, t } from "../lib/errors";
import { nowIso } from "../lib/time";
import type { MensajeDe } from "../notificaciones/tipos";
import type { ProviderEvent } from "../rifa-room/room.types";
import { roomFor } from "../rifa-room/rooms";
import { auditInsertIf } from "./audit";
import {
	type Actor,
	canReview,
	type Detailed,
	findDetailed,
	toComprobanteDto,
} from "./comprobantes.service";

/**
 * A proof's review: the rifa's operador (or an admin) checked the transfer in the bank and
 * approves it, and the rifa's room sells the numbers, or rejects it, and the room releases them.
 */

type Decision = { estado: "aprobado" } | { estado: "rechazado"; motivo: string };

/**
 * Records the review once: the UPDATE and its audit entry apply only while the proof is pending,
 * so of two reviewers at once one decides and the other reads the decision. The same decision
 * again is no error; the opposite one is a 409.
 */
const decide = async (actor: Actor, id: string, decision: Decision) => {
	const { db, me } = actor;
	const before = await findDetailed(db, id);
	if (!canReview(me, { creadoPor: before.rifaCreadoPor }))
		throw forbidden(
			t(
				"Solo el operador de la rifa o un admin revisa sus comprobantes.",
				"Only the rifa's operador or an admin reviews its proofs.",
			),
		);
	if (before.c.estado === "pendiente") {
		const now = nowIso();
		const pending = and(eq(comprobantes.id, id), eq(comprobantes.estado, "pendiente")) as SQL;
		const motivo = decision.estado === "rechazado" ? decision.motivo : null;
		await db.batch([
			auditInsertIf(
				db,
				{
					actorId: me.id,
					action: `comprobante.${decision.estado}`,
					entity: "comprobante",
					entityId: id,
					before: { estado: "pendiente" },
					after: {
						estado: decision.estado,
						transaccion_id: before.c.transaccionId,
						monto: before.c.monto,
						monto_transaccion: before.montoTransaccion,
						referencia: before.c.referencia,
						banco: before.c.banco,
						...(motivo ? { motivo } : {}),
					},
					requestId: actor.requestId ?? null,
				},
				comprobantes,
				pending,
			),
			db
				.update(comprobantes)
				.set({
					estado: decision.estado,
					motivo,
					revisadoPor: me.id,
					revisadoEn: now,
					actualizadoEn: now,
				})
				.where(pending),
		]);
	}
	const after = before.c.estado === "pendiente" ? await findDetailed(db, id) : before;
	if (after.c.estado !== decision.estado)
		throw conflict(
			after.c.estado === "aprobado"
				? t("El comprobante ya fue aprobado.", "The proof was already approved.")
				: t("El comprobante ya fue rechazado.", "The proof was already rejected."),
		);
	return after;
};

const eventOf = (row: Detailed, decision: Decision["estado"]): ProviderEvent => ({
	id: `comprobante:${row.c.id}:${decision}`,
	type: `comprobante.${decision}`,
	providerRef: `transferencia_${row.c.transaccionId}`,
	transaccionId: row.c.transaccionId,
	...(decision === "aprobado" ? { amount: row.montoTransaccion, currency: "COP" } : {}),
});

/**
 * The reviewer saw the money in the bank: the room sells the numbers (or, if the hold ended
 * meanwhile, takes them back if still free, else the money is owed back). A repeat, or a retry
 * after a failure, sends the same event, which the room applies once.
 */
export const approveComprobante = async (actor: Actor, id: string) => {
	const row = await decide(actor, id, { estado: "aprobado" });
	const room = roomFor(actor.env, row.c.rifaId);
	await room.paymentSucceeded(eventOf(row, "aprobado"));
	const tx = await room.transaccion(row.c.transaccionId);
	return { ...toComprobanteDto(row), transaccion_status: tx?.status ?? null };
};

/**
 * The transfer is not in the bank (or not as the proof says): the room releases the numbers and
 * the buyer is told they went back on sale, by the message a hold's end sends (one per purchase,
 * so a repeat sends nothing); the reason is on the proof.
 */
export const rejectComprobante = async (actor: Actor, id: string, motivo: string) => {
	const row = await decide(actor, id, { estado: "rechazado", motivo });
	const room = roomFor(actor.env, row.c.rifaId);
	await room.paymentFailed(eventOf(row, "rechazado"));
	const tx = await room.transaccion(row.c.transaccionId);
	if (tx?.status === "failed") {
		const aviso: MensajeDe<"reserva_expirada"> = {
			evento: `reserva_expirada:${tx.id}`,
			tipo: "reserva_expirada",
			usuario_id: tx.userId,
			rifa_id: row.c.rifaId,
			datos: {
				transaccion_id: tx.id,
				numeros: tx.numeros.map((n) => n.numero).sort((a, b) => a - b),
				motivo,
			},
		};
		await actor.env.NOTIFICACIONES.send(aviso, { contentType: "json" });
	}
	return { ...toComprobanteDto(row), transaccion_status: tx?.status ?? null };
};
