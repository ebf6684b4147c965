import { createMiddleware } from "hono/factory";
import { errorFields } from "./logger";
import { matchedRoute } from "./request-log";
import type { AppBindings } from "./types";

/** Names in the `metricas` and `metricas_eventos` tables (migrations/0004_metricas.sql). */
export const COUNTER = {
	webhookFailures: "webhook_failures",
	holdExpired: "hold_expired",
	outboxStuck: "outbox_atascado",
	roomRepairs: "salas_reparadas",
	payoutDuplicates: "payout_duplicates",
	resultConflicts: "resultados_en_conflicto",
} as const;

type Labels = Record<string, string>;

const escapeLabel = (value: string) =>
	value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");

/** Prometheus label text, sorted so one label set is always stored under one key. */
export const renderLabels = (labels: Labels) =>
	Object.entries(labels)
		.sort(([a], [b]) => (a < b ? -1 : 1))
		.map(([k, v]) => `${k}="${escapeLabel(v)}"`)
		.join(",");

export const incrementCounter = (db: D1Database, nombre: string, labels: Labels = {}) =>
	db
		.prepare(
			`INSERT INTO metricas (nombre, etiquetas, valor, actualizado_en) VALUES (?, ?, 1, ?)
			ON CONFLICT (nombre, etiquetas) DO UPDATE SET valor = valor + 1, actualizado_en = excluded.actualizado_en`,
		)
		.bind(nombre, renderLabels(labels), new Date().toISOString())
		.run();

/**
 * A D1 statement for a rifa room's outbox that records one event. The outbox may apply an entry
 * more than once, so the event is keyed (e.g. by transaccion id) and counts once.
 */
export const eventStatement = (nombre: string, clave: string) => ({
	sql: "INSERT INTO metricas_eventos (nombre, clave, creado_en) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
	params: [nombre, clave, new Date().toISOString()],
});

/**
 * Counts webhook deliveries that a webhook route answered with an error (bad signature, invalid
 * body, conflict, crash), by webhook and status. Mounted on the webhooks' path prefix.
 */
export const countWebhookFailures = createMiddleware<AppBindings>(async (c, next) => {
	await next();
	if (c.res.status < 400) return;
	const route = matchedRoute(c);
	// No webhook route matched: someone probing paths, not a provider's failed delivery.
	if (!route) return;
	try {
		await incrementCounter(c.env.DB, COUNTER.webhookFailures, {
			webhook: route.slice(route.lastIndexOf("/") + 1),
			status: String(c.res.status),
		});
	} catch (err) {
		c.var.logger.warn("webhook failure not counted", { error: errorFields(err) });
	}
});

interface Family {
	name: string;
	help: string;
	type: "counter" | "gauge";
	samples: { labels?: string; value: number }[];
}

const render = (families: Family[]) =>
	families
		.map((f) =>
			[
				`# HELP ${f.name} ${f.help}`,
				`# TYPE ${f.name} ${f.type}`,
				...f.samples.map((s) => `${f.name}${s.labels ? `{${s.labels}}` : ""} ${s.value}`),
			].join("\n"),
		)
		.join("\n")
		.concat("\n");

/**
 * Every metric in Prometheus text exposition format 0.0.4, read from D1 in one batch. A manual
 * refund created before `reembolsoVencidoAntes` counts as overdue.
 */
