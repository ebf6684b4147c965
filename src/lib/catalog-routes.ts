import { createRoute, z } from "@hono/zod-openapi";
import { requireAuth, requireRole } from "../auth/auth.middleware";
import type { Rol } from "../db/schema";
import {
	BEARER,
	defaultErrorResponses,
	errorResponses,
	IdParam,
	jsonBody,
	jsonContent,
	PageQuery,
	paginated,
} from "./openapi";

interface CatalogSpec<
	T extends z.ZodType,
	C extends z.ZodType,
	P extends z.ZodType,
	Q extends z.ZodObject,
> {
	/** Plural path segment and tag, e.g. "categorias". */
	resource: string;
	/** Singular name used in operation ids and summaries, e.g. "Categoria". */
	name: string;
	item: T;
	create: C;
	patch: P;
	/** The list's full query schema: `PageQuery` extended with the resource's filters. */
	query: Q;
	/** Roles that may create, change and delete; anyone reads. */
	writers: readonly Rol[];
	/** What the PATCH refuses beyond the schema (e.g. fields frozen while rifas depend on them). */
	patchDescription?: string;
}

/**
 * The five routes of a catalog resource: anyone reads, `writers` write. Categorias and loterias
 * share this so their contract (pagination, errors, auth) cannot drift apart.
 */
export const catalogRoutes = <
	T extends z.ZodType,
	C extends z.ZodType,
	P extends z.ZodType,
	Q extends z.ZodObject,
>(
	spec: CatalogSpec<T, C, P, Q>,
) => {
	const tags = [spec.resource];
	const staff = [requireAuth, requireRole(...spec.writers)];
	const who = spec.writers.join("/");
	const collection = `/${spec.resource}`;
	const member = `/${spec.resource}/{id}`;
	const lower = spec.name.toLowerCase();
	return {
		list: createRoute({
			method: "get",
			path: collection,
			operationId: `list${spec.name}s`,
			tags,
			summary: `Listar ${spec.resource} (público)`,
			request: { query: spec.query },
			responses: {
				200: jsonContent(paginated(spec.item, `${spec.name}Page`), `Página de ${spec.resource}`),
				...errorResponses(422),
				...defaultErrorResponses,
			},
		}),
		create: createRoute({
			method: "post",
			path: collection,
			operationId: `create${spec.name}`,
			tags,
			summary: `Crear ${lower} (${who})`,
			security: BEARER,
			middleware: staff,
			request: { body: jsonBody(spec.create) },
			responses: {
				201: jsonContent(spec.item, `${spec.name} creada`),
				...errorResponses(400, 401, 403, 409, 415, 422),
				...defaultErrorResponses,
			},
		}),
		get: createRoute({
			method: "get",
			path: member,
			operationId: `get${spec.name}`,
			tags,
			summary: `Ver ${lower} (público)`,
			request: { params: IdParam },
			responses: {
				200: jsonContent(spec.item, spec.name),
				...errorResponses(404, 422),
				...defaultErrorResponses,
			},
		}),
		patch: createRoute({
			method: "patch",
			path: member,
			operationId: `update${spec.name}`,
			tags,
			summary: `Modificar ${lower} (${who})`,
			...(spec.patchDescription ? { description: spec.patchDescription } : {}),
			security: BEARER,
			middleware: staff,
			request: { params: IdParam, body: jsonBody(spec.patch) },
			responses: {
				200: jsonContent(spec.item, `${spec.name} modificada`),
				...errorResponses(400, 401, 403, 404, 409, 415, 422),
				...defaultErrorResponses,
			},
		}),
		remove: createRoute({
			method: "delete",
			path: member,
			operationId: `delete${spec.name}`,
			tags,
			summary: `Eliminar ${lower} (${who}; 409 si alguna rifa la usa)`,
			security: BEARER,
			middleware: staff,
			request: { params: IdParam },
			responses: {
				204: { description: `${spec.name} eliminada` },
				...errorResponses(401, 403, 404, 409, 422),
				...defaultErrorResponses,
			},
		}),
	};
};

export const NombreQuery = PageQuery.extend({
	q: z
		.string()
		.trim()
		.max(100)
		.optional()
		.openapi({ param: { name: "q", in: "query" }, description: "Busca en el nombre" }),
});
