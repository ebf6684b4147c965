import type { z } from "@hono/zod-openapi";
import { and, asc, count, eq, inArray, type SQL } from "drizzle-orm";
import type { Context } from "hono";
import type { Database } from "../../db/client";
import { reembolsos, type TicketRow, tickets, transacciones, users } from "../../db/schema";
import { ApiError, forbidden, notFound, RIFA, t } from "../../lib/errors";
import { errorFields } from "../../lib/logger";
import { offsetOf, pageOf } from "../../lib/pagination";
import type { AppBindings, AppRouteHandler } from "../../lib/types";
import { metodosDePago } from "../../payments/metodos";
import { WompiCliente, wompiConfig } from "../../payments/wompi/cliente";
import type { PagoWompi } from "../../payments/wompi/metodos";
import { findRifa, roomFor } from "../../rifa-room/rooms";
import { clientePorTelefono } from "../../services/clientes.service";
import { exigirCuentaTransferencia } from "../../services/cuentas-transferencia.service";
import { noVende, puedeVenderEn } from "../../services/vendedores.service";
import { medioAbonoDisponible } from "../abonos/abonos.handlers";
import type {
	availability,
	bancosPse,
	listForRifa,
	listForUser,
	pagos,
	purchase,
	transaccion,
} from "./tickets.routes";
import type { PagoWompiSchema } from "./tickets.schemas";

/** The buyer's acceptance is checked by the schema; the room keeps only how they pay. */
const sinAceptacion = ({
	acepta_terminos: _,
	...pago
}: z.infer<typeof PagoWompiSchema>): PagoWompi => pago as PagoWompi;

export const purchaseHandler: AppRouteHandler<typeof purchase> = async (c) => {
	const { id } = c.req.valid("param");
	const body = c.req.valid("json");
	const headerKey = c.req.valid("header")["idempotency-key"];
	if (headerKey && body.idempotency_key && headerKey !== body.idempotency_key) {
		throw new ApiError(
			"VALIDATION_FAILED",
			t(
				"La Idempotency-Key de la cabecera y la del cuerpo no coinciden.",
				"The Idempotency-Key header and the body's idempotency_key differ.",
			),
			{
				errors: [{ path: "idempotency_key", message: "Distinta de la cabecera Idempotency-Key" }],
			},
		);
	}
	const key = headerKey ?? body.idempotency_key;
	if (!key) {
		throw new ApiError(
			"BAD_REQUEST",
			t(
				"Falta la Idempotency-Key (cabecera o campo idempotency_key): sin ella un reintento podría cobrar dos veces.",
				"Missing Idempotency-Key (header or idempotency_key field): without it a retry could charge twice.",
			),
		);
	}
	const me = c.var.user;
	const rifa = await findRifa(c.var.db, id);
	if (!rifa) throw notFound(RIFA);
	// In person: for someone else, for a walk-in buyer, or for cash. Only the rifa's sellers may.
	if (body.abono) medioAbonoDisponible(c.env, body.abono.medio, true);
	const enPersona =
		body.user_id !== me.id ||
		body.cliente !== undefined ||
		body.payment_method === "efectivo" ||
		body.abono?.medio === "efectivo";
	if (enPersona && me.rol === "jugador")
		throw forbidden(
			t("Un jugador solo puede comprar para sí mismo.", "A player can only buy for themself."),
		);
	if (enPersona && !puedeVenderEn(me, rifa)) throw noVende();
	if (body.payment_method === "transferencia")
		await exigirCuentaTransferencia(c.var.db, rifa.creadoPor);
	let comprador = { email: me.email, nombre: me.nombre, telefono: null as string | null };
	let userId = body.user_id ?? me.id;
	if (body.cliente) {
		const cliente = await clientePorTelefono(c.var.db, body.cliente);
		userId = cliente.id;
		comprador = { email: cliente.email, nombre: cliente.nombre, telefono: cliente.telefono };
	} else if (userId !== me.id) {
		const buyer = await c.var.db.query.users.findFirst({
			columns: { isActive: true, email: true, nombre: true, telefono: true },
			where: eq(users.id, userId),
		});
		if (!buyer?.isActive) {
			throw new ApiError(
				"VALIDATION_FAILED",
				t(
					"El comprador no existe o está desactivado.",
					"The buyer does not exist or is deactivated.",
				),
				{
					errors: [{ path: "user_id", message: "Usuario inexistente o desactivado" }],
				},
			);
		}
		comprador = { email: buyer.email, nombre: buyer.nombre, telefono: buyer.telefono };
	}

	if (body.wompi && userId === me.id) {
		const mio = await c.var.db.query.users.findFirst({
			columns: { telefono: true },
			where: eq(users.id, me.id),
		});
		comprador.telefono = mio?.telefono ?? null;
	}
	if (body.wompi?.metodo === "PSE" && !body.wompi.telefono && !comprador.telefono) {
		throw new ApiError(
			"VALIDATION_FAILED",
			t(
				"PSE pide el celular del pagador: indíquelo en wompi.telefono.",
				"PSE needs the payer's mobile number: give it in wompi.telefono.",
			),
			{ errors: [{ path: "wompi.telefono", message: "Requerido para PSE" }] },
		);
	}
	const outcome = await roomFor(c.env, id).purchase({
		actorId: me.id,
		userId,
		...(enPersona ? { vendedorId: me.id } : {}),
		...(body.abono ? { abono: body.abono } : {}),
		quantity: body.quantity,
		paymentMethod: body.payment_method,
		idempotencyKey: key,
		numeros: body.numeros,
		...(body.wompi
			? {
					wompi: sinAceptacion(body.wompi),
					email: comprador.email,
					comprador: { nombre: comprador.nombre, telefono: comprador.telefono },
				}
			: {}),
	});
	const replayHeader: Record<string, string> = outcome.replayed
		? { "Idempotent-Replayed": "true" }
		: {};
	if (outcome.ok) {
		for (const [k, v] of Object.entries(replayHeader)) c.header(k, v);
		return c.json(outcome.body, 201);
	}
	throw new ApiError(outcome.code, outcome.detail, {
		headers: {
			...replayHeader,
			...(outcome.retryAfter ? { "Retry-After": String(outcome.retryAfter) } : {}),
		},
		...(outcome.numeros
			? {
					errors: outcome.numeros.map((n) => ({
						path: "numeros",
						message: `El número ${n} no está disponible`,
					})),
				}
			: {}),
	});
};

