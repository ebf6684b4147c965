import { and, eq } from "drizzle-orm";
import Stripe from "stripe";
import type { Database } from "../../db/client";
import { transacciones } from "../../db/schema";
import { ApiError } from "../../lib/errors";
import type { AppRouteHandler } from "../../lib/types";
import type { PaymentEventResult, ProviderEvent } from "../../rifa-room/rifa-room";
import { roomFor } from "../../rifa-room/rooms";
import type { stripeWebhook } from "./webhooks.routes";

const HANDLED = new Set([
	"payment_intent.succeeded",
	"payment_intent.payment_failed",
	"charge.failed",
]);

const verify = async (body: string, signature: string | undefined, secret: string) => {
	if (!signature) throw new ApiError("BAD_REQUEST", "Falta la cabecera Stripe-Signature.");
	try {
		return await Stripe.webhooks.constructEventAsync(
			body,
			signature,
			secret,
			undefined,
			Stripe.createSubtleCryptoProvider(),
		);
	} catch {
		throw new ApiError("BAD_REQUEST", "La firma del webhook no es válida.");
	}
};

/** Which rifa and purchase an event is about: our metadata first, else the PaymentIntent id in D1. */
const locate = async (db: Database, event: Stripe.Event) => {
	const obj = event.data.object as Stripe.PaymentIntent | Stripe.Charge;
	const providerRef =
		obj.object === "payment_intent"
			? obj.id
			: typeof obj.payment_intent === "string"
				? obj.payment_intent
				: (obj.payment_intent?.id ?? null);
	if (!providerRef) return null;
	const meta = obj.metadata ?? {};
	if (meta.rifa_id && meta.transaccion_id) {
		return { rifaId: meta.rifa_id, transaccionId: meta.transaccion_id, providerRef };
	}
	const [tx] = await db
		.select({ id: transacciones.id, rifaId: transacciones.rifaId })
		.from(transacciones)
		.where(and(eq(transacciones.provider, "stripe"), eq(transacciones.providerRef, providerRef)));
	return tx?.rifaId ? { rifaId: tx.rifaId, transaccionId: tx.id, providerRef } : null;
};

export const stripeWebhookHandler: AppRouteHandler<typeof stripeWebhook> = async (c) => {
	const secret = c.env.STRIPE_WEBHOOK_SECRET;
	if (!secret) throw new ApiError("NOT_FOUND", "Los webhooks de Stripe no están configurados.");
	const body = await c.req.text();
	const event = await verify(body, c.req.header("stripe-signature"), secret);
	let result: PaymentEventResult = "ignored";
	if (HANDLED.has(event.type)) {
		const target = await locate(c.var.db, event);
		if (target) {
			const room = roomFor(c.env, target.rifaId);
			const providerEvent: ProviderEvent = {
				id: event.id,
				type: event.type,
				providerRef: target.providerRef,
				transaccionId: target.transaccionId,
			};
			result =
				event.type === "payment_intent.succeeded"
					? await room.paymentSucceeded(providerEvent)
					: await room.paymentFailed(providerEvent);
		} else {
			result = "unknown";
		}
	}
	console.log(
		JSON.stringify({
			level: "info",
			msg: "stripe webhook",
			event_id: event.id,
			type: event.type,
			result,
		}),
	);
	return c.json({ received: true as const, result }, 200);
};
