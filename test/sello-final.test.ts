import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../src/db/client";
import { readConfig, writeConfig } from "../src/rifa-room/config";
import { pedirReintento } from "../src/rifa-room/plazos";
import { RifaRoom } from "../src/rifa-room/rifa-room";
import { syncRoom } from "../src/rifa-room/rooms";
import { settle } from "../src/services/settlement.service";
import { buyNumbers, mockWinner, moveToDraw, sealAt, setupRifa } from "./draw-helpers";
import {
	call,
	createActiveRifa,
	createCast,
	createRifa,
	expectProblem,
	get,
	inDays,
	patch,
	runCron,
	type TestUser,
	usePaymentProvider,
	waitFor,
} from "./helpers";

let admin: TestUser;
let operador: TestUser;
let jugador: TestUser;

beforeAll(async () => {
	({ admin, operador, jugador } = await createCast());
});

const roomOf = (rifaId: string) => env.RIFA_ROOM.getByName(rifaId);
const registro = async (rifaId: string): Promise<string[]> =>
	(await get(`/api/v1/rifas/${rifaId}/registro?per_page=100`)).body.items;
const alarma = (rifaId: string) =>
	runInDurableObject(roomOf(rifaId), (_i, state) => state.storage.getAlarm());

/** The rifa's sales end now, as time passing would make them: D1 says so and its room hears it. */
const terminarVenta = async (rifaId: string) => {
	await env.DB.prepare("UPDATE rifas SET fecha_fin = ? WHERE id = ?")
		.bind(new Date(Date.now() - 1_000).toISOString(), rifaId)
		.run();
	await syncRoom(env, createDb(env.DB), rifaId);
};

/** A hold waiting for its payment, as a card payment leaves one. */
const reservar = async (rifaId: string, numero: number) => {
	await usePaymentProvider(rifaId, (id) => ({
		status: "requires_payment",
		providerRef: `pi_${id}`,
		clientSecret: "secret",
	}));
	const hold = await call("POST", `/api/v1/rifas/${rifaId}/tickets`, {
		token: jugador.token,
		body: { user_id: jugador.id, quantity: 1, payment_method: "sandbox", numeros: [numero] },
		headers: { "Idempotency-Key": crypto.randomUUID() },
	});
	expect(hold.status).toBe(201);
	return hold.body.transaccion_id as string;
};

