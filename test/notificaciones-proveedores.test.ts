import { afterEach, describe, expect, it, vi } from "vitest";
import { createLogger } from "../src/lib/logger";
import {
	cloudflareEmail,
	type Email,
	type Envio,
	GRAPH_API_VERSION,
	localEmail,
	localWhatsApp,
	proveedoresDe,
	resend,
	type WhatsApp,
	whatsappCloud,
} from "../src/notificaciones/proveedores";
import resend409 from "./fixtures/proveedores/resend-409-idempotencia.json";
import resend422 from "./fixtures/proveedores/resend-422.json";
import resend429 from "./fixtures/proveedores/resend-429.json";
import resend500 from "./fixtures/proveedores/resend-500.json";
import resendOk from "./fixtures/proveedores/resend-ok.json";
import wa190 from "./fixtures/proveedores/whatsapp-190.json";
import wa130429 from "./fixtures/proveedores/whatsapp-130429.json";
import wa131026 from "./fixtures/proveedores/whatsapp-131026.json";
import wa132000 from "./fixtures/proveedores/whatsapp-132000.json";
import waOk from "./fixtures/proveedores/whatsapp-ok.json";

// The secrets the fixtures' requests were recorded with.
const API_KEY = resendOk.request.headers.authorization.replace("Bearer ", "");
const TOKEN = waOk.request.headers.authorization.replace("Bearer ", "");
const PHONE_ID = "106540352242922";

interface Respuesta {
	status: number;
	body: unknown;
	headers?: Record<string, string>;
}

/** A fetch that records each request and answers `respuesta` (a JSON body, or text as is). */
const fetchQueResponde = (respuesta: Respuesta) => {
	const pedidos: Request[] = [];
	const fetchFn: typeof fetch = async (input, init) => {
		pedidos.push(new Request(input, init));
		const { status, body, headers } = respuesta;
		return typeof body === "string"
			? new Response(body, { status, headers })
			: Response.json(body, { status, headers });
	};
	return { fetchFn, pedidos };
};

const fetchQueFalla =
	(err: unknown): typeof fetch =>
	async () => {
		throw err;
	};

const pedidoDe = async (req: Request | undefined) => {
	if (!req) throw new Error("no request was made");
	return {
		method: req.method,
		url: req.url,
		headers: Object.fromEntries(req.headers),
		body: await req.json(),
	};
};

const email: Email = resendOk.mensaje;
const whatsapp: WhatsApp = waOk.mensaje;

const errorDe = (envio: Envio) => {
	if (envio.ok) throw new Error("expected a failed send");
	return envio;
};

afterEach(() => {
	vi.restoreAllMocks();
});