export const collectMetrics = async (
	db: D1Database,
	reembolsoVencidoAntes: string,
): Promise<string> => {
	type Row = Record<string, number | string>;
	const [
		sold,
		revenue,
		active,
		payouts,
		webhooks,
		holds,
		stuck,
		repairs,
		duplicates,
		conflicts,
		refunds,
	] = await db.batch<Row>([
		db.prepare("SELECT count(*) AS n FROM tickets WHERE estado IN ('vendido', 'ganador')"),
		db.prepare(
			"SELECT coalesce(sum(amount), 0) AS n FROM transacciones WHERE tipo = 'compra' AND status = 'succeeded'",
		),
		db.prepare("SELECT count(*) AS n FROM rifas WHERE estado = 'activa'"),
		db.prepare(
			"SELECT count(*) AS n, coalesce(sum(monto_ganado), 0) AS cents FROM ganadores WHERE estado_pago = 'pendiente'",
		),
		db
			.prepare("SELECT etiquetas, valor FROM metricas WHERE nombre = ? ORDER BY etiquetas")
			.bind(COUNTER.webhookFailures),
		db
			.prepare("SELECT count(*) AS n FROM metricas_eventos WHERE nombre = ?")
			.bind(COUNTER.holdExpired),
		db
			.prepare("SELECT count(*) AS n FROM metricas_eventos WHERE nombre = ?")
			.bind(COUNTER.outboxStuck),
		db
			.prepare("SELECT coalesce(sum(valor), 0) AS n FROM metricas WHERE nombre = ?")
			.bind(COUNTER.roomRepairs),
		db
			.prepare("SELECT count(*) AS n FROM metricas_eventos WHERE nombre = ?")
			.bind(COUNTER.payoutDuplicates),
		db
			.prepare("SELECT count(*) AS n FROM metricas_eventos WHERE nombre = ?")
			.bind(COUNTER.resultConflicts),
		db
			.prepare(
				"SELECT count(*) AS n, coalesce(sum(monto), 0) AS cents, coalesce(sum(creado_en < ?), 0) AS vencidos FROM reembolsos WHERE estado = 'pendiente'",
			)
			.bind(reembolsoVencidoAntes),
	]);
	const first = (r: D1Result<Row> | undefined, col = "n") => Number(r?.results[0]?.[col] ?? 0);
	return render([
		{
			name: "rifa1122_tickets_sold",
			help: "Boletas vendidas (incluye las ganadoras; no las anuladas por reembolso).",
			type: "gauge",
			samples: [{ value: first(sold) }],
		},
		{
			name: "rifa1122_revenue_cents",
			help: "Recaudo de compras pagadas y no reembolsadas, en centavos.",
			type: "gauge",
			samples: [{ labels: renderLabels({ currency: "COP" }), value: first(revenue) }],
		},
		{
			name: "rifa1122_rifas_active",
			help: "Rifas en venta (estado activa).",
			type: "gauge",
			samples: [{ value: first(active) }],
		},
		{
			name: "rifa1122_payouts_pending",
			help: "Premios pendientes de pago.",
			type: "gauge",
			samples: [{ value: first(payouts) }],
		},
		{
			name: "rifa1122_payouts_pending_cents",
			help: "Monto de los premios pendientes de pago, en centavos.",
			type: "gauge",
			samples: [{ value: first(payouts, "cents") }],
		},
		{
			name: "rifa1122_refunds_manual_pending",
			help: "Reembolsos manuales pendientes (medios sin devolución por API): total y vencidos (más viejos que HORAS_ALERTA_REEMBOLSO).",
			type: "gauge",
			samples: [
				{ labels: renderLabels({ estado: "pendiente" }), value: first(refunds) },
				{ labels: renderLabels({ estado: "vencido" }), value: first(refunds, "vencidos") },
			],
		},
		{
			name: "rifa1122_refunds_manual_pending_cents",
			help: "Monto de los reembolsos manuales pendientes, en centavos.",
			type: "gauge",
			samples: [{ value: first(refunds, "cents") }],
		},
		{
			name: "rifa1122_webhook_failures_total",
			help: "Entregas de webhooks respondidas con error, por webhook y estado HTTP.",
			type: "counter",
			samples: (webhooks?.results ?? []).map((r) => ({
				labels: String(r.etiquetas),
				value: Number(r.valor),
			})),
		},
		{
			name: "rifa1122_holds_expired_total",
			help: "Reservas de números que vencieron sin pago.",
			type: "counter",
			samples: [{ value: first(holds) }],
		},
		{
			name: "rifa1122_outbox_stuck_total",
			help: "Escrituras de una sala que D1 rechazó y quedaron apartadas para revisión.",
			type: "counter",
			samples: [{ value: first(stuck) }],
		},
		{
			name: "rifa1122_room_repairs_total",
			help: "Salas que el reconciliador encontró distintas de D1 y reparó.",
			type: "counter",
			samples: [{ value: first(repairs) }],
		},
		{
			name: "rifa1122_payouts_duplicate_total",
			help: "Transferencias automáticas de premios que ya estaban pagados con otra referencia (dinero pagado dos veces, por recuperar).",
			type: "counter",
			samples: [{ value: first(duplicates) }],
		},
		{
			name: "rifa1122_result_conflicts_total",
			help: "Observaciones de resultado que contradicen a otra fuente o a un resultado ya confirmado.",
			type: "counter",
			samples: [{ value: first(conflicts) }],
		},
	]);
};
