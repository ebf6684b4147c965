import { eq } from "drizzle-orm";
import { createDb } from "../db/client";
import { ganadores } from "../db/schema";
import { createLogger, errorFields } from "../lib/logger";
import { alerta, avisoInsert, despacharLuego } from "../notificaciones/avisos";
import { type PayoutMessage, processPayout } from "./payouts";

/**
 * Each message is acked or retried on its own, with backoff; after the last retry it goes to the DLQ.
 * Returns how many were acked and which were retried, for the batch's log line.
 */
export const consumePayouts = async (batch: MessageBatch<PayoutMessage>, env: Env) => {
	const db = createDb(env.DB);
	const log = createLogger(env);
	let acks = 0;
	const retries: { ganador_id: string | undefined; attempt: number; error: string }[] = [];
	for (const msg of batch.messages) {
		try {
			const result = await processPayout(env, db, msg.body);
			if (result === "pagado")
				await despacharLuego(env, db, undefined, [`premio_pagado:${msg.body.ganador_id}`]);
			log.info("payout", { ganador_id: msg.body.ganador_id, result });
			msg.ack();
			acks++;
		} catch (err) {
			const failure = {
				ganador_id: msg.body?.ganador_id,
				attempt: msg.attempts,
				error: err instanceof Error ? err.message : String(err),
			};
			log.error("payout failed; will retry", failure);
			msg.retry({ delaySeconds: Math.min(60 * 2 ** msg.attempts, 3600) });
			retries.push(failure);
		}
	}
	return { acks, retries };
};

/**
 * A payout that ran out of retries: the prize stays `pendiente` (an admin pays it by hand) and
 * every admin is alerted once per ganador. Acked once the alert is recorded.
 */
export const consumeDeadPayouts = async (batch: MessageBatch<PayoutMessage>, env: Env) => {
	const db = createDb(env.DB);
	const log = createLogger(env);
	let alertas = 0;
	for (const msg of batch.messages) {
		const ganadorId = msg.body?.ganador_id;
		if (typeof ganadorId !== "string") {
			msg.ack();
			continue;
		}
		try {
			const [g] = await db
				.select({
					rifaId: ganadores.rifaId,
					monto: ganadores.montoGanado,
					estado: ganadores.estadoPago,
				})
				.from(ganadores)
				.where(eq(ganadores.id, ganadorId));
			if (g?.estado === "pagado") {
				// Paid by hand meanwhile: nothing for anyone to do.
				msg.ack();
				continue;
			}
			const aviso = alerta(
				ganadorId,
				{ clase: "pago_en_dlq", detalle: { ganador_id: ganadorId, monto: g?.monto ?? null } },
				g?.rifaId ?? null,
			);
			await avisoInsert(db, aviso);
			await despacharLuego(env, db, undefined, [aviso.id]);
			log.error("payout ran out of retries; pay it by hand", { ganador_id: ganadorId });
			alertas++;
			msg.ack();
		} catch (err) {
			log.error("dead-lettered payout not recorded; will retry", { error: errorFields(err) });
			msg.retry({ delaySeconds: 60 });
		}
	}
	return { alertas };
};
