import { abonosDe } from "./abonos";
import type { D1Statement, RoomConfig, TransaccionRow } from "./room.types";

/**
 * A plan released unpaid: what was paid goes back to the buyer, by hand (reembolsos: an admin or
 * the seller returns it and records it), or stays as the buyer's credit with the rifa's operador
 * when the rule says so (`reglas.abonos.al_vencer: "credito"`). What was paid with credit always
 * goes back to credit. Every row is keyed by the purchase, so a repeated outbox entry writes
 * nothing. A rifa whose operador is gone (its `creado_por` nulled) has nobody to hold a credit:
 * the money is refunded instead.
 */
export const destinoDeAbonos = (
	sql: SqlStorage,
	config: RoomConfig,
	row: TransaccionRow,
	at: string,
): { statements: D1Statement[]; monto: number; destino: "reembolso" | "credito" } => {
	const abonos = row.provider === "abonos" ? abonosDe(sql, row.id) : [];
	const total = abonos.reduce((s, a) => s + a.monto, 0);
	const enCredito = abonos.filter((a) => a.medio === "credito").reduce((s, a) => s + a.monto, 0);
	const destino = config.reglas.abonos?.al_vencer === "credito" ? "credito" : "reembolso";
	if (total === 0) return { statements: [], monto: 0, destino };
	const aCredito = destino === "credito" ? total : enCredito;
	const aReembolso = total - aCredito;
	const rifaId = config.rifaId;
	const medios = [...new Set(abonos.map((a) => a.medio))].join(",");
	const sinOperador = "(SELECT creado_por FROM rifas WHERE id = ?) IS NULL";
	const statements: D1Statement[] = [];
	if (aCredito > 0)
		statements.push(
			{
				sql: `INSERT INTO creditos (id, usuario_id, operador_id, monto, origen, rifa_id, transaccion_id, creado_en)
					SELECT ?, ?, r.creado_por, ?, 'abonos_vencidos', r.id, ?, ? FROM rifas r WHERE r.id = ? AND r.creado_por IS NOT NULL
					ON CONFLICT (id) DO NOTHING`,
				params: [`abonos-vencidos:${row.id}`, row.user_id, aCredito, row.id, at, rifaId],
			},
			reembolso(rifaId, row, total, medios, at, sinOperador),
		);
	if (aReembolso > 0)
		statements.push(reembolso(rifaId, row, aReembolso, medios, at, `NOT ${sinOperador}`));
	statements.push({
		sql: `INSERT OR IGNORE INTO audit_log (id, actor_id, action, entity, entity_id, before, after, request_id, created_at)
			VALUES (?, NULL, 'abonos.vencidos', 'transaccion', ?, NULL, ?, NULL, ?)`,
		params: [
			`abonos-vencidos:${row.id}`,
			row.id,
			JSON.stringify({ por_devolver: aReembolso, a_credito: aCredito }),
			at,
		],
	});
	return { statements, monto: total, destino: aReembolso > 0 ? "reembolso" : "credito" };
};

/** One refund per purchase (its id); `condicion` decides between the two amounts above. */
const reembolso = (
	rifaId: string,
	row: TransaccionRow,
	monto: number,
	medios: string,
	at: string,
	condicion: string,
): D1Statement => ({
	sql: `INSERT INTO reembolsos (id, rifa_id, usuario_id, monto, proveedor, metodo, referencia_proveedor, motivo, estado, creado_en)
		SELECT ?, ?, ?, ?, 'abonos', ?, NULL, 'abonos_vencidos', 'pendiente', ? WHERE ${condicion}
		ON CONFLICT (id) DO NOTHING`,
	params: [row.id, rifaId, row.user_id, monto, medios, at, rifaId],
});
