import { afterEach, describe, expect, it, vi } from "vitest";
import { createLogger } from "../src/lib/logger";
import type { Contexto } from "../src/notificaciones/plantillas";
import { proveedoresDe } from "../src/notificaciones/proveedores";
import { localSms, twilio } from "../src/notificaciones/sms";
import { aGsm7, MAX_SMS, segmentosSms, textoSms } from "../src/notificaciones/sms-text";
import type { Envio, NotificacionMensaje, Sms } from "../src/notificaciones/tipos";
import twilioErrores from "./fixtures/proveedores/twilio-errores.json";
import twilioOkFixture from "./fixtures/proveedores/twilio-ok.json";
import { TWILIO } from "./notificaciones-helpers";

afterEach(() => {
	vi.restoreAllMocks();
});

const CELULAR = "+573001234567";

const errorDe = (envio: Envio) => {
	if (envio.ok) throw new Error("expected a failed send");
	return envio;
};

describe("twilio", () => {
	const { accountSid, authToken, messagingServiceSid } = twilioOkFixture.credenciales;
	const mensaje: Sms = twilioOkFixture.mensaje;
	const responde = (status: number, body: unknown) => {
		const pedidos: Request[] = [];
		const fetchFn: typeof fetch = async (input, init) => {
			pedidos.push(new Request(input, init));
			return typeof body === "string"
				? new Response(body, { status })
				: Response.json(body, { status });
		};
		return { fetchFn, pedidos };
	};
	const proveedor = (fetchFn: typeof fetch) =>
		twilio({ accountSid, authToken, messagingServiceSid }, fetchFn);

	it("posts the documented form with Basic auth and returns the message sid", async () => {
		const { status, body } = twilioOkFixture.response;
		const { fetchFn, pedidos } = responde(status, body);
		const p = proveedor(fetchFn);

		expect(await p.enviar(mensaje)).toEqual({ ok: true, id: body.sid });
		const [req] = pedidos;
		expect({
			method: req?.method,
			url: req?.url,
			headers: Object.fromEntries(req?.headers ?? []),
			body: Object.fromEntries(new URLSearchParams(await req?.text())),
		}).toEqual(twilioOkFixture.request);
		expect(p).toMatchObject({ nombre: "twilio", canal: "sms", idempotente: false });
	});

	it("sends From when there is no Messaging Service", async () => {
		const { fetchFn, pedidos } = responde(201, { sid: "SM1" });
		await twilio({ accountSid, authToken, from: "+15005550006" }, fetchFn).enviar(mensaje);
		const form = new URLSearchParams(await pedidos[0]?.text());
		expect([...form.keys()]).toEqual(["To", "From", "Body"]);
		expect(form.get("From")).toBe("+15005550006");
	});

	it.each([
		["21211", true],
		["21614", true],
		["21610", true],
		["20003", true],
		["20429", false],
		["21611", false],
		["20500", false],
	] as const)("classifies error %s (definitivo: %s)", async (codigo, definitivo) => {
		const { status, body } = twilioErrores[codigo];
		const envio = errorDe(await proveedor(responde(status, body).fetchFn).enviar(mensaje));

		expect(envio.definitivo).toBe(definitivo);
		expect(envio.incierto).toBeUndefined();
		expect(envio.error.startsWith(`twilio ${status} code ${codigo}: ${body.message}`)).toBe(true);
	});

	it("retries a gateway's non-JSON 502 and 503", async () => {
		for (const status of [502, 503]) {
			const envio = await proveedor(responde(status, "<html>unavailable</html>").fetchFn).enviar(
				mensaje,
			);
			expect(envio).toEqual({ ok: false, error: `twilio ${status}`, definitivo: false });
		}
	});

	it("marks a thrown fetch incierto, and never writes the auth token into the error", async () => {
		const sinRed = await proveedor(async () => {
			throw new Error(`timed out ${authToken}`);
		}).enviar(mensaje);
		expect(sinRed).toEqual({
			ok: false,
			error: "twilio: timed out [redactado]",
			definitivo: false,
			incierto: true,
		});
		const eco = await proveedor(
			responde(401, { code: 20003, message: `Bad token ${authToken}`, status: 401 }).fetchFn,
		).enviar(mensaje);
		expect(errorDe(eco).error).toBe("twilio 401 code 20003: Bad token [redactado]");
	});
});