const toTicketDto = (t: TicketRow) => ({
	id: t.id,
	rifa_id: t.rifaId,
	usuario_id: t.usuarioId,
	numero: t.numero,
	estado: t.estado,
	precio: t.precio,
	comprado_en: t.compradoEn,
	transaccion_id: t.transaccionId,
	recibo: t.recibo,
});

const ticketPage = async (
	c: Context<AppBindings>,
	where: SQL | undefined,
	page: { page: number; per_page: number },
) => {
	const db = c.var.db;
	const [rows, [total]] = await db.batch([
		db
			.select()
			.from(tickets)
			.where(where)
			.orderBy(asc(tickets.rifaId), asc(tickets.numero))
			.limit(page.per_page)
			.offset(offsetOf(page)),
		db.select({ n: count() }).from(tickets).where(where),
	]);
	return pageOf(rows.map(toTicketDto), total?.n ?? 0, page);
};

export const listForRifaHandler: AppRouteHandler<typeof listForRifa> = async (c) => {
	const { id } = c.req.valid("param");
	const { estado, ...page } = c.req.valid("query");
	const rifa = await findRifa(c.var.db, id);
	if (!rifa) throw notFound(RIFA);
	const me = c.var.user;
	if ((me.rol === "operador" || me.rol === "vendedor") && !puedeVenderEn(me, rifa))
		throw forbidden(
			t(
				"Un operador solo ve los compradores de sus propias rifas.",
				"An operador can only see the buyers of its own rifas.",
			),
		);
	// A jugador sees its own tickets; a vendedor, those it sold.
	const where = and(
		eq(tickets.rifaId, id),
		estado ? eq(tickets.estado, estado) : undefined,
		me.rol === "jugador" ? eq(tickets.usuarioId, me.id) : undefined,
		me.rol === "vendedor"
			? inArray(
					tickets.transaccionId,
					c.var.db
						.select({ id: transacciones.id })
						.from(transacciones)
						.where(eq(transacciones.vendedorId, me.id)),
				)
			: undefined,
	);
	return c.json(await ticketPage(c, where, page), 200);
};

