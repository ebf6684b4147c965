import { z } from "@hono/zod-openapi";
import { codeForStatus, ERRORS, type ErrorStatus } from "./errors";

export const ProblemSchema = z
	.object({
		type: z.string().openapi({ example: "https://rifa1122.co/problems/validation-failed" }),
		title: z.string().openapi({ example: "Datos inválidos" }),
		status: z.number().int().openapi({ example: 422 }),
		detail: z.string().openapi({ example: "El cuerpo de la solicitud no es válido." }),
		errors: z
			.array(
				z.object({
					path: z.string().openapi({ example: "email" }),
					message: z.string().openapi({ example: "Correo electrónico inválido" }),
					code: z.string().optional(),
				}),
			)
			.optional(),
		request_id: z.string().openapi({ example: "9b0c6c2e-6a8e-4c1e-9d0f-1f2a3b4c5d6e" }),
	})
	.openapi("Problem");

interface ErrorResponse {
	description: string;
	content: { "application/problem+json": { schema: typeof ProblemSchema } };
}

/** Error responses for a route's OpenAPI entry, all in the one problem+json shape. */
export const errorResponses = <S extends ErrorStatus>(
	...statuses: S[]
): Record<S, ErrorResponse> => {
	const out = {} as Record<S, ErrorResponse>;
	for (const s of statuses) {
		const code = codeForStatus(s);
		if (!code) throw new Error(`no error code has status ${s}`);
		out[s] = {
			description: ERRORS[code].description,
			content: { "application/problem+json": { schema: ProblemSchema } },
		};
	}
	return out;
};

/**
 * Spread into every route's responses: the body limit runs before every route, whatever its
 * method, and any route can fail unexpectedly. Each route adds the errors particular to it.
 */
export const defaultErrorResponses = errorResponses(413, 500);

export const jsonContent = <T extends z.ZodType>(schema: T, description: string) => ({
	description,
	content: { "application/json": { schema } },
});

export const jsonBody = <T extends z.ZodType>(schema: T, description?: string) => ({
	required: true,
	...(description ? { description } : {}),
	content: { "application/json": { schema } },
});

export const IdParam = z.object({
	id: z.uuid({ error: "Debe ser un UUID" }).openapi({
		param: { name: "id", in: "path" },
		example: "0b6f7c9e-3f5a-4d8e-9a41-7c2d1e5f8a90",
	}),
});

export const PageQuery = z.object({
	page: z.coerce
		.number()
		.int()
		.min(1)
		.max(100_000)
		.default(1)
		.openapi({ param: { name: "page", in: "query" }, example: 1 }),
	per_page: z.coerce
		.number()
		.int()
		.min(1)
		.max(100, { error: "per_page no puede ser mayor que 100" })
		.default(20)
		.openapi({ param: { name: "per_page", in: "query" }, example: 20 }),
});

export const paginated = <T extends z.ZodType>(item: T, name: string) =>
	z
		.object({
			items: z.array(item),
			total: z.number().int().openapi({ example: 1 }),
			page: z.number().int().openapi({ example: 1 }),
			per_page: z.number().int().openapi({ example: 20 }),
		})
		.openapi(name);

export const isoDateTime = () =>
	z.iso.datetime({
		offset: true,
		error: "Debe ser una fecha ISO-8601 con zona (p. ej. 2026-12-03T22:30:00-05:00)",
	});

/**
 * Either scheme: both put the same JWT in `Authorization: Bearer`. Swagger UI sends a token only for
 * the schemes an operation lists, so its password flow (oauth2Password) has to be listed too.
 */
export const BEARER: Record<string, string[]>[] = [{ bearerAuth: [] }, { oauth2Password: [] }];
