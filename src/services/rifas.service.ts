import { and, count, eq, inArray, type SQL } from "drizzle-orm";
import { cambioDeRifa, insercionDeRifa } from "../cumplimiento/guardas";
import type { Database } from "../db/client";
import { type RifaRow, rifas, tickets } from "../db/schema";
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
import {
	checkCierre,
	checkDates,
	loteriaCalendario,
	minutosCierre,
	resolveDraw,
} from "./rifas-fechas.service";
import {
	checkGarantia,
	checkLateCancel,
	checkReferences,
	checkSellada,
	settleabilityIssues,
} from "./rifas-guardas.service";

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
	checkGarantia(actor.user, body.premio_garantizado);
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
		premioGarantizado: body.premio_garantizado,
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
	const entry = {
		actorId: actor.user?.id ?? null,
		action: "rifa.created",
		entity: "rifa",
		entityId: row.id,
		after: toRifaDto(row),
		requestId: actor.requestId,
	};
	// In legal mode colombia the INSERT itself decides the operador's monthly limit.
	const legal = await insercionDeRifa(db, actor.env, row);
	if (legal) {
		const [insertadas] = await db.batch([
			legal.insert,
			auditInsertIf(db, entry, rifas, eq(rifas.id, row.id)),
		]);
		await legal.confirmar(insertadas);
	} else {
		await db.batch([db.insert(rifas).values(row), auditInsert(db, entry)]);
	}
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

	await checkSellada(actor.env, current, [...changedFields, ...(reglasChanged ? ["reglas"] : [])]);
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
			? await checkLateCancel(db, actor.user, current, motivo)
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
	checkGarantia(
		actor.user,
		changedFields.includes("premio_garantizado") ? merged.premio_garantizado : undefined,
	);
	// Checked when the rifa opens too: its category may have changed since it was created.
	const settleabilityAffected =
		reglasChanged ||
		(["categoria_id", "total_boletas", "numero_ganadores", "premio_garantizado"] as const).some(
			(f) => changedFields.includes(f),
		) ||
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
		const margen = minutosCierre(actor.env);
		if (cal) resolveDraw(cal, dates.fecha_fin, dates.fecha_sorteo, margen);
		// After a draw its rifa followed (the lottery moved it), sales still end before the one sold.
		const fijado = await roomFor(actor.env, id).sorteoFijado();
		if (fijado && fijado < dates.fecha_sorteo) checkCierre(dates.fecha_fin, fijado, margen);
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
		premioGarantizado: merged.premio_garantizado,
		reglas,
		estado: estadoChanged ? nextEstado : current.estado,
		actualizadoEn: nextStamp(current.actualizadoEn),
	};
	const quien = { actorId: actor.user?.id ?? null, requestId: actor.requestId };
	// Legal mode colombia: the monthly limit, what the authorization covers, the checklist to open.
	const legal = await cambioDeRifa(db, actor.env, current, next, changedFields, quien);
	// The pot is written only by its own guarded statements, never from this read.
	const { id: _id, creadoEn: _c, creadoPor: _p, acumuladoAsignado: _a, ...changes } = next;
	const unchangedSinceRead = and(
		eq(rifas.id, id),
		eq(rifas.estado, current.estado),
		eq(rifas.actualizadoEn, current.actualizadoEn),
		// An observation that lands meanwhile still stops a late cancellation.
		lateCancel ?? undefined,
		legal.condicion,
	) as SQL;
	// From here until the new definition reaches the room, the room takes no number: the check
	// above and this change cannot be split by a sale.
	const room = roomFor(actor.env, id);
	const change = structural.length > 0 ? crypto.randomUUID() : null;
	const frozen = change ? await room.beginChange(change, next.actualizadoEn) : "congelada";
	if (frozen === "tomados") throw committed;
	if (frozen === "otro_cambio") throw changedMeanwhile();
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
		...legal.sentencias,
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
		await legal.trasFallo();
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
