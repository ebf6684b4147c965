import { DurableObject } from "cloudflare:workers";
import { createDb } from "../db/client";
import { t } from "../lib/errors";
import { createLogger, type Logger } from "../lib/logger";
import { reportDurableObjectErrors } from "../lib/sentry";
import { type PaymentProvider, paymentProvider } from "../payments/provider";
import { definicionSha256 } from "../verificacion/definicion";
import { decidirAbono } from "./abonos-en-linea";
import { type OperacionAbono, operarAbono, type ResultadoOperacion } from "./abonos-rpc";
import { encolarAvisos } from "./avisos";
import { Compras, FREEZE_MAX_MS } from "./compras";
import {
	applyConfig,
	type ConfigureResult,
	freeze,
	frozenSince,
	isStale,
	loadRoomConfig,
	readConfig,
	sameOrder,
	thaw,
} from "./config";
import { Consultas } from "./consultas";
import { ENTRADAS } from "./entradas";
import { type HistoriaImportada, type HistoriaPasada, importarHistoria } from "./historia";
import { estadoTransaccion, expireHolds, extenderReserva } from "./holds";
import { Libro, type LibroRoom } from "./libro";
import { permutation } from "./numbering";
import { snapshot, takenCount } from "./numeros";
import { Outbox } from "./outbox";
import { paidPurchases, paymentFailed, paymentSucceeded } from "./payment-events";
import { olvidarReintento, pedirReintento, proximoPlazo } from "./plazos";
import { Refunds } from "./refunds";
import type {
	Availability,
	EstadoTransaccion,
	PaymentEventResult,
	PaymentMethod,
	ProviderEvent,
	PurchaseOutcome,
	PurchaseRequest,
	RoomConfig,
	RoomEvent,
	RoomSync,
	RoomTx,
} from "./room.types";
import { prepararSala } from "./room-schema";
import { fail, pruneIdempotency } from "./sales";
import type { Sello } from "./sello";
import { acceptSocket, broadcast, closeSocket } from "./sockets";

/** How soon the alarm retries a failed write to D1, and a failed refund. */
const OUTBOX_RETRY_MS = 5_000;
const REFUND_RETRY_MS = 60_000;

/**
 * One per rifa, addressed by the rifa's id: the only place that decides which numbers are free,
 * held or sold. Each RPC runs its check-and-write in one `transactionSync` step over the modules
 * beside this file (compras, sales, holds, libro, config, outbox…); events are broadcast once a
 * step has committed, and D1 hears of every change through the outbox.
 */
