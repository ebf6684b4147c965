import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { readConfig, writeConfig } from "../src/rifa-room/config";
import { selloGuardado } from "../src/rifa-room/sello";
import { fromHex, leafHash, rootFromAuditPath } from "../src/verificacion/merkle";
import { createActiveRifa, createCast, get } from "./helpers";

describe("the ledger of a sold-out 10,000-number rifa", () => {
	it("seals in one alarm run, and each proof has at most 14 hashes", {
		timeout: 240_000,
	}, async () => {
		const { admin, jugador } = await createCast();
		const rifa = await createActiveRifa(admin.token, {
			total_boletas: 10000,
			reglas: { max_boletas_por_compra: 100, asignacion: "secuencial" },
		});
		const room = env.RIFA_ROOM.getByName(rifa.id);
		// Straight to the room: the Worker's per-user purchase limit is not what is measured here.
		for (let i = 0; i < 100; i++) {
			const out = await room.purchase({
				actorId: jugador.id,
				userId: jugador.id,
				quantity: 100,
				paymentMethod: "sandbox",
				idempotencyKey: `lote-${i}`,
			});
			expect(out.ok).toBe(true);
		}
		expect((await room.availability())?.vendidos).toBe(10000);

		// Time passes: sales end, and the room's alarm is what notices it.
		await runInDurableObject(room, async (instance, state) => {
			const config = readConfig(state.storage.sql);
			if (!config) throw new Error("no config");
			const ended = { ...config, fechaFin: new Date(Date.now() - 1000).toISOString() };
			writeConfig(state.storage.sql, ended);
			// The instance keeps its config in memory too.
			Object.assign(instance, { config: ended });
			await state.storage.setAlarm(Date.now());
		});
		await runDurableObjectAlarm(room);
		const sealed = await runInDurableObject(room, (_instance, state) =>
			selloGuardado(state.storage.sql),
		);
		expect(sealed).toMatchObject({ tamano: 10000, vendidos: 10000 });

		const tickets = await env.DB.prepare(
			"SELECT id FROM tickets WHERE rifa_id = ? AND numero IN (0, 4999, 9999) ORDER BY numero",
		)
			.bind(rifa.id)
			.all<{ id: string }>();
		for (const { id } of tickets.results) {
			const prueba = await room.prueba(id);
			const recibo = await room.recibo(id);
			if (!prueba || !recibo) throw new Error("no proof");
			expect(prueba.ruta.length).toBeLessThanOrEqual(14);
			expect(prueba).toMatchObject({ tamano: 10000, raiz: sealed?.raiz, sellada: true });
			const root = await rootFromAuditPath(
				await leafHash(recibo),
				prueba.seq,
				10000,
				prueba.ruta.map(fromHex),
			);
			expect(root).not.toBeNull();
		}
		expect((await get(`/api/v1/rifas/${rifa.id}/registro?per_page=1`)).body.total).toBe(10000);
	});
});
