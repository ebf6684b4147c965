import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseReglas } from "../src/domain/reglas";
import { markFailed, markSold, retake } from "../src/rifa-room/holds";
import { permutation } from "../src/rifa-room/numbering";
import { rebuildOrder, stockProblems, takenCount } from "../src/rifa-room/numeros";
import type { RoomConfig, RoomTx, TransaccionRow } from "../src/rifa-room/room.types";
import { reserve } from "../src/rifa-room/sales";

const TOTAL = 100;

type Op =
	| { op: "buy"; quantity: number; numeros: number[] | null }
	| { op: "pay" | "expire" | "late"; pick: number }
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
		op: fc.constant("reorder" as const),
		asignacion: fc.constantFrom("secuencial" as const, "aleatoria" as const),
		seed: fc.uuid(),
	}),
);

const held = { name: "stripe", charge: async () => ({ status: "error" }) } as never;

describe("the number stock", () => {
	it("keeps every number in exactly one of free, held and sold, whatever happens in between", async () => {
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
				reglas: parseReglas({ max_boletas_por_compra: 10 }),
				actualizadoEn: "2020-01-01T00:00:00.000Z",
				definicionSha256: "0".repeat(64),
			};
			const tx: RoomTx = { sql, config, emit: () => {} };
			const of = (status: string, pick: number) => {
				const rows = sql
					.exec<TransaccionRow>(
						"SELECT * FROM transacciones WHERE status = ? ORDER BY created_at, id",
						status,
					)
					.toArray();
				return rows.length ? rows[pick % rows.length] : undefined;
			};
			await fc.assert(
				fc.asyncProperty(fc.array(ops, { maxLength: 40 }), async (sequence) => {
					for (const table of ["libres", "tomados", "transacciones", "idempotencia", "outbox"])
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
							const row = of("pending", step.pick);
							if (row) markFailed(tx, row.id, null);
						} else if (step.op === "late") {
							const row = of("failed", step.pick);
							if (row && retake(tx, row)) markSold(tx, row.id, null);
						} else if (step.op === "reorder" && takenCount(sql) === 0) {
							rebuildOrder(sql, await permutation(step.seed, TOTAL, step.asignacion));
						}
						expect(stockProblems(sql, TOTAL)).toEqual([]);
					}
				}),
				{ numRuns: 60 },
			);
		});
	});
});