describe("resend", () => {
	it("posts the documented request with the idempotency key and returns Resend's id", async () => {
		const { fetchFn, pedidos } = fetchQueResponde(resendOk.response);
		const proveedor = resend(API_KEY, fetchFn);

		expect(await proveedor.enviar(email)).toEqual({ ok: true, id: resendOk.response.body.id });
		expect(pedidos).toHaveLength(1);
		expect(await pedidoDe(pedidos[0])).toEqual(resendOk.request);
		expect(proveedor).toMatchObject({ nombre: "resend", canal: "email", idempotente: true });
	});

	it.each([
		["422 validation_error", resend422.response, true, "resend 422 validation_error: Invalid `to`"],
		["429 rate_limit_exceeded", resend429.response, false, "resend 429 rate_limit_exceeded"],
		["500 application_error", resend500.response, false, "resend 500 application_error"],
		[
			"409 invalid_idempotent_request",
			resend409.otroCuerpo,
			true,
			"resend 409 invalid_idempotent_request",
		],
		[
			"409 concurrent_idempotent_requests",
			resend409.concurrente,
			false,
			"resend 409 concurrent_idempotent_requests",
		],
	])("classifies %s", async (_caso, respuesta, definitivo, error) => {
		const envio = errorDe(await resend(API_KEY, fetchQueResponde(respuesta).fetchFn).enviar(email));

		expect(envio.definitivo).toBe(definitivo);
		expect(envio.incierto).toBeUndefined();
		expect(envio.error.startsWith(error)).toBe(true);
		expect(envio.error).not.toContain(API_KEY);
	});

	it("treats a gateway's non-JSON 502 as a retryable answer", async () => {
		const { fetchFn } = fetchQueResponde({ status: 502, body: "<html>Bad gateway</html>" });

		expect(await resend(API_KEY, fetchFn).enviar(email)).toEqual({
			ok: false,
			error: "resend 502",
			definitivo: false,
		});
	});

	it("marks a thrown fetch incierto, and never writes the API key into the error", async () => {
		const sinRed = errorDe(
			await resend(API_KEY, fetchQueFalla(new TypeError("Network connection lost"))).enviar(email),
		);
		expect(sinRed).toEqual({
			ok: false,
			error: "resend: Network connection lost",
			definitivo: false,
			incierto: true,
		});

		const eco = await resend(
			API_KEY,
			fetchQueResponde({
				status: 403,
				body: {
					statusCode: 403,
					name: "invalid_api_key",
					message: `API key ${API_KEY} is invalid`,
				},
			}).fetchFn,
		).enviar(email);
		const lanzado = await resend(
			API_KEY,
			fetchQueFalla(new Error(`bad header Bearer ${API_KEY}`)),
		).enviar(email);
		expect(errorDe(eco)).toMatchObject({
			error: "resend 403 invalid_api_key: API key [redactado] is invalid",
			definitivo: true,
		});
		expect(errorDe(lanzado).error).not.toContain(API_KEY);
	});
});

describe("cloudflareEmail", () => {
	const binding = (send: (m: EmailMessageBuilder) => Promise<EmailSendResult>) => {
		const enviados: EmailMessageBuilder[] = [];
		const fake = {
			send: async (m: EmailMessage | EmailMessageBuilder) => {
				enviados.push(m as EmailMessageBuilder);
				return send(m as EmailMessageBuilder);
			},
		};
		return { fake, enviados };
	};
	// What the binding throws: an Error with a string `code` (Workers API docs, "Error codes").
	const fallo = (code: string, message: string) => Object.assign(new Error(message), { code });

	it("hands the binding the message fields and returns its messageId", async () => {
		const { fake, enviados } = binding(async () => ({ messageId: "<0123@rifa1122.co>" }));
		const proveedor = cloudflareEmail(fake);

		expect(await proveedor.enviar(email)).toEqual({ ok: true, id: "<0123@rifa1122.co>" });
		expect(enviados).toEqual([
			{
				from: email.de,
				to: email.para,
				subject: email.asunto,
				text: email.texto,
				html: email.html,
				headers: email.headers,
			},
		]);
		expect(proveedor).toMatchObject({ nombre: "cloudflare-email", idempotente: false });
	});

	it.each([
		["E_SENDER_NOT_VERIFIED", "Sender domain not verified", true],
		["E_SENDER_DOMAIN_NOT_AVAILABLE", "Domain not available for sending", true],
		["E_RECIPIENT_NOT_ALLOWED", "Recipient not in allowed list", true],
		["E_RECIPIENT_SUPPRESSED", "Recipient is on suppression list", true],
		["E_VALIDATION_ERROR", "Validation error in the payload", true],
		["E_HEADER_NOT_ALLOWED", "Header not allowed", true],
		["E_DELIVERY_FAILED", "Could not deliver the email", true],
		["E_RATE_LIMIT_EXCEEDED", "Rate limit exceeded", false],
		["E_DAILY_LIMIT_EXCEEDED", "Daily limit exceeded", false],
		["E_INTERNAL_SERVER_ERROR", "Internal service error", false],
		["E_SOMETHING_NEW", "A code this code does not know", false],
	])("classifies a thrown %s", async (code, message, definitivo) => {
		const { fake } = binding(async () => {
			throw fallo(code, message);
		});

		expect(await cloudflareEmail(fake).enviar(email)).toEqual({
			ok: false,
			error: `cloudflare-email ${code}: ${message}`,
			definitivo,
		});
	});

	it("retries, without calling it uncertain, an error that carries no code", async () => {
		const { fake } = binding(async () => {
			throw new Error("binding unavailable");
		});

		expect(await cloudflareEmail(fake).enviar(email)).toEqual({
			ok: false,
			error: "cloudflare-email error: binding unavailable",
			definitivo: false,
		});
	});
});

