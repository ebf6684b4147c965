import { z } from "@hono/zod-openapi";
import { TICKET_ESTADOS } from "../../db/schema";
import { METODOS_WOMPI, TIPOS_DOCUMENTO } from "../../payments/wompi/metodos";
import { MEDIOS_ABONO } from "../../rifa-room/abonos";
import { PAYMENT_METHODS } from "../../rifa-room/room.types";
import { nombreField, telefonoField } from "../users/users.schemas";

/** A Colombian mobile number, as Nequi and Daviplata know it: 10 digits starting with 3. */
const CELULAR = z
	.string()
	.trim()
	.transform((v) => v.replace(/[\s-]/g, "").replace(/^\+57/, ""))
	.pipe(z.string().regex(/^3\d{9}$/, "Celular colombiano de 10 dígitos (3XXXXXXXXX)"))
	.openapi({ example: "3991111111" });

const DOCUMENTO = z
	.string()
	.trim()
	.regex(/^[0-9A-Za-z]{3,20}$/, "Documento de 3 a 20 letras o dígitos")
	.openapi({ example: "1999888777" });

const ACEPTA = z.literal(true, {
	error: "Debe aceptar los términos y la autorización de datos personales de Wompi",
});

export const PagoWompiSchema = z
	.discriminatedUnion("metodo", [
		z.strictObject({ metodo: z.literal("NEQUI"), acepta_terminos: ACEPTA, telefono: CELULAR }),
		z.strictObject({
			metodo: z.literal("PSE"),
			acepta_terminos: ACEPTA,
			banco: z
				.string()
				.trim()
				.regex(/^\d{1,10}$/, "Código de la entidad financiera")
				.openapi({ example: "1", description: "Código de GET /pagos/wompi/bancos" }),
			tipo_persona: z.enum(["natural", "juridica"]),
			tipo_documento: z.enum(TIPOS_DOCUMENTO),
			documento: DOCUMENTO,
			telefono: CELULAR.optional().openapi({
				description: "PSE pide el celular del pagador; si falta, se usa el de su cuenta",
			}),
		}),
		z.strictObject({ metodo: z.literal("BANCOLOMBIA_TRANSFER"), acepta_terminos: ACEPTA }),
		z.strictObject({
			metodo: z.literal("DAVIPLATA"),
			acepta_terminos: ACEPTA,
			tipo_documento: z.enum(TIPOS_DOCUMENTO),
			documento: DOCUMENTO,
		}),
		z.strictObject({
			metodo: z.literal("CARD"),
			acepta_terminos: ACEPTA,
			token: z
				.string()
				.trim()
				.regex(/^tok_(test|prod)_[\w-]{4,80}$/, "Token de tarjeta de Wompi (tok_...)")
				.openapi({ description: "Token creado en el navegador con la llave pública de Wompi" }),
			cuotas: z.number().int().min(1).max(36).default(1),
		}),
		z.strictObject({ metodo: z.literal("BANCOLOMBIA_COLLECT"), acepta_terminos: ACEPTA }),
	])
	.openapi("PagoWompi", {
		description:
			"Cómo paga el comprador por Wompi. `acepta_terminos: true` dice que aceptó los términos y la autorización de datos personales de Wompi (enlaces en GET /pagos).",
		example: { metodo: "NEQUI", acepta_terminos: true, telefono: "3991111111" },
	});

/** One payment towards a number paid in instalments. */
export const AbonoSchema = z
	.strictObject({
		monto: z.int().positive().max(100_000_000_000).openapi({ description: "Centavos de COP" }),
		medio: z.enum(MEDIOS_ABONO).openapi({
			description:
				"`efectivo`: recibido en persona por un vendedor, operador o admin; `wompi`: en línea (solo abonos después del primero); `credito`: con el crédito del comprador con el operador (solo después del primero); `sandbox`: solo en desarrollo",
		}),
	})
	.openapi("Abono", { example: { monto: 400_000, medio: "efectivo" } });

/** A buyer at a point of sale, known by their phone (services/clientes.service.ts). */
export const ClienteSchema = z
	.strictObject({
		nombre: nombreField,
		telefono: telefonoField,
		acepta_whatsapp: z.boolean().default(false).openapi({
			description: "Aceptó recibir por WhatsApp el enlace de su recibo",
		}),
		acepta_sms: z.boolean().default(false).openapi({
			description: "Aceptó recibir por SMS el enlace de su recibo (un celular)",
		}),
	})
	.openapi("ClienteEnPersona", {
		description:
			"Quien compra en persona a un vendedor, operador o admin, sin cuenta: se le encuentra o crea por su teléfono (E.164; un celular colombiano puede ir sin +57) y puede reclamar la cuenta después.",
		example: { nombre: "Rosa Elena Díaz", telefono: "+573001234567", acepta_whatsapp: true },
	});

