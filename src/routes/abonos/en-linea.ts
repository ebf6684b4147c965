import type { z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import type { Context } from "hono";
import { users } from "../../db/schema";
import { ApiError, t } from "../../lib/errors";
import { errorFields } from "../../lib/logger";
import type { AppBindings } from "../../lib/types";
import {
	type ChargeResult,
	PaymentUnavailableError,
	paymentProvider,
} from "../../payments/provider";
import type { PagoWompi } from "../../payments/wompi/metodos";
import { type AbonoEnLinea, referenciaAbono } from "../../rifa-room/abonos-en-linea";
import { abonosDe, roomFor } from "../../rifa-room/rooms";
import type { AbonoBodySchema } from "./abonos.routes";

interface Compra {
	rifaId: string;
	transaccionId: string;
	usuarioId: string;
}

/**
 * An abono paid online through Wompi. The room sets the amount aside and names the reference; the
 * provider is asked here, outside the room, and its answer goes back to the room. An approval is
 * never taken from this answer: the room records the abono on Wompi's verified event or on what
 * its alarm reads from Wompi (rifa-room/abonos-en-linea.ts). A call that fails leaves the payment
 * to the alarm's questions; a retry with the same Idempotency-Key asks again under the same
 * reference, so Wompi never holds two transactions for one abono.
 */
export const abonarEnLinea = async (
	c: Context<AppBindings>,
	compra: Compra,
	clave: string,
	body: z.infer<typeof AbonoBodySchema>,
) => {
	if (!body.wompi)
		throw new ApiError(
			"VALIDATION_FAILED",
			t("Falta cómo paga por Wompi (wompi).", "How to pay through Wompi (wompi) is missing."),
			{ errors: [{ path: "wompi", message: "Requerido con medio wompi" }] },
		);
	const { acepta_terminos: _, ...pago } = body.wompi;
	let provider: ReturnType<typeof paymentProvider>;
	try {
		provider = paymentProvider(c.env, "wompi");
	} catch (err) {
		if (err instanceof PaymentUnavailableError) throw new ApiError("VALIDATION_FAILED", err.detail);
		throw err;
	}
	const room = abonosDe(c.env, compra.rifaId);
	const referencia = await referenciaAbono(compra.transaccionId, clave);
	const inicio = await room({
		tipo: "iniciar_en_linea",
		transaccionId: compra.transaccionId,
		clave,
		referencia,
		monto: body.monto,
		medio: "wompi",
	});
	if ("ok" in inicio) throw new ApiError(inicio.code, inicio.detail);
	let abono: AbonoEnLinea | null = inicio.abono;
	if (inicio.tipo === "cobrar") {
		const comprador = await c.var.db.query.users.findFirst({
			columns: { email: true, nombre: true, telefono: true },
			where: eq(users.id, compra.usuarioId),
		});
		let result: ChargeResult;
		try {
			result = await provider.charge({
				transaccionId: referencia,
				rifaId: compra.rifaId,
				userId: compra.usuarioId,
				amount: body.monto,
				currency: "COP",
				expiresAt: inicio.expiraEn,
				wompi: pago as PagoWompi,
				...(comprador
					? {
							email: comprador.email,
							comprador: { nombre: comprador.nombre, telefono: comprador.telefono },
						}
					: {}),
			});
		} catch (err) {
			c.var.logger.warn("wompi abono not created; the room keeps asking", {
				referencia,
				error: errorFields(err),
			});
			throw new ApiError(
				"SERVICE_UNAVAILABLE",
				t(
					"Wompi no respondió. Intente de nuevo con la misma Idempotency-Key: no se cobrará dos veces.",
					"Wompi did not answer. Try again with the same Idempotency-Key: it will not charge twice.",
				),
			);
		}
		abono = await room({
			tipo: "cobrado",
			referencia,
			resultado:
				result.status === "requires_payment"
					? {
							estado: "pendiente",
							providerRef: result.providerRef,
							...(result.detalle ? { detalle: result.detalle } : {}),
						}
					: result.status === "succeeded"
						? { estado: "pendiente", providerRef: result.providerRef }
						: {
								estado: "fallido",
								providerRef: result.status === "failed" ? result.providerRef : null,
							},
		});
		if (result.status === "invalid") throw new ApiError("VALIDATION_FAILED", result.reason);
	}
	const estado = await roomFor(c.env, compra.rifaId).transaccion(compra.transaccionId);
	const pagado = estado?.abonos?.pagado ?? 0;
	const total = estado?.amount ?? 0;
	return {
		transaccion_id: compra.transaccionId,
		estado: estado?.status === "succeeded" ? ("vendido" as const) : ("abonado" as const),
		pagado,
		pendiente: total - pagado,
		total,
		pago: abono as AbonoEnLinea,
	};
};
