import { z } from "@hono/zod-openapi";

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

const ERROR_DESCRIPTIONS = {
	400: "Solicitud mal formada (JSON inválido, parámetro imposible)",
	401: "Falta el token o no es válido",
	402: "El pago fue rechazado; los números quedaron libres",
	403: "El rol o el dueño no permiten la operación",
	404: "El recurso no existe",
	409: "Conflicto con el estado actual",
	415: "Content-Type no soportado",
	422: "El cuerpo o los parámetros no cumplen el esquema",
	429: "Demasiadas solicitudes o intentos fallidos; reintente tras Retry-After segundos",
	502: "El proveedor de pagos no respondió",
	503: "Una dependencia del servicio no responde",
} as const;

type ErrorStatus = keyof typeof ERROR_DESCRIPTIONS;

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
		out[s] = {
			description: ERROR_DESCRIPTIONS[s],
			content: { "application/problem+json": { schema: ProblemSchema } },
		};
	}
	return out;
};

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

export const BEARER = [{ bearerAuth: [] }];
