import { z } from "@hono/zod-openapi";
import { ARCHIVO_MAX_BYTES, MAX_FOTOS } from "../../cumplimiento/archivos";
import { MODOS_LEGALES } from "../../cumplimiento/config";
import { SOPORTE_TIPOS } from "../../cumplimiento/tipos";
import { isFecha } from "../../domain/calendario";
import { IdParam } from "../../lib/openapi";

const fecha = (description: string, example: string) =>
	z
		.string()
		.refine(isFecha, { error: "Debe ser una fecha válida AAAA-MM-DD" })
		.openapi({ description, example, format: "date" });

const texto = (min: number, max: number, example: string) =>
	z
		.string()
		.trim()
		.min(min, `Al menos ${min} caracteres`)
		.max(max, `A lo sumo ${max} caracteres`)
		.openapi({ example });

const centavos = (description: string, example: number) =>
	z
		.number({ error: "Debe ser un número entero de centavos" })
		.int("Debe ser un número entero de centavos")
		.min(1, "Debe ser mayor que cero")
		.max(Number.MAX_SAFE_INTEGER, "Valor demasiado grande")
		.openapi({ description, example });

export const AutorizacionSchema = z
	.strictObject({
		autoridad: texto(2, 120, "Lotería de Bogotá"),
		numero: texto(1, 60, "GESTORES-2027-0142"),
		fecha: fecha("Fecha del acto de autorización: desde ella rige", "2027-01-20"),
		vigencia_hasta: fecha(
			"Último día de vigencia; el sorteo debe caer en él o antes",
			"2027-03-31",
		),
		fecha_solicitud: fecha(
			"Fecha en que se radicó la solicitud; el sorteo, al menos DIAS_ANTICIPACION_SOLICITUD días calendario después",
			"2027-01-10",
		),
	})
	.superRefine((a, ctx) => {
		if (a.vigencia_hasta <= a.fecha) {
			ctx.addIssue({
				code: "custom",
				path: ["vigencia_hasta"],
				message: "Debe ser posterior a fecha",
			});
		}
		if (a.fecha_solicitud > a.fecha) {
			ctx.addIssue({
				code: "custom",
				path: ["fecha_solicitud"],
				message: "No puede ser posterior a fecha: la autorización responde a la solicitud",
			});
		}
	})
	.openapi("Autorizacion", {
		description: "La autorización de la rifa por la autoridad competente (fechas de Colombia).",
	});

export const GarantiaSchema = z
	.strictObject({
		aseguradora: texto(2, 120, "Seguros del Estado S.A."),
		numero: texto(1, 60, "CU-104522"),
		valor: centavos("Valor asegurado, en centavos", 30_000_000_000),
		vigencia_hasta: fecha("Último día que cubre; el sorteo debe caer en él o antes", "2027-06-30"),
	})
	.openapi("Garantia", {
		description: "La garantía (póliza) de cumplimiento, contratada con una aseguradora.",
	});

const FaltanteSchema = z
	.object({
		campo: z.string().openapi({ example: "premios[0].soporte_propiedad" }),
		mensaje: z.string().openapi({
			example:
				"Falta el soporte de propiedad del premio de la posición 1 (factura, avalúo u otro documento que pruebe la plena propiedad).",
		}),
	})
	.openapi("Faltante");

const EmisionSchema = z
	.object({
		total_boletas: z.int().openapi({ example: 1000 }),
		valor_boleta: z.int().openapi({ description: "Centavos", example: 1_000_000 }),
		valor_emision: z
			.int()
			.openapi({ description: "total_boletas × valor_boleta, centavos", example: 1_000_000_000 }),
		derechos: z.int().openapi({
			description:
				"Derechos de explotación (DERECHOS_BPS de la emisión), redondeados al centavo hacia arriba",
			example: 140_000_000,
		}),
		administracion: z.int().openapi({
			description:
				"Gastos de administración (ADMINISTRACION_BPS de los derechos), redondeados hacia arriba",
			example: 1_400_000,
		}),
		fijada: z.boolean().openapi({
			description: "true desde que la rifa abrió en modo colombia: las cifras ya no cambian",
		}),
		fijada_en: z.string().nullable(),
	})
	.openapi("Emision");

