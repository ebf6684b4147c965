import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import {
	call,
	createActiveRifa,
	createCast,
	createRifa,
	createUser,
	expectProblem,
	get,
	inDays,
	post,
	runCron,
	type TestUser,
	usePaymentProvider,
} from "./helpers";

let admin: TestUser;
let operador: TestUser;
let jugador: TestUser;

beforeAll(async () => {
	({ admin, operador, jugador } = await createCast());
});

const estado = async (id: string) => (await get(`/api/v1/rifas/${id}`)).body.estado as string;

const setDates = (id: string, inicio: number, fin: number) =>
	env.DB.prepare("UPDATE rifas SET fecha_inicio = ?, fecha_fin = ?, fecha_sorteo = ? WHERE id = ?")
		.bind(inDays(inicio), inDays(fin), inDays(fin + 0.1), id)
		.run();

const holdWithPendingPayment = async (rifaId: string) => {
	await usePaymentProvider(rifaId, (tx) => ({
		status: "requires_payment",
		providerRef: `pi_${tx}`,
		clientSecret: "secret",
	}));
	return call("POST", `/api/v1/rifas/${rifaId}/tickets`, {
		token: jugador.token,
		body: { user_id: jugador.id, quantity: 2, payment_method: "sandbox" },
		headers: { "Idempotency-Key": crypto.randomUUID() },
	});
};

describe("cron", () => {
	it("opens rifas whose window started and closes those whose window ended, once", async () => {
		const toOpen = await createRifa(admin.token, { fecha_inicio: inDays(-1) });
		const notYet = await createRifa(admin.token, { fecha_inicio: inDays(1) });
		const toClose = await createActiveRifa(admin.token);
		const held = await holdWithPendingPayment(toClose.id);
		expect(held.status).toBe(201);
		await setDates(toClose.id, -3, -0.01);
		const missed = await createRifa(admin.token);
		await setDates(missed.id, -3, -1);

		await runCron();
		expect(await estado(toOpen.id)).toBe("activa");
		expect(await estado(notYet.id)).toBe("pendiente");
		expect(await estado(toClose.id)).toBe("cerrada");
		expect(await estado(missed.id)).toBe("pendiente");
		const avail = (await get(`/api/v1/rifas/${toClose.id}/disponibilidad`)).body;
		expect(avail).toMatchObject({ reservados: 0, libres: 100 });
		const tx = await env.DB.prepare("SELECT status FROM transacciones WHERE id = ?")
			.bind(held.body.transaccion_id)
			.first();
		expect(tx).toEqual({ status: "failed" });

		await runCron();
		await runCron(new Date(Date.now() - 60_000));
		const audits = await env.DB.prepare(
			"SELECT entity_id, action, actor_id FROM audit_log WHERE entity_id IN (?, ?) AND action IN ('rifa.activa', 'rifa.cerrada') AND actor_id IS NULL ORDER BY action",
		)
			.bind(toOpen.id, toClose.id)
			.all();
		expect(audits.results).toEqual([
			{ entity_id: toOpen.id, action: "rifa.activa", actor_id: null },
			{ entity_id: toClose.id, action: "rifa.cerrada", actor_id: null },
		]);
	});
});

describe("POST /rifas/{id}/cerrar", () => {
	it("closes now for staff, stops sales, and is idempotent", async () => {
		const rifa = await createActiveRifa(operador.token);
		expectProblem(await post(`/api/v1/rifas/${rifa.id}/cerrar`, undefined, jugador.token), 403);
		expectProblem(await post(`/api/v1/rifas/${rifa.id}/cerrar`, undefined), 401);
		const other = await createUser({ rol: "operador" });
		expectProblem(await post(`/api/v1/rifas/${rifa.id}/cerrar`, undefined, other.token), 403);
		const closed = await post(`/api/v1/rifas/${rifa.id}/cerrar`, undefined, operador.token);
		expect(closed.status).toBe(200);
		expect(closed.body.estado).toBe("cerrada");
		expect(
			(await post(`/api/v1/rifas/${rifa.id}/cerrar`, undefined, admin.token)).body.estado,
		).toBe("cerrada");
		const sale = await call("POST", `/api/v1/rifas/${rifa.id}/tickets`, {
			token: jugador.token,
			body: { user_id: jugador.id, quantity: 1, payment_method: "sandbox" },
			headers: { "Idempotency-Key": crypto.randomUUID() },
		});
		expectProblem(sale, 409);
		const pendiente = await createRifa(admin.token);
		expectProblem(await post(`/api/v1/rifas/${pendiente.id}/cerrar`, undefined, admin.token), 409);
		expectProblem(
			await post(`/api/v1/rifas/${crypto.randomUUID()}/cerrar`, undefined, admin.token),
			404,
		);
	});
});