describe("the seal is final", () => {
	it("after the seal at fecha_fin, the operador can neither move fecha_fin nor sell again", async () => {
		const rifa = await createActiveRifa(operador.token, {
			fecha_fin: new Date(Date.now() + 2_000).toISOString(),
		});
		expect((await buyNumbers(rifa.id, jugador, [1])).status).toBe(201);
		// The room's alarm at fecha_fin closes the ledger and signs the seal.
		await waitFor(async () => (await get(`/api/v1/rifas/${rifa.id}/sello`)).status === 200, {
			timeoutMs: 10_000,
			what: "the seal at fecha_fin",
		});
		const sello = await get(`/api/v1/rifas/${rifa.id}/sello`);
		expect(sello.body.tamano).toBe(1);

		const later = new Date(Date.now() + 10 * 60_000).toISOString();
		const moved = expectProblem(
			await patch(`/api/v1/rifas/${rifa.id}`, { fecha_fin: later }, operador.token),
			409,
		);
		expect(moved.errors).toEqual([
			expect.objectContaining({ path: "fecha_fin", code: "rifa_sellada" }),
		]);
		expectProblem(await buyNumbers(rifa.id, jugador, [2]), 409);

		// Not even a definition written to D1 behind the API's back reopens a sealed room.
		await env.DB.prepare("UPDATE rifas SET fecha_fin = ? WHERE id = ?").bind(later, rifa.id).run();
		await syncRoom(env, createDb(env.DB), rifa.id);
		expectProblem(await buyNumbers(rifa.id, jugador, [3]), 409);
		expect(await registro(rifa.id)).toHaveLength(1);
		expect((await get(`/api/v1/rifas/${rifa.id}/sello`)).body).toEqual(sello.body);
	});

	it("refuses every change of the definition once sales ended, and allows moving fecha_fin before", async () => {
		const rifa = await createActiveRifa(admin.token);
		const earlier = new Date(Date.now() + 3 * 86_400_000).toISOString();
		expect(
			(await patch(`/api/v1/rifas/${rifa.id}`, { fecha_fin: earlier }, admin.token)).status,
		).toBe(200);

		// The room closed its ledger (its alarm ran at fecha_fin) while D1 still says activa.
		await sealAt(rifa.id, new Date().toISOString());
		const refused = expectProblem(
			await patch(
				`/api/v1/rifas/${rifa.id}`,
				{ fecha_fin: inDays(4), reglas: { numero_no_vendido: "mas_cercano" } },
				admin.token,
			),
			409,
		);
		expect(refused.errors.map((e: { path: string; code: string }) => [e.path, e.code])).toEqual([
			["fecha_fin", "rifa_sellada"],
			["reglas", "rifa_sellada"],
		]);

		const vencida = await createActiveRifa(admin.token);
		await terminarVenta(vencida.id);
		for (const body of [
			{ total_boletas: 1000 },
			{ numero_ganadores: 2 },
			{ fecha_sorteo: inDays(30) },
			{ reglas: { base_premio: "proporcional" } },
		]) {
			const p = expectProblem(await patch(`/api/v1/rifas/${vencida.id}`, body, admin.token), 409);
			expect(p.errors[0].code).toBe("rifa_sellada");
		}
	});

	it("releases holds still waiting at the seal, and refunds a payment that arrives after it", async () => {
		const rifa = await createActiveRifa(admin.token);
		expect((await buyNumbers(rifa.id, jugador, [1])).status).toBe(201);
		const tx = await reservar(rifa.id, 2);
		await terminarVenta(rifa.id);
		const estado = await get(`/api/v1/rifas/${rifa.id}/transacciones/${tx}`, jugador.token);
		expect(estado.body.status).toBe("failed");

		const refunds: string[] = [];
		await runInDurableObject(roomOf(rifa.id), (instance: RifaRoom) => {
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
		const late = await roomOf(rifa.id).paymentSucceeded({
			id: `evt_${tx}`,
			type: "payment_intent.succeeded",
			providerRef: `pi_${tx}`,
			transaccionId: tx,
		});
		expect(late).toBe("refunded");
		expect(refunds).toEqual([tx]);
		expect(await registro(rifa.id)).toHaveLength(1);
		expect((await get(`/api/v1/rifas/${rifa.id}/sello`)).body.tamano).toBe(1);
	});
});

describe("one alarm for every deadline of a room", () => {
	it("comes back to the seal at fecha_fin after an earlier hold expires", async () => {
		const rifa = await createActiveRifa(admin.token);
		const fechaFin = (await get(`/api/v1/rifas/${rifa.id}`)).body.fecha_fin as string;
		expect(await alarma(rifa.id)).toBe(Date.parse(fechaFin));
		await reservar(rifa.id, 5);
		const expiry = await alarma(rifa.id);
		expect(expiry).toBeLessThan(Date.parse(fechaFin));
		await runInDurableObject(roomOf(rifa.id), (_i, state) => {
			state.storage.sql.exec("UPDATE transacciones SET expires_at = ?", Date.now() - 1);
		});
		expect(await runDurableObjectAlarm(roomOf(rifa.id))).toBe(true);
		expect(await alarma(rifa.id)).toBe(Date.parse(fechaFin));
	});

	it("keeps a retry across a restart, runs it first, then returns to the seal", async () => {
		const rifa = await createActiveRifa(admin.token);
		const fechaFin = Date.parse((await get(`/api/v1/rifas/${rifa.id}`)).body.fecha_fin);
		const retry = Date.now() + 60_000;
		await runInDurableObject(roomOf(rifa.id), async (instance: RifaRoom, state) => {
			pedirReintento(state.storage.sql, retry);
			await instance.flush();
		});
		expect(await alarma(rifa.id)).toBe(retry);
		// A new instance (the object restarted) finds the same deadlines in storage.
		await runInDurableObject(roomOf(rifa.id), async (_old: RifaRoom, state) => {
			const fresh = new RifaRoom(state, env);
			await fresh.flush();
			expect(await state.storage.getAlarm()).toBe(retry);
		});
		await runInDurableObject(roomOf(rifa.id), (_i, state) => state.storage.setAlarm(Date.now()));
		await runDurableObjectAlarm(roomOf(rifa.id));
		expect(await alarma(rifa.id)).toBe(fechaFin);
	});

	it("seals on time a room that never heard its rifa opened", async () => {
		const rifa = await createRifa(admin.token, { fecha_inicio: inDays(1) });
		const fechaFin = (await get(`/api/v1/rifas/${rifa.id}`)).body.fecha_fin as string;
		// The room holds the rifa as `pendiente`; the opening's push never reached it.
		await env.DB.prepare("UPDATE rifas SET estado = 'activa' WHERE id = ?").bind(rifa.id).run();
		expect(await alarma(rifa.id)).toBe(Date.parse(fechaFin));
		// Time passes to fecha_fin.
		await runInDurableObject(roomOf(rifa.id), (instance, state) => {
			const config = readConfig(state.storage.sql);
			if (!config) throw new Error("no config");
			writeConfig(state.storage.sql, {
				...config,
				fechaFin: new Date(Date.now() - 1).toISOString(),
			});
			Object.assign(instance, { config: readConfig(state.storage.sql) });
		});
		await runInDurableObject(roomOf(rifa.id), (_i, state) =>
			state.storage.setAlarm(Date.now() + 1),
		);
		await runDurableObjectAlarm(roomOf(rifa.id));
		await waitFor(
			async () =>
				runInDurableObject(
					roomOf(rifa.id),
					(_i, state) =>
						state.storage.sql.exec("SELECT 1 FROM sala WHERE clave = 'sello:jws'").toArray()
							.length > 0,
				),
			{ what: "the seal" },
		);
	});
});

describe("settlement pays only what the seal holds", () => {
	it("refuses, and alerts the admins, when D1 shows a sold ticket the seal does not contain", async () => {
		const { rifa } = await setupRifa(admin, "risaralda");
		const winner = await mockWinner("risaralda");
		const numero = Number(winner.numero.slice(-2));
		expect((await buyNumbers(rifa.id, jugador, [(numero + 1) % 100])).status).toBe(201);
		await moveToDraw(rifa.id);
		expect(
			(await patch(`/api/v1/rifas/${rifa.id}`, { estado: "cerrada" }, admin.token)).status,
		).toBe(200);
		// A ticket of the winning number that reached D1 by another path.
		await env.DB.prepare(
			"INSERT INTO tickets (id, rifa_id, usuario_id, numero, estado, precio, creado_en, actualizado_en) VALUES (?, ?, ?, ?, 'vendido', 1000000, ?, ?)",
		)
			.bind(
				crypto.randomUUID(),
				rifa.id,
				jugador.id,
				numero,
				new Date().toISOString(),
				new Date().toISOString(),
			)
			.run();
		await runCron();
		expect((await get(`/api/v1/rifas/${rifa.id}`)).body.estado).toBe("cerrada");
		const aviso = await env.DB.prepare("SELECT tipo, datos FROM avisos WHERE id = ?")
			.bind(`alerta:sello_no_coincide:${rifa.id}`)
			.first<{ tipo: string; datos: string }>();
		expect(aviso?.tipo).toBe("alerta");
		expect(JSON.parse(aviso?.datos ?? "{}")).toMatchObject({
			clase: "sello_no_coincide",
			detalle: { rifa_id: rifa.id, fuera_del_sello: 1 },
		});
	});

	it("never settles without the seal, even where no signing key is configured", async () => {
		const { rifa } = await setupRifa(admin, "quindio");
		expect((await buyNumbers(rifa.id, jugador, [3])).status).toBe(201);
		await moveToDraw(rifa.id);
		expect(
			(await patch(`/api/v1/rifas/${rifa.id}`, { estado: "cerrada" }, admin.token)).status,
		).toBe(200);
		const out = await settle(
			{ ...env, RECIBOS_CLAVE_PRIVADA: undefined, RECIBOS_CLAVES_ANTERIORES: undefined } as Env,
			createDb(env.DB),
			rifa.id,
			{ actorId: null },
		);
		expect(out).toMatchObject({
			outcome: "error",
			detail: expect.stringContaining("RECIBOS_CLAVE_PRIVADA"),
		});
		expect((await get(`/api/v1/rifas/${rifa.id}`)).body.estado).toBe("cerrada");
	});
});
