import { z } from "@hono/zod-openapi";
import { DIAS_SORTEO, type LoteriaRow } from "../../db/schema";
import { PageQuery } from "../../lib/openapi";

/** Results adapters a loteria can name (`src/integrations/loterias/`). */
export const RESULT_ADAPTERS = ["mock", "resultadosloterias"] as const;

export const LoteriaMetaSchema = z
	.strictObject({
		adapter: z.enum(RESULT_ADAPTERS).openapi({ example: "mock" }),
		slug: z
			.string()
			.regex(/^[a-z0-9-]{1,64}$/, "slug: minúsculas, dígitos y guiones")
			.optional()
			.openapi({ example: "bogota", description: "Identificador de la lotería en el adaptador" }),
	})
	.refine((m) => m.adapter === "mock" || m.slug !== undefined, {
		path: ["slug"],
		error: "Este adaptador necesita el slug de la lotería",
	})
	.openapi("LoteriaMeta", {
		description: "Qué adaptador de resultados usa la lotería y su id allí",
	});

const FIELDS = {
	nombre: z.string().trim().min(1).max(120).openapi({ example: "Lotería de Bogotá" }),
	descripcion: z
		.string()
		.trim()
		.max(1000)
		.nullable()
		.openapi({ example: "Sorteo semanal de los jueves" }),
	frecuencia: z.enum(["diaria", "semanal", "mensual"]).openapi({ example: "semanal" }),
	dia_sorteo: z.enum(DIAS_SORTEO).nullable().openapi({ example: "jueves" }),
	hora_sorteo: z
		.string()
		.regex(/^([01]\d|2[0-3]):[0-5]\d$/, "Hora HH:MM (hora de Colombia)")
		.nullable()
		.openapi({ example: "22:30", description: "Hora del sorteo en Colombia (UTC-5)" }),
	url_resultados: z
		.url({ protocol: /^https?$/ })
		.max(500)
		.nullable()
		.openapi({
			example: "https://www.loteriadebogota.com/resultados",
		}),
	meta: LoteriaMetaSchema,
};

export const LoteriaSchema = z
	.object({ id: z.uuid(), ...FIELDS, creado_en: z.string() })
	.openapi("Loteria");

export const LoteriaCreateBody = z
	.strictObject({
		nombre: FIELDS.nombre,
		descripcion: FIELDS.descripcion.optional(),
		frecuencia: FIELDS.frecuencia.default("semanal"),
		dia_sorteo: FIELDS.dia_sorteo.optional(),
		hora_sorteo: FIELDS.hora_sorteo.optional(),
		url_resultados: FIELDS.url_resultados.optional(),
		meta: FIELDS.meta.default({ adapter: "mock" }),
	})
	.openapi("LoteriaCreate", {
		example: {
			nombre: "Lotería de Bogotá",
			frecuencia: "semanal",
			dia_sorteo: "jueves",
			hora_sorteo: "22:30",
			url_resultados: "https://www.loteriadebogota.com/resultados",
			meta: { adapter: "mock", slug: "bogota" },
		},
	});

export const LoteriaPatchBody = z
	.strictObject({
		nombre: FIELDS.nombre.optional(),
		descripcion: FIELDS.descripcion.optional(),
		frecuencia: FIELDS.frecuencia.optional(),
		dia_sorteo: FIELDS.dia_sorteo.optional(),
		hora_sorteo: FIELDS.hora_sorteo.optional(),
		url_resultados: FIELDS.url_resultados.optional(),
		meta: FIELDS.meta.optional(),
	})
	.refine((b) => Object.keys(b).length > 0, { error: "Envíe al menos un campo" })
	.openapi("LoteriaPatch", { example: { hora_sorteo: "22:35" } });

export const LoteriaQuery = PageQuery.extend({
	q: z
		.string()
		.trim()
		.max(100)
		.optional()
		.openapi({ param: { name: "q", in: "query" } }),
	dia_sorteo: z
		.enum(DIAS_SORTEO)
		.optional()
		.openapi({ param: { name: "dia_sorteo", in: "query" } }),
});

export const toLoteriaDto = (l: LoteriaRow): z.infer<typeof LoteriaSchema> => ({
	id: l.id,
	nombre: l.nombre,
	descripcion: l.descripcion,
	frecuencia: l.frecuencia as z.infer<typeof LoteriaSchema>["frecuencia"],
	dia_sorteo: l.diaSorteo,
	hora_sorteo: l.horaSorteo,
	url_resultados: l.urlResultados,
	meta: LoteriaMetaSchema.catch({ adapter: "mock" }).parse(l.meta),
	creado_en: l.creadoEn,
});

export const toLoteriaColumns = (b: z.infer<typeof LoteriaPatchBody>) => ({
	...(b.nombre !== undefined ? { nombre: b.nombre } : {}),
	...(b.descripcion !== undefined ? { descripcion: b.descripcion } : {}),
	...(b.frecuencia !== undefined ? { frecuencia: b.frecuencia } : {}),
	...(b.dia_sorteo !== undefined ? { diaSorteo: b.dia_sorteo } : {}),
	...(b.hora_sorteo !== undefined ? { horaSorteo: b.hora_sorteo } : {}),
	...(b.url_resultados !== undefined ? { urlResultados: b.url_resultados } : {}),
	...(b.meta !== undefined ? { meta: b.meta } : {}),
});
