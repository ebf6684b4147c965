import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { SANDBOX, WOMPI_CLAVES } from "./fixtures/wompi";
import {
	call,
	createActiveRifa,
	createUser,
	expectProblem,
	expireHolds,
	get,
	post,
	runCron,
	type TestUser,
} from "./helpers";
import {
	comprarWompi,
	entregar,
	nequi,
	transaccionDe as transaccionEn,
	usarWompi,
} from "./wompi-helpers";

let admin: TestUser;
let jugador: TestUser;
const stand = usarWompi();

beforeAll(async () => {
	admin = await createUser({ rol: "admin" });
	jugador = await createUser({ rol: "jugador" });
});

const comprar = (
	rifaId: string,
	pago: Record<string, unknown>,
	opts: { numeros?: number[]; who?: TestUser } = {},
) => comprarWompi(rifaId, opts.who ?? jugador, pago, opts);
const transaccionDe = (referencia: string) => transaccionEn(stand.wompi, referencia);

describe("a late approval", () => {
	it("takes the numbers back while they are free, else owes a manual refund that an admin closes once", async () => {
		const rifa = await createActiveRifa(admin.token);
		const primera = await comprar(rifa.id, nequi(), { numeros: [7] });
		await expireHolds(rifa.id);
		expect((await get(`/api/v1/rifas/${rifa.id}/disponibilidad`)).body.mapa[7]).toBe("L");
		const tx1 = transaccionDe(primera.body.transaccion_id);
		stand.wompi.finalizar(tx1.id);
		expect((await entregar(await stand.wompi.evento(tx1.id))).body.result).toBe("sold");
		expect((await get(`/api/v1/rifas/${rifa.id}/disponibilidad`)).body.mapa[7]).toBe("V");

		// Another buyer's hold expires and someone else buys the number meanwhile.
		const otro = await createUser({ rol: "jugador" });
		const segunda = await comprar(rifa.id, nequi(), { numeros: [8], who: otro });
		await expireHolds(rifa.id);
		const sandbox = await call("POST", `/api/v1/rifas/${rifa.id}/tickets`, {
			token: jugador.token,
			body: { user_id: jugador.id, quantity: 1, payment_method: "sandbox", numeros: [8] },
			headers: { "Idempotency-Key": crypto.randomUUID() },
		});
		expect(sandbox.status).toBe(201);
		const tx2 = transaccionDe(segunda.body.transaccion_id);
		stand.wompi.finalizar(tx2.id);
		expect((await entregar(await stand.wompi.evento(tx2.id))).body.result).toBe("refunded");
		// Nequi has no refund through the API: no void was asked, a manual refund is owed.
		expect(stand.wompi.requests.some((r) => r.path.endsWith("/void"))).toBe(false);

		const lista = await call("GET", "/api/v1/admin/reembolsos?estado=pendiente", {
			token: admin.token,
		});
		expect(lista.status).toBe(200);
		const pendiente = lista.body.items.find((r: { id: string }) => r.id === tx2.reference);
		expect(pendiente).toMatchObject({
			rifa_id: rifa.id,
			comprador: { id: otro.id, email: otro.email },
			monto: 1_000_000,
			proveedor: "wompi",
			metodo: "NEQUI",
			referencia_proveedor: tx2.id,
			motivo: "numeros_no_disponibles",
			estado: "pendiente",
		});
		expectProblem(await call("GET", "/api/v1/admin/reembolsos", { token: jugador.token }), 403);

		const hecho = await post(
			`/api/v1/admin/reembolsos/${tx2.reference}`,
			{ referencia: "NEQUI-M0001" },
			admin.token,
		);
		expect(hecho.status).toBe(200);
		expect(hecho.body).toMatchObject({ estado: "hecho", referencia_transferencia: "NEQUI-M0001" });
		// The same transfer again is the same answer; another one is refused.
		expect(
			(
				await post(
					`/api/v1/admin/reembolsos/${tx2.reference}`,
					{ referencia: "NEQUI-M0001" },
					admin.token,
				)
			).status,
		).toBe(200);
		expectProblem(
			await post(
				`/api/v1/admin/reembolsos/${tx2.reference}`,
				{ referencia: "NEQUI-M0002" },
				admin.token,
			),
			409,
		);
		const audit = await env.DB.prepare(
			"SELECT count(*) AS n FROM audit_log WHERE entity_id = ? AND action = 'reembolso.transferido'",
		)
			.bind(tx2.reference)
			.first<{ n: number }>();
		expect(audit?.n).toBe(1);
		const vista = await call("GET", `/api/v1/rifas/${rifa.id}/transacciones/${tx2.reference}`, {
			token: otro.token,
		});
		expect(vista.body).toMatchObject({
			status: "refunded",
			reembolso: { estado: "hecho", referencia_transferencia: "NEQUI-M0001" },
		});
		const aviso = await env.DB.prepare("SELECT tipo FROM avisos WHERE id = ?")
			.bind(`reembolso_hecho:${tx2.reference}`)
			.first<{ tipo: string }>();
		expect(aviso?.tipo).toBe("reembolso");
		expectProblem(
			await post(
				`/api/v1/admin/reembolsos/${crypto.randomUUID()}`,
				{ referencia: "X-123" },
				admin.token,
			),
			404,
		);
	});
});