describe("whatsappCloud", () => {
	it("posts the documented template message and returns the wamid", async () => {
		const { fetchFn, pedidos } = fetchQueResponde(waOk.response);
		const proveedor = whatsappCloud(TOKEN, PHONE_ID, fetchFn);

		expect(await proveedor.enviar(whatsapp)).toEqual({
			ok: true,
			id: waOk.response.body.messages[0]?.id,
		});
		expect(await pedidoDe(pedidos[0])).toEqual(waOk.request);
		expect(waOk.request.url).toContain(`/${GRAPH_API_VERSION}/`);
		expect(proveedor).toMatchObject({ nombre: "whatsapp-cloud", canal: "whatsapp" });
		expect(proveedor.idempotente).toBe(false);
	});

	it.each([
		["131026 undeliverable", wa131026.response, true, "whatsapp-cloud 400 code 131026"],
		["132000 parameter count", wa132000.response, true, "whatsapp-cloud 400 code 132000"],
		["190 expired token", wa190.response, true, "whatsapp-cloud 401 code 190"],
		[
			"130429 throughput, though HTTP 400",
			wa130429.response,
			false,
			"whatsapp-cloud 400 code 130429",
		],
	])("classifies %s", async (_caso, respuesta, definitivo, error) => {
		const envio = errorDe(
			await whatsappCloud(TOKEN, PHONE_ID, fetchQueResponde(respuesta).fetchFn).enviar(whatsapp),
		);

		expect(envio.definitivo).toBe(definitivo);
		expect(envio.error.startsWith(error)).toBe(true);
		expect(envio.error).not.toContain(TOKEN);
	});

	it.each([
		[{ status: 400, body: { error: { message: "(#131056) pair rate limit hit", code: 131056 } } }],
		[{ status: 400, body: { error: { message: "(#131048) Spam rate limit hit", code: 131048 } } }],
		[{ status: 400, body: { error: { message: "(#80007) Rate limit issues", code: 80007 } } }],
		[{ status: 500, body: { error: { message: "(#131000) Something went wrong", code: 131000 } } }],
		[{ status: 503, body: "Service Unavailable" }],
	])("retries a 'not now' answer: %j", async (respuesta) => {
		const envio = await whatsappCloud(TOKEN, PHONE_ID, fetchQueResponde(respuesta).fetchFn).enviar(
			whatsapp,
		);

		expect(errorDe(envio).definitivo).toBe(false);
	});

	it("marks a thrown fetch incierto, and never writes the token into the error", async () => {
		const sinRed = await whatsappCloud(
			TOKEN,
			PHONE_ID,
			fetchQueFalla(new Error("timed out")),
		).enviar(whatsapp);
		expect(sinRed).toEqual({
			ok: false,
			error: "whatsapp-cloud: timed out",
			definitivo: false,
			incierto: true,
		});

		const eco = await whatsappCloud(
			TOKEN,
			PHONE_ID,
			fetchQueResponde({
				status: 400,
				body: { error: { message: `Malformed access token ${TOKEN}`, code: 190 } },
			}).fetchFn,
		).enviar(whatsapp);
		expect(errorDe(eco)).toMatchObject({
			error: "whatsapp-cloud 400 code 190: Malformed access token [redactado]",
			definitivo: true,
		});
	});
});