describe("the local SMS provider", () => {
	it("only writes the text to the log", async () => {
		const spy = vi.spyOn(console, "log").mockImplementation(() => {});
		const red = vi.spyOn(globalThis, "fetch");
		const p = localSms(createLogger({}));
		const m = { para: CELULAR, texto: "Rifa1122: hola", idempotencia: "n-1" };

		expect(await p.enviar(m)).toEqual({ ok: true, id: "local:n-1" });
		expect(spy.mock.calls.map(([line]) => JSON.parse(String(line)))).toEqual([
			{ level: "info", msg: "notificación local", canal: "sms", para: CELULAR, texto: m.texto },
		]);
		expect(red).not.toHaveBeenCalled();
		expect(p).toMatchObject({ canal: "sms", idempotente: true });
	});

	it.each([
		["Twilio with a Messaging Service", { ENVIRONMENT: "production", ...TWILIO }, "twilio"],
		[
			"Twilio with a sender number",
			{
				ENVIRONMENT: "production",
				TWILIO_ACCOUNT_SID: "AC1",
				TWILIO_AUTH_TOKEN: "t",
				TWILIO_FROM: "+15005550006",
			},
			"twilio",
		],
		[
			"nothing with credentials but no sender",
			{ ENVIRONMENT: "production", TWILIO_ACCOUNT_SID: "AC1", TWILIO_AUTH_TOKEN: "t" },
			null,
		],
		["the local provider in development", { ENVIRONMENT: "development" }, "local"],
		["nothing when a deployed environment has no Twilio", { ENVIRONMENT: "staging" }, null],
	])("picks %s", (_caso, vars, nombre) => {
		const { sms } = proveedoresDe(vars, createLogger({}));
		expect(sms?.nombre ?? null).toBe(nombre);
		expect(sms?.porSegundo).toBe(nombre === "twilio" ? 10 : undefined);
	});
});

