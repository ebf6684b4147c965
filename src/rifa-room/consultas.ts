import { errorFields, type Logger } from "../lib/logger";
import type { Consulta, PaymentProvider } from "../payments/provider";
import type { DetallePago } from "../payments/wompi/metodos";
import {
	consultarAbonos,
	type DecisionAbono,
	proximaConsultaAbono,
	type ResultadoAbono,
} from "./abonos-en-linea";
import type {
	PaymentEventResult,
	PaymentMethod,
	ProviderEvent,
	RoomConfig,
	TransaccionRow,
} from "./room.types";

/**
 * A payment a provider decides later (Wompi: the buyer approves in Nequi, at the bank, or pays cash)
 * is asked about by the room's alarm, with backoff, until the provider says it is final or the hold
 * has ended, and once more after that: a lost event never loses a sale nor keeps a number held.
 * The answer takes effect through the same steps as the provider's event, under the same id, so an
 * event and a poll that both report one status count once.
 */

const BACKOFF_MS = [5_000, 10_000, 20_000, 40_000, 60_000, 120_000, 300_000, 600_000];
/** After the hold ends, one more question: a payment made in its last seconds still counts. */
export const CONSULTA_FINAL_MS = 60_000;

interface PagoRow extends Record<string, SqlStorageValue> {
	transaccion_id: string;
	metodo: string;
	detalle: string;
	proxima_consulta: number | null;
	intentos: number;
	consultar_hasta: number;
}

export const registrarPago = (
	sql: SqlStorage,
	transaccionId: string,
	detalle: DetallePago,
	holdEnds: number,
	now: number,
): void => {
	sql.exec(
		`INSERT INTO pagos (transaccion_id, metodo, detalle, proxima_consulta, intentos, consultar_hasta)
		VALUES (?, ?, ?, ?, 0, ?) ON CONFLICT (transaccion_id) DO UPDATE SET detalle = excluded.detalle`,
		transaccionId,
		detalle.metodo,
		JSON.stringify(detalle),
		now + (BACKOFF_MS[0] ?? 5_000),
		holdEnds + CONSULTA_FINAL_MS,
	);
};

export const detallePago = (sql: SqlStorage, transaccionId: string): DetallePago | null => {
	const row = sql
		.exec<PagoRow>("SELECT detalle FROM pagos WHERE transaccion_id = ?", transaccionId)
		.toArray()[0];
	return row ? (JSON.parse(row.detalle) as DetallePago) : null;
};

export const metodoPago = (sql: SqlStorage, transaccionId: string): string | null =>
	sql
		.exec<{ metodo: string }>("SELECT metodo FROM pagos WHERE transaccion_id = ?", transaccionId)
		.toArray()[0]?.metodo ?? null;

export const proximaConsulta = (sql: SqlStorage): number | null => {
	const compras = sql
		.exec<{ t: number | null }>(
			"SELECT min(proxima_consulta) AS t FROM pagos WHERE proxima_consulta IS NOT NULL",
		)
		.one().t;
	const abonos = proximaConsultaAbono(sql);
	return compras === null ? abonos : abonos === null ? compras : Math.min(compras, abonos);
};

/** The next question after `intentos` of them; the last one falls at `consultar_hasta`. */
const siguiente = (row: PagoRow, now: number): number | null => {
	if (now >= row.consultar_hasta) return null;
	const espera = BACKOFF_MS[Math.min(row.intentos, BACKOFF_MS.length - 1)] ?? 600_000;
	return Math.min(now + espera, row.consultar_hasta);
};

const reprogramar = (sql: SqlStorage, row: PagoRow, now: number, detalle?: DetallePago) => {
	sql.exec(
		"UPDATE pagos SET proxima_consulta = ?, intentos = intentos + 1, detalle = coalesce(?, detalle) WHERE transaccion_id = ?",
		siguiente(row, now),
		detalle ? JSON.stringify(detalle) : null,
		row.transaccion_id,
	);
};

