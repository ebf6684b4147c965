import { errorFields, type Logger } from "../lib/logger";
import { cierre, ventaVencida } from "./cierre";
import { firmarPendientes } from "./firmas";
import { endSales } from "./holds";
import { soldNumbers, takenCount } from "./numeros";
import { entradas, tamano, ventaDe } from "./registro";
import type { RoomConfig, RoomTx } from "./room.types";
import { firmarSello, prueba, type Sello, selloGuardado, vendidosHasta } from "./sello";

/** What the ledger needs of its room: storage, definition, committed steps, retries. */
export interface LibroRoom {
	sql: SqlStorage;
	env: Env;
	rifaId(): string;
	config(): RoomConfig | null;
	step<T>(config: RoomConfig, fn: (tx: RoomTx) => T): T;
	log(): Logger;
	/** A signature failed: the alarm must run again by `at`. */
	retry(at: number): Promise<void>;
}

const SIGN_RETRY_MS = 5_000;

/**
 * The rifa's ledger as its room serves it: closed when sales end (whatever has told the room
 * yet), signed entry by entry and sealed, read in pages, receipts and proofs. Every read first
 * closes a ledger that is due and signs what waits, so no reader sees an unsealed ledger after
 * fecha_fin because an alarm ran late.
 */
export class Libro {
	constructor(private readonly room: LibroRoom) {}

	closeIfDue(now: number): void {
		const config = this.room.config();
		if (config && !cierre(this.room.sql) && ventaVencida(config, now))
			this.room.step(config, (tx) => endSales(tx, now));
	}

	get cerrado(): boolean {
		return cierre(this.room.sql) !== null;
	}

	/**
	 * The draw the definition fixed at the first number taken (null while nothing is taken): a
	 * draw the lottery moved later does not move it, so sales must still end before it.
	 */
	sorteoFijado(): string | null {
		const definicion = this.room.config()?.definicion;
		return definicion && (takenCount(this.room.sql) > 0 || this.cerrado)
			? definicion.fecha_sorteo
			: null;
	}

	/** Signs what the ledger and the seal are waiting for; a failure is retried by the alarm. */
	async sign(): Promise<void> {
		this.closeIfDue(Date.now());
		const { sql, env } = this.room;
		try {
			await firmarPendientes(env, sql, this.room.rifaId());
			const config = this.room.config();
			if (config) await firmarSello(env, sql, config);
		} catch (err) {
			this.room.log().error("signing the ledger failed; the alarm retries", {
				error: errorFields(err),
			});
			await this.room.retry(Date.now() + SIGN_RETRY_MS);
		}
	}

	/** The ledger's entries (signed JWS) in order, a page at a time; unsigned ones are not shown. */
	async entries(offset: number, limit: number): Promise<{ items: string[]; total: number }> {
		await this.sign();
		const rows = entradas(this.room.sql, offset, offset + limit);
		return { items: rows.flatMap((r) => (r.jws ? [r.jws] : [])), total: tamano(this.room.sql) };
	}

	/** A sale's receipt, once signed. */
	async receipt(ticketId: string): Promise<string | null> {
		await this.sign();
		return ventaDe(this.room.sql, ticketId)?.jws ?? null;
	}

	/** The sealed (or, before the seal, the current) tree's audit path of a sale's receipt. */
	async proof(ticketId: string) {
		await this.sign();
		const venta = ventaDe(this.room.sql, ticketId);
		return venta?.jws ? prueba(this.room.sql, venta.seq) : null;
	}

	async seal(): Promise<Sello | null> {
		await this.sign();
		return selloGuardado(this.room.sql);
	}

	/**
	 * The tickets the seal covers: sold inside the sealed ledger and not annulled there. They are
	 * the tickets the room holds sold; anything else is an error for a person to look into.
	 */
	async sealedTickets(): Promise<{ numero: number; ticketId: string }[]> {
		await this.sign();
		const { sql } = this.room;
		const c = cierre(sql);
		if (!c || !selloGuardado(sql)) throw new Error("the ledger is not sealed yet");
		const sellados = vendidosHasta(sql, c.tamano).map((v) => ({
			numero: v.numero,
			ticketId: v.ticket_id,
		}));
		const enSala = new Set(soldNumbers(sql).map((v) => v.ticketId));
		if (sellados.length !== enSala.size || sellados.some((v) => !enSala.has(v.ticketId))) {
			throw new RangeError("the room's sold tickets are not the ones its seal covers");
		}
		return sellados;
	}
}
