import { createRoute, z } from "@hono/zod-openapi";
import { requireAuth } from "../../auth/auth.middleware";
import { IDIOMAS } from "../../db/schema";
import {
	BEARER,
	defaultErrorResponses,
	errorResponses,
	jsonBody,
	jsonContent,
} from "../../lib/openapi";
import { authIpRateLimit } from "../../lib/rate-limit";
import { emailField, nombreField, telefonoField, UserSchema } from "../users/users.schemas";

const tags = ["auth"];

export const RegisterBody = z
	.strictObject({
		nombre: nombreField,
		email: emailField,
		password: z
			.string()
			.min(8, "La contraseña debe tener al menos 8 caracteres")
			.max(128, "La contraseña no puede superar 128 caracteres"),
		telefono: telefonoField.optional(),
	})
	.openapi("RegisterRequest", {
		example: { nombre: "Juan Perez", email: "juan@ejemplo.com", password: "Secret123!" },
	});

const LoginBody = z
	.strictObject({
		email: z.string().trim().min(1).max(255),
		password: z.string().min(1).max(128),
	})
	.openapi("LoginRequest", { example: { email: "juan@ejemplo.com", password: "Secret123!" } });

export const TokenSchema = z
	.object({
		access_token: z.string().openapi({ example: "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9…" }),
		token_type: z.literal("bearer"),
		expires_in: z.number().int().openapi({ example: 3600 }),
	})
	.openapi("Token");

export const register = createRoute({
	method: "post",
	path: "/auth/register",
	operationId: "register",
	tags,
	summary: "Registrar un jugador",
	description:
		"Crea una cuenta con rol `jugador`. El rol nunca se toma del cuerpo. Limitado por dirección IP y por correo (429 con Retry-After).",
	middleware: [authIpRateLimit],
	request: { body: jsonBody(RegisterBody) },
	responses: {
		201: jsonContent(UserSchema, "Usuario creado"),
		...errorResponses(400, 409, 415, 422, 429),
		...defaultErrorResponses,
	},
});

export const login = createRoute({
	method: "post",
	path: "/auth/login",
	operationId: "login",
	tags,
	summary: "Iniciar sesión",
	description:
		"Limitado por dirección IP y por correo. Tras 5 intentos fallidos seguidos con un correo, ese correo queda bloqueado por un tiempo que se duplica con cada nuevo fallo (30 s hasta 15 min), incluso con la contraseña correcta: 429 con Retry-After. Un inicio de sesión correcto reinicia la cuenta.",
	middleware: [authIpRateLimit],
	request: { body: jsonBody(LoginBody) },
	responses: {
		200: jsonContent(TokenSchema, "Token de acceso"),
		...errorResponses(400, 401, 415, 422, 429),
		...defaultErrorResponses,
	},
});

export const token = createRoute({
	method: "post",
	path: "/auth/token",
	operationId: "oauth2Token",
	tags,
	summary: "Token OAuth2 (flujo password, para el botón Authorize de Swagger UI)",
	description: "Los mismos límites y bloqueo que `POST /auth/login`.",
	middleware: [authIpRateLimit],
	request: {
		body: {
			required: true,
			content: {
				"application/x-www-form-urlencoded": {
					schema: z.object({
						grant_type: z.literal("password").optional(),
						username: z.string().trim().min(1).max(255),
						password: z.string().min(1).max(128),
						scope: z.string().optional(),
						client_id: z.string().optional(),
						client_secret: z.string().optional(),
					}),
				},
			},
		},
	},
	responses: {
		200: jsonContent(TokenSchema, "Token de acceso"),
		...errorResponses(400, 401, 415, 422, 429),
		...defaultErrorResponses,
	},
});

export const me = createRoute({
	method: "get",
	path: "/users/me",
	operationId: "getCurrentUser",
	tags: ["users"],
	summary: "El usuario autenticado",
	security: BEARER,
	middleware: [requireAuth],
	responses: {
		200: jsonContent(UserSchema, "Usuario autenticado"),
		...errorResponses(401),
		...defaultErrorResponses,
	},
});

const algo = (b: object) => Object.keys(b).length > 0;

export const MePatchBody = z
	.strictObject({
		nombre: nombreField.optional(),
		telefono: telefonoField.nullable().optional(),
		idioma: z.enum(IDIOMAS).optional(),
		notificaciones: z
			.strictObject({
				email: z.boolean().optional(),
				whatsapp: z.boolean().optional(),
				sms: z.boolean().optional(),
			})
			.refine(algo, { error: "Envíe al menos un canal: email, whatsapp o sms" })
			.optional()
			.openapi({
				description:
					"Canales por los que recibe mensajes. WhatsApp y SMS quedan apagados hasta que los encienda; ambos necesitan un teléfono, y SMS un celular.",
			}),
	})
	.refine(algo, { error: "Envíe al menos un campo" })
	.openapi("MePatch", {
		example: { telefono: "+573001234567", notificaciones: { whatsapp: true } },
	});

export const patchMe = createRoute({
	method: "patch",
	path: "/users/me",
	operationId: "updateCurrentUser",
	tags: ["users"],
	summary: "Modificar el propio perfil: nombre, teléfono, idioma y canales de notificación",
	security: BEARER,
	middleware: [requireAuth],
	request: { body: jsonBody(MePatchBody) },
	responses: {
		200: jsonContent(UserSchema, "Usuario modificado"),
		...errorResponses(400, 401, 415, 422),
		...defaultErrorResponses,
	},
});
