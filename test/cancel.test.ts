import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import {
	call,
	createActiveRifa,
	createCast,
	createUser,
	expectProblem,
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

describe("cancelling once sales have ended", () => {
	/** An operador's rifa with a sold ticket whose sales ended; its draw is still ahead. */
	const afterSales = async (operador: TestUser) => {
		const rifa = await createActiveRifa(operador.token);
		expect((await buy(rifa.id, jugador, 1)).status).toBe(201);
		await env.DB.prepare("UPDATE rifas SET fecha_inicio = ?, fecha_fin = ? WHERE id = ?")
			.bind("2026-01-08T05:00:00.000Z", new Date(Date.now() - 3_600_000).toISOString(), rifa.id)
			.run();
		return rifa;
	};

	/** The same, once its lottery has drawn (the 2026-01-15 draw), with no result recorded yet. */
	const afterDraw = async (operador: TestUser) => {
		const rifa = await createActiveRifa(operador.token);
		expect((await buy(rifa.id, jugador, 1)).status).toBe(201);
		await env.DB.prepare(
			"UPDATE rifas SET fecha_inicio = ?, fecha_fin = ?, fecha_sorteo = ? WHERE id = ?",
		)
			.bind(
				"2026-01-08T05:00:00.000Z",
				"2026-01-16T03:00:00.000Z",
				"2026-01-16T03:30:00.000Z",
				rifa.id,
			)
			.run();
		return rifa;
	};

	it("is refused to the operador once sales ended, when a sold ticket may win", async () => {
		const operador = await createUser({ rol: "operador" });
		const rifa = await afterSales(operador);
		for (const res of [
			await patch(`/api/v1/rifas/${rifa.id}`, { estado: "cancelada" }, operador.token),
			await post(`/api/v1/rifas/${rifa.id}/cancelar`, undefined, operador.token),
		]) {
			const problem = expectProblem(res, 409);
			expect(problem.detail).toMatch(/^Regla: la venta de esta rifa terminó/);
		}
		expect((await get(`/api/v1/rifas/${rifa.id}`)).body.estado).toBe("activa");
		expect((await txs(rifa.id)).results).toEqual([{ status: "succeeded" }]);
	});

	it("is an admin's, with a motivo that is audited, until a result is observed", async () => {
		const operador = await createUser({ rol: "operador" });
		const rifa = await afterSales(operador);
		const missing = expectProblem(
			await post(`/api/v1/rifas/${rifa.id}/cancelar`, undefined, admin.token),
			422,
		);
		expect(missing.errors[0]).toMatchObject({ path: "motivo", code: "motivo_requerido" });
		const motivo = "La lotería aplazó el sorteo sin fecha nueva.";
		const done = await post(`/api/v1/rifas/${rifa.id}/cancelar`, { motivo }, admin.token);
		expect(done.status).toBe(200);
		expect(done.body.estado).toBe("cancelada");
		const audit = await env.DB.prepare(
			"SELECT actor_id, after FROM audit_log WHERE entity_id = ? AND action = 'rifa.cancelada'",
		)
			.bind(rifa.id)
			.first<{ actor_id: string; after: string }>();
		expect(audit?.actor_id).toBe(admin.id);
		expect(JSON.parse(audit?.after ?? "{}").motivo).toBe(motivo);

		// Once any source has reported the draw, not even an admin cancels: the rifa is settled.
		const other = await afterSales(operador);
		const fecha = new Date(
			Date.parse((await get(`/api/v1/rifas/${other.id}`)).body.fecha_sorteo) - 5 * 3_600_000,
		)
			.toISOString()
			.slice(0, 10);
		await env.DB.prepare(
			"INSERT INTO observaciones_resultado (id, loteria_id, fecha, fuente, fuente_clave, numero, serie, observado_en) VALUES (?, ?, ?, 'webhook', 'webhook', '3649', '188', ?)",
		)
			.bind(crypto.randomUUID(), other.loteria_id, fecha, new Date().toISOString())
			.run();
		const observed = expectProblem(
			await patch(`/api/v1/rifas/${other.id}`, { estado: "cancelada", motivo }, admin.token),
			409,
		);
		expect(observed.detail).toContain(fecha);
		expect((await get(`/api/v1/rifas/${other.id}`)).body.estado).toBe("activa");
	});

	it("is refused to everyone once the lottery has drawn, before any source reported the result", async () => {
		const operador = await createUser({ rol: "operador" });
		const rifa = await afterDraw(operador);
		const motivo = "La lotería aplazó el sorteo sin fecha nueva.";
		for (const res of [
			await post(`/api/v1/rifas/${rifa.id}/cancelar`, { motivo }, admin.token),
			await patch(`/api/v1/rifas/${rifa.id}`, { estado: "cancelada", motivo }, admin.token),
			await post(`/api/v1/rifas/${rifa.id}/cancelar`, undefined, operador.token),
		]) {
			const problem = expectProblem(res, 409);
			expect(problem.errors[0]).toMatchObject({ path: "estado", code: "sorteo_realizado" });
		}
		expect((await get(`/api/v1/rifas/${rifa.id}`)).body.estado).toBe("activa");
		expect((await txs(rifa.id)).results).toEqual([{ status: "succeeded" }]);
	});

	it("takes a motivo only with estado cancelada", async () => {
		const rifa = await createActiveRifa(admin.token);
		expectProblem(
			await patch(
				`/api/v1/rifas/${rifa.id}`,
				{ nombre: "Otra", motivo: "Sin razón de cancelar." },
				admin.token,
			),
			422,
		);
	});
});
