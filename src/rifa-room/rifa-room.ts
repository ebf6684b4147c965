import { DurableObject } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { createDb } from "../db/client";
import { categorias, rifas } from "../db/schema";
import { parseReglas } from "../domain/reglas";
import { type Texto, t } from "../lib/errors";
import { COUNTER, eventStatement } from "../lib/metrics";
import { reportDurableObjectErrors } from "../lib/sentry";
import {
	type ChargeResult,
	type PaymentProvider,
	PaymentUnavailableError,
	paymentProvider,
} from "../payments/provider";
import { permutation } from "./numbering";
import type {
	Availability,
	PaymentMethod,
	PurchaseBody,
	PurchaseOutcome,
	PurchaseRequest,
	RoomConfig,
	RoomError,
	RoomEvent,
} from "./room.types";
import {
	type D1Statement,
	enqueue,
	ROOM_SCHEMA,
	readConfig,
	refundAudit,
	release,
	type TakenRow,
	type TransaccionRow,
	take,
	ticketsReleased,
	ticketUpserts,
	transaccionUpsert,
} from "./room-store";

const IDEMPOTENCY_TTL_MS = 48 * 3600_000;
const OUTBOX_BATCH = 50;
const OUTBOX_RETRY_MS = 5_000;
const IN_FLIGHT_RETRY_AFTER_S = 1;

type ProviderError = { status: "error" };

export interface ProviderEvent {
	id: string;
	type: string;
	providerRef: string;
	transaccionId?: string | undefined;
}

export type PaymentEventResult =
	| "sold"
	| "released"
	| "refunded"
	| "ignored"
	| "duplicate"
	| "unknown";

const fail = (
	status: RoomError["status"],
	detail: Texto,
	extra: Partial<RoomError> = {},
): RoomError => ({
	ok: false,
	status,
	detail,
	...extra,
});

const fingerprint = (req: PurchaseRequest) =>
	JSON.stringify({
		user_id: req.userId,
		quantity: req.quantity,
		payment_method: req.paymentMethod,
		numeros: req.numeros ? [...req.numeros].sort((a, b) => a - b) : null,
	});

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * One per rifa: the only place that decides which numbers are free, held or sold. Every
 * check-and-write happens inside `transactionSync`, so two buyers can never get one number. D1 is
 * updated afterwards from an outbox in this object's storage, retried by the alarm until applied.
 */
