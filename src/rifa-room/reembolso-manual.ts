import { metodoPago } from "./consultas";
import type { D1Statement, TransaccionRow } from "./room.types";

/**
 * A refund no provider can make (Wompi refunds only cards): the room decides it once, with the
 * purchase's status, and D1 gets the row an admin closes by recording the transfer
 * (`POST /admin/reembolsos/{id}`). Keyed by the purchase, so a repeated outbox entry writes nothing.
 */
export const reembolsoManual = (
	sql: SqlStorage,
	rifaId: string,
	row: TransaccionRow,
	motivo: string,
	at: string,
): D1Statement => ({
	sql: `INSERT INTO reembolsos (id, rifa_id, usuario_id, monto, proveedor, metodo, referencia_proveedor, motivo, estado, creado_en)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pendiente', ?) ON CONFLICT (id) DO NOTHING`,
	params: [
		row.id,
		rifaId,
		row.user_id,
		row.amount,
		row.provider,
		metodoPago(sql, row.id),
		row.provider_ref,
		motivo,
		at,
	],
});
