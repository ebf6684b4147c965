import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { checksumEvento, firmaIntegridad, mismoChecksum } from "../src/payments/wompi/firmas";
import { SANDBOX, sha256Hex, WOMPI_CLAVES } from "./fixtures/wompi";
import { call, createActiveRifa, createUser, expectProblem, get, type TestUser } from "./helpers";
import {
	comprarWompi,
	consultarAhora,
	entregar,
	mapa,
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
	opts: { key?: string; quantity?: number; numeros?: number[]; who?: TestUser } = {},
) => comprarWompi(rifaId, opts.who ?? jugador, pago, opts);
const transaccionDe = (referencia: string) => transaccionEn(stand.wompi, referencia);

describe("Wompi's signatures", () => {
	it("computes the integrity signature as Wompi's docs and SDK do", async () => {
		// The docs' own example, and the SDK's vectors with and without expiration_time.
		expect(
			await firmaIntegridad(
				{ reference: "sk8-438k4-xmxm392-sn2m", amountInCents: 2490000, currency: "COP" },
				"prod_integrity_Z5mMke9x0k8gpErbDqwrJXMqsI6SFli6",
			),
		).toBe("37c8407747e595535433ef8f6a811d853cd943046624a0ec04662b17bbf33bf5");
		expect(
			await firmaIntegridad(
				{
					reference: "ref-123",
					amountInCents: 2490000,
					currency: "COP",
					expirationTime: "2025-01-01T00:00:00.000Z",
				},
				"test_integrity_key",
			),
		).toBe("e03cb492e50b9497abd14c0e99a9d677401d9fafce3ed8d6296c68e7fa3304b9");
	});

	it("checks an event's checksum from its properties, timestamp and secret, in any case", async () => {
		const evento = {
			event: "transaction.updated",
			data: {
				transaction: { id: "1234-1610641025-49201", status: "APPROVED", amount_in_cents: 4490000 },
			},
			signature: {
				properties: ["transaction.id", "transaction.status", "transaction.amount_in_cents"],
				checksum: "",
			},
			timestamp: 1530291411,
		};
		const secreto = "prod_events_OcHnIzeBl5socpwByQ4hA52Em3USQ93Z";
		// Recomputed from the docs' example string (the docs print a checksum that does not match it).
		const esperado = await sha256Hex(
			"1234-1610641025-49201APPROVED44900001530291411prod_events_OcHnIzeBl5socpwByQ4hA52Em3USQ93Z",
		);
		expect(esperado).toBe("5a18ec5e8fdb7df463e9f94774cba8f583ba21bd04a09ceff2ea68a4bc0aefbe");
		expect(await checksumEvento(evento, secreto)).toBe(esperado);
		expect(mismoChecksum(esperado.toUpperCase(), esperado)).toBe(true);
		expect(mismoChecksum(esperado.replace("5a", "5b"), esperado)).toBe(false);
		expect(mismoChecksum("", esperado)).toBe(false);
	});
});

