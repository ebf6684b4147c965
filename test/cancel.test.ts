import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import {
	call,
	createActiveRifa,
	createCast,
	createUser,
	get,
	patch,
	post,
	runCron,
	type TestUser,
} from "./helpers";

let admin: TestUser;
let jugador: TestUser;

beforeAll(async () => {
	({ admin, jugador } = await createCast());
});

const buy = (rifaId: string, who: TestUser, quantity: number) =>
	call("POST", `/api/v1/rifas/${rifaId}/tickets`, {
		token: who.token,
		body: { user_id: who.id, quantity, payment_method: "sandbox" },
		headers: { "Idempotency-Key": crypto.randomUUID() },
	});

const txs = (rifaId: string) =>
	env.DB.prepare("SELECT status FROM transacciones WHERE rifa_id = ? ORDER BY status")
		.bind(rifaId)
		.all();
const ticketStates = (rifaId: string) =>
	env.DB.prepare("SELECT DISTINCT estado FROM tickets WHERE rifa_id = ?").bind(rifaId).all();

describe("cancelling a rifa", () => {
	it("refunds every paid purchase once and voids its tickets", async () => {
		const rifa = await createActiveRifa(admin.token);
		const otro = await createUser();
		expect((await buy(rifa.id, jugador, 2)).status).toBe(201);
		expect((await buy(rifa.id, otro, 3)).status).toBe(201);
		const refunds: string[] = [];
		await runInDurableObject(env.RIFA_ROOM.getByName(rifa.id), (instance) => {
			Object.assign(instance, {
				payments: () => ({
					name: "sandbox",
					charge: async () => ({ status: "succeeded", providerRef: "x" }),
					refund: async (req: { transaccionId: string }) => {
						refunds.push(req.transaccionId);
						return { providerRef: `re_${req.transaccionId}` };
					},
				}),
			});
		});

		const res = await patch(`/api/v1/rifas/${rifa.id}`, { estado: "cancelada" }, admin.token);
		expect(res.status).toBe(200);
		expect(res.body.estado).toBe("cancelada");
		expect(refunds).toHaveLength(2);
		expect((await txs(rifa.id)).results).toEqual([{ status: "refunded" }, { status: "refunded" }]);
		expect((await ticketStates(rifa.id)).results).toEqual([{ estado: "anulado" }]);

		const audited = async () => {
			const res = await get("/api/v1/admin/auditoria?entity=transaccion&per_page=100", admin.token);
			return (res.body.items as { action: string; entity_id: string; after: unknown }[]).filter(
				(e) => refunds.includes(e.entity_id),
			);
		};
		const entries = await audited();
		expect(entries).toHaveLength(2);
		for (const e of entries) {
			expect(e.action).toBe("transaccion.reembolsada");
			expect(e.after).toMatchObject({
				status: "refunded",
				motivo: "rifa_cancelada",
				referencia_reembolso: `re_${e.entity_id}`,
			});
		}

		await runCron();
		expect(refunds).toHaveLength(2);
		expect(await audited()).toHaveLength(2);
		const sale = await buy(rifa.id, jugador, 1);
		expect(sale.status).toBe(409);
		expect((await get(`/api/v1/rifas/${rifa.id}`)).body.estado).toBe("cancelada");
	});

	it("retries a refund that failed on the next scheduler run", async () => {
		const rifa = await createActiveRifa(admin.token);
		expect((await buy(rifa.id, jugador, 1)).status).toBe(201);
		let attempts = 0;
		await runInDurableObject(env.RIFA_ROOM.getByName(rifa.id), (instance) => {
			Object.assign(instance, {
				payments: () => ({
					name: "sandbox",
					charge: async () => ({ status: "succeeded", providerRef: "x" }),
					refund: async (req: { transaccionId: string }) => {
						attempts++;
						if (attempts === 1) throw new Error("provider unavailable");
						return { providerRef: `re_${req.transaccionId}` };
					},
				}),
			});
		});
		expect((await post(`/api/v1/rifas/${rifa.id}/cancelar`, undefined, jugador.token)).status).toBe(
			403,
		);
		expect((await post(`/api/v1/rifas/${rifa.id}/cancelar`, undefined, admin.token)).status).toBe(
			200,
		);
		expect((await txs(rifa.id)).results).toEqual([{ status: "succeeded" }]);
		await runCron();
		expect(attempts).toBe(2);
		expect((await txs(rifa.id)).results).toEqual([{ status: "refunded" }]);
		expect((await ticketStates(rifa.id)).results).toEqual([{ estado: "anulado" }]);
	});
});
