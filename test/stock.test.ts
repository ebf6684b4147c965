import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseReglas } from "../src/domain/reglas";
import { abonar } from "../src/rifa-room/abonos";
import { decidirAbono, iniciarAbonoEnLinea } from "../src/rifa-room/abonos-en-linea";
import { markFailed, markSold, retake } from "../src/rifa-room/holds";
import { permutation } from "../src/rifa-room/numbering";
import { rebuildOrder, stockProblems, takenCount } from "../src/rifa-room/numeros";
import type { RoomConfig, RoomTx, TransaccionRow } from "../src/rifa-room/room.types";
import { reserve } from "../src/rifa-room/sales";

const TOTAL = 100;

type Op =
	| { op: "buy"; quantity: number; numeros: number[] | null }
	| { op: "pay" | "expire" | "late"; pick: number }
	| { op: "abono"; quantity: number; share: number }
	| { op: "abonar"; pick: number; share: number }
	| { op: "en_linea"; pick: number; share: number }
	| { op: "decidir"; pick: number; aprobado: boolean }
	| { op: "reorder"; asignacion: "secuencial" | "aleatoria"; seed: string };

const ops: fc.Arbitrary<Op> = fc.oneof(
	fc.record({
		op: fc.constant("buy" as const),
		quantity: fc.integer({ min: 1, max: 5 }),
		numeros: fc.constant(null),
	}),
	fc
		.uniqueArray(fc.integer({ min: 0, max: TOTAL - 1 }), { minLength: 1, maxLength: 5 })
		.map((numeros) => ({ op: "buy" as const, quantity: numeros.length, numeros })),
	fc.record({
		op: fc.constantFrom("pay" as const, "expire" as const, "late" as const),
		pick: fc.nat(),
	}),
	fc.record({
		op: fc.constant("abono" as const),
		quantity: fc.integer({ min: 1, max: 3 }),
		share: fc.integer({ min: 1, max: 10_000 }),
	}),
	fc.record({
		op: fc.constant("abonar" as const),
		pick: fc.nat(),
		share: fc.integer({ min: 1, max: 12_000 }),
	}),
	fc.record({
		op: fc.constant("en_linea" as const),
		pick: fc.nat(),
		share: fc.integer({ min: 1, max: 12_000 }),
	}),
	fc.record({ op: fc.constant("decidir" as const), pick: fc.nat(), aprobado: fc.boolean() }),
	fc.record({
		op: fc.constant("reorder" as const),
		asignacion: fc.constantFrom("secuencial" as const, "aleatoria" as const),
		seed: fc.uuid(),
	}),
);

const held = { name: "stripe", charge: async () => ({ status: "error" }) } as never;

/**
 * A plan never holds more than its price, even counting online payments still being decided; it
 * is sold exactly when fully paid; its numbers are held (abonado) while it waits and are in the
 * ledger only once sold.
 */
const planesInconsistentes = (sql: SqlStorage): string[] =>
	sql
		.exec<{
			id: string;
			status: string;
			amount: number;
			pagado: number;
			apartado: number;
			tomados: number;
			asentados: number;
		}>(
			`SELECT t.id, t.status, t.amount,
				(SELECT coalesce(sum(monto), 0) FROM abonos a WHERE a.transaccion_id = t.id) AS pagado,
				(SELECT coalesce(sum(monto), 0) FROM abonos_en_linea e WHERE e.transaccion_id = t.id
					AND e.estado IN ('iniciando', 'pendiente')) AS apartado,
				(SELECT count(*) FROM tomados k WHERE k.transaccion_id = t.id AND k.estado = 'reservado') AS tomados,
				(SELECT count(*) FROM tomados k JOIN registro r ON r.ticket_id = k.ticket_id AND r.tipo = 'venta'
					WHERE k.transaccion_id = t.id AND k.estado = 'reservado') AS asentados
			FROM transacciones t WHERE t.provider = 'abonos'`,
		)
		.toArray()
		.flatMap((p) => {
			const malo =
				p.pagado > p.amount ||
				(p.status === "pending" && p.pagado + p.apartado > p.amount) ||
				(p.status === "succeeded") !== (p.pagado === p.amount) ||
				(p.status === "pending" && p.tomados === 0) ||
				p.asentados > 0;
			return malo
				? [
						`${p.id}: ${p.status} ${p.pagado}/${p.amount}, ${p.tomados} held, ${p.asentados} in the ledger`,
					]
				: [];
		});

