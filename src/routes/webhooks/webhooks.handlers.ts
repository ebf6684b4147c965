import { and, eq } from "drizzle-orm";
import Stripe from "stripe";
import type { Database } from "../../db/client";
import { transacciones } from "../../db/schema";
import { verifyResultsSignature } from "../../integrations/loterias/signature";
import { executionContext } from "../../lib/create-app";
import { ApiError, t, toFieldErrors } from "../../lib/errors";
import type { AppRouteHandler } from "../../lib/types";
import { despacharLuego } from "../../notificaciones/avisos";
import type { PaymentEventResult, ProviderEvent } from "../../rifa-room/room.types";
import { roomFor } from "../../rifa-room/rooms";
import { observacionProblem, registrarObservacion } from "../../services/resultados.service";
import { sha256Hex } from "../../verificacion/merkle";
import { type loteriaWebhook, ResultadoPush, type stripeWebhook } from "./webhooks.routes";

const HANDLED = new Set([
	"payment_intent.succeeded",
	"payment_intent.payment_failed",
	"charge.failed",
]);

const verify = async (body: string, signature: string | undefined, secret: string) => {
	if (!signature)
		throw new ApiError(
			"BAD_REQUEST",
			t("Falta la cabecera Stripe-Signature.", "Missing Stripe-Signature header."),
		);
	try {
		return await Stripe.webhooks.constructEventAsync(
			body,
			signature,
			secret,
			undefined,
			Stripe.createSubtleCryptoProvider(),
		);
	} catch {
		throw new ApiError(
			"BAD_REQUEST",
			t("La firma del webhook no es válida.", "The webhook signature is not valid."),
		);
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
	if (!secret)
		throw new ApiError(
			"NOT_FOUND",
			t("Los webhooks de Stripe no están configurados.", "Stripe webhooks are not configured."),
		);
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
	c.var.logger.info("stripe webhook", { event_id: event.id, type: event.type, result });
	return c.json({ received: true as const, result }, 200);
};

export const loteriaWebhookHandler: AppRouteHandler<typeof loteriaWebhook> = async (c) => {
	const secret = c.env.LOTERIA_WEBHOOK_SECRET;
	if (!secret)
		throw new ApiError(
			"NOT_FOUND",
			t("El webhook de resultados no está configurado.", "The results webhook is not configured."),
		);
	const raw = await c.req.text();
	if (!(await verifyResultsSignature(raw, c.req.header("x-signature"), secret))) {
		throw new ApiError(
			"UNAUTHORIZED",
			t("La firma del resultado no es válida.", "The result signature is not valid."),
		);
	}
	let json: unknown;
	try {
		json = JSON.parse(raw);
	} catch {
		throw new ApiError(
			"BAD_REQUEST",
			t("El cuerpo de la solicitud no es JSON válido.", "The request body is not valid JSON."),
		);
	}
	const parsed = ResultadoPush.safeParse(json);
	if (!parsed.success) {
		throw new ApiError(
			"VALIDATION_FAILED",
			t("El resultado no es válido.", "The result is not valid."),
			{
				errors: toFieldErrors(parsed.error),
			},
		);
	}
	const r = parsed.data;
	const registro = await registrarObservacion(
		c.env,
		c.var.db,
		{
			loteriaId: r.loteria_id,
			fecha: r.fecha,
			fuente: "webhook",
			numero: r.numero,
			serie: r.serie,
			evidencia: { url: r.url ?? null, sha256: await sha256Hex(raw) },
		},
		c.var.logger,
	);
	// What it closed or settled tells the buyers.
	await despacharLuego(c.env, c.var.db, executionContext(c));
	const problem = observacionProblem(registro.observacion, "webhook");
	if (problem) throw problem;
	const obs = registro.observacion;
	if (obs.outcome !== "registrada")
		throw new Error("unreachable: refused observations throw above");
	return c.json(
		{
			recibido: true as const,
			nuevo: obs.nueva,
			estado: obs.estado,
			rifas_resueltas: registro.resueltas,
			rifas_por_reintentar: registro.porReintentar,
		},
		200,
	);
};
