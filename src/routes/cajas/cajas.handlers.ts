import { asc, eq } from "drizzle-orm";
import { cajaVisible, cerrarCaja, confirmarCaja } from "../../cajas/cierre";
import { cajaActual, cuadreDe, esquemaDe } from "../../cajas/cuadre";
import { ajustar, listarCajas, resumenVentas } from "../../cajas/listado";
import { cajaMovimientos, comisiones } from "../../db/schema";
import { forbidden, t } from "../../lib/errors";
import { pageOf } from "../../lib/pagination";
import { nowIso } from "../../lib/time";
import type { AppRouteHandler } from "../../lib/types";
import { auditInsert } from "../../services/audit";
import { fijarCuenta, verCuenta } from "../../services/cuentas-transferencia.service";
import type {
	actual,
	ajuste,
	cierre,
	confirmacion,
	detalle,
	fijarComision,
	fijarCuentaTransferencia,
	listar,
	resumen,
	verComision,
	verCuentaTransferencia,
} from "./cajas.routes";
import { toCajaDto, toMovimientoDto } from "./cajas.schemas";

export const actualHandler: AppRouteHandler<typeof actual> = async (c) => {
	const caja = await cajaActual(c.var.db, c.env.DB, c.var.user.id);
	return c.json(toCajaDto(caja, await cuadreDe(c.var.db, caja)), 200);
};

export const resumenHandler: AppRouteHandler<typeof resumen> = async (c) =>
	c.json({ items: await resumenVentas(c.var.db, c.var.user, c.req.valid("query")) }, 200);

export const listarHandler: AppRouteHandler<typeof listar> = async (c) => {
	const { vendedor_id, estado, desde, hasta, ...page } = c.req.valid("query");
	const { rows, total } = await listarCajas(
		c.var.db,
		c.var.user,
		{ vendedor_id, estado, desde, hasta },
		page,
	);
	const items = [];
	for (const caja of rows) items.push(toCajaDto(caja, await cuadreDe(c.var.db, caja)));
	return c.json(pageOf(items, total, page), 200);
};

export const detalleHandler: AppRouteHandler<typeof detalle> = async (c) => {
	const caja = await cajaVisible(c.var.db, c.var.user, c.req.valid("param").id);
	const movimientos = await c.var.db
		.select()
		.from(cajaMovimientos)
		.where(eq(cajaMovimientos.cajaId, caja.id))
		.orderBy(asc(cajaMovimientos.ocurridoEn), asc(cajaMovimientos.id));
	return c.json(
		{
			...toCajaDto(caja, await cuadreDe(c.var.db, caja)),
			movimientos: movimientos.map(toMovimientoDto),
		},
		200,
	);
};

export const cierreHandler: AppRouteHandler<typeof cierre> = async (c) => {
	const me = c.var.user;
	const caja = await cajaVisible(c.var.db, me, c.req.valid("param").id);
	const { contado } = c.req.valid("json");
	const cerrada = await cerrarCaja(c.var.db, me, caja, contado, c.var.requestId);
	return c.json(toCajaDto(cerrada, await cuadreDe(c.var.db, cerrada)), 200);
};

export const confirmacionHandler: AppRouteHandler<typeof confirmacion> = async (c) => {
	const me = c.var.user;
	const caja = await cajaVisible(c.var.db, me, c.req.valid("param").id);
	const confirmada = await confirmarCaja(c.var.db, me, caja, c.var.requestId);
	return c.json(toCajaDto(confirmada, await cuadreDe(c.var.db, confirmada)), 200);
};

export const ajusteHandler: AppRouteHandler<typeof ajuste> = async (c) => {
	const clave = c.req.valid("header")["idempotency-key"];
	const body = c.req.valid("json");
	const id = await ajustar(c.var.db, c.env.DB, c.var.user, body, clave, c.var.requestId);
	const mov = await c.var.db.query.cajaMovimientos.findFirst({ where: eq(cajaMovimientos.id, id) });
	if (!mov) throw new Error("the adjustment was not written");
	return c.json(toMovimientoDto(mov), 201);
};

/** The operador itself, its sellers and admins read its scheme; the operador or an admin set it. */
const puedeVer = (me: { id: string; rol: string; operadorId: string | null }, id: string) =>
	me.rol === "admin" || me.id === id || me.operadorId === id;

export const verComisionHandler: AppRouteHandler<typeof verComision> = async (c) => {
	const { id } = c.req.valid("param");
	if (!puedeVer(c.var.user, id))
		throw forbidden(
			t("Esa comisión no es de su operador.", "That is not your operador's commission."),
		);
	return c.json({ esquema: await esquemaDe(c.var.db, id) }, 200);
};

export const fijarComisionHandler: AppRouteHandler<typeof fijarComision> = async (c) => {
	const { id } = c.req.valid("param");
	const me = c.var.user;
	if (me.rol !== "admin" && me.id !== id)
		throw forbidden(
			t("Un operador fija solo su comisión.", "An operador sets only its own commission."),
		);
	const { esquema } = c.req.valid("json");
	const antes = await esquemaDe(c.var.db, id);
	const ahora = nowIso();
	await c.var.db.batch([
		c.var.db
			.insert(comisiones)
			.values({ operadorId: id, esquema, actualizadoPor: me.id, actualizadoEn: ahora })
			.onConflictDoUpdate({
				target: comisiones.operadorId,
				set: { esquema, actualizadoPor: me.id, actualizadoEn: ahora },
			}),
		auditInsert(c.var.db, {
			actorId: me.id,
			action: "comision.fijada",
			entity: "user",
			entityId: id,
			before: antes,
			after: esquema,
			requestId: c.var.requestId,
		}),
	]);
	return c.json({ esquema }, 200);
};

export const verCuentaTransferenciaHandler: AppRouteHandler<typeof verCuentaTransferencia> = async (
	c,
) => c.json(await verCuenta(c.var.db, c.var.user, c.req.valid("param").id), 200);

export const fijarCuentaTransferenciaHandler: AppRouteHandler<
	typeof fijarCuentaTransferencia
> = async (c) =>
	c.json(
		await fijarCuenta(
			c.var.db,
			c.var.user,
			c.req.valid("param").id,
			c.req.valid("json"),
			c.var.requestId,
		),
		200,
	);
