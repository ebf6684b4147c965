import { createRoute, z } from "@hono/zod-openapi";
import { createMiddleware } from "hono/factory";
import { requireAuth, requireRole } from "../../auth/auth.middleware";
import { ApiError, t } from "../../lib/errors";
import {
	BEARER,
	defaultErrorResponses,
	errorResponses,
	IdParam,
	jsonBody,
	jsonContent,
} from "../../lib/openapi";
import type { AppBindings } from "../../lib/types";

/** Outside `wrangler dev` these routes do not exist, for anyone. */
const soloDesarrollo = createMiddleware<AppBindings>(async (c, next) => {
	if (c.env.ENVIRONMENT !== "development") {
		throw new ApiError("NOT_FOUND", t("Recurso no encontrado.", "Resource not found."));
	}
	await next();
});

const Instante = z.iso.datetime({ offset: true }).transform((v) => new Date(v).toISOString());

export const HistoriaBody = z.strictObject({
	clave: z.string().min(1).max(2000),
	compras: z
		.array(
			z.strictObject({
				usuario_id: z.uuid(),
				numeros: z.array(z.int().nonnegative()).min(1).max(10_000),
				vendido_en: Instante,
			}),
		)
		.max(10_000),
	sellado_en: Instante,
});

const HistoriaSchema = z.object({
	importada: z.boolean(),
	vendidos: z.int(),
	raiz: z.string(),
	sellado_en: z.string(),
});

/**
 * Not in the API's documentation: how `npm run dev` seeds a rifa drawn on a real past result
 * (seeds/historia.ts, src/rifa-room/historia.ts).
 */
export const importarHistoria = createRoute({
	method: "post",
	path: "/desarrollo/rifas/{id}/historia",
	hide: true,
	security: BEARER,
	middleware: [soloDesarrollo, requireAuth, requireRole("admin")],
	request: { params: IdParam, body: jsonBody(HistoriaBody) },
	responses: {
		200: jsonContent(HistoriaSchema, "La historia ya estaba"),
		201: jsonContent(HistoriaSchema, "Historia importada y sellada"),
		...errorResponses(400, 401, 403, 404, 409, 415, 422),
		...defaultErrorResponses,
	},
});