export const listForUserHandler: AppRouteHandler<typeof listForUser> = async (c) => {
	const { id } = c.req.valid("param");
	const { estado, ...page } = c.req.valid("query");
	const me = c.var.user;
	if (me.id !== id && me.rol !== "admin")
		throw forbidden(t("Solo puede ver sus propias boletas.", "You can only see your own tickets."));
	const where = and(eq(tickets.usuarioId, id), estado ? eq(tickets.estado, estado) : undefined);
	return c.json(await ticketPage(c, where, page), 200);
};

export const availabilityHandler: AppRouteHandler<typeof availability> = async (c) => {
	const { id } = c.req.valid("param");
	if (!(await findRifa(c.var.db, id))) throw notFound(RIFA);
	const result = await roomFor(c.env, id).availability();
	if (!result) throw notFound(RIFA);
	return c.json(result, 200);
};

export const pagosHandler: AppRouteHandler<typeof pagos> = async (c) =>
	c.json(await metodosDePago(c.env, c.var.logger), 200);

export const bancosPseHandler: AppRouteHandler<typeof bancosPse> = async (c) => {
	const config = wompiConfig(c.env);
	if (!config)
		throw new ApiError("NOT_FOUND", t("Wompi no está configurado.", "Wompi is not configured."));
	try {
		return c.json({ bancos: await new WompiCliente(config).bancosPse() }, 200);
	} catch (err) {
		c.var.logger.warn("PSE banks not read from Wompi", { error: errorFields(err) });
		throw new ApiError(
			"BAD_GATEWAY",
			t(
				"Wompi no respondió con la lista de bancos; intente de nuevo.",
				"Wompi did not answer with the list of banks; try again.",
			),
		);
	}
};

const TRANSACCION = t("La compra", "The purchase");

/** A refunded purchase's manual refund, if its provider could not refund it (D1 is its authority). */
const reembolsoDe = async (db: Database, id: string) => {
	const [r] = await db
		.select({
			estado: reembolsos.estado,
			referencia_transferencia: reembolsos.referenciaTransferencia,
			hecho_en: reembolsos.hechoEn,
		})
		.from(reembolsos)
		.where(eq(reembolsos.id, id));
	return r ?? null;
};

export const transaccionHandler: AppRouteHandler<typeof transaccion> = async (c) => {
	const { id, transaccion_id } = c.req.valid("param");
	const rifa = await findRifa(c.var.db, id);
	if (!rifa) throw notFound(RIFA);
	const tx = await roomFor(c.env, id).transaccion(transaccion_id);
	if (!tx) throw notFound(TRANSACCION);
	const me = c.var.user;
	const staff = me.rol === "admin" || (me.rol === "operador" && rifa.creadoPor === me.id);
	if (tx.userId !== me.id && !staff && tx.vendedorId !== me.id)
		throw forbidden(
			t(
				"Solo el comprador o el staff de la rifa ven la compra.",
				"Only the buyer or the rifa's staff can see the purchase.",
			),
		);
	return c.json(
		{
			transaccion_id: tx.id,
			rifa_id: id,
			usuario_id: tx.userId,
			status: tx.status,
			provider: tx.provider,
			amount: tx.amount,
			tickets: tx.numeros.map((n) => ({ id: n.ticket_id, numero: n.numero })),
			expires_at: tx.expiresAt,
			pago: tx.pago,
			reembolso: tx.status === "refunded" ? await reembolsoDe(c.var.db, tx.id) : null,
			abonos: tx.abonos ? { ...tx.abonos, pendiente: tx.amount - tx.abonos.pagado } : null,
		},
		200,
	);
};
