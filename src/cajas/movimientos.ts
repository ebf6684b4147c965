import type { MovimientoTipo } from "../db/schema";
import { fechaColombia } from "../domain/calendario";

/** One D1 statement, as the rifa rooms' outboxes carry them. */
export interface Sentencia {
	sql: string;
	params: (string | number | null)[];
}

export interface Movimiento {
	/** Stable: `venta:<transaccion>`… A second write of the same movement changes nothing. */
	id: string;
	tipo: MovimientoTipo;
	vendedorId: string;
	/** Centavos: + cash received by the seller, − cash paid out. */
	monto: number;
	/** Boletas this movement leaves fully paid (negative: takes back), for the commission. */
	boletas: number;
	rifaId: string | null;
	transaccionId: string | null;
	/** When it happened (ISO); its Colombian day picks the box. */
	ocurridoEn: string;
	motivo?: string | null;
	creadoPor?: string | null;
}

/**
 * The two D1 statements that put a movement in its seller's box, in one batch: the box of the
 * movement's Colombian day while it is open, else the seller's next open box, else a new box the
 * day after the last one the seller has (a closed box never changes). The operador of a new box
 * is the seller's (`vendedores`), else the rifa's, else the seller itself (staff selling in person).
 * Nothing happens if the movement was already written, nor unless `condicion` (an SQL boolean
 * expression) holds: put before the change it depends on, in the same batch, the movement is
 * written exactly when that change is.
 */
export const sentenciasMovimiento = (
	m: Movimiento,
	ahora: string,
	condicion: Sentencia = { sql: "1", params: [] },
): Sentencia[] => {
	const dia = fechaColombia(new Date(m.ocurridoEn));
	return [
		{
			sql: `INSERT INTO cajas (id, vendedor_id, operador_id, dia, estado, creado_en, actualizado_en)
				SELECT ?, ?, coalesce((SELECT operador_id FROM vendedores WHERE user_id = ?), (SELECT creado_por FROM rifas WHERE id = ?), ?),
					max(?, coalesce((SELECT date(max(dia), '+1 day') FROM cajas WHERE vendedor_id = ?), ?)), 'abierta', ?, ?
				WHERE NOT EXISTS (SELECT 1 FROM cajas WHERE vendedor_id = ? AND estado = 'abierta' AND dia >= ?)
				AND NOT EXISTS (SELECT 1 FROM caja_movimientos WHERE id = ?) AND (${condicion.sql})`,
			params: [
				crypto.randomUUID(),
				m.vendedorId,
				m.vendedorId,
				m.rifaId,
				m.vendedorId,
				dia,
				m.vendedorId,
				dia,
				ahora,
				ahora,
				m.vendedorId,
				dia,
				m.id,
				...condicion.params,
			],
		},
		{
			sql: `INSERT INTO caja_movimientos (id, caja_id, tipo, monto, boletas, rifa_id, transaccion_id, ocurrido_en, motivo, creado_por, creado_en)
				SELECT ?, id, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM cajas
				WHERE vendedor_id = ? AND estado = 'abierta' AND dia >= ? AND (${condicion.sql})
				ORDER BY dia LIMIT 1
				ON CONFLICT (id) DO NOTHING`,
			params: [
				m.id,
				m.tipo,
				m.monto,
				m.boletas,
				m.rifaId,
				m.transaccionId,
				m.ocurridoEn,
				m.motivo ?? null,
				m.creadoPor ?? null,
				ahora,
				m.vendedorId,
				dia,
				...condicion.params,
			],
		},
	];
};
