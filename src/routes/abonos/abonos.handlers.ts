import { eq } from "drizzle-orm";
import { tickets } from "../../db/schema";
import { executionContext } from "../../lib/create-app";
import { ApiError, forbidden, notFound, t } from "../../lib/errors";
import type { AppRouteHandler } from "../../lib/types";
import { despacharLuego } from "../../notificaciones/avisos";
import type { MedioAbono } from "../../rifa-room/abonos";
import { abonosDe, findRifa } from "../../rifa-room/rooms";
import { creditosDe, devolverCredito, usarCredito } from "../../services/creditos.service";
import { noVende, puedeVenderEn } from "../../services/vendedores.service";
import type { abonar, misCreditos } from "./abonos.routes";
import { abonarEnLinea } from "./en-linea";

const noHabilitado = (path: string, detalle: ReturnType<typeof t>) =>
	new ApiError("VALIDATION_FAILED", detalle, { errors: [{ path, message: "No habilitado" }] });

/**
 * The sandbox takes abonos only where the sandbox is on (development). A plan's first abono is taken
 * in person (or in the sandbox): online payments and credit pay the later ones.
 */
export const medioAbonoDisponible = (env: Env, medio: MedioAbono, primero = false) => {
	if (medio === "sandbox" && env.PAYMENTS_SANDBOX !== "succeed")
		throw noHabilitado(
			"abono.medio",
			t("El medio sandbox no está habilitado.", "The sandbox method is not enabled."),
		);
	if (primero && (medio === "wompi" || medio === "credito"))
		throw noHabilitado(
			"abono.medio",
			t(
				"El primer abono se recibe en efectivo; los siguientes pueden pagarse en línea o con crédito.",
				"The first abono is taken in cash; later ones may be paid online or with credit.",
			),
		);
};

export const abonarHandler: AppRouteHandler<typeof abonar> = async (c) => {
	const { id } = c.req.valid("param");
	const body = c.req.valid("json");
	const clave = c.req.valid("header")["idempotency-key"];
	const me = c.var.user;
	medioAbonoDisponible(c.env, body.medio);
	const ticket = await c.var.db.query.tickets.findFirst({
		columns: { rifaId: true, transaccionId: true, usuarioId: true },
		where: eq(tickets.id, id),
	});
	if (!ticket?.transaccionId || !ticket.usuarioId) throw notFound(t("La boleta", "The ticket"));
	const rifa = await findRifa(c.var.db, ticket.rifaId);
	if (!rifa) throw notFound(t("La boleta", "The ticket"));
	const enPersona = body.medio === "efectivo";
	if (enPersona && (me.rol === "jugador" || !puedeVenderEn(me, rifa))) throw noVende();
	if (!enPersona && ticket.usuarioId !== me.id && !puedeVenderEn(me, rifa))
		throw forbidden(t("Esa boleta no es suya.", "That ticket is not yours."));
	const compra = { rifaId: ticket.rifaId, transaccionId: ticket.transaccionId };
	if (body.medio === "wompi") {
		const r = await abonarEnLinea(c, { ...compra, usuarioId: ticket.usuarioId }, clave, body);
		return c.json(r, r.pago.estado === "aprobado" ? 201 : 202);
	}
	if (body.medio === "credito") {
		if (!rifa.creadoPor)
			throw noHabilitado(
				"medio",
				t("Esta rifa no tiene operador con quien tener crédito.", "This rifa has no operador."),
			);
		await usarCredito(c.var.db, {
			abonoId: `${ticket.transaccionId}:${clave}`,
			usuarioId: ticket.usuarioId,
			operadorId: rifa.creadoPor,
			...compra,
			monto: body.monto,
		});
	}
	const r = await abonosDe(
		c.env,
		ticket.rifaId,
	)({
		tipo: "abonar",
		transaccionId: ticket.transaccionId,
		clave,
		abono: { monto: body.monto, medio: body.medio },
		...(enPersona ? { vendedorId: me.id } : {}),
	});
	if ("ok" in r) {
		// The room did not take it: the credit set aside for it goes back (once, by the abono's id).
		if (body.medio === "credito")
			await devolverCredito(c.var.db, `${ticket.transaccionId}:${clave}`);
		throw new ApiError(r.code, r.detail);
	}
	await despacharLuego(c.env, c.var.db, executionContext(c), [
		`abono:${ticket.transaccionId}:${clave}`,
	]);
	return c.json(
		{
			transaccion_id: ticket.transaccionId,
			estado: r.estado,
			pagado: r.pagado,
			pendiente: r.total - r.pagado,
			total: r.total,
		},
		201,
	);
};

export const misCreditosHandler: AppRouteHandler<typeof misCreditos> = async (c) =>
	c.json(await creditosDe(c.var.db, c.var.user.id), 200);
