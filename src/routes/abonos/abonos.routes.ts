import { createRoute, z } from "@hono/zod-openapi";
import { requireAuth } from "../../auth/auth.middleware";
import { CREDITO_ORIGENES } from "../../db/schema";
import {
	BEARER,
	defaultErrorResponses,
	errorResponses,
	IdParam,
	jsonBody,
	jsonContent,
} from "../../lib/openapi";
import { METODOS_WOMPI } from "../../payments/wompi/metodos";
import { AbonoSchema, IDEMPOTENCY_KEY, PagoWompiSchema } from "../tickets/tickets.schemas";

export const AbonoBodySchema = z
	.strictObject({
		monto: AbonoSchema.shape.monto,
		medio: AbonoSchema.shape.medio,
		wompi: PagoWompiSchema.optional().openapi({
			description: "Con medio `wompi`: cómo paga el comprador (Nequi, PSE, tarjeta…)",
		}),
	})
	.refine((b) => b.medio !== "wompi" || b.wompi !== undefined, {
		path: ["wompi"],
		message: "Requerido con medio wompi",
	})
	.refine((b) => b.medio === "wompi" || b.wompi === undefined, {
		path: ["wompi"],
		message: "Solo con medio wompi",
	})
	.openapi("AbonoNuevo", { example: { monto: 200_000, medio: "efectivo" } });

export const AbonoEnLineaSchema = z
	.object({
		referencia: z.string().openapi({ description: "Referencia del pago en Wompi" }),
		monto: z.int(),
		estado: z.enum(["iniciando", "pendiente", "aprobado", "fallido", "tarde"]).openapi({
			description:
				"`pendiente`: esperando que el comprador pague (Nequi, banco, corresponsal); `aprobado`: ya es un abono; `fallido`: rechazado; `tarde`: aprobado cuando la compra ya no esperaba abonos, y quedó como crédito del comprador con el operador",
		}),
		detalle: z
			.object({ metodo: z.enum(METODOS_WOMPI) })
			.passthrough()
			.nullable()
			.openapi({
				description:
					"Lo que el comprador necesita para pagar (URL del banco, referencia de corresponsal…)",
			}),
	})
	.openapi("AbonoEnLinea");

export const AbonoResultadoSchema = z
	.object({
		transaccion_id: z.uuid(),
		estado: z.enum(["abonado", "vendido"]),
		pagado: z.int(),
		pendiente: z.int(),
		total: z.int(),
		pago: AbonoEnLineaSchema.optional().openapi({
			description: "Con medio wompi: el pago en línea de este abono",
		}),
	})
	.openapi("AbonoRegistrado");

export const abonar = createRoute({
	method: "post",
	path: "/tickets/{id}/abonos",
	operationId: "addAbono",
	tags: ["tickets"],
	summary: "Abonar a una boleta que se paga por abonos",
	description:
		"Suma un pago a la compra de la boleta (todas sus boletas): en `efectivo` lo recibe en persona un vendedor, operador o admin de la rifa; `wompi`, el comprador en línea (202 con el pago pendiente: el abono cuenta cuando Wompi lo aprueba, por su evento o por consulta); `credito`, con el crédito del comprador con el operador de la rifa; `sandbox`, solo en desarrollo. Cuando lo pagado llega al precio, los números quedan vendidos, con su recibo, y entran al sello. Más de lo que falta (contando los pagos en línea en curso) o más crédito del que hay: 422. Compra ya pagada o vencida: 409. Con Idempotency-Key: un reintento no abona ni cobra dos veces.",
	security: BEARER,
	middleware: [requireAuth],
	request: {
		params: IdParam,
		headers: z.object({ "idempotency-key": IDEMPOTENCY_KEY }),
		body: jsonBody(AbonoBodySchema),
	},
	responses: {
		201: jsonContent(AbonoResultadoSchema, "Abono registrado"),
		202: jsonContent(
			AbonoResultadoSchema,
			"Pago en línea creado; el abono cuenta cuando Wompi lo apruebe",
		),
		...errorResponses(400, 401, 403, 404, 409, 415, 422, 503),
		...defaultErrorResponses,
	},
});

export const CreditosSchema = z
	.object({
		saldos: z.array(
			z
				.object({ operador_id: z.uuid(), operador: z.string(), saldo: z.int() })
				.openapi("SaldoCredito"),
		),
		movimientos: z.array(
			z
				.object({
					id: z.string(),
					operador_id: z.uuid(),
					operador: z.string(),
					monto: z.int().openapi({ description: "Centavos: positivo suma, negativo usa" }),
					origen: z.enum(CREDITO_ORIGENES),
					rifa_id: z.uuid().nullable(),
					transaccion_id: z.string().nullable(),
					creado_en: z.string(),
				})
				.openapi("MovimientoCredito"),
		),
	})
	.openapi("Creditos");

export const misCreditos = createRoute({
	method: "get",
	path: "/users/me/creditos",
	operationId: "myCredits",
	tags: ["tickets"],
	summary: "Mi crédito con cada operador",
	description:
		'Lo abonado a planes que vencieron en rifas cuya regla lo guarda como crédito (`reglas.abonos.al_vencer: "credito"`), y los pagos en línea aprobados cuando su plan ya no esperaba: se usa en abonos posteriores (`medio: "credito"`) en rifas del mismo operador. Saldo por operador y los últimos 200 movimientos.',
	security: BEARER,
	middleware: [requireAuth],
	responses: {
		200: jsonContent(CreditosSchema, "Saldos y movimientos"),
		...errorResponses(401),
		...defaultErrorResponses,
	},
});
