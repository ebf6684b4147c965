import { and, asc, count, eq, gte, lte } from "drizzle-orm";
import type { Context } from "hono";
import type { Database } from "../../db/client";
import { ganadores, type RifaRow, rifas, tickets } from "../../db/schema";
import { executionContext } from "../../lib/create-app";
import { ApiError, notFound, RIFA, t } from "../../lib/errors";
import { offsetOf, pageOf } from "../../lib/pagination";
import { toUtcIso } from "../../lib/time";
import type { AppBindings, AppRouteHandler, AuthUser } from "../../lib/types";
import { despacharLuego } from "../../notificaciones/avisos";
import { cuentaDe } from "../../services/cuentas-transferencia.service";
import { recalcularRifa } from "../../services/recalculo.service";
import { toRifaDetalle, toRifaDto } from "../../services/rifas.dto";
import { createRifa, updateRifa } from "../../services/rifas.service";
import { settle } from "../../services/settlement.service";
import type {
	cancelar,
	cerrar,
	create,
	get,
	list,
	patch,
	recalcular,
	resultados,
} from "./rifas.routes";

const actorOf = (c: Context<AppBindings>) => ({
	user: c.var.user,
	requestId: c.var.requestId,
	env: c.env,
});

export const listHandler: AppRouteHandler<typeof list> = async (c) => {
	const { estado, categoria_id, loteria_id, fecha_inicio, fecha_fin, ...page } =
		c.req.valid("query");
	const desde = fecha_inicio ? toUtcIso(fecha_inicio) : undefined;
	const hasta = fecha_fin ? toUtcIso(fecha_fin) : undefined;
	if (desde && hasta && desde > hasta) {
		throw new ApiError(
			"VALIDATION_FAILED",
			t("El rango de fechas no es válido.", "The date range is not valid."),
			{
				errors: [{ path: "fecha_fin", message: "Debe ser posterior a fecha_inicio" }],
			},
		);
	}
	const db = c.var.db;
	const where = and(
		estado ? eq(rifas.estado, estado) : undefined,
		categoria_id ? eq(rifas.categoriaId, categoria_id) : undefined,
		loteria_id ? eq(rifas.loteriaId, loteria_id) : undefined,
		desde ? gte(rifas.fechaInicio, desde) : undefined,
		hasta ? lte(rifas.fechaFin, hasta) : undefined,
	);
	const [rows, [total]] = await db.batch([
		db
			.select()
			.from(rifas)
			.where(where)
			.orderBy(asc(rifas.fechaFin), asc(rifas.id))
			.limit(page.per_page)
			.offset(offsetOf(page)),
		db.select({ n: count() }).from(rifas).where(where),
	]);
	return c.json(pageOf(rows.map(toRifaDto), total?.n ?? 0, page), 200);
};

export const createHandler: AppRouteHandler<typeof create> = async (c) => {
	const row = await createRifa(c.var.db, actorOf(c), c.req.valid("json"));
	c.header("Location", `/api/v1/rifas/${row.id}`);
	return c.json(toRifaDto(row), 201);
};

export const getHandler: AppRouteHandler<typeof get> = async (c) => {
	const { id } = c.req.valid("param");
	const row = await c.var.db.query.rifas.findFirst({ where: eq(rifas.id, id) });
	if (!row) throw notFound(RIFA);
	return c.json(toRifaDetalle(row, await cuentaDe(c.var.db, row.creadoPor)), 200);
};

export const patchHandler: AppRouteHandler<typeof patch> = async (c) => {
	const { id } = c.req.valid("param");
	const row = await updateRifa(c.var.db, actorOf(c), id, c.req.valid("json"));
	await despacharLuego(c.env, c.var.db, executionContext(c));
	return c.json(toRifaDto(row), 200);
};

