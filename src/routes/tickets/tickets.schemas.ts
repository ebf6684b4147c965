import { z } from "@hono/zod-openapi";
import { TICKET_ESTADOS } from "../../db/schema";
import { PAYMENT_METHODS } from "../../rifa-room/room.types";

export const IDEMPOTENCY_KEY = z
	.string()
	.trim()
	.min(8, "La Idempotency-Key debe tener al menos 8 caracteres")
	.max(255)
	.regex(/^[\x21-\x7e]+$/, "La Idempotency-Key solo admite caracteres ASCII visibles");

export const PurchaseBody = z
	.strictObject({
		user_id: z.uuid().openapi({ example: "5f1e7a52-2d4b-4c7e-8f3a-0e9d1c2b3a45" }),
		quantity: z.number().int().min(1).max(100).openapi({ example: 2 }),
		payment_method: z.enum(PAYMENT_METHODS).openapi({ example: "stripe" }),
		idempotency_key: IDEMPOTENCY_KEY.optional().openapi({
			example: "op-2025-10-30-abc123",
			description: "También puede enviarse en la cabecera Idempotency-Key",
		}),
		numeros: z
			.array(z.number().int().min(0).max(9999))
			.min(1)
			.max(100)
			.refine((ns) => new Set(ns).size === ns.length, { error: "Números repetidos" })
			.optional()
			.openapi({
				example: [12, 13],
				description: "Números elegidos; si faltan, los asigna la rifa",
			}),
	})
	.superRefine((b, ctx) => {
		if (b.numeros && b.numeros.length !== b.quantity) {
			ctx.addIssue({ code: "custom", path: ["numeros"], message: "Debe tener quantity números" });
		}
	})
	.openapi("PurchaseRequest", {
		example: {
			user_id: "5f1e7a52-2d4b-4c7e-8f3a-0e9d1c2b3a45",
			quantity: 2,
			payment_method: "stripe",
			idempotency_key: "op-2025-10-30-abc123",
		},
	});

export const PurchaseResponse = z
	.object({
		tickets: z.array(
			z.object({
				id: z.uuid(),
				numero: z.number().int(),
				estado: z.enum(["reservado", "vendido"]),
				recibo: z.string().optional().openapi({
					description:
						"Recibo firmado (JWS compacto, EdDSA) de la boleta vendida; ver GET /tickets/{id}/recibo",
				}),
			}),
		),
		transaccion_id: z.uuid(),
		payment: z.object({
			provider: z.enum(PAYMENT_METHODS),
			status: z.enum(["succeeded", "requires_payment", "failed"]),
			amount: z.number().int().openapi({ description: "Centavos de COP" }),
			currency: z.literal("COP"),
			client_secret: z.string().optional(),
			expires_at: z.string().optional(),
		}),
	})
	.openapi("PurchaseResponse", {
		example: {
			tickets: [
				{ id: "7d9f1c2e-1a2b-4c3d-8e4f-5a6b7c8d9e01", numero: 12, estado: "vendido" },
				{ id: "7d9f1c2e-1a2b-4c3d-8e4f-5a6b7c8d9e02", numero: 13, estado: "vendido" },
			],
			transaccion_id: "3c2b1a09-8f7e-4d6c-9b5a-4e3d2c1b0a98",
			payment: { provider: "sandbox", status: "succeeded", amount: 2_000_000, currency: "COP" },
		},
	});

export const TicketSchema = z
	.object({
		id: z.uuid(),
		rifa_id: z.uuid(),
		usuario_id: z.uuid().nullable(),
		numero: z.number().int(),
		estado: z.enum(TICKET_ESTADOS),
		precio: z.number().int(),
		comprado_en: z.string().nullable(),
		transaccion_id: z.uuid().nullable(),
		recibo: z.string().nullable().openapi({
			description: "Recibo firmado de la boleta vendida (JWS compacto); null si no se vendió",
		}),
	})
	.openapi("Ticket");

export const AvailabilitySchema = z
	.object({
		rifa_id: z.uuid(),
		total: z.number().int().openapi({ example: 100 }),
		libres: z.number().int().openapi({ example: 97 }),
		reservados: z.number().int().openapi({ example: 1 }),
		vendidos: z.number().int().openapi({ example: 2 }),
		mapa: z.string().openapi({
			example: `VVR${"L".repeat(97)}`,
			description:
				"Un carácter por número, en orden desde 0: L libre, R reservado, V vendido. Sin datos del comprador.",
		}),
	})
	.openapi("Disponibilidad");

export const PagosSchema = z
	.object({
		metodos: z.array(z.enum(PAYMENT_METHODS)),
		stripe: z
			.object({
				publishable_key: z.string().openapi({ description: "Clave publicable (pk_...)" }),
			})
			.nullable()
			.openapi({ description: "null mientras Stripe no esté configurado para las páginas" }),
	})
	.openapi("MetodosDePago", {
		example: { metodos: ["stripe"], stripe: { publishable_key: "pk_live_51Sd..." } },
	});

export const TransaccionSchema = z
	.object({
		transaccion_id: z.uuid(),
		rifa_id: z.uuid(),
		usuario_id: z.uuid(),
		status: z.enum(["pending", "succeeded", "failed", "refunded"]),
		provider: z.enum(PAYMENT_METHODS),
		amount: z.number().int().openapi({ description: "Centavos de COP" }),
		tickets: z.array(z.object({ id: z.uuid(), numero: z.number().int() })),
		expires_at: z
			.string()
			.nullable()
			.openapi({ description: "Fin de la reserva mientras `pending`; null después" }),
	})
	.openapi("Transaccion", {
		example: {
			transaccion_id: "3c2b1a09-8f7e-4d6c-9b5a-4e3d2c1b0a98",
			rifa_id: "a1f40000-0000-4000-8000-000000000001",
			usuario_id: "5f1e7a52-2d4b-4c7e-8f3a-0e9d1c2b3a45",
			status: "pending",
			provider: "stripe",
			amount: 2_000_000,
			tickets: [{ id: "7d9f1c2e-1a2b-4c3d-8e4f-5a6b7c8d9e01", numero: 12 }],
			expires_at: "2026-12-02T15:10:00.000Z",
		},
	});