export class RifaRoom extends DurableObject<Env> {
	private readonly sql: SqlStorage;
	private flushing: Promise<void> | null = null;
	/** Memo of the stored config and alarm: both are read on every purchase. */
	private config: RoomConfig | null = null;
	private alarmAt: number | null | undefined;
	/**
	 * Outbox entries up to here are in D1 but may still be stored: they are deleted with the next
	 * write instead of in a commit of their own. After a restart they are applied again, which the
	 * upserts make harmless.
	 */
	private appliedThrough = 0;

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env);
		this.sql = ctx.storage.sql;
		this.sql.exec(ROOM_SCHEMA);
		this.config = readConfig(this.sql);
	}

	/** Stores the rifa's current definition; (re)builds the number order while nothing is taken. */
	async configure(config: RoomConfig): Promise<void> {
		const current = readConfig(this.sql);
		if (current && current.actualizadoEn > config.actualizadoEn) return;
		const needsOrder =
			!current ||
			current.totalBoletas !== config.totalBoletas ||
			current.reglas.asignacion !== config.reglas.asignacion;
		const order = needsOrder
			? await permutation(config.rifaId, config.totalBoletas, config.reglas.asignacion)
			: null;
		const estadoChanged = current?.estado !== config.estado;
		this.ctx.storage.transactionSync(() => {
			this.sql.exec(
				"INSERT INTO config (id, json) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET json = excluded.json",
				JSON.stringify(config),
			);
			this.config = config;
			if (current?.estado === "activa" && config.estado !== "activa") {
				// Sales are over: holds waiting for payment go back; a payment that still arrives is refunded.
				const pending = this.sql
					.exec<{ id: string }>("SELECT id FROM transacciones WHERE status = 'pending'")
					.toArray();
				for (const { id } of pending) this.markFailed(id, null);
			}
			const taken = this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM tomados").one().n;
			if (order && taken === 0) {
				this.sql.exec("DELETE FROM libres");
				order.forEach((numero, orden) => {
					this.sql.exec("INSERT INTO libres (orden, numero) VALUES (?, ?)", orden, numero);
				});
			}
		});
		if (estadoChanged && current) this.broadcast({ type: "estado", estado: config.estado });
		await this.flush();
	}

	private async ensureConfig(rifaId: string): Promise<RoomConfig | null> {
		if (this.config) return this.config;
		const db = createDb(this.env.DB);
		const [row] = await db
			.select({ rifa: rifas, precio: categorias.valorBoleta })
			.from(rifas)
			.innerJoin(categorias, eq(categorias.id, rifas.categoriaId))
			.where(eq(rifas.id, rifaId));
		if (!row) return null;
		await this.configure(configFromRow(row.rifa, row.precio));
		return this.config;
	}

	async purchase(rifaId: string, req: PurchaseRequest): Promise<PurchaseOutcome> {
		const config = await this.ensureConfig(rifaId);
		if (!config) return fail(404, t("La rifa no existe.", "The rifa does not exist."));
		let provider: PaymentProvider;
		try {
			provider = this.payments(req.paymentMethod);
		} catch (err) {
			if (err instanceof PaymentUnavailableError) return fail(422, err.detail);
			throw err;
		}
		const huella = fingerprint(req);
		const now = Date.now();

		const reserved = this.ctx.storage.transactionSync(() => {
			const previous = this.sql
				.exec<{ huella: string; estado: string; respuesta: string | null }>(
					"SELECT huella, estado, respuesta FROM idempotencia WHERE actor_id = ? AND clave = ?",
					req.actorId,
					req.idempotencyKey,
				)
				.toArray()[0];
			if (previous) {
				if (previous.huella !== huella) {
					return fail(
						422,
						t(
							"Esta Idempotency-Key ya se usó con otros datos. Use una clave nueva para otra compra.",
							"This Idempotency-Key was already used with other data. Use a new key for another purchase.",
						),
					);
				}
				if (previous.estado === "en_curso") {
					return fail(
						409,
						t(
							"Una compra con esta Idempotency-Key todavía está en curso.",
							"A purchase with this Idempotency-Key is still in progress.",
						),
						{
							retryAfter: IN_FLIGHT_RETRY_AFTER_S,
						},
					);
				}
				return { replay: JSON.parse(previous.respuesta ?? "null") as PurchaseOutcome };
			}

			const rejection = this.checkSale(config, req, now);
			if (rejection) return rejection;

			const picked = req.numeros
				? this.sql
						.exec<{ orden: number; numero: number }>(
							`SELECT orden, numero FROM libres WHERE numero IN (${req.numeros.map(() => "?").join(", ")})`,
							...req.numeros,
						)
						.toArray()
				: this.sql
						.exec<{ orden: number; numero: number }>(
							"SELECT orden, numero FROM libres ORDER BY orden LIMIT ?",
							req.quantity,
						)
						.toArray();
			if (req.numeros && picked.length !== req.numeros.length) {
				const free = new Set(picked.map((p) => p.numero));
				const taken = req.numeros.filter((n) => !free.has(n)).sort((a, b) => a - b);
				return fail(
					409,
					t(
						`Estos números ya no están disponibles: ${taken.join(", ")}.`,
						`These numbers are no longer available: ${taken.join(", ")}.`,
					),
					{
						numeros: taken,
					},
				);
			}
			if (picked.length < req.quantity) {
				const remaining = this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM libres").one().n;
				return fail(
					409,
					t(`Solo quedan ${remaining} números disponibles.`, `Only ${remaining} numbers are left.`),
					{ remaining },
				);
			}

			const transaccionId = crypto.randomUUID();
			const amount = config.precio * req.quantity;
			const expiresAt = now + config.reglas.minutos_reserva * 60_000;
			const rows = picked.map((p) => ({ ...p, ticket_id: crypto.randomUUID() }));
			take(this.sql, transaccionId, req.userId, rows);
			this.sql.exec(
				"INSERT INTO transacciones (id, user_id, amount, provider, status, numeros, expires_at, created_at) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)",
				transaccionId,
				req.userId,
				amount,
				req.paymentMethod,
				JSON.stringify(
					rows.map((r) => ({ numero: r.numero, orden: r.orden, ticket_id: r.ticket_id })),
				),
				expiresAt,
				now,
			);
			this.sql.exec(
				"INSERT INTO idempotencia (actor_id, clave, huella, estado, transaccion_id, created_at) VALUES (?, ?, ?, 'en_curso', ?, ?)",
				req.actorId,
				req.idempotencyKey,
				huella,
				transaccionId,
				now,
			);
			const request = {
				transaccionId,
				rifaId: config.rifaId,
				userId: req.userId,
				amount,
				currency: "COP" as const,
			};
			// A provider that answers without I/O (sandbox) settles in this same atomic step.
			if (provider.chargeNow) {
				return { settled: this.settleCharge(transaccionId, provider.chargeNow(request), req) };
			}
			return { transaccionId, rows, request };
		});

		if ("ok" in reserved) return reserved;
		if ("replay" in reserved) return { ...reserved.replay, replayed: true } as PurchaseOutcome;
		if ("settled" in reserved && reserved.settled) {
			await this.flush();
			return reserved.settled;
		}
		this.broadcast({ type: "reservados", numeros: reserved.rows.map((r) => r.numero) });
		await this.armAlarm();

		let charge: ChargeResult | ProviderError;
		try {
			charge = await provider.charge(reserved.request);
		} catch (err) {
			console.error(
				JSON.stringify({
					level: "error",
					msg: "payment provider error",
					provider: req.paymentMethod,
					transaccion_id: reserved.request.transaccionId,
					error: err instanceof Error ? err.message : String(err),
				}),
			);
			charge = { status: "error" };
		}

		const outcome = this.ctx.storage.transactionSync(() =>
			this.settleCharge(reserved.request.transaccionId, charge, req),
		);
		await this.flush();
		return outcome;
	}

	/** The payment provider for a method; a seam so tests can stand in for the provider's servers. */
	protected payments(method: PaymentMethod): PaymentProvider {
		return paymentProvider(this.env, method);
	}

	/**
	 * Applies a payment result to a held purchase and records the idempotent response. D1 hears of
	 * the purchase only now, in its settled state, so a paid purchase costs one write per row.
	 */
	private settleCharge(
		transaccionId: string,
		charge: ChargeResult | ProviderError,
		req: PurchaseRequest,
	): PurchaseOutcome {
		const tx = this.transaccion(transaccionId);
		let outcome: PurchaseOutcome;
		if (tx.status !== "pending") {
			// The hold expired while the provider answered; the numbers may already be someone else's.
			outcome = fail(
				409,
				t(
					"La reserva expiró antes de confirmar el pago; intente de nuevo.",
					"The hold expired before the payment was confirmed; try again.",
				),
			);
		} else if (charge.status === "failed" || charge.status === "error") {
			this.markFailed(transaccionId, charge.status === "failed" ? charge.providerRef : null);
			if (charge.status === "error") {
				// Nothing was charged: forget the key so the client's retry starts afresh.
				this.sql.exec(
					"DELETE FROM idempotencia WHERE actor_id = ? AND clave = ?",
					req.actorId,
					req.idempotencyKey,
				);
				return fail(
					502,
					t(
						"El proveedor de pagos no respondió; no se cobró nada. Intente de nuevo.",
						"The payment provider did not answer; nothing was charged. Try again.",
					),
				);
			}
			outcome = fail(
				402,
				t(`El pago fue rechazado: ${charge.reason}`, `The payment was declined: ${charge.reason}`),
			);
		} else {
			const paid = charge.status === "succeeded";
			if (paid) {
				this.markSold(transaccionId, charge.providerRef);
			} else {
				this.sql.exec(
					"UPDATE transacciones SET provider_ref = ? WHERE id = ?",
					charge.providerRef,
					transaccionId,
				);
				this.mirror(transaccionId, { tickets: true });
			}
			const rows = this.sql
				.exec<TakenRow>(
					"SELECT * FROM tomados WHERE transaccion_id = ? ORDER BY numero",
					transaccionId,
				)
				.toArray();
			const body: PurchaseBody = {
				tickets: rows.map((r) => ({ id: r.ticket_id, numero: r.numero, estado: r.estado })),
				transaccion_id: transaccionId,
				payment: {
					provider: req.paymentMethod,
					status: paid ? "succeeded" : "requires_payment",
					amount: tx.amount,
					currency: "COP",
					...(charge.status === "requires_payment"
						? { client_secret: charge.clientSecret, expires_at: iso(tx.expires_at ?? Date.now()) }
						: {}),
				},
			};
			outcome = { ok: true, status: 201, body, replayed: false };
		}
		this.sql.exec(
			"UPDATE idempotencia SET estado = 'hecho', respuesta = ? WHERE actor_id = ? AND clave = ?",
			JSON.stringify(outcome),
			req.actorId,
			req.idempotencyKey,
		);
		return outcome;
	}

	// --- Purchase state changes, each mirrored to D1 through the outbox --------------------------

	private transaccion(id: string): TransaccionRow {
		return this.sql.exec<TransaccionRow>("SELECT * FROM transacciones WHERE id = ?", id).one();
	}

	private mirror(transaccionId: string, what: { tickets?: boolean; released?: boolean }): void {
		const config = this.config;
		if (!config) throw new Error("room has no configuration");
		const at = iso(Date.now());
		this.sql.exec("DELETE FROM outbox WHERE seq <= ?", this.appliedThrough);
		enqueue(this.sql, [
			...(what.released ? [ticketsReleased(transaccionId)] : []),
			transaccionUpsert(this.sql, config.rifaId, transaccionId, at),
			...(what.tickets
				? ticketUpserts(this.sql, config.rifaId, config.precio, transaccionId, at)
				: []),
		]);
	}

	/** Held numbers become sold. */
	private markSold(transaccionId: string, providerRef: string | null): void {
		this.sql.exec("UPDATE tomados SET estado = 'vendido' WHERE transaccion_id = ?", transaccionId);
		this.sql.exec(
			"UPDATE transacciones SET status = 'succeeded', provider_ref = coalesce(?, provider_ref), expires_at = NULL WHERE id = ?",
			providerRef,
			transaccionId,
		);
		this.mirror(transaccionId, { tickets: true });
		const numeros = this.sql
			.exec<{ numero: number }>(
				"SELECT numero FROM tomados WHERE transaccion_id = ? ORDER BY numero",
				transaccionId,
			)
			.toArray()
			.map((r) => r.numero);
		this.broadcast({ type: "vendidos", numeros });
	}

	/** Held numbers go back on sale and the purchase is failed (declined, abandoned or expired). */
	private markFailed(transaccionId: string, providerRef: string | null): void {
		const numeros = release(this.sql, transaccionId);
		this.sql.exec(
			"UPDATE transacciones SET status = 'failed', provider_ref = coalesce(?, provider_ref), expires_at = NULL WHERE id = ?",
			providerRef,
			transaccionId,
		);
		this.mirror(transaccionId, { released: true });
		if (numeros.length) this.broadcast({ type: "liberados", numeros });
	}

	/**
	 * Refunds every paid purchase of a cancelled rifa through its provider (idempotent per
	 * transaccion there too); tickets become `anulado`. A refund that fails stays `succeeded` and is
	 * tried again on the next call (the scheduler calls again while any is left).
	 */
	async refundAll(): Promise<{ refunded: number; failed: number }> {
		if (this.config?.estado !== "cancelada") return { refunded: 0, failed: 0 };
		const paid = this.sql
			.exec<TransaccionRow>("SELECT * FROM transacciones WHERE status = 'succeeded'")
			.toArray();
		let refunded = 0;
		let failed = 0;
		for (const tx of paid) {
			let refundRef: string | null;
			try {
				({ providerRef: refundRef } = await this.payments(tx.provider as PaymentMethod).refund({
					transaccionId: tx.id,
					providerRef: tx.provider_ref ?? "",
					reason: "rifa_cancelada",
				}));
			} catch (err) {
				failed++;
				console.error(
					JSON.stringify({
						level: "error",
						msg: "refund failed; will retry",
						transaccion_id: tx.id,
						error: String(err),
					}),
				);
				continue;
			}
			this.ctx.storage.transactionSync(() => {
				const current = this.transaccion(tx.id);
				if (current.status !== "succeeded") return;
				this.sql.exec("UPDATE transacciones SET status = 'refunded' WHERE id = ?", tx.id);
				this.mirror(tx.id, {});
				const at = iso(Date.now());
				enqueue(this.sql, [
					{
						sql: "UPDATE tickets SET estado = 'anulado', actualizado_en = ? WHERE transaccion_id = ?",
						params: [at, tx.id],
					},
					refundAudit(current, { providerRef: refundRef, reason: "rifa_cancelada", at }),
				]);
				refunded++;
			});
		}
		await this.flush();
		return { refunded, failed };
	}

	// --- Payment provider events (webhooks) ----------------------------------------------------

	/**
	 * A payment for one of this rifa's purchases went through. Pending: the held numbers are sold.
	 * Already released (hold expired, or an earlier attempt failed): the numbers are taken back if
	 * still free, otherwise the money is refunded. Each event id takes effect once.
	 */
	async paymentSucceeded(event: ProviderEvent): Promise<PaymentEventResult> {
		const step = this.ctx.storage.transactionSync(
			(): PaymentEventResult | { refund: TransaccionRow } => {
				if (this.seen(event.id)) return "duplicate";
				const tx = this.findTransaccion(event);
				if (!tx) return "unknown";
				if (tx.status === "succeeded" || tx.status === "refunded") {
					this.markSeen(event);
					return "ignored";
				}
				if (tx.status === "failed") {
					// Sales are over: a late payment can no longer buy numbers back.
					if (this.config?.estado !== "activa") return { refund: tx };
					const wanted = JSON.parse(tx.numeros) as {
						numero: number;
						orden: number;
						ticket_id: string;
					}[];
					const free = this.sql
						.exec<{ n: number }>(
							`SELECT count(*) AS n FROM libres WHERE numero IN (${wanted.map(() => "?").join(", ")})`,
							...wanted.map((w) => w.numero),
						)
						.one().n;
					if (free < wanted.length) return { refund: tx };
					take(this.sql, tx.id, tx.user_id, wanted);
				}
				this.markSold(tx.id, event.providerRef);
				this.markSeen(event);
				return "sold";
			},
		);
		if (typeof step === "string") {
			await this.flush();
			return step;
		}
		// Taken by someone else meanwhile: money must not be kept without tickets.
		const tx = step.refund;
		const refund = await this.payments(tx.provider as PaymentMethod).refund({
			transaccionId: tx.id,
			providerRef: event.providerRef,
			reason: "numeros_no_disponibles",
		});
		this.ctx.storage.transactionSync(() => {
			if (this.seen(event.id)) return;
			this.sql.exec(
				"UPDATE transacciones SET status = 'refunded', provider_ref = ? WHERE id = ?",
				event.providerRef,
				tx.id,
			);
			this.mirror(tx.id, {});
			enqueue(this.sql, [
				refundAudit(tx, {
					providerRef: refund.providerRef,
					reason: "numeros_no_disponibles",
					at: iso(Date.now()),
				}),
			]);
			this.markSeen(event);
		});
		await this.flush();
		return "refunded";
	}

	/** A payment attempt failed: held numbers go back on sale. A later success is handled above. */
	async paymentFailed(event: ProviderEvent): Promise<PaymentEventResult> {
		const result = this.ctx.storage.transactionSync((): PaymentEventResult => {
			if (this.seen(event.id)) return "duplicate";
			const tx = this.findTransaccion(event);
			if (!tx) return "unknown";
			this.markSeen(event);
			if (tx.status !== "pending") return "ignored";
			this.markFailed(tx.id, event.providerRef);
			return "released";
		});
		await this.flush();
		return result;
	}

	private seen(eventId: string): boolean {
		return this.sql.exec("SELECT 1 FROM eventos WHERE id = ?", eventId).toArray().length > 0;
	}

	private markSeen(event: ProviderEvent): void {
		this.sql.exec(
			"INSERT OR IGNORE INTO eventos (id, tipo, procesado_en) VALUES (?, ?, ?)",
			event.id,
			event.type,
			Date.now(),
		);
	}

	private findTransaccion(event: ProviderEvent): TransaccionRow | undefined {
		return this.sql
			.exec<TransaccionRow>(
				"SELECT * FROM transacciones WHERE id = ? OR (provider_ref IS NOT NULL AND provider_ref = ?) LIMIT 1",
				event.transaccionId ?? "",
				event.providerRef,
			)
			.toArray()[0];
	}

	private checkSale(config: RoomConfig, req: PurchaseRequest, now: number): RoomError | null {
		if (config.estado !== "activa")
			return fail(
				409,
				t(
					`La rifa no está a la venta (estado ${config.estado}).`,
					`The rifa is not on sale (estado ${config.estado}).`,
				),
			);
		const at = iso(now);
		if (at < config.fechaInicio)
			return fail(
				409,
				t(`La venta abre el ${config.fechaInicio}.`, `Sales open at ${config.fechaInicio}.`),
			);
		if (at >= config.fechaFin)
			return fail(409, t("La venta de esta rifa ya cerró.", "Sales for this rifa have closed."));
		const max = config.reglas.max_boletas_por_compra;
		if (req.quantity > max) {
			return fail(
				422,
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
					422,
					t(
						`Los números van de 0 a ${config.totalBoletas - 1}: ${outOfRange.join(", ")}.`,
						`Numbers go from 0 to ${config.totalBoletas - 1}: ${outOfRange.join(", ")}.`,
					),
				);
			}
		}
		const cap = config.reglas.max_boletas_por_usuario;
		if (cap !== null) {
			const owned = this.sql
				.exec<{ n: number }>("SELECT count(*) AS n FROM tomados WHERE user_id = ?", req.userId)
				.one().n;
			if (owned + req.quantity > cap) {
				return fail(
					409,
					t(
						`Tope de ${cap} boletas por persona en esta rifa: ya tiene ${owned}, puede comprar ${Math.max(cap - owned, 0)} más.`,
						`This rifa allows ${cap} tickets per person: you have ${owned} and can buy ${Math.max(cap - owned, 0)} more.`,
					),
				);
			}
		}
		return null;
	}

	async availability(rifaId: string): Promise<Availability | null> {
		const config = await this.ensureConfig(rifaId);
		if (!config) return null;
		return this.snapshot(config);
	}

	private snapshot(config: RoomConfig): Availability {
		const mapa = new Array<string>(config.totalBoletas).fill("L");
		let reservados = 0;
		let vendidos = 0;
		for (const row of this.sql.exec<{ numero: number; estado: string }>(
			"SELECT numero, estado FROM tomados",
		)) {
			if (row.estado === "vendido") {
				mapa[row.numero] = "V";
				vendidos++;
			} else {
				mapa[row.numero] = "R";
				reservados++;
			}
		}
		return {
			rifa_id: config.rifaId,
			total: config.totalBoletas,
			libres: config.totalBoletas - reservados - vendidos,
			reservados,
			vendidos,
			mapa: mapa.join(""),
		};
	}

	/**
	 * The sold tickets, for settlement. D1 must already hold them: the outbox is flushed first and
	 * an outbox that cannot drain is an error (the next run tries again).
	 */
	async soldTickets(): Promise<{ numero: number; ticketId: string }[]> {
		await this.flush();
		if ((await this.pendingOutbox()) > 0) throw new Error("outbox not drained; settle later");
		return this.sql
			.exec<{ numero: number; ticket_id: string }>(
				"SELECT numero, ticket_id FROM tomados WHERE estado = 'vendido' ORDER BY numero",
			)
			.toArray()
			.map((r) => ({ numero: r.numero, ticketId: r.ticket_id }));
	}

	/** Tells watchers the draw's outcome. */
	async announce(event: RoomEvent): Promise<void> {
		this.broadcast(event);
	}

	/** Numbers held or sold, for the API's structural-change guard. */
	async committedCount(): Promise<number> {
		return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM tomados").one().n;
	}

	// --- Outbox --------------------------------------------------------------------------------

	/** Applies pending D1 writes in order; single-flight, so concurrent callers share one run. */
	async flush(): Promise<void> {
		while (this.flushing) await this.flushing;
		const run = this.flushOnce().finally(() => {
			this.flushing = null;
		});
		this.flushing = run;
		await run;
	}

	private async flushOnce(): Promise<void> {
		for (;;) {
			const entries = this.sql
				.exec<{ seq: number; statements: string }>(
					"SELECT seq, statements FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?",
					this.appliedThrough,
					OUTBOX_BATCH,
				)
				.toArray();
			if (!entries.length) return;
			const statements = entries.flatMap((e) => JSON.parse(e.statements) as D1Statement[]);
			let results: D1Result[];
			try {
				results = await this.env.DB.batch(
					statements.map((s) => this.env.DB.prepare(s.sql).bind(...s.params)),
				);
			} catch (err) {
				this.sql.exec(
					"UPDATE outbox SET attempts = attempts + 1 WHERE seq <= ?",
					entries.at(-1)?.seq ?? 0,
				);
				console.error(
					JSON.stringify({
						level: "error",
						msg: "outbox flush failed; the alarm will retry",
						error: err instanceof Error ? err.message : String(err),
					}),
				);
				await this.armAlarm(Date.now() + OUTBOX_RETRY_MS);
				return;
			}
			this.appliedThrough = entries.at(-1)?.seq ?? this.appliedThrough;
			if (this.env.LOG_LEVEL === "debug") {
				console.log(
					JSON.stringify({
						level: "debug",
						msg: "outbox flushed",
						rifa_id: this.config?.rifaId,
						entries: entries.length,
						statements: statements.length,
						d1_rows_read: results.reduce((n, r) => n + (r.meta.rows_read ?? 0), 0),
						d1_rows_written: results.reduce((n, r) => n + (r.meta.rows_written ?? 0), 0),
					}),
				);
			}
		}
	}

	async pendingOutbox(): Promise<number> {
		return this.sql
			.exec<{ n: number }>("SELECT count(*) AS n FROM outbox WHERE seq > ?", this.appliedThrough)
			.one().n;
	}

	// --- Alarm: hold expiry, outbox retries, idempotency clean-up ------------------------------

	private async armAlarm(at?: number): Promise<void> {
		const next =
			at ??
			this.sql
				.exec<{ t: number | null }>(
					"SELECT min(expires_at) AS t FROM transacciones WHERE status = 'pending'",
				)
				.one().t;
		if (next === null) return;
		if (this.alarmAt === undefined) this.alarmAt = await this.ctx.storage.getAlarm();
		if (this.alarmAt === null || this.alarmAt > next) {
			await this.ctx.storage.setAlarm(next);
			this.alarmAt = next;
		}
	}

	override async alarm(): Promise<void> {
		const now = Date.now();
		this.alarmAt = null;
		this.ctx.storage.transactionSync(() => {
			const due = this.sql
				.exec<{ id: string }>(
					"SELECT id FROM transacciones WHERE status = 'pending' AND expires_at <= ?",
					now,
				)
				.toArray();
			for (const { id } of due) {
				this.markFailed(id, null);
				// A purchase cut off mid-way (the object restarted) must not block its key forever.
				this.sql.exec(
					"DELETE FROM idempotencia WHERE transaccion_id = ? AND estado = 'en_curso'",
					id,
				);
			}
			enqueue(
				this.sql,
				due.map(({ id }) => eventStatement(COUNTER.holdExpired, id)),
			);
			this.sql.exec(
				"DELETE FROM idempotencia WHERE created_at < ? AND estado = 'hecho'",
				now - IDEMPOTENCY_TTL_MS,
			);
		});
		await this.flush();
		this.sql.exec("DELETE FROM outbox WHERE seq <= ?", this.appliedThrough);
		const pending = await this.pendingOutbox();
		await this.armAlarm(pending ? now + OUTBOX_RETRY_MS : undefined);
	}

	// --- Live updates ---------------------------------------------------------------------------

	override async fetch(request: Request): Promise<Response> {
		if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
			return new Response("Expected a WebSocket upgrade", { status: 426 });
		}
		const rifaId = request.headers.get("X-Rifa-Id") ?? "";
		const config = await this.ensureConfig(rifaId);
		if (!config) return new Response("Not found", { status: 404 });
		const { 0: client, 1: server } = new WebSocketPair();
		this.ctx.acceptWebSocket(server);
		server.send(
			JSON.stringify({ type: "snapshot", availability: this.snapshot(config) } satisfies RoomEvent),
		);
		return new Response(null, { status: 101, webSocket: client });
	}

	override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
		if (message === "ping") ws.send("pong");
	}

	override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
		ws.close(code === 1005 ? 1000 : code, "closing");
	}

	private broadcast(event: RoomEvent): void {
		const data = JSON.stringify(event);
		for (const ws of this.ctx.getWebSockets()) {
			try {
				ws.send(data);
			} catch {
				// A socket closing while we send is not our failure; it will get its close event.
			}
		}
	}
}

reportDurableObjectErrors(RifaRoom, {
	configure: true,
	purchase: true,
	refundAll: true,
	paymentSucceeded: true,
	paymentFailed: true,
	availability: true,
	soldTickets: true,
	announce: true,
	committedCount: true,
	flush: true,
	pendingOutbox: true,
	alarm: true,
	fetch: true,
	webSocketMessage: true,
	webSocketClose: true,
});

export const configFromRow = (rifa: typeof rifas.$inferSelect, precio: number): RoomConfig => ({
	rifaId: rifa.id,
	estado: rifa.estado,
	fechaInicio: rifa.fechaInicio,
	fechaFin: rifa.fechaFin,
	totalBoletas: rifa.totalBoletas,
	precio,
	reglas: parseReglas(rifa.reglas),
	actualizadoEn: rifa.actualizadoEn,
});