export const cerrarHandler: AppRouteHandler<typeof cerrar> = async (c) => {
	const { id } = c.req.valid("param");
	const row = await updateRifa(c.var.db, actorOf(c), id, { estado: "cerrada" });
	if (new Date(row.fechaSorteo) > new Date()) {
		await despacharLuego(c.env, c.var.db, executionContext(c));
		return c.json(toRifaDto(row), 200);
	}
	// The draw already happened: settle now rather than at the next cron run. A failure is logged
	// by settle() and the rifa stays cerrada, which is what this request asked for; the cron retries.
	await settle(c.env, c.var.db, id, {
		actorId: c.var.user.id,
		logger: c.var.logger,
	});
	const settled = await c.var.db.query.rifas.findFirst({ where: eq(rifas.id, id) });
	await despacharLuego(c.env, c.var.db, executionContext(c));
	return c.json(toRifaDto(settled ?? row), 200);
};

/** The public view of a rifa's outcome; buyers stay anonymous except to an admin or themselves. */
const resultadosView = async (db: Database, rifa: RifaRow, viewer: AuthUser | undefined) => {
	const rows = await db
		.select({
			ticketId: ganadores.ticketId,
			numero: tickets.numero,
			usuarioId: tickets.usuarioId,
			posicion: ganadores.posicion,
			montoGanado: ganadores.montoGanado,
			estadoPago: ganadores.estadoPago,
			fechaPago: ganadores.fechaPago,
			porCercania: ganadores.porCercania,
		})
		.from(ganadores)
		.innerJoin(tickets, eq(tickets.id, ganadores.ticketId))
		.where(eq(ganadores.rifaId, rifa.id))
		.orderBy(asc(ganadores.posicion));
	return {
		rifa_id: rifa.id,
		estado: rifa.estado,
		resultado:
			rifa.resultadoNumero && rifa.resultadoFecha
				? {
						numero: rifa.resultadoNumero,
						serie: rifa.resultadoSerie,
						fecha: rifa.resultadoFecha,
						fuente: rifa.resultadoFuente ?? "",
					}
				: null,
		ganadores: rows.map((g) => ({
			ticket_id: g.ticketId,
			numero: g.numero,
			posicion: g.posicion,
			monto_ganado: g.montoGanado,
			estado_pago: g.estadoPago,
			fecha_pago: g.fechaPago,
			por_cercania: g.porCercania,
			...(g.usuarioId && viewer && (viewer.rol === "admin" || viewer.id === g.usuarioId)
				? { usuario_id: g.usuarioId }
				: {}),
		})),
		desglose: rifa.desglose,
	};
};

export const resultadosHandler: AppRouteHandler<typeof resultados> = async (c) => {
	const { id } = c.req.valid("param");
	const rifa = await c.var.db.query.rifas.findFirst({ where: eq(rifas.id, id) });
	if (!rifa) throw notFound(RIFA);
	return c.json(await resultadosView(c.var.db, rifa, c.get("viewer")), 200);
};

export const recalcularHandler: AppRouteHandler<typeof recalcular> = async (c) => {
	const { id } = c.req.valid("param");
	const body = c.req.valid("json");
	const { cambios } = await recalcularRifa(
		c.env,
		c.var.db,
		id,
		{ userId: c.var.user.id, requestId: c.var.requestId },
		body,
	);
	const rifa = await c.var.db.query.rifas.findFirst({ where: eq(rifas.id, id) });
	if (!rifa) throw notFound(RIFA);
	return c.json({ ...(await resultadosView(c.var.db, rifa, c.var.user)), cambios }, 200);
};

export const cancelarHandler: AppRouteHandler<typeof cancelar> = async (c) => {
	const { id } = c.req.valid("param");
	const body = (c.req.valid("json") as { motivo?: string } | undefined) ?? {};
	const row = await updateRifa(c.var.db, actorOf(c), id, {
		estado: "cancelada",
		...(body.motivo ? { motivo: body.motivo } : {}),
	});
	return c.json(toRifaDto(row), 200);
};