describe("a cancelled rifa", () => {
	it("voids card payments through Wompi and owes Nequi buyers a manual refund each", async () => {
		const rifa = await createActiveRifa(admin.token);
		const porNequi = await comprar(rifa.id, nequi(), { numeros: [1] });
		const tarjeta = await stand.wompi.handle(
			new Request("https://sandbox.wompi.co/v1/tokens/cards", {
				method: "POST",
				headers: {
					Authorization: `Bearer ${WOMPI_CLAVES.WOMPI_PUBLIC_KEY}`,
					"Content-Type": "application/json",
				},
				body: JSON.stringify({
					number: SANDBOX.tarjetaAprobada,
					cvc: "123",
					exp_month: "08",
					exp_year: "29",
					card_holder: "Ana Pérez",
				}),
			}),
		);
		const token = ((await tarjeta.json()) as { data: { id: string } }).data.id;
		const porTarjeta = await comprar(
			rifa.id,
			{ metodo: "CARD", acepta_terminos: true, token, cuotas: 1 },
			{ numeros: [2] },
		);
		expect(porTarjeta.status).toBe(201);
		for (const compra of [porNequi, porTarjeta]) {
			const tx = transaccionDe(compra.body.transaccion_id);
			stand.wompi.finalizar(tx.id);
			expect((await entregar(await stand.wompi.evento(tx.id))).body.result).toBe("sold");
		}
		const cancel = await post(
			`/api/v1/rifas/${rifa.id}/cancelar`,
			{ motivo: "La lotería aplazó el sorteo sin fecha nueva." },
			admin.token,
		);
		expect(cancel.status).toBe(200);
		const card = transaccionDe(porTarjeta.body.transaccion_id);
		expect(
			stand.wompi.requests.filter((r) => r.path === `/v1/transactions/${card.id}/void`),
		).toHaveLength(1);
		expect(stand.wompi.transactions.get(card.id)?.status).toBe("VOIDED");
		const lista = await call("GET", `/api/v1/admin/reembolsos?rifa_id=${rifa.id}`, {
			token: admin.token,
		});
		expect(lista.body.items).toHaveLength(1);
		expect(lista.body.items[0]).toMatchObject({
			id: porNequi.body.transaccion_id,
			metodo: "NEQUI",
			motivo: "rifa_cancelada",
			estado: "pendiente",
		});
		// Both purchases are refunded (the card by Wompi, Nequi owed) and their tickets annulled.
		const tickets = await call("GET", `/api/v1/rifas/${rifa.id}/tickets`, { token: admin.token });
		expect(tickets.body.items.map((t: { estado: string }) => t.estado)).toEqual([
			"anulado",
			"anulado",
		]);
		// The room asked once: a second cancellation run finds nothing to refund again.
		await runDurableObjectAlarm(env.RIFA_ROOM.getByName(rifa.id));
		expect(stand.wompi.requests.filter((r) => r.path.endsWith("/void"))).toHaveLength(1);
		expect(
			(await call("GET", `/api/v1/admin/reembolsos?rifa_id=${rifa.id}`, { token: admin.token }))
				.body.items,
		).toHaveLength(1);
	});
});

describe("manual refunds left pending", () => {
	it("are alerted to admins once past HORAS_ALERTA_REEMBOLSO and counted in /metrics", async () => {
		const rifa = await createActiveRifa(admin.token);
		const compra = await comprar(rifa.id, nequi(), { numeros: [3] });
		const tx = transaccionDe(compra.body.transaccion_id);
		stand.wompi.finalizar(tx.id);
		expect((await entregar(await stand.wompi.evento(tx.id))).body.result).toBe("sold");
		await post(
			`/api/v1/rifas/${rifa.id}/cancelar`,
			{ motivo: "La lotería suspendió el sorteo." },
			admin.token,
		);
		const metricas = async () =>
			(
				await call("GET", "/metrics", {
					headers: { Authorization: `Bearer ${env.METRICS_TOKEN}` },
				})
			).text;
		expect(await metricas()).toMatch(/rifa1122_refunds_manual_pending\{estado="pendiente"\} [1-9]/);

		// Three days later (HORAS_ALERTA_REEMBOLSO defaults to 48): the cron alerts it, once.
		await env.DB.prepare("UPDATE reembolsos SET creado_en = ? WHERE id = ?")
			.bind(new Date(Date.now() - 72 * 3600_000).toISOString(), tx.reference)
			.run();
		await runCron();
		await runCron();
		const alertas = await env.DB.prepare("SELECT datos FROM avisos WHERE id = ?")
			.bind(`alerta:reembolso_vencido:${tx.reference}`)
			.all<{ datos: string }>();
		expect(alertas.results).toHaveLength(1);
		expect(JSON.parse(alertas.results[0]?.datos ?? "{}").detalle).toMatchObject({
			transaccion_id: tx.reference,
			metodo: "NEQUI",
		});
		expect(await metricas()).toMatch(/rifa1122_refunds_manual_pending\{estado="vencido"\} [1-9]/);
		// Closing it takes it out of the count.
		await post(
			`/api/v1/admin/reembolsos/${tx.reference}`,
			{ referencia: "PSE-000123" },
			admin.token,
		);
		const despues = await env.DB.prepare("SELECT estado FROM reembolsos WHERE id = ?")
			.bind(tx.reference)
			.first<{ estado: string }>();
		expect(despues?.estado).toBe("hecho");
	});
});