describe("SMS text", () => {
	const rifa = {
		id: "5f1e7a52-2d4b-4c7e-8f3a-0e9d1c2b3a45",
		nombre: "Rifa de Navidad",
		totalBoletas: 100,
		fechaFin: "2026-12-04T03:00:00.000Z",
		fechaSorteo: "2026-12-04T03:30:00.000Z",
		loteria: "Lotería de Bogotá",
	};
	const ctx = (idioma: "es" | "en", recibos: Contexto["recibos"] = []): Contexto => ({
		idioma,
		nombre: "Ana Gómez",
		appUrl: "https://rifa1122.co",
		rifa,
		recibos,
	});
	const base = { evento: "e", usuario_id: "u", rifa_id: rifa.id };
	const mensajes: NotificacionMensaje[] = [
		{ ...base, tipo: "compra", datos: { transaccion_id: "t", numeros: [7, 42], monto: 2_000_000 } },
		{
			...base,
			tipo: "reserva",
			datos: { transaccion_id: "t", numeros: [5], monto: 1_000_000, expira_en: rifa.fechaFin },
		},
		{ ...base, tipo: "reserva_expirada", datos: { transaccion_id: "t", numeros: [5] } },
		{ ...base, tipo: "rifa_cerrada", datos: { numeros: [7, 42] } },
		{
			...base,
			tipo: "resultado",
			datos: { numeros: [7], ganadores: [48], loteria_numero: "4848" },
		},
		...(["cuenta", "transferencia", "manual"] as const).map(
			(pago): NotificacionMensaje => ({
				...base,
				tipo: "ganador",
				datos: {
					numeros: [48],
					ganadores: [48],
					loteria_numero: "4848",
					premios: [{ numero: 48, monto: 75_000_000 }],
					pago,
				},
			}),
		),
		{ ...base, tipo: "premio_pagado", datos: { ganador_id: "g", numero: 48, monto: 75_000_000 } },
		...([undefined, "pendiente", "hecho"] as const).map(
			(manual): NotificacionMensaje => ({
				...base,
				tipo: "reembolso",
				datos: {
					transaccion_id: "t",
					monto: 1_000_000,
					motivo: "numeros_no_disponibles",
					...(manual ? { manual, referencia: "TRF-0001" } : {}),
				},
			}),
		),
		{ ...base, tipo: "alerta", datos: { clase: "pago_en_dlq", detalle: { ganador_id: "g" } } },
	];

	it.each(["es", "en"] as const)("fits every message in one GSM-7 segment (%s)", (idioma) => {
		const textos = mensajes.map((m) => textoSms(m, ctx(idioma)));
		expect(textos.filter((t) => aGsm7(t) !== t || segmentosSms(t) > 1 || t.length > 160)).toEqual(
			[],
		);
		expect(textos.every((t) => t.startsWith("Rifa1122: "))).toBe(true);
	});

	it("says what a reader needs in Spanish, without the accents GSM-7 lacks", () => {
		const [compraMsg, reserva] = mensajes;
		expect(textoSms(compraMsg as NotificacionMensaje, ctx("es"))).toBe(
			"Rifa1122: compra confirmada en Rifa de Navidad: numeros 07, 42 por $ 20.000. Sus boletas: https://rifa1122.co/mis-boletas",
		);
		expect(textoSms(reserva as NotificacionMensaje, ctx("es"))).toContain(
			"Rifa1122: reservamos el numero 05 de Rifa de Navidad por $ 10.000 hasta el 3 dic 22:00. https://rifa1122.co/rifas/",
		);
		expect(aGsm7("¿Ganó? Sí: Ñoño, ¡pingüino! “ok” … á")).toBe(
			'¿Gano? Si: Ñoño, ¡pingüino! "ok" ... a',
		);
		expect(segmentosSms("ñ".repeat(160))).toBe(1);
		expect(segmentosSms("€".repeat(80))).toBe(1);
		expect(segmentosSms("a".repeat(161))).toBe(2);
		expect(segmentosSms("中".repeat(71))).toBe(2);
	});

	it("carries the first receipt's link, and points to Mis boletas for the others", () => {
		const recibo = `eyJhbGciOiJFZERTQSJ9.${"x".repeat(500)}.${"s".repeat(86)}`;
		const compraMsg = mensajes[0] as NotificacionMensaje;
		const uno = textoSms(compraMsg, ctx("es", [{ numero: 7, recibo }]));
		expect(uno).toBe(
			`Rifa1122: compra confirmada en Rifa de Navidad: numeros 07, 42 por $ 20.000. Verifique su recibo: https://rifa1122.co/verificar#recibo=${recibo}`,
		);
		const varios = textoSms(
			compraMsg,
			ctx(
				"en",
				[7, 42].map((numero) => ({ numero, recibo: `${recibo}${numero}` })),
			),
		);
		expect(varios).toBe(
			`Rifa1122: purchase confirmed in Rifa de Navidad: numbers 07, 42 for $ 20.000. Verify your receipt 07: https://rifa1122.co/verificar#recibo=${recibo}7. Your tickets: https://rifa1122.co/mis-boletas`,
		);
		expect(segmentosSms(varios)).toBe(Math.ceil(varios.length / 153));
		// A receipt too long for Twilio's limit is left to Mis boletas.
		const enorme = textoSms(compraMsg, ctx("es", [{ numero: 7, recibo: "x".repeat(MAX_SMS) }]));
		expect(enorme.endsWith("por $ 20.000. Sus boletas: https://rifa1122.co/mis-boletas")).toBe(
			true,
		);
	});
});