describe("the number stock", () => {
	it("keeps every number in exactly one of free, held, abonado and sold, whatever happens in between", async () => {
		const room = env.RIFA_ROOM.getByName(`stock-${crypto.randomUUID()}`);
		await runInDurableObject(room, async (_instance, state) => {
			const sql = state.storage.sql;
			const config: RoomConfig = {
				rifaId: "stock",
				estado: "activa",
				fechaInicio: "2020-01-01T00:00:00.000Z",
				fechaFin: "2999-01-01T00:00:00.000Z",
				totalBoletas: TOTAL,
				precio: 1_000_000,
				reglas: parseReglas({ max_boletas_por_compra: 10, abonos: { minimo_bps: 2000 } }),
				actualizadoEn: "2020-01-01T00:00:00.000Z",
				definicionSha256: "0".repeat(64),
			};
			const tx: RoomTx = { sql, config, emit: () => {} };
			// Provider events (pay, late) reach purchases paid through a provider, never plans in
			// instalments (payment-events.ts ignores them); a deadline expires both.
			const of = (status: string, pick: number, conPlanes = false) => {
				const rows = sql
					.exec<TransaccionRow>(
						`SELECT * FROM transacciones WHERE status = ? ${conPlanes ? "" : "AND provider <> 'abonos'"} ORDER BY created_at, id`,
						status,
					)
					.toArray();
				return rows.length ? rows[pick % rows.length] : undefined;
			};
			await fc.assert(
				fc.asyncProperty(fc.array(ops, { maxLength: 40 }), async (sequence) => {
					for (const table of [
						"libres",
						"tomados",
						"transacciones",
						"idempotencia",
						"outbox",
						"abonos",
						"abonos_en_linea",
						"eventos",
					])
						sql.exec(`DELETE FROM ${table}`);
					rebuildOrder(sql, await permutation("stock", TOTAL, "secuencial"));
					for (const step of sequence) {
						if (step.op === "buy") {
							reserve(
								tx,
								{
									actorId: "a",
									userId: "u",
									quantity: step.quantity,
									paymentMethod: "stripe",
									idempotencyKey: crypto.randomUUID(),
									numeros: step.numeros ?? undefined,
								},
								held,
								Date.now(),
								false,
							);
						} else if (step.op === "pay") {
							const row = of("pending", step.pick);
							if (row) markSold(tx, row.id, null);
						} else if (step.op === "expire") {
							const row = of("pending", step.pick, true);
							if (row) markFailed(tx, row.id, null);
						} else if (step.op === "late") {
							const row = of("failed", step.pick);
							if (row && retake(tx, row)) markSold(tx, row.id, null);
						} else if (step.op === "abono") {
							const precio = config.precio * step.quantity;
							reserve(
								tx,
								{
									actorId: "a",
									userId: "u",
									quantity: step.quantity,
									paymentMethod: "abonos",
									idempotencyKey: crypto.randomUUID(),
									abono: { monto: Math.ceil((precio * step.share) / 10_000), medio: "sandbox" },
								},
								held,
								Date.now(),
								false,
							);
						} else if (step.op === "abonar") {
							const row = sql
								.exec<TransaccionRow>(
									"SELECT * FROM transacciones WHERE provider = 'abonos' ORDER BY created_at, id",
								)
								.toArray();
							const plan = row.length ? row[step.pick % row.length] : undefined;
							if (plan) {
								const monto = Math.ceil((plan.amount * step.share) / 10_000);
								abonar(
									tx,
									plan.id,
									crypto.randomUUID(),
									{ monto, medio: "sandbox" },
									undefined,
									Date.now(),
								);
							}
						} else if (step.op === "en_linea") {
							const planes = sql
								.exec<TransaccionRow>(
									"SELECT * FROM transacciones WHERE provider = 'abonos' ORDER BY created_at, id",
								)
								.toArray();
							const plan = planes.length ? planes[step.pick % planes.length] : undefined;
							if (plan) {
								const hex = crypto.randomUUID().replaceAll("-", "").slice(0, 16);
								iniciarAbonoEnLinea(
									tx,
									plan.id,
									hex,
									`${plan.id}.${hex}`,
									Math.max(1, Math.ceil((plan.amount * step.share) / 10_000)),
									"wompi",
									Date.now(),
								);
							}
						} else if (step.op === "decidir") {
							const enCurso = sql
								.exec<{ referencia: string; monto: number }>(
									"SELECT referencia, monto FROM abonos_en_linea WHERE estado IN ('iniciando', 'pendiente') ORDER BY creado_en, referencia",
								)
								.toArray();
							const pago = enCurso.length ? enCurso[step.pick % enCurso.length] : undefined;
							if (pago)
								decidirAbono(
									tx,
									{
										eventoId: crypto.randomUUID(),
										referencia: pago.referencia,
										providerRef: `w-${pago.referencia}`,
										estado: step.aprobado ? "APPROVED" : "DECLINED",
										amount: pago.monto,
									},
									Date.now(),
								);
						} else if (step.op === "reorder" && takenCount(sql) === 0) {
							rebuildOrder(sql, await permutation(step.seed, TOTAL, step.asignacion));
						}
						expect(stockProblems(sql, TOTAL)).toEqual([]);
						expect(planesInconsistentes(sql)).toEqual([]);
					}
				}),
				{ numRuns: 60 },
			);
		});
	});
});