export class RifaRoom extends DurableObject<Env> {
	private readonly sql: SqlStorage;
	private readonly outbox: Outbox;
	/** Memo of the stored config and alarm: both are read on every purchase. */
	private config: RoomConfig | null;
	private alarmAt: number | null | undefined;
	/** Purchases whose provider call is running in this instance: their holds do not expire under them. */
	private readonly charging = new Set<string>();
	private readonly base: LibroRoom = {
		sql: this.ctx.storage.sql,
		env: this.env,
		rifaId: () => this.rifaId,
		config: () => this.config,
		step: (config, fn) => this.step(config, fn),
		log: () => this.log,
		retry: async (at) => {
			pedirReintento(this.sql, at);
			await this.armAlarm();
		},
	};
	private readonly libro = new Libro(this.base);
	private readonly compras = new Compras({
		sql: this.ctx.storage.sql,
		env: this.env,
		rifaId: () => this.rifaId,
		config: () => this.config,
		ensureConfig: () => this.ensureConfig(),
		sync: (config) => this.sync(config),
		step: (config, fn) => this.step(config, fn),
		payments: (method) => this.payments(method),
		charging: this.charging,
		flush: () => this.flush(),
		armAlarm: () => this.armAlarm(),
		broadcast: (e) => this.broadcast(e),
		paymentSucceeded: (e) => this.paymentSucceeded(e),
		log: () => this.log,
	});
	/** Money after the purchase: refunds, and questions to providers that decide later. */
	private readonly refunds = new Refunds({
		sql: this.ctx.storage.sql,
		config: () => this.config,
		payments: (method) => this.payments(method),
		step: (config, fn) => this.step(config, fn),
		log: () => this.log,
	});
	private readonly consultas = new Consultas({
		...this.refunds.room,
		paymentSucceeded: (e) => this.paymentSucceeded(e),
		paymentFailed: (e) => this.paymentFailed(e),
		decidirAbono: (config, d) => this.step(config, (tx) => decidirAbono(tx, d, Date.now())),
	});

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env);
		this.sql = ctx.storage.sql;
		prepararSala(this.sql);
		this.config = readConfig(this.sql);
		this.outbox = new Outbox(
			this.sql,
			env.DB,
			() => this.rifaId,
			() => this.log,
		);
	}

	private get rifaId(): string {
		return this.ctx.id.name ?? this.config?.rifaId ?? "";
	}

	private get log(): Logger {
		return createLogger(this.env, { rifa_id: this.rifaId });
	}

	/** Runs one synchronous step in a storage transaction; its events go out once it committed. */
	private step<T>(config: RoomConfig, fn: (tx: RoomTx) => T): T {
		const events: RoomEvent[] = [];
		const result = this.ctx.storage.transactionSync(() =>
			fn({ sql: this.sql, config, emit: (e) => events.push(e) }),
		);
		for (const e of events) this.broadcast(e);
		return result;
	}

	// --- Configuration -------------------------------------------------------------------------

	/**
	 * Stores the rifa's current definition; rebuilds the number order while nothing is taken. What
	 * buyers paid for (numbers, price, rules) never changes under a held or sold number: such a
	 * change is refused here whatever the caller checked before.
	 */
	async configure(pushed: RoomConfig): Promise<ConfigureResult> {
		const next: RoomConfig = pushed.definicion
			? { ...pushed, definicionSha256: await definicionSha256(pushed.definicion) }
			: pushed;
		for (let attempt = 0; ; attempt++) {
			const before = readConfig(this.sql);
			if (isStale(before, next)) return { aplicada: false };
			const order =
				!before || !sameOrder(before, next)
					? await permutation(next.rifaId, next.totalBoletas, next.reglas.asignacion)
					: null;
			const result = this.step(next, (tx) => applyConfig(tx, next, order, attempt < 3));
			if (result !== "retry" && result.aplicada) this.config = readConfig(this.sql);
			if (result === "retry") continue;
			if (result.estructura === "rechazada") {
				this.log.error("room refused a change of what buyers paid for", {
					alerta: "estructura_rechazada",
					actualizado_en: next.actualizadoEn,
				});
			}
			if (this.config?.estado === "cancelada" && paidPurchases(this.sql).length) {
				pedirReintento(this.sql, Date.now());
			}
			await this.flush();
			return result;
		}
	}

	/**
	 * The API is about to change what buyers pay for: possible only while nothing is held or sold,
	 * and from now until the new definition arrives nothing can be taken.
	 */
	async beginChange(
		token: string,
		stamp: string,
	): Promise<"congelada" | "tomados" | "otro_cambio"> {
		return this.ctx.storage.transactionSync(() => freeze(this.sql, token, stamp, FREEZE_MAX_MS));
	}

	/** The change was not made after all: sales go on, unless another change holds them. */
	async endChange(token: string): Promise<void> {
		thaw(this.sql, { token });
	}

	private async ensureConfig(): Promise<RoomConfig | null> {
		// A definition stored before receipts named it is taken again from D1 before selling.
		if (this.config?.definicionSha256) return this.config;
		const config = await loadRoomConfig(createDb(this.env.DB), this.rifaId);
		if (!config) return null;
		await this.configure(config);
		return this.config;
	}

	/**
	 * For the cron's reconciler: brings the room up to D1's definition (when it is behind, missing,
	 * or frozen by a change that never landed) and drains the outbox, reporting what it repaired.
	 */
	async sync(config: RoomConfig): Promise<RoomSync> {
		const current = readConfig(this.sql);
		const frozen = frozenSince(this.sql);
		const behind =
			!current ||
			current.actualizadoEn < config.actualizadoEn ||
			current.estado !== config.estado ||
			(frozen !== null && Date.now() - frozen > FREEZE_MAX_MS);
		if (behind) await this.configure(config);
		// Nothing could be taken while frozen, and D1 holds whatever the change did or did not write.
		if (frozen !== null && Date.now() - frozen > FREEZE_MAX_MS) thaw(this.sql, "stale");
		const pending = this.outbox.pending();
		await this.flush();
		return {
			configurada: behind && current !== null,
			nueva: current === null,
			aplicadas: Math.max(0, pending - this.outbox.pending()),
			atascadas: this.outbox.stuck(),
		};
	}

	// --- Purchases -----------------------------------------------------------------------------

	/** The payment provider for a method; a seam so tests can stand in for the provider's servers. */
	protected payments(method: PaymentMethod): PaymentProvider {
		return paymentProvider(this.env, method);
	}

	async purchase(req: PurchaseRequest): Promise<PurchaseOutcome> {
		this.libro.closeIfDue(Date.now());
		return this.compras.purchase(req);
	}

	// --- Payment provider events (webhooks) and refunds ----------------------------------------

	async paymentSucceeded(event: ProviderEvent): Promise<PaymentEventResult> {
		const config = await this.ensureConfig();
		if (!config) return "unknown";
		const step = this.step(config, (tx) => paymentSucceeded(tx, event));
		if (typeof step === "string") {
			await this.flush();
			return step;
		}
		// Sales are over, the price changed or the numbers went to someone else: money must not be
		// kept without tickets. A refund that fails is retried by the alarm (and the provider's
		// own retry of its event).
		try {
			await this.refunds.late({ transaccionId: step.refund.id, event });
			await this.flush();
		} catch (err) {
			pedirReintento(this.sql, Date.now() + REFUND_RETRY_MS);
			await this.armAlarm();
			throw err;
		}
		return "refunded";
	}

	async paymentFailed(event: ProviderEvent): Promise<PaymentEventResult> {
		const config = await this.ensureConfig();
		if (!config) return "unknown";
		const result = this.step(config, (tx) => paymentFailed(tx, event));
		await this.flush();
		return result;
	}

	/**
	 * Refunds every paid purchase of a cancelled rifa through its provider (idempotent per
	 * transaccion there too); tickets become `anulado`. A refund that fails stays `succeeded` and
	 * is tried again by the room's alarm, and by the scheduler as a backstop.
	 */
	async refundAll(): Promise<{ refunded: number; failed: number }> {
		const result = await this.refunds.cancelled();
		if (result.failed) pedirReintento(this.sql, Date.now() + REFUND_RETRY_MS);
		await this.flush();
		return result;
	}

	/** Development only: a past rifa's sales and seal, signed by a retired key (historia.ts). */
	async importarHistoria(h: HistoriaPasada): Promise<HistoriaImportada> {
		const result = await importarHistoria(this.base, h);
		this.config = readConfig(this.sql);
		await this.flush();
		return result;
	}

	/** A plan's later abonos, in person or online, and its credit (abonos-rpc.ts; rooms.ts types it). */
	async abonos(op: OperacionAbono): Promise<ResultadoOperacion> {
		const config = await this.ensureConfig();
		if (!config) return fail("NOT_FOUND", t("La rifa no existe.", "The rifa does not exist."));
		const r = this.step(config, (tx) => operarAbono(tx, op, Date.now()));
		await this.flush();
		return r;
	}

	/** A transfer's proof arrived: its numbers wait for the review (holds.ts). */
	async extenderReserva(transaccionId: string, hasta: number): Promise<string | null> {
		const config = await this.ensureConfig();
		if (!config) return null;
		return this.step(config, (tx) => extenderReserva(tx, transaccionId, hasta));
	}

	// --- Reads ---------------------------------------------------------------------------------

	async availability(): Promise<Availability | null> {
		const config = await this.ensureConfig();
		return config ? snapshot(this.sql, config) : null;
	}

	async transaccion(id: string): Promise<EstadoTransaccion | null> {
		return estadoTransaccion(this.sql, id);
	}

	/**
	 * The tickets the seal covers, for settlement (libro.ts). D1 must already hold them: the
	 * outbox is flushed first, and an outbox that cannot drain, or has entries set aside, is an
	 * error (the next run tries again).
	 */
	async soldTickets(): Promise<{ numero: number; ticketId: string }[]> {
		const sellados = await this.libro.sealedTickets();
		await this.flush();
		if (this.outbox.pending() > 0) throw new Error("outbox not drained; settle later");
		if (this.outbox.stuck() > 0)
			throw new Error("outbox has entries set aside; settle after repair");
		return sellados;
	}

	// --- The ledger: receipts, seal, proofs (libro.ts) -----------------------------------------

	/** The ledger is closed: nothing in the definition may change any more. */
	async sellada(): Promise<boolean> {
		const config = await this.ensureConfig();
		if (config) this.libro.closeIfDue(Date.now());
		return this.libro.cerrado;
	}

	/** The draw its tickets were sold for (libro.ts); null while nothing is taken. */
	async sorteoFijado(): Promise<string | null> {
		await this.ensureConfig();
		return this.libro.sorteoFijado();
	}

	async registro(offset: number, limit: number): Promise<{ items: string[]; total: number }> {
		return this.libro.entries(offset, limit);
	}

	async recibo(ticketId: string): Promise<string | null> {
		return this.libro.receipt(ticketId);
	}

	async prueba(ticketId: string) {
		return this.libro.proof(ticketId);
	}

	async sello(): Promise<Sello | null> {
		return this.libro.seal();
	}

	/** Tells watchers the draw's outcome. */
	async announce(event: RoomEvent): Promise<void> {
		this.broadcast(event);
	}

	/** Numbers held or sold, for the API's structural-change guard. */
	async committedCount(): Promise<number> {
		return takenCount(this.sql);
	}

	// --- Outbox and alarm ----------------------------------------------------------------------

	/** Applies pending D1 writes; on failure the alarm retries. True when nothing is left. */
	async flush(): Promise<boolean> {
		await this.libro.sign();
		const done = await this.outbox.flush();
		// Notifications go once D1 holds what they describe.
		const notified = done && (await encolarAvisos(this.sql, this.env.NOTIFICACIONES, this.log));
		if (!notified) pedirReintento(this.sql, Date.now() + OUTBOX_RETRY_MS);
		await this.armAlarm();
		return done;
	}

	async pendingOutbox(): Promise<number> {
		return this.outbox.pending();
	}

	/** Sets the one alarm to the earliest deadline (plazos.ts), if it is not set earlier already. */
	private async armAlarm(): Promise<void> {
		const next = proximoPlazo(this.sql, this.config, Date.now());
		if (next === null) return;
		if (this.alarmAt === undefined) this.alarmAt = await this.ctx.storage.getAlarm();
		if (this.alarmAt === null || this.alarmAt > next) {
			// Inside alarm(), an alarm for now would not fire again: never earlier than the next ms.
			const at = Math.max(next, Date.now() + 1);
			await this.ctx.storage.setAlarm(at);
			this.alarmAt = at;
		}
	}

	/** The seal at `fecha_fin`, hold expiry, payment questions, refunds, retries, clean-up. */
	override async alarm(): Promise<void> {
		const now = Date.now();
		this.alarmAt = null;
		olvidarReintento(this.sql);
		const config = this.config ?? (await this.ensureConfig());
		if (config) {
			this.step(config, (tx) => {
				expireHolds(tx, now, this.charging);
				pruneIdempotency(tx.sql, now);
			});
			await this.libro.sign();
			if (!(await this.consultas.run(now))) pedirReintento(this.sql, now + OUTBOX_RETRY_MS);
			if (this.charging.size) pedirReintento(this.sql, now + OUTBOX_RETRY_MS);
			if (!(await this.refunds.retryLate())) pedirReintento(this.sql, now + REFUND_RETRY_MS);
			if (config.estado === "cancelada" && paidPurchases(this.sql).length) await this.refundAll();
		}
		await this.flush();
	}

	// --- Live updates ---------------------------------------------------------------------------

	override async fetch(request: Request): Promise<Response> {
		if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
			return new Response("Expected a WebSocket upgrade", { status: 426 });
		}
		const config = await this.ensureConfig();
		if (!config) return new Response("Not found", { status: 404 });
		return acceptSocket(this.ctx, this.env, request, snapshot(this.sql, config));
	}

	override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
		if (message === "ping") ws.send("pong");
	}

	override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
		closeSocket(ws, code);
	}

	private broadcast(event: RoomEvent): void {
		broadcast(this.ctx, event);
	}
}

reportDurableObjectErrors(RifaRoom, ENTRADAS);