export const IDEMPOTENCY_KEY = z
	.string()
	.trim()
	.min(8, "La Idempotency-Key debe tener al menos 8 caracteres")
	.max(255)
	.regex(/^[\x21-\x7e]+$/, "La Idempotency-Key solo admite caracteres ASCII visibles");

export const PurchaseBody = z
	.strictObject({
		user_id: z.uuid().optional().openapi({
			example: "5f1e7a52-2d4b-4c7e-8f3a-0e9d1c2b3a45",
			description: "Quien compra: usted, o (personal de la rifa) otro usuario. O bien `cliente`.",
		}),
		cliente: ClienteSchema.optional(),
		abono: AbonoSchema.optional().openapi({
			description: "Con payment_method abonos: el primer abono (al menos el mínimo de la rifa)",
		}),
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
		wompi: PagoWompiSchema.optional(),
	})
	.superRefine((b, ctx) => {
		if ((b.user_id === undefined) === (b.cliente === undefined)) {
			ctx.addIssue({
				code: "custom",
				path: ["user_id"],
				message: "Indique user_id o cliente (uno de los dos)",
			});
		}
		if (b.numeros && b.numeros.length !== b.quantity) {
			ctx.addIssue({ code: "custom", path: ["numeros"], message: "Debe tener quantity números" });
		}
		if (b.payment_method === "wompi" && !b.wompi) {
			ctx.addIssue({
				code: "custom",
				path: ["wompi"],
				message: `Con payment_method wompi, indique wompi.metodo (${METODOS_WOMPI.join(", ")})`,
			});
		}
		if ((b.payment_method === "abonos") !== (b.abono !== undefined)) {
			ctx.addIssue({
				code: "custom",
				path: ["abono"],
				message: "El primer abono va con payment_method abonos, y solo con él",
			});
		}
		if (b.payment_method !== "wompi" && b.wompi) {
			ctx.addIssue({ code: "custom", path: ["wompi"], message: "Solo con payment_method wompi" });
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

const DetallePagoCampos = {
	metodo: z.enum(METODOS_WOMPI).optional().openapi({ description: "Medio de pago en Wompi" }),
	referencia: z
		.string()
		.optional()
		.openapi({ description: "Nuestra referencia en Wompi (el id de la compra)" }),
	wompi_id: z.string().optional().openapi({ description: "La transacción en Wompi" }),
	redirect_url: z.string().optional().openapi({
		description: "PSE y Bancolombia: la página del banco donde el comprador aprueba el pago",
	}),
	efectivo: z.object({ convenio: z.string(), referencia_pago: z.string() }).optional().openapi({
		description: "Efectivo en un corresponsal Bancolombia: convenio y referencia a pagar",
	}),
};

export const DetallePagoSchema = z.object(DetallePagoCampos).openapi("DetallePago");

export const PurchaseResponse = z
	.object({
		tickets: z.array(
			z.object({
				id: z.uuid(),
				numero: z.number().int(),
				estado: z
					.enum(["reservado", "abonado", "vendido"])
					.openapi({ description: "`abonado`: pagándose por abonos" }),
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
			...DetallePagoCampos,
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

const DetalleMetodoSchema = z
	.object({
		metodo: z.enum(PAYMENT_METHODS),
		quien: z.enum(["comprador", "personal"]).openapi({
			description:
				"`comprador`: cualquier usuario con sesión, para sí mismo (o el personal de la rifa para otro); `personal`: solo un vendedor, el operador o un admin de la rifa, vendiendo en persona",
		}),
		venta: z
			.enum(["inmediata", "confirmacion_proveedor", "revision_comprobante", "abonos"])
			.openapi({
				description:
					"Cuándo quedan vendidos los números: al momento; cuando el proveedor confirma el pago; cuando el operador aprueba el comprobante de la transferencia; o cuando los abonos completan el precio",
			}),
		requiere: z.enum(["reglas.abonos", "cuenta_transferencia"]).nullable().openapi({
			description:
				"Lo que la rifa debe tener para aceptarlo: `reglas.abonos`, o `cuenta_transferencia` no nula (ambos en GET /rifas/{id}); null: cualquier rifa",
		}),
	})
	.openapi("DetalleMetodoDePago");

export const PagosSchema = z
	.object({
		metodos: z.array(z.enum(PAYMENT_METHODS)).openapi({
			description:
				"Los métodos en línea que el proveedor de este despliegue cobra por sí mismo (Wompi, sandbox, Stripe)",
		}),
		detalle: z.array(DetalleMetodoSchema).openapi({
			description:
				"Todos los valores de `payment_method` que se aceptan aquí, con quién puede usarlos, cuándo venden y qué debe tener la rifa: los de `metodos`, `transferencia`, `efectivo` y `abonos`",
		}),
		stripe: z
			.object({
				publishable_key: z.string().openapi({ description: "Clave publicable (pk_...)" }),
			})
			.nullable()
			.openapi({ description: "null mientras Stripe no esté configurado para las páginas" }),
		wompi: z
			.object({
				public_key: z.string().openapi({ description: "Llave pública (pub_test_… o pub_prod_…)" }),
				entorno: z.enum(["test", "prod"]),
				api_url: z.string().openapi({ description: "Donde el navegador tokeniza tarjetas" }),
				metodos: z.array(z.enum(METODOS_WOMPI)),
				terminos_url: z.string().nullable().openapi({
					description: "Términos de Wompi que el comprador acepta (null si Wompi no respondió)",
				}),
				datos_personales_url: z.string().nullable().openapi({
					description: "Autorización de tratamiento de datos personales de Wompi",
				}),
				horas_efectivo: z.number().openapi({
					description: "Horas que un pago en efectivo en corresponsal reserva los números",
				}),
			})
			.nullable()
			.openapi({ description: "null mientras Wompi no esté configurado" }),
	})
	.openapi("MetodosDePago", {
		example: {
			metodos: ["wompi"],
			detalle: [
				{ metodo: "wompi", quien: "comprador", venta: "confirmacion_proveedor", requiere: null },
				{
					metodo: "transferencia",
					quien: "comprador",
					venta: "revision_comprobante",
					requiere: "cuenta_transferencia",
				},
				{ metodo: "efectivo", quien: "personal", venta: "inmediata", requiere: null },
				{ metodo: "abonos", quien: "personal", venta: "abonos", requiere: "reglas.abonos" },
			],
			stripe: null,
			wompi: {
				public_key: "pub_prod_Kx3...",
				entorno: "prod",
				api_url: "https://production.wompi.co/v1",
				metodos: [...METODOS_WOMPI],
				terminos_url:
					"https://wompi.co/wp-content/uploads/2019/09/TERMINOS-Y-CONDICIONES-DE-USO-USUARIOS-WOMPI.pdf",
				datos_personales_url:
					"https://wompi.com/assets/downloadble/autorizacion-administracion-datos-personales.pdf",
				horas_efectivo: 24,
			},
		},
	});

export const BancosPseSchema = z
	.object({
		bancos: z.array(z.object({ codigo: z.string(), nombre: z.string() })),
	})
	.openapi("BancosPse", {
		example: { bancos: [{ codigo: "1", nombre: "Banco que aprueba" }] },
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
		pago: DetallePagoSchema.nullable().openapi({
			description: "Wompi: lo que el comprador necesita para pagar (banco, convenio y referencia)",
		}),
		reembolso: z
			.object({
				estado: z.enum(["pendiente", "hecho"]),
				referencia_transferencia: z.string().nullable(),
				hecho_en: z.string().nullable(),
			})
			.nullable()
			.openapi({
				description:
					"Reembolso manual (medios sin devolución por API): pendiente hasta que un admin registra la transferencia",
			}),
		abonos: z
			.object({
				pagado: z.int(),
				pendiente: z.int(),
				lista: z.array(z.object({ monto: z.int(), medio: z.string(), en: z.string() })),
				en_linea: z
					.array(
						z.object({
							referencia: z.string(),
							monto: z.int(),
							estado: z.enum(["iniciando", "pendiente", "aprobado", "fallido", "tarde"]),
							detalle: z.object({ metodo: z.string() }).passthrough().nullable(),
						}),
					)
					.openapi({ description: "Abonos pagados en línea (Wompi) y su estado" }),
			})
			.nullable()
			.openapi({ description: "Compra por abonos: lo pagado, lo que falta y cada abono" }),
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
			pago: null,
			reembolso: null,
			abonos: null,
		},
	});