describe("a Nequi purchase", () => {
	it("holds the numbers, creates one Wompi transaction per purchase, and sells on a signed event", async () => {
		const rifa = await createActiveRifa(admin.token);
		const key = crypto.randomUUID();
		const res = await comprar(rifa.id, nequi(), { key, numeros: [3, 1] });
		expect(res.status).toBe(201);
		const { payment, transaccion_id, tickets } = res.body;
		expect(payment).toMatchObject({
			provider: "wompi",
			status: "requires_payment",
			metodo: "NEQUI",
			referencia: transaccion_id,
			amount: 2 * 1_000_000,
		});
		expect(tickets.map((t: { estado: string }) => t.estado)).toEqual(["reservado", "reservado"]);
		expect(await mapa(rifa.id)).toBe("LRLR");

		// What Wompi received: our reference, the amount, the signature over them and the hold's end.
		const creada = stand.wompi.requests.filter(
			(r) => r.method === "POST" && r.path === "/v1/transactions",
		);
		expect(creada).toHaveLength(1);
		const cuerpo = creada[0]?.body as Record<string, unknown>;
		expect(creada[0]?.headers.authorization).toBe(`Bearer ${WOMPI_CLAVES.WOMPI_PRIVATE_KEY}`);
		expect(cuerpo).toMatchObject({
			reference: transaccion_id,
			amount_in_cents: 2_000_000,
			currency: "COP",
			customer_email: jugador.email,
			expiration_time: payment.expires_at,
			payment_method: { type: "NEQUI", phone_number: SANDBOX.nequiAprobado },
		});
		expect(cuerpo.signature).toBe(
			await sha256Hex(
				`${transaccion_id}2000000COP${payment.expires_at}${WOMPI_CLAVES.WOMPI_INTEGRITY_SECRET}`,
			),
		);
		const tx = transaccionDe(transaccion_id);
		expect(payment.wompi_id).toBe(tx.id);

		// A replay with the same key answers the same and creates nothing at Wompi.
		const replay = await comprar(rifa.id, nequi(), { key, numeros: [3, 1] });
		expect(replay.status).toBe(201);
		expect(replay.headers.get("Idempotent-Replayed")).toBe("true");
		expect(replay.body).toEqual(res.body);
		expect(stand.wompi.requests.filter((r) => r.path === "/v1/transactions")).toHaveLength(1);

		// The buyer coming back from a redirect proves nothing: the numbers wait for Wompi's word.
		await get(`/rifas/${rifa.id}?transaccion=${transaccion_id}&id=${tx.id}&env=test`);
		expect(await mapa(rifa.id)).toBe("LRLR");

		stand.wompi.finalizar(tx.id);
		const evento = await stand.wompi.evento(tx.id);
		const sold = await entregar(evento);
		expect(sold.status).toBe(200);
		expect(sold.body).toEqual({ received: true, result: "sold" });
		expect(await mapa(rifa.id)).toBe("LVLV");
		const estado = await call("GET", `/api/v1/rifas/${rifa.id}/transacciones/${transaccion_id}`, {
			token: jugador.token,
		});
		expect(estado.body).toMatchObject({ status: "succeeded", provider: "wompi" });
		// Each (transaction, status) once: Wompi's retry of the same event changes nothing.
		expect((await entregar(evento)).body.result).toBe("duplicate");
		const recibo = await get(`/api/v1/tickets/${tickets[0].id}/recibo`, jugador.token);
		expect(recibo.status).toBe(200);
	});

	it("refuses forged or unsigned events and changes nothing", async () => {
		const rifa = await createActiveRifa(admin.token);
		const res = await comprar(rifa.id, nequi(), { numeros: [0] });
		const tx = transaccionDe(res.body.transaccion_id);
		stand.wompi.finalizar(tx.id);
		const evento = await stand.wompi.evento(tx.id);
		// Signed with another secret.
		const falso = JSON.parse(evento.body);
		falso.signature.checksum = await sha256Hex(
			`${tx.id}APPROVED${tx.amount_in_cents}${falso.timestamp}test_events_otro`,
		);
		expectProblem(
			await entregar({ body: JSON.stringify(falso), checksum: falso.signature.checksum }),
			401,
		);
		// The body's checksum right but the header's wrong.
		expectProblem(await entregar(evento, "0".repeat(64)), 401);
		// No checksum at all.
		delete falso.signature;
		expectProblem(await entregar({ body: JSON.stringify(falso), checksum: "" }, null), 400);
		expect(await mapa(rifa.id, 1)).toBe("R");
		// A status changed after signing.
		const cambiado = JSON.parse(evento.body);
		cambiado.data.transaction.amount_in_cents = 1;
		expectProblem(
			await entregar({ body: JSON.stringify(cambiado), checksum: evento.checksum }),
			401,
		);
		expect(await mapa(rifa.id, 1)).toBe("R");
	});

	it("frees the numbers of a declined payment", async () => {
		const rifa = await createActiveRifa(admin.token);
		const res = await comprar(rifa.id, nequi(SANDBOX.nequiRechazado), { numeros: [2] });
		expect(res.status).toBe(201);
		const tx = transaccionDe(res.body.transaccion_id);
		expect(stand.wompi.finalizar(tx.id).status).toBe("DECLINED");
		expect((await entregar(await stand.wompi.evento(tx.id))).body.result).toBe("released");
		expect(await mapa(rifa.id)).toBe("LLLL");
		const estado = await call("GET", `/api/v1/rifas/${rifa.id}/transacciones/${tx.reference}`, {
			token: jugador.token,
		});
		expect(estado.body.status).toBe("failed");
	});

	it("sells by polling Wompi when no event comes, and frees by polling a decline", async () => {
		const rifa = await createActiveRifa(admin.token);
		const aprobada = await comprar(rifa.id, nequi(), { numeros: [0] });
		const rechazada = await comprar(rifa.id, nequi(SANDBOX.nequiRechazado), { numeros: [1] });
		// Still pending at Wompi: the room asks and waits.
		await consultarAhora(rifa.id);
		expect(await mapa(rifa.id, 2)).toBe("RR");
		stand.wompi.finalizar(transaccionDe(aprobada.body.transaccion_id).id);
		stand.wompi.finalizar(transaccionDe(rechazada.body.transaccion_id).id);
		await consultarAhora(rifa.id);
		expect(await mapa(rifa.id, 2)).toBe("VL");
		// The event arriving after the poll changes nothing more.
		const tx = transaccionDe(aprobada.body.transaccion_id);
		expect((await entregar(await stand.wompi.evento(tx.id))).body.result).toBe("duplicate");
		const gets = stand.wompi.requests.filter(
			(r) => r.method === "GET" && r.path.startsWith("/v1/transactions/"),
		);
		expect(gets.length).toBeGreaterThanOrEqual(4);
	});

	it("sells nothing when Wompi reports another amount, and alerts", async () => {
		const rifa = await createActiveRifa(admin.token);
		const res = await comprar(rifa.id, nequi(), { numeros: [5] });
		const tx = transaccionDe(res.body.transaccion_id);
		stand.wompi.finalizar(tx.id);
		const evento = await stand.wompi.evento(tx.id, { amount_in_cents: 100 });
		expect((await entregar(evento)).body.result).toBe("amount_mismatch");
		expect((await get(`/api/v1/rifas/${rifa.id}/disponibilidad`)).body.mapa[5]).toBe("R");
		const alerta = await env.DB.prepare(
			"SELECT datos FROM avisos WHERE id LIKE 'alerta:pago_monto_distinto:%' AND rifa_id = ?",
		)
			.bind(rifa.id)
			.first<{ datos: string }>();
		expect(JSON.parse(alerta?.datos ?? "{}").detalle).toMatchObject({
			transaccion_id: tx.reference,
			monto_esperado: 1_000_000,
			monto_recibido: 100,
		});
	});

	it("answers 200 and changes nothing for a valid event about an unknown reference", async () => {
		const rifa = await createActiveRifa(admin.token);
		const res = await comprar(rifa.id, nequi(), { numeros: [0] });
		const tx = transaccionDe(res.body.transaccion_id);
		stand.wompi.finalizar(tx.id);
		tx.reference = crypto.randomUUID();
		const ajeno = await stand.wompi.evento(tx.id, { status: "APPROVED" });
		const body = JSON.parse(ajeno.body);
		body.data.transaction.id = "99999-1700000000-00000";
		const firmado = await checksumEvento(body, WOMPI_CLAVES.WOMPI_EVENTS_SECRET);
		body.signature.checksum = firmado;
		const r = await entregar({ body: JSON.stringify(body), checksum: firmado });
		expect(r.status).toBe(200);
		expect(r.body.result).toBe("unknown");
		expect(await mapa(rifa.id, 1)).toBe("R");
	});
});