const terminar = (sql: SqlStorage, id: string) =>
	sql.exec("UPDATE pagos SET proxima_consulta = NULL WHERE transaccion_id = ?", id);

/** The id under which one status of one provider transaction takes effect, from an event or a poll. */
export const eventoPago = (provider: string, providerRef: string, estado: string) =>
	`${provider}:${providerRef}:${estado}`;

export interface ConsultaRoom {
	sql: SqlStorage;
	payments(method: PaymentMethod): PaymentProvider;
	paymentSucceeded(event: ProviderEvent): Promise<PaymentEventResult>;
	paymentFailed(event: ProviderEvent): Promise<PaymentEventResult>;
	config(): RoomConfig | null;
	decidirAbono(config: RoomConfig, d: DecisionAbono): ResultadoAbono;
	log(): Logger;
}

export class Consultas {
	constructor(private readonly room: ConsultaRoom) {}

	/** Asks about every payment due by `now`, abonos' too; false when one could not be asked. */
	async run(now: number): Promise<boolean> {
		const config = this.room.config();
		const abonos = config
			? await consultarAbonos(
					{
						sql: this.room.sql,
						payments: (m) => this.room.payments(m),
						decidir: (d) => this.room.decidirAbono(config, d),
						log: () => this.room.log(),
					},
					now,
				)
			: true;
		return (await this.compras(now)) && abonos;
	}

	private async compras(now: number): Promise<boolean> {
		const due = this.room.sql
			.exec<
				PagoRow & {
					status: TransaccionRow["status"];
					provider: string;
					provider_ref: string | null;
				}
			>(
				`SELECT p.*, t.status, t.provider, t.provider_ref FROM pagos p JOIN transacciones t ON t.id = p.transaccion_id
				WHERE p.proxima_consulta IS NOT NULL AND p.proxima_consulta <= ? ORDER BY p.proxima_consulta LIMIT 50`,
				now,
			)
			.toArray();
		let ok = true;
		for (const row of due) {
			// Sold or refunded: nothing the provider says can change it any more.
			if (row.status === "succeeded" || row.status === "refunded") {
				terminar(this.room.sql, row.transaccion_id);
				continue;
			}
			let consulta: Consulta | null;
			try {
				const provider = this.room.payments(row.provider as PaymentMethod);
				if (!provider.consultar) {
					terminar(this.room.sql, row.transaccion_id);
					continue;
				}
				consulta = await provider.consultar(row.provider_ref ?? "", row.transaccion_id);
			} catch (err) {
				ok = false;
				this.room.log().warn("payment status not read; asking again later", {
					transaccion_id: row.transaccion_id,
					error: errorFields(err),
				});
				reprogramar(this.room.sql, row, Date.now());
				continue;
			}
			if (!consulta || consulta.reference !== row.transaccion_id) {
				reprogramar(this.room.sql, row, Date.now());
				continue;
			}
			if (consulta.estado === "PENDING") {
				reprogramar(this.room.sql, row, Date.now(), consulta.detalle);
				continue;
			}
			const event: ProviderEvent = {
				id: eventoPago(row.provider, consulta.providerRef, consulta.estado),
				type: `consulta.${consulta.estado}`,
				providerRef: consulta.providerRef,
				transaccionId: row.transaccion_id,
				amount: consulta.amount,
				currency: consulta.currency,
			};
			terminar(this.room.sql, row.transaccion_id);
			try {
				if (consulta.estado === "APPROVED") await this.room.paymentSucceeded(event);
				else await this.room.paymentFailed(event);
			} catch (err) {
				// A refund the answer called for failed: the alarm retries it (refunds.ts).
				ok = false;
				this.room.log().error("payment status not applied", {
					transaccion_id: row.transaccion_id,
					error: errorFields(err),
				});
			}
		}
		return ok;
	}
}