export const PremioSchema = z
	.object({
		id: z.uuid(),
		rifa_id: z.uuid(),
		posicion: z.int().openapi({ example: 1 }),
		descripcion: z.string().openapi({ example: "Motocicleta Yamaha XTZ 150 modelo 2027, 0 km" }),
		valor_comercial: z.int().openapi({ description: "Centavos", example: 1_450_000_000 }),
		fotos: z.array(z.string()).openapi({
			description: "URL de cada foto (públicas)",
			example: [
				"/api/v1/rifas/0b6f7c9e-3f5a-4d8e-9a41-7c2d1e5f8a90/premios/5d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d/archivos/foto-1",
			],
		}),
		soporte_propiedad: z
			.object({
				tipo: z.enum(SOPORTE_TIPOS),
				sha256: z.string().openapi({ description: "SHA-256 (hex) de los bytes del archivo" }),
				archivo: z
					.string()
					.openapi({ description: "URL del archivo: solo el operador de la rifa y los admins" }),
			})
			.nullable()
			.openapi({ description: "null: falta, y la rifa no puede abrir en modo colombia" }),
		creado_en: z.string(),
	})
	.openapi("PremioEspecie");

export const CumplimientoSchema = z
	.object({
		rifa_id: z.uuid(),
		modo: z.enum(MODOS_LEGALES).openapi({ description: "MODO_LEGAL del despliegue" }),
		completa: z
			.boolean()
			.openapi({ description: "Sin faltantes: en modo colombia la rifa puede abrir" }),
		faltantes: z.array(FaltanteSchema),
		emision: EmisionSchema,
		autorizacion: AutorizacionSchema.nullable(),
		garantia: GarantiaSchema.nullable(),
		premios: z.array(PremioSchema).openapi({ description: "Por posición" }),
	})
	.openapi("Cumplimiento");

const MB = ARCHIVO_MAX_BYTES / 1024 / 1024;
const archivo = (description: string) =>
	z
		.instanceof(File, { error: "Debe ser un archivo" })
		.openapi({ type: "string", format: "binary", description });

export const PremioForm = z
	.object({
		posicion: z.coerce
			.number({ error: "Debe ser un número entero" })
			.int("Debe ser un número entero")
			.min(1, "Desde 1")
			.max(100, "Hasta 100")
			.openapi({
				description: "La posición ganadora que recibe el premio (1: la del premio mayor)",
				example: 1,
			}),
		descripcion: texto(3, 500, "Motocicleta Yamaha XTZ 150 modelo 2027, 0 km"),
		valor_comercial: z.coerce
			.number({ error: "Debe ser un número entero de centavos" })
			.int("Debe ser un número entero de centavos")
			.min(1, "Debe ser mayor que cero")
			.max(Number.MAX_SAFE_INTEGER, "Valor demasiado grande")
			.openapi({ description: "Valor comercial, centavos", example: 1_450_000_000 }),
		soporte_tipo: z
			.enum(SOPORTE_TIPOS)
			.optional()
			.openapi({ description: "Qué documento es el soporte; va con `soporte`" }),
		soporte: archivo(
			`El documento que prueba la plena propiedad del premio: PDF, JPEG, PNG o WebP, hasta ${MB} MB (el tipo se lee de los bytes). Opcional al registrar; sin él la rifa no abre en modo colombia.`,
		).optional(),
		fotos: z
			.union([archivo("Una foto"), z.array(archivo("Una foto"))])
			.optional()
			.openapi({
				description: `0 a ${MAX_FOTOS} fotos (JPEG, PNG o WebP, hasta ${MB} MB cada una); repita el campo`,
			}),
	})
	.superRefine((f, ctx) => {
		if (f.soporte && !f.soporte_tipo)
			ctx.addIssue({
				code: "custom",
				path: ["soporte_tipo"],
				message: "Indique qué documento es el soporte",
			});
		if (!f.soporte && f.soporte_tipo)
			ctx.addIssue({
				code: "custom",
				path: ["soporte"],
				message: "Adjunte el archivo del soporte",
			});
	})
	.openapi("PremioForm");

export const PremioParams = IdParam.extend({
	premio_id: z.uuid({ error: "Debe ser un UUID" }).openapi({
		param: { name: "premio_id", in: "path" },
		example: "5d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
	}),
});

export const ArchivoParams = PremioParams.extend({
	nombre: z
		.string()
		.regex(/^(soporte|foto-[1-5])$/, "Debe ser soporte o foto-1 … foto-5")
		.openapi({ param: { name: "nombre", in: "path" }, example: "foto-1" }),
});
