import { eq, or } from "drizzle-orm";
import type { Database } from "../../db/client";
import { type DispersionRow, dispersionesPremio } from "../../db/schema";
import { executionContext } from "../../lib/create-app";
import { ApiError, t } from "../../lib/errors";
import type { AppRouteHandler } from "../../lib/types";
import { despacharLuego } from "../../notificaciones/avisos";
import { aplicarEstado } from "../../payouts/dispersiones";
import { recordTransfer } from "../../payouts/payouts";
import { WompiPagos, wompiPagosConfig } from "../../payouts/wompi";
import { estadoEnWompi } from "../../payouts/wompi-provider";
import type { wompiPagosWebhook } from "./webhooks.routes";
import { eventoVerificado } from "./wompi-evento";

type Contexto = Parameters<AppRouteHandler<typeof wompiPagosWebhook>>[0];

const texto = (v: unknown) => (typeof v === "string" && v !== "" ? v : null);

/** What an event says, and whether the checksum binds its status to the row it names. */
interface Aviso {
	status: string;
	transaccionId: string | null;
	payoutId: string | null;
	referencia: string | null;
	motivo: string | null;
}

const buscar = async (db: Database, a: Aviso) => {
	const por = [
		a.transaccionId ? eq(dispersionesPremio.transaccionId, a.transaccionId) : undefined,
		a.payoutId ? eq(dispersionesPremio.payoutId, a.payoutId) : undefined,
		a.referencia ? eq(dispersionesPremio.id, a.referencia) : undefined,
	].filter((c) => c !== undefined);
	if (!por.length) return null;
	const [d] = await db
		.select()
		.from(dispersionesPremio)
		.where(or(...por))
		.limit(1);
	return d ?? null;
};

/**
 * Wompi's payouts events (`transaction.updated`, `payout.updated`), verified over the raw body with
 * the payouts events secret before anything is read from it. The checksum covers only the ids,
 * the status and the amount: when the dispersal was found by a field it does not cover (the
 * batch id of a dispersal event, the reference of a batch event), the status is read from Wompi's
 * API instead of taken from the event.
 */
export const wompiPagosWebhookHandler: AppRouteHandler<typeof wompiPagosWebhook> = async (c) => {
	const config = wompiPagosConfig(c.env);
	if (!config?.eventsSecret)
		throw new ApiError(
			"NOT_FOUND",
			t(
				"Los eventos de pagos a terceros de Wompi no están configurados.",
				"Wompi payouts events are not configured.",
			),
		);
	const evento = await eventoVerificado(
		await c.req.text(),
		c.req.header("x-event-checksum"),
		config.eventsSecret,
	);

	const cubiertas = new Set(evento.signature.properties);
	const data = evento.data as {
		transaction?: Record<string, unknown>;
		payout?: Record<string, unknown>;
	};
	let aviso: (Aviso & { ligaId: "transaccion" | "payout" }) | null = null;
	if (
		evento.event === "transaction.updated" &&
		data.transaction &&
		cubiertas.has("transaction.id") &&
		cubiertas.has("transaction.status")
	) {
		const tx = data.transaction;
		aviso = {
			status: String(tx.status ?? ""),
			transaccionId: texto(tx.id),
			payoutId: texto(tx.payoutId),
			referencia: texto(tx.reference),
			motivo: tx.failureReason ? JSON.stringify(tx.failureReason) : null,
			ligaId: "transaccion",
		};
	} else if (
		evento.event === "payout.updated" &&
		data.payout &&
		cubiertas.has("payout.id") &&
		cubiertas.has("payout.status")
	) {
		const p = data.payout;
		aviso = {
			status: String(p.status ?? ""),
			transaccionId: null,
			payoutId: texto(p.id),
			referencia: texto(p.reference),
			motivo: null,
			ligaId: "payout",
		};
	}
	const result = aviso ? await aplicar(c, aviso) : "ignored";
	c.var.logger.info("wompi payouts webhook", {
		event: evento.event,
		payout: aviso?.payoutId ?? null,
		transaction: aviso?.transaccionId ?? null,
		status: aviso?.status ?? null,
		result,
	});
	return c.json({ received: true as const, result }, 200);
};

const aplicar = async (c: Contexto, aviso: Aviso & { ligaId: "transaccion" | "payout" }) => {
	const db = c.var.db;
	const d = await buscar(db, aviso);
	if (!d) return "unknown";
	const ligada =
		aviso.ligaId === "transaccion"
			? d.transaccionId !== null && d.transaccionId === aviso.transaccionId
			: d.payoutId !== null && d.payoutId === aviso.payoutId;
	const payoutId = d.payoutId ?? (aviso.ligaId === "payout" ? aviso.payoutId : null);
	const estado = ligada ? aviso : await leer(c, d, payoutId);
	if (!estado) return "unknown";
	const { dispersion, cerrada } = await aplicarEstado(db, d, estado.status, {
		payoutId,
		transaccionId: estado.transaccionId,
		motivo: estado.motivo,
	});
	if (dispersion.estado === "pagada") {
		const result = await recordTransfer(
			c.env,
			db,
			dispersion.ganadorId,
			dispersion.payoutId ?? dispersion.id,
		);
		if (result === "pagado")
			await despacharLuego(c.env, db, executionContext(c), [
				`premio_pagado:${dispersion.ganadorId}`,
			]);
		return result;
	}
	// Once per dispersal: the queue makes the next attempt, and its retries end in the DLQ.
	if (cerrada && dispersion.estado === "fallida") {
		await c.env.PAYOUTS.send({ ganador_id: dispersion.ganadorId });
		return "fallida";
	}
	return dispersion.estado;
};

/** The dispersal's status from Wompi's API, when the event does not bind it to our row. */
const leer = async (c: Contexto, d: DispersionRow, payoutId: string | null) => {
	const config = wompiPagosConfig(c.env);
	if (!config || !payoutId) return null;
	return estadoEnWompi(new WompiPagos(config), { ...d, payoutId });
};
