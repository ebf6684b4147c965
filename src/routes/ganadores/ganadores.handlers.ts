import { eq } from "drizzle-orm";
import { ganadores } from "../../db/schema";
import { executionContext } from "../../lib/create-app";
import { ApiError, notFound, t } from "../../lib/errors";
import type { AppRouteHandler } from "../../lib/types";
import { despacharLuego } from "../../notificaciones/avisos";
import { abierta, ultimaDispersion } from "../../payouts/dispersiones";
import { enCursoHasta, recordManualPayout } from "../../payouts/payouts";
import type { pago } from "./ganadores.routes";

export const pagoHandler: AppRouteHandler<typeof pago> = async (c) => {
	const { id } = c.req.valid("param");
	const { referencia_pago } = c.req.valid("json");
	const result = await recordManualPayout(c.var.db, id, referencia_pago, c.var.user.id);
	if (result === "pagado")
		await despacharLuego(c.env, c.var.db, executionContext(c), [`premio_pagado:${id}`]);
	if (result === "no_existe") throw notFound(t("El ganador", "The winner"));
	if (result === "en_curso") {
		const ultima = await ultimaDispersion(c.var.db, id);
		if (ultima && abierta(ultima)) {
			throw new ApiError(
				"CONFLICT",
				t(
					`Wompi está pagando este premio (lote ${ultima.payoutId ?? ultima.id}); no se registra un pago manual mientras ese pago pueda salir.`,
					`Wompi is paying this prize (batch ${ultima.payoutId ?? ultima.id}); a manual payment is not recorded while that payout may still go out.`,
				),
			);
		}
		const [g] = await c.var.db
			.select({ procesandoDesde: ganadores.procesandoDesde })
			.from(ganadores)
			.where(eq(ganadores.id, id));
		const hasta = enCursoHasta(g?.procesandoDesde ?? null)?.toISOString() ?? "unos minutos";
		throw new ApiError(
			"CONFLICT",
			t(
				`Hay una transferencia automática en curso para este premio; no se registra un pago manual. Si no termina, podrá registrarlo desde ${hasta}, después de verificar con el proveedor que la transferencia no salió.`,
				`An automatic transfer of this prize is in flight; a manual payment is not recorded. If it does not finish, you may record one from ${hasta}, after checking with the provider that the transfer did not go out.`,
			),
		);
	}
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
