import { z } from "@hono/zod-openapi";
import { RIFA_ESTADOS } from "../../db/schema";
import { isoDateTime } from "../../lib/openapi";

export const RifaFilters = z.object({
	estado: z
		.enum(RIFA_ESTADOS)
		.optional()
		.openapi({ param: { name: "estado", in: "query" } }),
	categoria_id: z
		.uuid()
		.optional()
		.openapi({ param: { name: "categoria_id", in: "query" } }),
	loteria_id: z
		.uuid()
		.optional()
		.openapi({ param: { name: "loteria_id", in: "query" } }),
	fecha_inicio: isoDateTime()
		.optional()
		.openapi({
			param: { name: "fecha_inicio", in: "query" },
			description: "Rifas que empiezan en o después de este instante",
		}),
	fecha_fin: isoDateTime()
		.optional()
		.openapi({
			param: { name: "fecha_fin", in: "query" },
			description: "Rifas que terminan en o antes de este instante",
		}),
});
