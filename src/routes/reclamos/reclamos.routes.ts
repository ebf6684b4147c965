import { createRoute, z } from "@hono/zod-openapi";
import { defaultErrorResponses, errorResponses, jsonBody, jsonContent } from "../../lib/openapi";
import { authIpRateLimit } from "../../lib/rate-limit";
import { TokenSchema } from "../auth/auth.routes";
import { emailField, telefonoField } from "../users/users.schemas";

const tags = ["auth"];

export const pedir = createRoute({
	method: "post",
	path: "/auth/reclamo",
	operationId: "requestClaimCode",
	tags,
	summary: "Pedir un código para reclamar la cuenta creada en un punto de venta",
	description:
		"Quien compró en persona sin cuenta (un vendedor lo registró por su teléfono) recibe por SMS un código de seis dígitos, válido 10 minutos. La respuesta es la misma tenga o no ese teléfono una cuenta por reclamar. Limitado por dirección IP y por teléfono.",
	middleware: [authIpRateLimit],
	request: {
		body: jsonBody(z.strictObject({ telefono: telefonoField }).openapi("PedirReclamo")),
	},
	responses: {
		202: jsonContent(
			z.object({ enviado: z.literal(true) }),
			"Si hay cuenta por reclamar, el código va en camino",
		),
		...errorResponses(400, 415, 422, 429),
		...defaultErrorResponses,
	},
});

export const confirmar = createRoute({
	method: "post",
	path: "/auth/reclamo/confirmacion",
	operationId: "confirmClaim",
	tags,
	summary: "Reclamar la cuenta con el código: fijar correo y contraseña",
	description:
		"Con el código recibido por SMS la cuenta toma el correo y la contraseña dados y se inicia sesión; sus boletas ya son suyas. Código errado o vencido: 422 (cinco intentos por código). Correo ya usado: 409.",
	middleware: [authIpRateLimit],
	request: {
		body: jsonBody(
			z
				.strictObject({
					telefono: telefonoField,
					codigo: z.string().regex(/^\d{6}$/, "Seis dígitos"),
					email: emailField,
					password: z
						.string()
						.min(8, "La contraseña debe tener al menos 8 caracteres")
						.max(128, "La contraseña no puede superar 128 caracteres"),
				})
				.openapi("ConfirmarReclamo"),
		),
	},
	responses: {
		200: jsonContent(TokenSchema, "Cuenta reclamada; token de acceso"),
		...errorResponses(400, 409, 415, 422, 429),
		...defaultErrorResponses,
	},
});
