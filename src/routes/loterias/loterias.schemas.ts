import { z } from "@hono/zod-openapi";
import { DIAS_SORTEO, FUENTES, type LoteriaRow } from "../../db/schema";
import { diasEntre, isFecha, MAX_MOVIMIENTO_DIAS } from "../../domain/calendario";
import { PageQuery } from "../../lib/openapi";

/** Results adapters a loteria can name (`src/integrations/loterias/`). */
export const RESULT_ADAPTERS = ["mock", "resultadosloterias"] as const;

export const LoteriaMetaSchema = z
	.strictObject({
		adapter: z.enum(RESULT_ADAPTERS).optional().openapi({
			example: "resultadosloterias",
			description: "Obsoleto: use `fuentes`. Si se envía sin `fuentes`, es la única fuente",
		}),
		slug: z
			.string()
			.regex(/^[a-z0-9-]{1,64}$/, "slug: minúsculas, dígitos y guiones")
			.optional()
			.openapi({ example: "bogota", description: "Identificador de la lotería en las fuentes" }),
	})
	.openapi("LoteriaMeta", {
		description: "El id de la lotería en las fuentes de resultados",
	});

export const FuentesSchema = z
	.array(z.enum(FUENTES))
	.min(1)
	.max(FUENTES.length)
	.refine((fs) => new Set(fs).size === fs.length, { error: "Una fuente aparece dos veces" })
	.openapi({
		example: ["resultadosloterias", "webhook"],
		description:
			"Fuentes cuyas observaciones cuentan: `resultadosloterias` (consultada por el cron, necesita meta.slug), `webhook` (POST /webhooks/loteria firmado), `admin` (todos los admins juntos son una sola fuente), `mock` (solo en desarrollo)",
	});

export const FuentesRequeridasSchema = z.number().int().min(1).max(4).openapi({
	example: 2,
	description:
		"Cuántas fuentes distintas deben coincidir en número y serie; por defecto 2 (1 solo en desarrollo). No puede superar el número de `fuentes` (422 `quorum_imposible`)",
});

const HORA = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "Hora HH:MM (hora de Colombia)");

export const FechaColombia = z
	.string()
	.refine(isFecha, { error: "Fecha YYYY-MM-DD (fecha de Colombia)" })
	.openapi({ example: "2023-12-07", format: "date" });

export const MovimientoSchema = z
	.strictObject({
		fecha_nominal: FechaColombia.openapi({
			example: "2023-12-08",
			description: "Fecha que el horario da al sorteo",
		}),
		fecha_real: FechaColombia.openapi({
			example: "2023-12-07",
			description: "Fecha en que la lotería lo juega",
		}),
		hora: HORA.optional().openapi({
			example: "22:30",
			description: "Hora de Colombia, si también cambia; si no, la del horario",
		}),
	})
	.refine((m) => Math.abs(diasEntre(m.fecha_nominal, m.fecha_real)) <= MAX_MOVIMIENTO_DIAS, {
		path: ["fecha_real"],
		error: `A lo sumo ${MAX_MOVIMIENTO_DIAS} días de la fecha nominal`,
	})
	.openapi("MovimientoSorteo", {
		description:
			"Un sorteo que la lotería publicó fuera de su horario (p. ej. por un festivo): gana sobre la regla del siguiente día hábil",
	});

const Movimientos = z
	.array(MovimientoSchema)
	.max(500)
	.refine((ms) => new Set(ms.map((m) => m.fecha_nominal)).size === ms.length, {
		error: "Una fecha_nominal aparece dos veces",
	})
	.openapi({
		description: "Cambios publicados por la lotería a su calendario (fechas de Colombia)",
		example: [{ fecha_nominal: "2023-12-08", fecha_real: "2023-12-07" }],
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
	hora_sorteo: HORA.nullable().openapi({
		example: "22:30",
		description: "Hora del sorteo en Colombia (UTC-5)",
	}),
	url_resultados: z
		.url({ protocol: /^https?$/ })
		.max(500)
		.nullable()
		.openapi({
			example: "https://www.loteriadebogota.com/resultados",
		}),
	meta: LoteriaMetaSchema,
	movimientos: Movimientos,
	fuentes: FuentesSchema,
	fuentes_requeridas: FuentesRequeridasSchema,
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
		meta: FIELDS.meta.default({}),
		movimientos: FIELDS.movimientos.default([]),
		fuentes: FIELDS.fuentes.optional(),
		fuentes_requeridas: FIELDS.fuentes_requeridas.optional(),
	})
	.openapi("LoteriaCreate", {
		example: {
			nombre: "Lotería de Bogotá",
			frecuencia: "semanal",
			dia_sorteo: "jueves",
			hora_sorteo: "22:30",
			url_resultados: "https://www.loteriadebogota.com/resultados",
			meta: { slug: "bogota" },
			fuentes: ["resultadosloterias", "webhook"],
			fuentes_requeridas: 2,
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
		movimientos: FIELDS.movimientos.optional(),
		fuentes: FIELDS.fuentes.optional(),
		fuentes_requeridas: FIELDS.fuentes_requeridas.optional(),
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
	meta: LoteriaMetaSchema.catch({}).parse(l.meta),
	movimientos: l.movimientos,
	fuentes: l.fuentes,
	fuentes_requeridas: l.fuentesRequeridas,
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
	...(b.movimientos !== undefined ? { movimientos: b.movimientos } : {}),
	...(b.fuentes !== undefined ? { fuentes: b.fuentes } : {}),
	...(b.fuentes_requeridas !== undefined ? { fuentesRequeridas: b.fuentes_requeridas } : {}),
});

/** Longest range `GET /loterias/{id}/sorteos` lists at once, in days. */
export const MAX_RANGO_SORTEOS_DIAS = 400;
/** Days listed when `hasta` is omitted. */
export const RANGO_SORTEOS_DEFECTO_DIAS = 90;

export const SorteosQuery = z.object({
	desde: FechaColombia.optional().openapi({
		param: { name: "desde", in: "query" },
		example: "2023-12-01",
		description: "Primera fecha de Colombia (incluida); por defecto, hoy en Colombia",
	}),
	hasta: FechaColombia.optional().openapi({
		param: { name: "hasta", in: "query" },
		example: "2023-12-31",
		description: `Última fecha de Colombia (incluida); por defecto, ${RANGO_SORTEOS_DEFECTO_DIAS} días después de desde; a lo sumo ${MAX_RANGO_SORTEOS_DIAS} días después`,
	}),
});

export const SorteoSchema = z
	.object({
		fecha: z.string().openapi({ example: "2023-12-07", description: "Fecha de Colombia" }),
		instante: z
			.string()
			.openapi({ example: "2023-12-08T04:00:00.000Z", description: "Instante UTC ISO-8601" }),
	})
	.openapi("Sorteo");

export const SorteosSchema = z.object({ items: z.array(SorteoSchema) }).openapi("Sorteos", {
	example: {
		items: [
			{ fecha: "2023-12-01", instante: "2023-12-02T04:00:00.000Z" },
			{ fecha: "2023-12-07", instante: "2023-12-08T04:00:00.000Z" },
			{ fecha: "2023-12-15", instante: "2023-12-16T04:00:00.000Z" },
		],
	},
});