describe("each method", () => {
	it("sends PSE and Bancolombia buyers to their bank and cash buyers to a corresponsal", async () => {
		const rifa = await createActiveRifa(admin.token);
		const pse = await comprar(rifa.id, {
			metodo: "PSE",
			acepta_terminos: true,
			banco: SANDBOX.bancoAprobado,
			tipo_persona: "natural",
			tipo_documento: "CC",
			documento: "1999888777",
			telefono: "+573001234567",
		});
		expect(pse.status).toBe(201);
		expect(pse.body.payment.redirect_url).toMatch(/^https:\/\/sandbox\.wompi\.co\/banco\//);
		const psePedida = stand.wompi.requests.find(
			(r) =>
				r.path === "/v1/transactions" &&
				(r.body as { reference: string }).reference === pse.body.transaccion_id,
		)?.body as Record<string, unknown>;
		expect(psePedida.payment_method).toMatchObject({
			type: "PSE",
			user_type: 0,
			user_legal_id_type: "CC",
			user_legal_id: "1999888777",
			financial_institution_code: "1",
		});
		expect(psePedida.customer_data).toMatchObject({ phone_number: "+573001234567" });

		const bancolombia = await comprar(rifa.id, {
			metodo: "BANCOLOMBIA_TRANSFER",
			acepta_terminos: true,
		});
		expect(bancolombia.status).toBe(201);
		expect(bancolombia.body.payment.redirect_url).toBeTruthy();

		const efectivo = await comprar(rifa.id, {
			metodo: "BANCOLOMBIA_COLLECT",
			acepta_terminos: true,
		});
		expect(efectivo.status).toBe(201);
		expect(efectivo.body.payment.efectivo).toEqual({
			convenio: expect.any(String),
			referencia_pago: expect.any(String),
		});
		// Cash holds longer than the rifa's minutos_reserva: 24 hours by default.
		const horas = (Date.parse(efectivo.body.payment.expires_at) - Date.now()) / 3600_000;
		expect(horas).toBeGreaterThan(23.9);
		expect(horas).toBeLessThanOrEqual(24);
		const estado = await call(
			"GET",
			`/api/v1/rifas/${rifa.id}/transacciones/${efectivo.body.transaccion_id}`,
			{ token: jugador.token },
		);
		expect(estado.body.pago).toMatchObject({
			metodo: "BANCOLOMBIA_COLLECT",
			efectivo: efectivo.body.payment.efectivo,
		});
	});

	it("refuses a hold that would outlive the sales window, and data Wompi cannot take", async () => {
		const rifa = await createActiveRifa(admin.token, {
			fecha_fin: new Date(Date.now() + 3 * 3600_000).toISOString(),
		});
		const efectivo = await comprar(rifa.id, {
			metodo: "BANCOLOMBIA_COLLECT",
			acepta_terminos: true,
		});
		const p = expectProblem(efectivo, 422);
		expect(p.detail).toMatch(/efectivo/i);
		expect(stand.wompi.requests.filter((r) => r.path === "/v1/transactions")).toHaveLength(0);
		expect(await mapa(rifa.id)).toBe("LLLL");
		// Nequi holds only the rifa's minutes: it is taken.
		expect((await comprar(rifa.id, nequi())).status).toBe(201);

		expectProblem(await comprar(rifa.id, { ...nequi(), acepta_terminos: false }), 422);
		expectProblem(
			await comprar(rifa.id, { metodo: "NEQUI", telefono: SANDBOX.nequiAprobado }),
			422,
		);
		expectProblem(await comprar(rifa.id, nequi("12345")), 422);
		expectProblem(
			await comprar(rifa.id, { metodo: "CARD", acepta_terminos: true, token: "4242424242424242" }),
			422,
		);
		expectProblem(
			await call("POST", `/api/v1/rifas/${rifa.id}/tickets`, {
				token: jugador.token,
				body: { user_id: jugador.id, quantity: 1, payment_method: "wompi" },
				headers: { "Idempotency-Key": crypto.randomUUID() },
			}),
			422,
		);
		// A PSE payer without a phone anywhere.
		expectProblem(
			await comprar(rifa.id, {
				metodo: "PSE",
				acepta_terminos: true,
				banco: "1",
				tipo_persona: "natural",
				tipo_documento: "CC",
				documento: "1999888777",
			}),
			422,
		);
	});

	it("answers 502 and frees the numbers when Wompi is down, creating nothing twice", async () => {
		const rifa = await createActiveRifa(admin.token);
		stand.wompi.down = true;
		const key = crypto.randomUUID();
		expectProblem(await comprar(rifa.id, nequi(), { key, numeros: [4] }), 502);
		expect((await get(`/api/v1/rifas/${rifa.id}/disponibilidad`)).body.mapa[4]).toBe("L");
		stand.wompi.down = false;
		const retry = await comprar(rifa.id, nequi(), { key, numeros: [4] });
		expect(retry.status).toBe(201);
		expect(stand.wompi.transactions.size).toBe(1);
	});
});

describe("GET /api/v1/pagos with Wompi", () => {
	it("lists the Colombian methods first with the links buyers accept, and the PSE banks", async () => {
		const res = await get("/api/v1/pagos");
		expect(res.body.metodos[0]).toBe("wompi");
		expect(res.body.wompi).toMatchObject({
			public_key: WOMPI_CLAVES.WOMPI_PUBLIC_KEY,
			entorno: "test",
			api_url: "https://sandbox.wompi.co/v1",
			metodos: ["NEQUI", "PSE", "BANCOLOMBIA_TRANSFER", "DAVIPLATA", "CARD", "BANCOLOMBIA_COLLECT"],
			horas_efectivo: 24,
		});
		expect(res.body.wompi.terminos_url).toMatch(/^https:\/\//);
		expect(res.body.wompi.datos_personales_url).toMatch(/^https:\/\//);
		const bancos = await get("/api/v1/pagos/wompi/bancos");
		expect(bancos.body.bancos).toContainEqual({ codigo: "1", nombre: "Banco que aprueba" });
		// The private key and the secrets are never published.
		expect(JSON.stringify(res.body)).not.toContain("prv_test_");
		expect(JSON.stringify(res.body)).not.toContain("integrity");
	});

	it("opens Wompi's origin on the rifa page only", async () => {
		const rifa = await createActiveRifa(admin.token);
		const page = await call("GET", `/rifas/${rifa.id}`, {
			env: { STRIPE_PUBLISHABLE_KEY: undefined },
		});
		expect(page.headers.get("Content-Security-Policy")).toContain(
			"connect-src 'self' https://sandbox.wompi.co",
		);
		const home = await get("/");
		expect(home.headers.get("Content-Security-Policy")).not.toContain("wompi");
	});
});
