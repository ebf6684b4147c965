import { createRoute, z } from "@hono/zod-openapi";
import { requireAuth, requireRole } from "../../auth/auth.middleware";
import { ROLES } from "../../db/schema";
import {
	BEARER,
	defaultErrorResponses,
	errorResponses,
	IdParam,
	jsonBody,
	jsonContent,
	PageQuery,
	paginated,
} from "../../lib/openapi";
import { nombreField, telefonoField, UserSchema } from "./users.schemas";

const tags = ["users"];
const adminOnly = [requireAuth, requireRole("admin")];

export const UserPatchBody = z
	.strictObject({
		nombre: nombreField.optional(),
		telefono: telefonoField.nullable().optional(),
		rol: z.enum(ROLES).optional(),
		is_active: z.boolean().optional(),
		stripe_account_id: z
			.string()
			.regex(/^acct_[A-Za-z0-9]{1,64}$/, "Cuenta de Stripe Connect inválida (acct_…)")
			.nullable()
			.optional()
			.openapi({ description: "Cuenta Stripe Connect a la que se transfieren sus premios." }),
	})
	.refine((b) => Object.keys(b).length > 0, { error: "Envíe al menos un campo" })
	.openapi("UserPatch", { example: { rol: "operador" } });

export const list = createRoute({
	method: "get",
	path: "/users",
	operationId: "listUsers",
	tags,
	summary: "Listar usuarios (admin)",
	security: BEARER,
	middleware: adminOnly,
	request: {
		query: PageQuery.extend({
			q: z
				.string()
				.trim()
				.max(100)
				.optional()
				.openapi({ param: { name: "q", in: "query" }, description: "Busca en nombre y correo" }),
		}),
	},
	responses: {
		200: jsonContent(paginated(UserSchema, "UserPage"), "Página de usuarios"),
		...errorResponses(401, 403, 422),
		...defaultErrorResponses,
	},
});

export const get = createRoute({
	method: "get",
	path: "/users/{id}",
	operationId: "getUser",
	tags,
	summary: "Ver un usuario (admin, o uno mismo)",
	security: BEARER,
	middleware: [requireAuth],
	request: { params: IdParam },
	responses: {
		200: jsonContent(UserSchema, "Usuario"),
		...errorResponses(401, 403, 404, 422),
		...defaultErrorResponses,
	},
});

export const patch = createRoute({
	method: "patch",
	path: "/users/{id}",
	operationId: "updateUser",
	tags,
	summary: "Modificar un usuario (admin; el cambio de rol queda auditado)",
	security: BEARER,
	middleware: adminOnly,
	request: { params: IdParam, body: jsonBody(UserPatchBody) },
	responses: {
		200: jsonContent(UserSchema, "Usuario modificado"),
		...errorResponses(400, 401, 403, 404, 409, 415, 422),
		...defaultErrorResponses,
	},
});

export const remove = createRoute({
	method: "delete",
	path: "/users/{id}",
	operationId: "deactivateUser",
	tags,
	summary: "Desactivar un usuario (admin); sus tokens dejan de funcionar",
	security: BEARER,
	middleware: adminOnly,
	request: { params: IdParam },
	responses: {
		204: { description: "Usuario desactivado" },
		...errorResponses(401, 403, 404, 409, 422),
		...defaultErrorResponses,
	},
});
