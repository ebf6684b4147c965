import { z } from "@hono/zod-openapi";
import {
	COMPROBANTE_ESTADOS,
	COMPROBANTE_MAX_BYTES,
	COMPROBANTE_TIPOS,
	TRANSACCION_ESTADOS,
} from "../../db/schema";
import { IdParam } from "../../lib/openapi";

const ejemplo = {
	id: "5d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
	rifa_id: "0b6f7c9e-3f5a-4d8e-9a41-7c2d1e5f8a90",
	transaccion_id: "3c2b1a09-8f7e-4d6c-9b5a-4e3d2c1b0a98",
	estado: "pendiente",
	motivo: null,
	referencia: "M 4512-7789",
	banco: "Nequi",
	monto: 2_000_000,
	monto_transaccion: 2_000_000,
	monto_coincide: true,
	comprador: { id: "7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d", nombre: "Luz Marina Ospina" },
	subido_por: "7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d",
	tipo: "image/png",
	tamano: 184_320,
	archivo_url: "/api/v1/comprobantes/5d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d/archivo",
	revisado_por: null,
	revisado_en: null,
	creado_en: "2026-12-03T15:04:05.000Z",
} as const;

export const ComprobanteSchema = z
	.object({
		id: z.uuid(),
		rifa_id: z.uuid(),
		transaccion_id: z.uuid(),
		estado: z.enum(COMPROBANTE_ESTADOS),
		motivo: z.string().nullable().openapi({ description: "Por qué se rechazó" }),
		referencia: z.string().openapi({ description: "La referencia del banco, como se escribió" }),
		banco: z.string(),
		monto: z.int().openapi({ description: "Lo que el comprobante dice que se envió, en centavos" }),
		monto_transaccion: z.int().openapi({ description: "El valor de la compra, en centavos" }),
		monto_coincide: z.boolean().openapi({
			description: "Falso si `monto` no es el valor de la compra: el revisor debe mirarlo",
		}),
		comprador: z.object({ id: z.uuid(), nombre: z.string() }),
		subido_por: z.uuid(),
		tipo: z.enum(COMPROBANTE_TIPOS).openapi({ description: "Leído de los bytes del archivo" }),
		tamano: z.int().openapi({ description: "Bytes" }),
		archivo_url: z.string(),
		revisado_por: z.uuid().nullable(),
		revisado_en: z.string().nullable(),
		creado_en: z.string(),
	})
	.openapi("Comprobante", { example: ejemplo });

export const ComprobanteSubidoSchema = ComprobanteSchema.extend({
	expires_at: z.string().openapi({
		description: "Hasta cuándo quedan reservados los números mientras se revisa (fecha_fin)",
		example: "2026-12-10T03:00:00.000Z",
	}),
}).openapi("ComprobanteSubido", {
	example: { ...ejemplo, expires_at: "2026-12-10T03:00:00.000Z" },
});

export const ComprobanteRevisadoSchema = ComprobanteSchema.extend({
	transaccion_status: z.enum(TRANSACCION_ESTADOS).nullable().openapi({
		description:
			"Cómo quedó la compra en la rifa: `succeeded` vendida; `failed` números liberados; `refunded` el pago llegó cuando ya no se podía vender y se devuelve",
		example: "succeeded",
	}),
}).openapi("ComprobanteRevisado", {
	example: {
		...ejemplo,
		estado: "aprobado",
		revisado_por: "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a",
		revisado_en: "2026-12-03T16:20:00.000Z",
		transaccion_status: "succeeded",
	},
});

const MB = COMPROBANTE_MAX_BYTES / 1024 / 1024;

export const ComprobanteForm = z
	.object({
		archivo: z.instanceof(File, { error: "Adjunte el archivo del comprobante" }).openapi({
			type: "string",
			format: "binary",
			description: `Captura o PDF del comprobante: JPEG, PNG, WebP o PDF, hasta ${MB} MB. El tipo se lee de los bytes del archivo, no de su nombre.`,
		}),
		referencia: z
			.string()
			.trim()
			.min(4, "La referencia tiene al menos 4 caracteres")
			.max(64, "La referencia no puede superar 64 caracteres")
			.openapi({
				description: "Referencia o número de aprobación del banco",
				example: "M 4512-7789",
			}),
		monto: z.coerce
			.number({ error: "Debe ser un número entero de centavos" })
			.int("Debe ser un número entero de centavos")
			.min(1, "Debe ser mayor que cero")
			.max(1_000_000_000_000, "Monto demasiado grande")
			.openapi({ description: "Lo que se transfirió, en centavos", example: 2_000_000 }),
		banco: z
			.string()
			.trim()
			.min(2, "Indique el banco o billetera")
			.max(60, "El banco no puede superar 60 caracteres")
			.openapi({
				description: "Banco o billetera de origen (Nequi, Bancolombia…)",
				example: "Nequi",
			}),
	})
	.openapi("ComprobanteForm");

export const RechazoBody = z
	.strictObject({
		motivo: z
			.string()
			.trim()
			.min(3, "Explique el motivo (al menos 3 caracteres)")
			.max(500, "El motivo no puede superar 500 caracteres"),
	})
	.openapi("RechazoComprobante", {
		example: { motivo: "La transferencia no aparece en la cuenta de Nequi de la rifa." },
	});

export const ComprobantesQuery = z.object({
	estado: z
		.enum(COMPROBANTE_ESTADOS)
		.optional()
		.openapi({ param: { name: "estado", in: "query" }, example: "pendiente" }),
	rifa_id: z
		.uuid({ error: "Debe ser un UUID" })
		.optional()
		.openapi({ param: { name: "rifa_id", in: "query" } }),
});

export const TransaccionParams = IdParam.extend({
	transaccion_id: z.uuid({ error: "Debe ser un UUID" }).openapi({
		param: { name: "transaccion_id", in: "path" },
		example: "3c2b1a09-8f7e-4d6c-9b5a-4e3d2c1b0a98",
	}),
});
