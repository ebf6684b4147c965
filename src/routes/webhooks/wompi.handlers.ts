import { and, eq, or } from "drizzle-orm";
import { transacciones } from "../../db/schema";
import { ApiError, t } from "../../lib/errors";
import type { AppRouteHandler } from "../../lib/types";
import { wompiConfig } from "../../payments/wompi/cliente";
import { compraDeReferencia } from "../../rifa-room/abonos-en-linea";
import { eventoPago } from "../../rifa-room/consultas";
import type { ProviderEvent } from "../../rifa-room/room.types";
import { abonosDe, roomFor } from "../../rifa-room/rooms";
import type { wompiWebhook } from "./webhooks.routes";
import { eventoVerificado } from "./wompi-evento";

const FALLIDOS = new Set(["DECLINED", "ERROR", "VOIDED"]);

/**
 * Wompi's `transaction.updated`, verified over the raw body before anything is read from it. The
 * purchase is found by our reference (the transaccion id) in D1; the rifa's room decides, under the
 * id `wompi:<transaction>:<status>` that polling uses too, so each status takes effect once.
 */
export const wompiWebhookHandler: AppRouteHandler<typeof wompiWebhook> = async (c) => {
	const config = wompiConfig(c.env);
	if (!config?.eventsSecret)
		throw new ApiError(
			"NOT_FOUND",
			t("Los eventos de Wompi no están configurados.", "Wompi events are not configured."),
		);
	const evento = await eventoVerificado(
		await c.req.text(),
		c.req.header("x-event-checksum"),
		config.eventsSecret,
	);
	// The checksum must cover what we act on, whatever properties Wompi chose to list.
	const cubiertas = new Set(evento.signature.properties);
	const tx = (evento.data as { transaction?: Record<string, unknown> }).transaction;
	let result: string = "ignored";
	if (
		evento.event === "transaction.updated" &&
		tx &&
		["transaction.id", "transaction.status", "transaction.amount_in_cents"].every((p) =>
			cubiertas.has(p),
		)
	) {
		result = await aplicar(c, {
			id: String(tx.id ?? ""),
			status: String(tx.status ?? ""),
			reference: typeof tx.reference === "string" ? tx.reference : "",
			amount: Number(tx.amount_in_cents),
			currency: typeof tx.currency === "string" ? tx.currency : undefined,
		});
	}
	c.var.logger.info("wompi webhook", {
		event: evento.event,
		transaction: tx?.id ?? null,
		status: tx?.status ?? null,
		result,
	});
	return c.json({ received: true as const, result }, 200);
};

const aplicar = async (
	c: Parameters<AppRouteHandler<typeof wompiWebhook>>[0],
	tx: {
		id: string;
		status: string;
		reference: string;
		amount: number;
		currency: string | undefined;
	},
): Promise<string> => {
	if (tx.status !== "APPROVED" && !FALLIDOS.has(tx.status)) return "ignored";
	const [compra] = await c.var.db
		.select({ id: transacciones.id, rifaId: transacciones.rifaId })
		.from(transacciones)
		.where(
			and(
				eq(transacciones.provider, "wompi"),
				or(eq(transacciones.id, tx.reference), eq(transacciones.providerRef, tx.id)),
			),
		)
		.limit(1);
	if (!compra?.rifaId) return abono(c, tx);
	const event: ProviderEvent = {
		id: eventoPago("wompi", tx.id, tx.status),
		type: `transaction.${tx.status}`,
		providerRef: tx.id,
		transaccionId: compra.id,
		amount: tx.amount,
		...(tx.currency ? { currency: tx.currency } : {}),
	};
	const room = roomFor(c.env, compra.rifaId);
	return tx.status === "APPROVED" ? room.paymentSucceeded(event) : room.paymentFailed(event);
};

/** An event for an abono paid online: its reference names the plan's purchase (abonos-en-linea.ts). */
const abono = async (
	c: Parameters<AppRouteHandler<typeof wompiWebhook>>[0],
	tx: {
		id: string;
		status: string;
		reference: string;
		amount: number;
		currency: string | undefined;
	},
): Promise<string> => {
	const compraId = compraDeReferencia(tx.reference);
	if (!compraId) return "unknown";
	const [plan] = await c.var.db
		.select({ rifaId: transacciones.rifaId })
		.from(transacciones)
		.where(and(eq(transacciones.id, compraId), eq(transacciones.provider, "abonos")))
		.limit(1);
	if (!plan?.rifaId) return "unknown";
	const r = await abonosDe(
		c.env,
		plan.rifaId,
	)({
		tipo: "decidir",
		decision: {
			eventoId: eventoPago("wompi", tx.id, tx.status),
			referencia: tx.reference,
			providerRef: tx.id,
			estado: tx.status as "APPROVED",
			amount: tx.amount,
			currency: tx.currency,
		},
	});
	return r === "duplicate" || r === "unknown" || r === "ignored" ? r : `abono_${r}`;
};