describe("local providers", () => {
	const lineas = () => {
		const spy = vi.spyOn(console, "log").mockImplementation(() => {});
		return () => spy.mock.calls.map(([line]) => JSON.parse(String(line)));
	};

	it("writes an email to the log instead of sending it", async () => {
		const leer = lineas();
		const proveedor = localEmail(createLogger({}));

		expect(await proveedor.enviar(email)).toEqual({ ok: true, id: `local:${email.idempotencia}` });
		expect(leer()).toEqual([
			{
				level: "info",
				msg: "notificación local",
				canal: "email",
				para: email.para,
				asunto: email.asunto,
				texto: email.texto,
			},
		]);
		expect(proveedor).toMatchObject({ canal: "email", idempotente: true });
	});

	it("writes a WhatsApp template and its parameters to the log", async () => {
		const leer = lineas();
		const proveedor = localWhatsApp(createLogger({}));

		expect(await proveedor.enviar(whatsapp)).toEqual({
			ok: true,
			id: `local:${whatsapp.idempotencia}`,
		});
		expect(leer()).toEqual([
			{
				level: "info",
				msg: "notificación local",
				canal: "whatsapp",
				para: whatsapp.para,
				plantilla: whatsapp.plantilla,
				parametros: whatsapp.parametros,
			},
		]);
		expect(proveedor).toMatchObject({ canal: "whatsapp", idempotente: true });
	});
});

describe("proveedoresDe", () => {
	const EMAIL = { send: async () => ({ messageId: "m" }) };
	const log = createLogger({});

	it.each([
		[
			"Resend over the binding",
			{ ENVIRONMENT: "production", RESEND_API_KEY: "re_x", EMAIL },
			"resend",
			null,
		],
		["the binding without Resend", { ENVIRONMENT: "production", EMAIL }, "cloudflare-email", null],
		[
			"an empty secret as unset",
			{ ENVIRONMENT: "staging", RESEND_API_KEY: "", EMAIL },
			"cloudflare-email",
			null,
		],
		[
			"WhatsApp Cloud with token and phone id",
			{ ENVIRONMENT: "development", WHATSAPP_TOKEN: "t", WHATSAPP_PHONE_ID: "1" },
			"local",
			"whatsapp-cloud",
		],
		["local channels in development", { ENVIRONMENT: "development" }, "local", "local"],
		["local channels in bench", { ENVIRONMENT: "bench" }, "local", "local"],
		[
			"no WhatsApp with a token but no phone id",
			{ ENVIRONMENT: "production", WHATSAPP_TOKEN: "t" },
			null,
			null,
		],
		["nothing when a deployed environment has no provider", { ENVIRONMENT: "staging" }, null, null],
	])("picks %s", (_caso, env, emailEs, whatsappEs) => {
		const elegidos = proveedoresDe(env, log);

		expect(elegidos.email?.nombre ?? null).toBe(emailEs);
		expect(elegidos.whatsapp?.nombre ?? null).toBe(whatsappEs);
		expect(elegidos.email?.canal ?? "email").toBe("email");
		expect(elegidos.whatsapp?.canal ?? "whatsapp").toBe("whatsapp");
	});

	it("paces real providers to their rate, or to NOTIFICACIONES_POR_SEGUNDO; the local one not at all", () => {
		const EMAIL = { send: async () => ({ messageId: "x" }) } as unknown as SendEmail;
		const wa = { WHATSAPP_TOKEN: "t", WHATSAPP_PHONE_ID: "1" };
		expect(
			proveedoresDe({ ENVIRONMENT: "production", RESEND_API_KEY: "re_x", ...wa }, log),
		).toMatchObject({
			email: { nombre: "resend", porSegundo: 2 },
			whatsapp: { nombre: "whatsapp-cloud", porSegundo: 20 },
		});
		expect(proveedoresDe({ ENVIRONMENT: "production", EMAIL }, log).email?.porSegundo).toBe(10);
		expect(
			proveedoresDe(
				{ ENVIRONMENT: "production", RESEND_API_KEY: "re_x", NOTIFICACIONES_POR_SEGUNDO: "8" },
				log,
			).email?.porSegundo,
		).toBe(8);
		expect(proveedoresDe({ ENVIRONMENT: "development" }, log).email?.porSegundo).toBeUndefined();
	});
});
