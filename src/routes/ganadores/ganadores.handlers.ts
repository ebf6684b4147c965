import { eq } from "drizzle-orm";
import { ganadores } from "../../db/schema";
import { ApiError, notFound, t } from "../../lib/errors";
import type { AppRouteHandler } from "../../lib/types";
import { recordPayout } from "../../payouts/payouts";
import type { pago } from "./ganadores.routes";

export const pagoHandler: AppRouteHandler<typeof pago> = async (c) => {
	const { id } = c.req.valid("param");
	const { referencia_pago } = c.req.valid("json");
	const result = await recordPayout(c.var.db, id, referencia_pago, c.var.user.id);
	if (result === "no_existe") throw notFound(t("El ganador", "The winner"));
	if (result === "referencia_distinta") {
		throw new ApiError(
			"CONFLICT",
			t(
				"Este premio ya fue pagado con otra referencia.",
				"This prize was already paid with another reference.",
			),
		);
	}
	const [row] = await c.var.db.select().from(ganadores).where(eq(ganadores.id, id));
	if (!row) throw notFound(t("El ganador", "The winner"));
	return c.json(
		{
			id: row.id,
			rifa_id: row.rifaId,
			posicion: row.posicion,
			monto_ganado: row.montoGanado,
			estado_pago: row.estadoPago,
			fecha_pago: row.fechaPago,
			referencia_pago: row.referenciaPago,
		},
		200,
	);
};
