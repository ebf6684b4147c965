import { z } from "@hono/zod-openapi";
import { REEMBOLSO_ESTADOS } from "../../db/schema";
import { PageQuery, paginated } from "../../lib/openapi";

/** A manual refund as admins and the rifas' staff see it (services/reembolsos.service.ts). */
export const ReembolsoSchema = z
	.object({
		id: z.uuid().openapi({ description: "El id de la compra (transacción)" }),
		transaccion_id: z.uuid(),
		rifa_id: z.uuid(),
		comprador: z.object({
			id: z.uuid(),
			nombre: z.string(),
			email: z.string(),
			telefono: z.string().nullable(),
		}),
		monto: z.number().int().openapi({ description: "Centavos de COP" }),
		proveedor: z.string().openapi({
			example: "wompi",
			description:
				"`efectivo` y `abonos` (pagados en persona) se pueden devolver en efectivo; los demás, por transferencia",
		}),
		metodo: z.string().nullable().openapi({ example: "NEQUI" }),
		referencia_proveedor: z
			.string()
			.nullable()
			.openapi({ description: "La transacción en Wompi", example: "15113-1733501411-47721" }),
		motivo: z.enum(["rifa_cancelada", "numeros_no_disponibles", "abonos_vencidos"]).or(z.string()),
		estado: z.enum(REEMBOLSO_ESTADOS),
		referencia_transferencia: z.string().nullable().openapi({
			description:
				"La transferencia que registró un admin, o `efectivo:<id de quien lo entregó>` si se devolvió en persona",
		}),
		nota: z.string().nullable(),
		hecho_por: z.uuid().nullable(),
		hecho_en: z.string().nullable(),
		creado_en: z.string(),
	})
	.openapi("ReembolsoManual");

export const ReembolsosPage = paginated(ReembolsoSchema, "ReembolsosPage");

export const ReembolsosQuery = PageQuery.extend({
	estado: z
		.enum(REEMBOLSO_ESTADOS)
		.optional()
		.openapi({ param: { name: "estado", in: "query" } }),
	rifa_id: z
		.uuid()
		.optional()
		.openapi({ param: { name: "rifa_id", in: "query" } }),
});

export const EntregaEfectivoBody = z
	.strictObject({
		nota: z
			.string()
			.trim()
			.max(500)
			.optional()
			.openapi({ example: "Entregado en el punto de venta del parque" }),
	})
	.openapi("EntregaEfectivo", { example: { nota: "Entregado en el punto de venta del parque" } });
