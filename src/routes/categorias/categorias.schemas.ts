import { z } from "@hono/zod-openapi";
import type { CategoriaRow } from "../../db/schema";
import { formatCop } from "../../lib/format";

const cents = (example: number) =>
	z
		.number()
		.int("Debe ser un entero en centavos")
		.min(0)
		.max(1_000_000_000_000)
		.openapi({ example, description: "Centavos de COP (entero)" });

const rake = z
	.number()
	.min(0, "El rake debe estar en [0, 1)")
	.lt(1, "El rake debe estar en [0, 1)")
	.refine((r) => Math.abs(r * 10_000 - Math.round(r * 10_000)) < 1e-6, {
		error: "El rake admite como máximo 4 decimales",
	})
	.openapi({ example: 0.25, description: "Fracción del recaudo que retiene la casa, en [0, 1)" });

const FIELDS = {
	nombre: z.string().trim().min(1).max(80).openapi({ example: "Plata" }),
	color: z
		.string()
		.trim()
		.max(32)
		.nullable()
		.openapi({ example: "#C0C0C0", description: "Color de la liga (hex o nombre)" }),
	valor_boleta: cents(1_000_000).refine((v) => v > 0, {
		error: "valor_boleta debe ser mayor que 0",
	}),
	total_recaudo: cents(100_000_000).nullable(),
	rake,
	fondo_premios: cents(75_000_000).nullable(),
	premio_por_ganador: cents(75_000_000).nullable(),
	comentario: z
		.string()
		.trim()
		.max(255)
		.nullable()
		.openapi({ example: "Liga Plata: boleta de $10.000" }),
};

interface MoneyFields {
	total_recaudo?: number | null;
	fondo_premios?: number | null;
	premio_por_ganador?: number | null;
}

/** Cross-field rules, checked on create and again on the merged row after a PATCH. */
export const moneyIssues = (b: MoneyFields) => {
	const issues: { path: string; message: string }[] = [];
	if (b.total_recaudo != null && b.fondo_premios != null && b.fondo_premios > b.total_recaudo) {
		issues.push({
			path: "fondo_premios",
			message: `No puede superar total_recaudo (${formatCop(b.total_recaudo)})`,
		});
	}
	if (
		b.fondo_premios != null &&
		b.premio_por_ganador != null &&
		b.premio_por_ganador > b.fondo_premios
	) {
		issues.push({
			path: "premio_por_ganador",
			message: `No puede superar fondo_premios (${formatCop(b.fondo_premios)})`,
		});
	}
	return issues;
};

const moneyConsistency = (b: MoneyFields, ctx: z.RefinementCtx) => {
	for (const issue of moneyIssues(b)) {
		ctx.addIssue({ code: "custom", path: [issue.path], message: issue.message });
	}
};

export const CategoriaSchema = z
	.object({
		id: z.uuid(),
		...FIELDS,
		creado_en: z.string(),
	})
	.openapi("Categoria");

export const CategoriaCreateBody = z
	.strictObject({
		nombre: FIELDS.nombre,
		color: FIELDS.color.optional(),
		valor_boleta: FIELDS.valor_boleta,
		total_recaudo: FIELDS.total_recaudo.optional(),
		rake: FIELDS.rake.default(0),
		fondo_premios: FIELDS.fondo_premios.optional(),
		premio_por_ganador: FIELDS.premio_por_ganador.optional(),
		comentario: FIELDS.comentario.optional(),
	})
	.superRefine(moneyConsistency)
	.openapi("CategoriaCreate", {
		example: {
			nombre: "Plata",
			color: "#C0C0C0",
			valor_boleta: 1_000_000,
			total_recaudo: 100_000_000,
			rake: 0.25,
			fondo_premios: 75_000_000,
			premio_por_ganador: 75_000_000,
			comentario: "Boleta de $10.000, 100 números, premio de $750.000",
		},
	});

export const CategoriaPatchBody = z
	.strictObject({
		nombre: FIELDS.nombre.optional(),
		color: FIELDS.color.optional(),
		valor_boleta: FIELDS.valor_boleta.optional(),
		total_recaudo: FIELDS.total_recaudo.optional(),
		rake: FIELDS.rake.optional(),
		fondo_premios: FIELDS.fondo_premios.optional(),
		premio_por_ganador: FIELDS.premio_por_ganador.optional(),
		comentario: FIELDS.comentario.optional(),
	})
	.refine((b) => Object.keys(b).length > 0, { error: "Envíe al menos un campo" })
	.openapi("CategoriaPatch", { example: { color: "#B0B0B0" } });

export const MONEY_FIELDS = [
	"valor_boleta",
	"total_recaudo",
	"rake",
	"fondo_premios",
	"premio_por_ganador",
] as const;

export const toCategoriaDto = (c: CategoriaRow): z.infer<typeof CategoriaSchema> => ({
	id: c.id,
	nombre: c.nombre,
	color: c.color,
	valor_boleta: c.valorBoleta,
	total_recaudo: c.totalRecaudo,
	rake: c.rakeBps / 10_000,
	fondo_premios: c.fondoPremios,
	premio_por_ganador: c.premioPorGanador,
	comentario: c.comentario,
	creado_en: c.creadoEn,
});

type CategoriaInput = Partial<z.infer<typeof CategoriaPatchBody>>;

export const toCategoriaColumns = (b: CategoriaInput) => ({
	...(b.nombre !== undefined ? { nombre: b.nombre } : {}),
	...(b.color !== undefined ? { color: b.color } : {}),
	...(b.valor_boleta !== undefined ? { valorBoleta: b.valor_boleta } : {}),
	...(b.total_recaudo !== undefined ? { totalRecaudo: b.total_recaudo } : {}),
	...(b.rake !== undefined ? { rakeBps: Math.round(b.rake * 10_000) } : {}),
	...(b.fondo_premios !== undefined ? { fondoPremios: b.fondo_premios } : {}),
	...(b.premio_por_ganador !== undefined ? { premioPorGanador: b.premio_por_ganador } : {}),
	...(b.comentario !== undefined ? { comentario: b.comentario } : {}),
});
