import { eq } from "drizzle-orm";
import { tickets } from "../../db/schema";
import { ApiError, forbidden, notFound, t } from "../../lib/errors";
import type { AppRouteHandler } from "../../lib/types";
import type { MedioAbono } from "../../rifa-room/abonos";
import { findRifa, roomFor } from "../../rifa-room/rooms";
import { noVende, puedeVenderEn } from "../../services/vendedores.service";
import type { abonar } from "./abonos.routes";

/** The sandbox takes abonos only where the sandbox is on (development). */
export const medioAbonoDisponible = (env: Env, medio: MedioAbono) => {
	if (medio === "sandbox" && env.PAYMENTS_SANDBOX !== "succeed")
		throw new ApiError(
			"VALIDATION_FAILED",
			t("El medio sandbox no está habilitado.", "The sandbox method is not enabled."),
			{ errors: [{ path: "abono.medio", message: "No habilitado" }] },
		);
};

export const abonarHandler: AppRouteHandler<typeof abonar> = async (c) => {
	const { id } = c.req.valid("param");
	const abono = c.req.valid("json");
	const clave = c.req.valid("header")["idempotency-key"];
	const me = c.var.user;
	medioAbonoDisponible(c.env, abono.medio);
	const ticket = await c.var.db.query.tickets.findFirst({
		columns: { rifaId: true, transaccionId: true, usuarioId: true },
		where: eq(tickets.id, id),
	});
	if (!ticket?.transaccionId) throw notFound(t("La boleta", "The ticket"));
	const rifa = await findRifa(c.var.db, ticket.rifaId);
	if (!rifa) throw notFound(t("La boleta", "The ticket"));
	const enPersona = abono.medio === "efectivo";
	if (enPersona && (me.rol === "jugador" || !puedeVenderEn(me, rifa))) throw noVende();
	if (!enPersona && ticket.usuarioId !== me.id && !puedeVenderEn(me, rifa))
		throw forbidden(t("Esa boleta no es suya.", "That ticket is not yours."));
	const r = await roomFor(c.env, ticket.rifaId).abonar(
		ticket.transaccionId,
		clave,
		abono,
		enPersona ? me.id : undefined,
	);
	if ("ok" in r) throw new ApiError(r.code, r.detail);
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
