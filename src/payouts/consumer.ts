import { eq } from "drizzle-orm";
import { createDb } from "../db/client";
import { ganadores } from "../db/schema";
import { createLogger, errorFields } from "../lib/logger";
import { alerta, avisoInsert, despacharLuego } from "../notificaciones/avisos";
import { abierta, ultimaDispersion } from "./dispersiones";
import { type PayoutMessage, processPayout } from "./payouts";

/** Seconds until a payout still under way at the provider is asked about again (30 s … 4 min). */
export const pollDelay = (attempts: number) => Math.min(30 * 2 ** Math.max(attempts - 1, 0), 240);

/**
 * Deliveries that poll a payout still under way before the message is acked and the cron's
 * backstop (every 5 minutes) takes over: a slow payout is not a failure, and must not reach the
 * dead-letter queue, whose alert tells an admin to pay by hand.
 */
const POLL_ATTEMPTS = 4;

/**
 * Each message is acked or retried on its own, with backoff; after the last retry it goes to the DLQ.
 * A payout the provider has not finished is retried too, sooner: that is how it is polled (an
 * event from the provider may settle it first), a few times before the backstop takes over.
 * Returns how many were acked, polled and retried, for the batch's log line.
 */
export const consumePayouts = async (batch: MessageBatch<PayoutMessage>, env: Env) => {
	const db = createDb(env.DB);
	const log = createLogger(env);
	let acks = 0;
	let polls = 0;
	const retries: { ganador_id: string | undefined; attempt: number; error: string }[] = [];
	for (const msg of batch.messages) {
		try {
			const result = await processPayout(env, db, msg.body);
			if (result === "esperando" && msg.attempts < POLL_ATTEMPTS) {
				log.info("payout under way; polling", { ganador_id: msg.body.ganador_id });
				msg.retry({ delaySeconds: pollDelay(msg.attempts) });
				polls++;
				continue;
			}
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
	return { acks, polls, retries };
};

/**
 * A payout that ran out of retries: the prize stays `pendiente` (an admin pays it by hand) and
 * every admin is alerted once per ganador. Acked once the alert is recorded. When a Wompi
 * dispersal of it may still pay, the alert says so: a manual payment is refused until it ends.
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
			const ultima = g ? await ultimaDispersion(db, ganadorId) : null;
			const dispersion = ultima
				? {
						dispersion: ultima.id,
						dispersion_estado: ultima.estado,
						dispersion_motivo: ultima.motivo ?? ultima.estadoProveedor,
						...(abierta(ultima) ? { en_curso_en_wompi: ultima.payoutId ?? ultima.id } : {}),
					}
				: {};
			const aviso = alerta(
				ganadorId,
				{
					clase: "pago_en_dlq",
					detalle: { ganador_id: ganadorId, monto: g?.monto ?? null, ...dispersion },
				},
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
