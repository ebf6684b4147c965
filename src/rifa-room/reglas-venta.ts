import { t } from "../lib/errors";
import { cierre } from "./cierre";
import { ownedBy } from "./numeros";
import type { PurchaseRequest, RoomConfig, RoomError } from "./room.types";
import { fail } from "./sales";

const iso = (ms: number) => new Date(ms).toISOString();

/** Whether the rifa sells this purchase now: on sale, in its window, within its limits. */
export const checkSale = (
	sql: SqlStorage,
	config: RoomConfig,
	req: PurchaseRequest,
	now: number,
): RoomError | null => {
	if (config.estado !== "activa")
		return fail(
			"CONFLICT",
			t(
				`La rifa no está a la venta (estado ${config.estado}).`,
				`The rifa is not on sale (estado ${config.estado}).`,
			),
		);
	const at = iso(now);
	if (at < config.fechaInicio)
		return fail(
			"CONFLICT",
			t(`La venta abre el ${config.fechaInicio}.`, `Sales open at ${config.fechaInicio}.`),
		);
	if (at >= config.fechaFin)
		return fail(
			"CONFLICT",
			t("La venta de esta rifa ya cerró.", "Sales for this rifa have closed."),
		);
	// The ledger closed (the room's alarm at fecha_fin): whatever definition the room is told later.
	if (cierre(sql))
		return fail(
			"CONFLICT",
			t(
				"La venta de esta rifa ya cerró y su registro está sellado.",
				"Sales for this rifa have closed and its ledger is sealed.",
			),
		);
	if (req.paymentMethod === "efectivo" && !req.vendedorId)
		return fail(
			"FORBIDDEN",
			t(
				"El pago en efectivo lo recibe un vendedor, operador o admin en persona.",
				"Cash is taken in person by a vendedor, operador or admin.",
			),
		);
	const max = config.reglas.max_boletas_por_compra;
	if (req.quantity > max) {
		return fail(
			"VALIDATION_FAILED",
			t(
				`Máximo ${max} boletas por compra en esta rifa.`,
				`At most ${max} tickets per purchase in this rifa.`,
			),
		);
	}
	if (req.numeros) {
		const outOfRange = req.numeros.filter((n) => n >= config.totalBoletas);
		if (outOfRange.length) {
			return fail(
				"VALIDATION_FAILED",
				t(
					`Los números van de 0 a ${config.totalBoletas - 1}: ${outOfRange.join(", ")}.`,
					`Numbers go from 0 to ${config.totalBoletas - 1}: ${outOfRange.join(", ")}.`,
				),
			);
		}
	}
	const cap = config.reglas.max_boletas_por_usuario;
	if (cap !== null) {
		const owned = ownedBy(sql, req.userId);
		if (owned + req.quantity > cap) {
			return fail(
				"CONFLICT",
				t(
					`Tope de ${cap} boletas por persona en esta rifa: ya tiene ${owned}, puede comprar ${Math.max(cap - owned, 0)} más.`,
					`This rifa allows ${cap} tickets per person: you have ${owned} and can buy ${Math.max(cap - owned, 0)} more.`,
				),
			);
		}
	}
	return null;
};
