import { and, count, eq, inArray, type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { categorias, loterias, type RifaRow, rifas, tickets } from "../db/schema";
import {
	type Calendario,
	esSorteo,
	fechaColombia,
	primerSorteoDesde,
	type Sorteo,
	sorteosCercanos,
} from "../domain/calendario";
import { premiosIssues } from "../domain/premios";
import { type Reglas, ReglasSchema, reglasIssues } from "../domain/reglas";
import {
	allowedTransitions,
	canTransition,
	isTerminal,
	STRUCTURAL_FIELDS,
} from "../domain/rifa-estado";
import {
	ApiError,
	conflict,
	type FieldError,
	forbidden,
	notFound,
	RIFA,
	t,
	toFieldErrors,
} from "../lib/errors";
import { createLogger, errorFields } from "../lib/logger";
import { nextStamp, nowIso, toUtcIso } from "../lib/time";
import type { AuthUser } from "../lib/types";
import { avisoInsert } from "../notificaciones/avisos";
import { roomFor, syncRoom } from "../rifa-room/rooms";
import { acumuladoTrasCambio } from "./acumulado.service";
import { auditInsert, auditInsertIf } from "./audit";
import { type RifaCreateInput, type RifaPatchInput, toRifaDto } from "./rifas.dto";

export interface Actor {
	/** null: the system itself (scheduled jobs). */
	user: AuthUser | null;
	requestId: string | null;
	env: Env;
}

const changedMeanwhile = () =>
	conflict(
		t(
			"La rifa cambió mientras se editaba; vuelva a intentarlo.",
			"The rifa changed while it was being edited; try again.",
		),
	);

const invalid = (errors: FieldError[]) =>
	new ApiError(
		"VALIDATION_FAILED",
		t("Los datos de la rifa no son válidos.", "The rifa data is not valid."),
		{ errors },
	);

const checkDates = (
	d: { fecha_inicio: string; fecha_fin: string; fecha_sorteo: string },
	opts: { finMustBeFuture: boolean },
): FieldError[] => {
	const errors: FieldError[] = [];
	if (d.fecha_inicio >= d.fecha_fin) {
		errors.push({ path: "fecha_fin", message: "Debe ser posterior a fecha_inicio" });
	}
	if (d.fecha_sorteo < d.fecha_fin) {
		errors.push({ path: "fecha_sorteo", message: "No puede ser anterior a fecha_fin" });
	}
	if (opts.finMustBeFuture && d.fecha_fin <= nowIso()) {
		errors.push({ path: "fecha_fin", message: "Debe estar en el futuro" });
	}
	return errors;
};

/** Minutes between the end of sales and the draw (`MINUTOS_CIERRE_ANTES_SORTEO`, default 30). */
export const minutosCierre = (env: Env): number => {
	const n = Number(env.MINUTOS_CIERRE_ANTES_SORTEO ?? "30");
	return Number.isInteger(n) && n >= 0 ? n : 30;
};

const horaColombia = (s: Sorteo) =>
	`${s.fecha} ${new Date(Date.parse(s.instante) - 5 * 3_600_000).toISOString().slice(11, 16)}`;

const drawRefused = (code: string, detail: { es: string; en: string }) =>
	new ApiError("VALIDATION_FAILED", detail, {
		errors: [{ path: "fecha_sorteo", message: detail.es, code }],
	});

const loteriaCalendario = async (db: Database, loteriaId: string) =>
	(await db.query.loterias.findFirst({
		where: eq(loterias.id, loteriaId),
		columns: {
			nombre: true,
			frecuencia: true,
			diaSorteo: true,
			horaSorteo: true,
			movimientos: true,
		},
	})) ?? null;

/**
 * The rifa's draw, checked against its loteria's calendar: the given `fecha_sorteo` must be one of
 * its draw instants, and when none is given it is the first draw at or after the end of sales
 * plus the margin. Sales must end at least the margin before the draw: nobody may buy a number
 * after the lottery could have drawn it.
 */
const resolveDraw = (
	cal: Calendario & { nombre: string },
	fechaFin: string,
	fechaSorteo: string | undefined,
	margen: number,
): string => {
	const latestEnd = (draw: string) => new Date(Date.parse(draw) - margen * 60_000).toISOString();
	if (fechaSorteo === undefined) {
		const first = primerSorteoDesde(cal, new Date(Date.parse(fechaFin) + margen * 60_000));
		if (!first) {
			throw drawRefused(
				"sin_sorteos",
				t(
					`${cal.nombre} no tiene sorteos en su calendario después de fecha_fin; indique uno con fecha_sorteo.`,
					`${cal.nombre} has no draws in its calendar after fecha_fin; give one as fecha_sorteo.`,
				),
			);
		}
		return first.instante;
	}
	const instant = new Date(fechaSorteo);
	if (!esSorteo(cal, instant)) {
		const near = sorteosCercanos(cal, instant);
		const list = near.map((s) => `${s.instante} (${horaColombia(s)} hora de Colombia)`);
		const listEn = near.map((s) => `${s.instante} (${horaColombia(s)} Colombia time)`);
		throw drawRefused(
			"no_es_sorteo",
			near.length
				? t(
						`fecha_sorteo no es un sorteo de ${cal.nombre}. Los más cercanos: ${list.join(", ")}.`,
						`fecha_sorteo is not a draw of ${cal.nombre}. The nearest: ${listEn.join(", ")}.`,
					)
				: t(
						`${cal.nombre} no tiene calendario de sorteos (día y hora).`,
						`${cal.nombre} has no draw calendar (day and hour).`,
					),
		);
	}
	if (fechaFin > latestEnd(fechaSorteo)) {
		throw drawRefused(
			"cierre_tardio",
			t(
				`La venta debe cerrar al menos ${margen} minutos antes del sorteo: fecha_fin a más tardar ${latestEnd(fechaSorteo)}.`,
				`Sales must end at least ${margen} minutes before the draw: fecha_fin at the latest ${latestEnd(fechaSorteo)}.`,
			),
		);
	}
	return fechaSorteo;
};

const checkReferences = async (
	db: Database,
	refs: { categoria_id?: string | undefined; loteria_id?: string | undefined },
): Promise<FieldError[]> => {
	const [cat, lot] = await db.batch([
		db
			.select({ id: categorias.id })
			.from(categorias)
			.where(eq(categorias.id, refs.categoria_id ?? "")),
		db
			.select({ id: loterias.id })
			.from(loterias)
			.where(eq(loterias.id, refs.loteria_id ?? "")),
	]);
	const errors: FieldError[] = [];
	if (refs.categoria_id !== undefined && cat.length === 0) {
		errors.push({ path: "categoria_id", message: "La categoría no existe" });
	}
	if (refs.loteria_id !== undefined && lot.length === 0) {
		errors.push({ path: "loteria_id", message: "La lotería no existe" });
	}
	return errors;
};

/** A rifa its category could not pay (see `premiosIssues`) is refused before it can sell. */
const settleabilityIssues = async (
	db: Database,
	rifa: { categoria_id: string; total_boletas: number; reglas: Reglas },
): Promise<FieldError[]> => {
	const [cat] = await db
		.select({
			valorBoleta: categorias.valorBoleta,
			fondoPremios: categorias.fondoPremios,
			premioPorGanador: categorias.premioPorGanador,
		})
		.from(categorias)
		.where(eq(categorias.id, rifa.categoria_id));
	// An unknown category is reported by checkReferences.
	return cat ? premiosIssues({ totalBoletas: rifa.total_boletas, reglas: rifa.reglas }, cat) : [];
};

/**
 * Numbers held or sold: once any exist, what buyers paid for cannot change. The room is the
 * authority (it knows holds D1 has not seen yet); D1 also counts tickets written by other paths.
 */
const committedTickets = async (db: Database, env: Env, rifaId: string) => {
	const [row] = await db
		.select({ n: count() })
		.from(tickets)
		.where(
			and(eq(tickets.rifaId, rifaId), inArray(tickets.estado, ["reservado", "vendido", "ganador"])),
		);
	return (row?.n ?? 0) + (await roomFor(env, rifaId).committedCount());
};

export const createRifa = async (
	db: Database,
	actor: Actor,
	body: RifaCreateInput,
): Promise<RifaRow> => {
	const fechaFin = toUtcIso(body.fecha_fin);
	const cal = await loteriaCalendario(db, body.loteria_id);
	const dates = {
		fecha_inicio: toUtcIso(body.fecha_inicio),
		fecha_fin: fechaFin,
		fecha_sorteo: body.fecha_sorteo === undefined ? fechaFin : toUtcIso(body.fecha_sorteo),
	};
	const errors = [
		...checkDates(dates, { finMustBeFuture: true }),
		...reglasIssues(body.reglas, body),
		...(body.numero_ganadores > body.total_boletas
			? [{ path: "numero_ganadores", message: "No puede superar total_boletas" }]
			: []),
		...(await checkReferences(db, body)),
		...(await settleabilityIssues(db, body)),
	];
	if (errors.length) throw invalid(errors);
	if (cal) {
		dates.fecha_sorteo = resolveDraw(
			cal,
			fechaFin,
			body.fecha_sorteo === undefined ? undefined : dates.fecha_sorteo,
			minutosCierre(actor.env),
		);
	}

	const now = nowIso();
	const row: RifaRow = {
		id: crypto.randomUUID(),
		nombre: body.nombre,
		categoriaId: body.categoria_id,
		loteriaId: body.loteria_id,
		fechaInicio: dates.fecha_inicio,
		fechaFin: dates.fecha_fin,
		fechaSorteo: dates.fecha_sorteo,
		numeroGanadores: body.numero_ganadores,
		estado: "pendiente",
		reglas: body.reglas,
		totalBoletas: body.total_boletas,
		creadoPor: actor.user?.id ?? null,
		resultadoNumero: null,
		resultadoSerie: null,
		resultadoFecha: null,
		resultadoFuente: null,
		desglose: null,
		acumuladoRecibido: 0,
		acumuladoAsignado: 0,
		liquidacionId: null,
		resueltaEn: null,
		salaSincronizadaEn: null,
		creadoEn: now,
		actualizadoEn: now,
	};
	await db.batch([
		db.insert(rifas).values(row),
		auditInsert(db, {
			actorId: actor.user?.id ?? null,
			action: "rifa.created",
			entity: "rifa",
			entityId: row.id,
			after: toRifaDto(row),
			requestId: actor.requestId,
		}),
	]);
	await pushToRoom(actor, db, row.id);
	return row;
};

/**
 * D1 holds the change; the room gets it now, or from the cron's reconciler if this push fails
 * (the response still reports the change, which is durable).
 */
const pushToRoom = async (actor: Actor, db: Database, rifaId: string) => {
	try {
		await syncRoom(actor.env, db, rifaId);
	} catch (err) {
		createLogger(actor.env).error("room did not take the rifa's change; the reconciler will", {
			rifa_id: rifaId,
			request_id: actor.requestId,
			error: errorFields(err),
		});
	}
};

/**
 * Cancelling refunds everyone, so once sales have ended (when a sold ticket may have won) it is
 * an admin's decision, with a reason, and only while no source has reported the draw's result.
 * Returns the condition that keeps that true up to the write, or null before fecha_fin.
 */
const checkLateCancel = async (
	db: Database,
	actor: Actor,
	rifa: RifaRow,
	motivo: string | undefined,
): Promise<SQL | null> => {
	if (rifa.estado !== "cerrada" && nowIso() < rifa.fechaFin) return null;
	if (actor.user && actor.user.rol !== "admin") {
		throw conflict(
			t(
				"Regla: la venta de esta rifa terminó (fecha_fin); un operador ya no puede cancelarla. Solo un admin, con motivo, mientras no haya un resultado observado.",
				"Rule: this rifa's sales have ended (fecha_fin); an operador can no longer cancel it. Only an admin can, with a motivo, while no result has been observed.",
			),
		);
	}
	if (actor.user && !motivo) {
		throw invalid([
			{
				path: "motivo",
				message: "Obligatorio para cancelar una rifa cuya venta terminó",
				code: "motivo_requerido",
			},
		]);
	}
	const fecha = fechaColombia(new Date(rifa.fechaSorteo));
	const noResult = sql`NOT EXISTS (SELECT 1 FROM observaciones_resultado WHERE loteria_id = ${rifa.loteriaId} AND fecha = ${fecha})
		AND NOT EXISTS (SELECT 1 FROM resultados WHERE loteria_id = ${rifa.loteriaId} AND fecha = ${fecha})`;
	const [seen] = await db.all<{ n: number }>(sql`SELECT (${noResult}) AS n`);
	if (!seen?.n) {
		throw conflict(
			t(
				`Regla: ya hay una observación del resultado del sorteo del ${fecha}; la rifa no puede cancelarse, se liquida.`,
				`Rule: a result of the ${fecha} draw has already been observed; the rifa cannot be cancelled, it is settled.`,
			),
		);
	}
	return noResult;
};

export const updateRifa = async (
	db: Database,
	actor: Actor,
	id: string,
	body: RifaPatchInput,
): Promise<RifaRow> => {
	const current = await db.query.rifas.findFirst({ where: eq(rifas.id, id) });
	if (!current) throw notFound(RIFA);
	if (actor.user && actor.user.rol !== "admin" && current.creadoPor !== actor.user.id) {
		throw forbidden(
			t(
				"Un operador solo puede modificar las rifas que creó.",
				"An operador can only change the rifas it created.",
			),
		);
	}
	if (isTerminal(current.estado)) {
		throw conflict(
			t(
				`La rifa está ${current.estado}; no admite cambios.`,
				`The rifa is ${current.estado}; it accepts no changes.`,
			),
		);
	}
	const before = toRifaDto(current);
	const { estado: nextEstado, reglas: reglasPatch, motivo, ...fields } = body;

	const fieldKeys = Object.keys(fields) as (keyof typeof fields)[];
	const changedFields = fieldKeys.filter((k) => {
		const value = fields[k];
		const isDate = k === "fecha_inicio" || k === "fecha_fin" || k === "fecha_sorteo";
		return value !== undefined && (isDate ? toUtcIso(String(value)) : value) !== before[k];
	});

	let reglas: Reglas = before.reglas;
	if (reglasPatch) {
		const parsed = ReglasSchema.safeParse({ ...before.reglas, ...reglasPatch });
		if (!parsed.success) throw invalid(toFieldErrors(parsed.error, ["reglas"]));
		reglas = parsed.data;
	}
	const reglasChanged = JSON.stringify(reglas) !== JSON.stringify(before.reglas);
	const estadoChanged = nextEstado !== undefined && nextEstado !== current.estado;

	if ((changedFields.length || reglasChanged) && current.estado === "cerrada") {
		throw conflict(
			t(
				"La rifa está cerrada; solo puede cancelarse.",
				"The rifa is closed; it can only be cancelled.",
			),
		);
	}
	if (changedFields.includes("fecha_inicio") && current.estado !== "pendiente") {
		throw new ApiError(
			"CONFLICT",
			t(
				"fecha_inicio solo puede cambiar mientras la rifa está pendiente.",
				"fecha_inicio can only change while the rifa is pendiente.",
			),
		);
	}
	const structural = [
		...changedFields.filter((f) => (STRUCTURAL_FIELDS as readonly string[]).includes(f)),
		...(reglasChanged ? ["reglas"] : []),
	];
	const committed = new ApiError(
		"CONFLICT",
		t(
			`La rifa ya tiene números reservados o vendidos; no se puede cambiar: ${structural.join(", ")}.`,
			`The rifa already has held or sold numbers; these cannot change: ${structural.join(", ")}.`,
		),
	);
	if (structural.length && (await committedTickets(db, actor.env, id)) > 0) throw committed;
	if (motivo !== undefined && nextEstado !== "cancelada") {
		throw invalid([{ path: "motivo", message: "Solo acompaña a estado cancelada" }]);
	}
	const lateCancel =
		estadoChanged && nextEstado === "cancelada"
			? await checkLateCancel(db, actor, current, motivo)
			: null;
	if (estadoChanged && !canTransition(current.estado, nextEstado)) {
		const allowed = allowedTransitions(current.estado);
		throw new ApiError(
			"CONFLICT",
			t(
				`Transición no permitida: ${current.estado} → ${nextEstado}. Desde ${current.estado} se puede ir a: ${allowed.join(", ") || "ninguno"}.`,
				`Transition not allowed: ${current.estado} → ${nextEstado}. From ${current.estado} it can go to: ${allowed.join(", ") || "none"}.`,
			),
		);
	}

	const merged = {
		...before,
		...Object.fromEntries(changedFields.map((k) => [k, fields[k]])),
		reglas,
	};
	const dates = {
		fecha_inicio: toUtcIso(merged.fecha_inicio),
		fecha_fin: toUtcIso(merged.fecha_fin),
		fecha_sorteo: toUtcIso(merged.fecha_sorteo),
	};
	// Checked when the rifa opens too: its category may have changed since it was created.
	const settleabilityAffected =
		reglasChanged ||
		changedFields.includes("categoria_id") ||
		changedFields.includes("total_boletas") ||
		(estadoChanged && nextEstado === "activa");
	const errors = [
		...checkDates(dates, { finMustBeFuture: changedFields.includes("fecha_fin") }),
		...reglasIssues(reglas, merged),
		...(await checkReferences(db, {
			categoria_id: changedFields.includes("categoria_id") ? merged.categoria_id : undefined,
			loteria_id: changedFields.includes("loteria_id") ? merged.loteria_id : undefined,
		})),
		...(settleabilityAffected ? await settleabilityIssues(db, merged) : []),
	];
	if (errors.length) throw invalid(errors);
	const drawAffected = ["fecha_fin", "fecha_sorteo", "loteria_id"].some((f) =>
		changedFields.includes(f as (typeof changedFields)[number]),
	);
	if (drawAffected) {
		const cal = await loteriaCalendario(db, merged.loteria_id);
		if (cal) resolveDraw(cal, dates.fecha_fin, dates.fecha_sorteo, minutosCierre(actor.env));
	}
	if (nextEstado === "activa" && estadoChanged && dates.fecha_fin <= nowIso()) {
		throw conflict(
			t(
				"La venta no puede abrirse: fecha_fin ya pasó.",
				"Sales cannot open: fecha_fin has passed.",
			),
		);
	}
	if (!changedFields.length && !reglasChanged && !estadoChanged) {
		// Re-pushing on a no-op lets a client repair a room that missed the last change.
		await pushToRoom(actor, db, id);
		return current;
	}

	const next: RifaRow = {
		...current,
		nombre: merged.nombre,
		categoriaId: merged.categoria_id,
		loteriaId: merged.loteria_id,
		fechaInicio: dates.fecha_inicio,
		fechaFin: dates.fecha_fin,
		fechaSorteo: dates.fecha_sorteo,
		numeroGanadores: merged.numero_ganadores,
		totalBoletas: merged.total_boletas,
		reglas,
		estado: estadoChanged ? nextEstado : current.estado,
		actualizadoEn: nextStamp(current.actualizadoEn),
	};
	// The pot is written only by its own guarded statements, never from this read.
	const { id: _id, creadoEn: _c, creadoPor: _p, acumuladoAsignado: _a, ...changes } = next;
	const unchangedSinceRead = and(
		eq(rifas.id, id),
		eq(rifas.estado, current.estado),
		eq(rifas.actualizadoEn, current.actualizadoEn),
		// An observation that lands meanwhile still stops a late cancellation.
		lateCancel ?? undefined,
	) as SQL;
	// From here until the new definition reaches the room, the room takes no number: the check
	// above and this change cannot be split by a sale.
	const room = roomFor(actor.env, id);
	const change = structural.length > 0 ? crypto.randomUUID() : null;
	const frozen = change ? await room.beginChange(change, next.actualizadoEn) : "congelada";
	if (frozen === "tomados") throw committed;
	if (frozen === "otro_cambio") throw changedMeanwhile();
	const quien = { actorId: actor.user?.id ?? null, requestId: actor.requestId };
	const pot = acumuladoTrasCambio(db, current, next, quien);
	// A batch that throws may still have committed: then the room stays frozen until its
	// definition arrives, or until it takes D1's own after the freeze's time is up.
	const [, [updated]] = await db.batch([
		auditInsertIf(
			db,
			{
				actorId: actor.user?.id ?? null,
				action: estadoChanged ? `rifa.${nextEstado}` : "rifa.updated",
				entity: "rifa",
				entityId: id,
				before,
				after: motivo ? { ...toRifaDto(next), motivo } : toRifaDto(next),
				requestId: actor.requestId,
			},
			rifas,
			unchangedSinceRead,
		),
		db.update(rifas).set(changes).where(unchangedSinceRead).returning(),
		...pot,
		...(estadoChanged && nextEstado === "cerrada"
			? [
					avisoInsert(
						db,
						{ id: `rifa_cerrada:${id}`, tipo: "rifa_cerrada", rifaId: id, datos: {} },
						{
							table: rifas,
							where: and(
								eq(rifas.id, id),
								eq(rifas.estado, "cerrada"),
								eq(rifas.actualizadoEn, next.actualizadoEn),
							) as SQL,
						},
					),
				]
			: []),
	]);
	if (!updated) {
		if (change) await room.endChange(change);
		throw changedMeanwhile();
	}
	await pushToRoom(actor, db, id);
	if (updated.estado === "cancelada") {
		// Refund every buyer now; whatever fails is retried by the room's alarm and the scheduler.
		try {
			await room.refundAll();
		} catch (err) {
			createLogger(actor.env).error("refunds after cancelling failed; they will be retried", {
				rifa_id: id,
				error: errorFields(err),
			});
		}
	}
	return pot.length
		? ((await db.query.rifas.findFirst({ where: eq(rifas.id, id) })) ?? updated)
		: updated;
};
