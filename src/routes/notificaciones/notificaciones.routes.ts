import { createRoute, z } from "@hono/zod-openapi";
import { requireAuth, requireRole } from "../../auth/auth.middleware";
import { CANALES, NOTIFICACION_ESTADOS, NOTIFICACION_TIPOS } from "../../db/schema";
import {
	BEARER,
	defaultErrorResponses,
	errorResponses,
	jsonContent,
	PageQuery,
	paginated,
} from "../../lib/openapi";

const tags = ["notificaciones"];

export const NotificacionSchema = z
	.object({
		id: z.uuid(),
		tipo: z.enum(NOTIFICACION_TIPOS).openapi({ example: "compra" }),
		canal: z.enum(CANALES).openapi({ example: "email" }),
		estado: z.enum(NOTIFICACION_ESTADOS).openapi({
			example: "enviada",
			description:
				"pendiente: por enviar o reintentando; enviada; fallida: no salió (ver el registro del admin); omitida: el canal está apagado o no configurado",
		}),
		asunto: z.string().openapi({ example: "Compra confirmada: Rifa de Navidad" }),
		cuerpo_texto: z.string(),
		rifa_id: z.uuid().nullable(),
		creado_en: z.string(),
		enviado_en: z.string().nullable(),
	})
	.openapi("Notificacion");

export const NotificacionAdminSchema = NotificacionSchema.extend({
	usuario_id: z.uuid(),
	motivo: z.string().nullable().openapi({ description: "Por qué se omitió o falló" }),
	intentos: z.number().int(),
	proveedor: z.string().nullable(),
}).openapi("NotificacionAdmin");

export const mias = createRoute({
	method: "get",
	path: "/users/me/notificaciones",
	operationId: "listMyNotifications",
	tags,
	summary: "Mis notificaciones, la más reciente primero",
	security: BEARER,
	middleware: [requireAuth],
	request: { query: PageQuery },
	responses: {
		200: jsonContent(paginated(NotificacionSchema, "NotificacionPage"), "Página de notificaciones"),
		...errorResponses(401, 422),
		...defaultErrorResponses,
	},
});

const filtro = <T extends z.ZodType>(name: string, schema: T) =>
	schema.optional().openapi({ param: { name, in: "query" } });

export const todas = createRoute({
	method: "get",
	path: "/admin/notificaciones",
	operationId: "listNotifications",
	tags: ["admin", ...tags],
	summary: "Todas las notificaciones (admin), la más reciente primero",
	security: BEARER,
	middleware: [requireAuth, requireRole("admin")],
	request: {
		query: PageQuery.extend({
			tipo: filtro("tipo", z.enum(NOTIFICACION_TIPOS)),
			estado: filtro("estado", z.enum(NOTIFICACION_ESTADOS)),
			canal: filtro("canal", z.enum(CANALES)),
			rifa_id: filtro("rifa_id", z.uuid()),
			usuario_id: filtro("usuario_id", z.uuid()),
		}),
	},
	responses: {
		200: jsonContent(
			paginated(NotificacionAdminSchema, "NotificacionAdminPage"),
			"Página de notificaciones",
		),
		...errorResponses(401, 403, 422),
		...defaultErrorResponses,
	},
});

const TokenQuery = z.object({
	token: z
		.string()
		.min(1)
		.max(200)
		.openapi({ param: { name: "token", in: "query" }, description: "El token firmado del correo" }),
});

export const baja = createRoute({
	method: "post",
	path: "/notificaciones/baja",
	operationId: "unsubscribe",
	tags,
	summary: "Baja en un clic del correo (RFC 8058): apaga los correos de quien recibió el enlace",
	description:
		"El enlace de `List-Unsubscribe` de cada correo; el cliente de correo envía `List-Unsubscribe=One-Click`. Repetirlo no cambia nada.",
	request: { query: TokenQuery },
	responses: {
		200: jsonContent(
			z.object({ email: z.literal(false) }).openapi("Baja"),
			"Correos apagados para ese usuario",
		),
		...errorResponses(422, 429),
		...defaultErrorResponses,
	},
});

export const bajaPagina = createRoute({
	method: "get",
	path: "/notificaciones/baja",
	operationId: "unsubscribePage",
	tags,
	summary: "Página que confirma la baja con un botón (abrir el enlace no da de baja)",
	request: { query: TokenQuery },
	responses: {
		200: { description: "Página HTML", content: { "text/html": { schema: z.string() } } },
		...errorResponses(422),
		...defaultErrorResponses,
	},
});
