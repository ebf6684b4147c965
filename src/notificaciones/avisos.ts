import { and, eq, inArray, isNull, type SQL, sql } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Database } from "../db/client";
import { avisos, ganadores, type NotificacionTipo, reembolsos, tickets, users } from "../db/schema";
import { createLogger, errorFields } from "../lib/logger";
import { nowIso } from "../lib/time";
import type { D1Statement } from "../rifa-room/room.types";
import type { DatosPorTipo, MotivoReembolso, NotificacionMensaje, Premio } from "./tipos";

/** D1-side events and what they carry; each fans out to its recipients when dispatched. */
export type Aviso =
	| { id: `rifa_cerrada:${string}`; tipo: "rifa_cerrada"; rifaId: string; datos: object }
	| {
			id: `resultado:${string}`;
			tipo: "resultado";
			rifaId: string;
			datos: {
				loteria_numero: string;
				/** The draw's winning numbers in the rifa, sold or not (from the prize breakdown). */
				numeros_ganadores?: number[];
				pago: DatosPorTipo["ganador"]["pago"];
			};
	  }
	| {
			id: `premio_pagado:${string}`;
			tipo: "premio_pagado";
			rifaId: string;
			datos: { ganador_id: string };
	  }
	| {
			id: `reembolso_hecho:${string}`;
			tipo: "reembolso";
			rifaId: string;
			datos: { transaccion_id: string };
	  }
	| {
			id: `alerta:${string}`;
			tipo: "alerta";
			rifaId: string | null;
			datos: DatosPorTipo["alerta"];
	  }
	| {
			id: `abono:${string}`;
			tipo: "abono";
			rifaId: string;
			datos: DatosPorTipo["abono"] & { usuario_id: string };
	  }
	| {
			id: `abonos_vencidos:${string}`;
			tipo: "abonos_vencidos";
			rifaId: string;
			datos: DatosPorTipo["abonos_vencidos"] & { usuario_id: string };
	  };

const PER_RUN = 50;
/** Queues take at most 100 messages and 256 KB per batch; a buyer of many numbers is a big one. */
const BATCH_MESSAGES = 100;
const BATCH_BYTES = 200_000;

const valores = (aviso: Aviso) => ({
	id: aviso.id,
	tipo: aviso.tipo,
	rifaId: aviso.rifaId,
	datos: aviso.datos as Record<string, unknown>,
	creadoEn: nowIso(),
});

/**
 * The event's row, for the same `db.batch()` as the change it announces: written once (its id is
 * stable), and, with a guard, only while a row of `guard.table` matches `guard.where`, so placed
 * after the change's guarded UPDATE it exists exactly when the change happened.
 */
export const avisoInsert = (
	db: Database,
	aviso: Aviso,
	guard?: { table: SQLiteTable; where: SQL },
) => {
	const v = valores(aviso);
	if (!guard) return db.insert(avisos).values(v).onConflictDoNothing();
	const col = <T>(value: T, name: string) => sql<T>`${value}`.as(name);
	return db
		.insert(avisos)
		.select(
			db
				.select({
					id: col(v.id, "id"),
					tipo: col(v.tipo, "tipo"),
					rifaId: col(v.rifaId, "rifa_id"),
					datos: col(JSON.stringify(v.datos), "datos"),
					creadoEn: col(v.creadoEn, "creado_en"),
					despachadoEn: col(null, "despachado_en"),
				})
				.from(guard.table)
				.where(guard.where)
				.limit(1),
		)
		.onConflictDoNothing();
};

/** The same row as a raw statement, for writers outside Drizzle (the rifa room's outbox). */
export const avisoStatement = (aviso: Aviso): D1Statement => ({
	sql: "INSERT OR IGNORE INTO avisos (id, tipo, rifa_id, datos, creado_en) VALUES (?, ?, ?, ?, ?)",
	params: [aviso.id, aviso.tipo, aviso.rifaId, JSON.stringify(aviso.datos), nowIso()],
});

/**
 * `premio_pagado` of a ganador, written only if the ganador is now paid with this reference at
 * this time: the payment in the same batch applied, not an earlier or a refused one.
 */
export const avisoPremioPagado = (
	db: Database,
	ganadorId: string,
	referencia: string,
	at: string,
) => {
	const col = <T>(value: T, name: string) => sql<T>`${value}`.as(name);
	return db
		.insert(avisos)
		.select(
			db
				.select({
					id: col(`premio_pagado:${ganadorId}`, "id"),
					tipo: col("premio_pagado", "tipo"),
					rifaId: ganadores.rifaId,
					datos: col(JSON.stringify({ ganador_id: ganadorId }), "datos"),
					creadoEn: col(at, "creado_en"),
					despachadoEn: col(null, "despachado_en"),
				})
				.from(ganadores)
				.where(
					and(
						eq(ganadores.id, ganadorId),
						eq(ganadores.estadoPago, "pagado"),
						eq(ganadores.referenciaPago, referencia),
						eq(ganadores.fechaPago, at),
					),
				),
		)
		.onConflictDoNothing();
};

export const alerta = (
	clave: string,
	datos: DatosPorTipo["alerta"],
	rifaId: string | null = null,
): Aviso => ({ id: `alerta:${datos.clase}:${clave}`, tipo: "alerta", rifaId, datos });

type Fila = typeof avisos.$inferSelect;

const compradores = async (db: Database, rifaId: string) => {
	const rows = await db
		.select({ usuarioId: tickets.usuarioId, numero: tickets.numero })
		.from(tickets)
		.where(and(eq(tickets.rifaId, rifaId), inArray(tickets.estado, ["vendido", "ganador"])))
		.orderBy(tickets.numero);
	const porUsuario = new Map<string, number[]>();
	for (const r of rows) {
		if (!r.usuarioId) continue;
		const numeros = porUsuario.get(r.usuarioId) ?? [];
		numeros.push(r.numero);
		porUsuario.set(r.usuarioId, numeros);
	}
	return porUsuario;
};

const premiosDeRifa = async (db: Database, rifaId: string) =>
	db
		.select({
			id: ganadores.id,
			monto: ganadores.montoGanado,
			numero: tickets.numero,
			usuarioId: tickets.usuarioId,
		})
		.from(ganadores)
		.innerJoin(tickets, eq(tickets.id, ganadores.ticketId))
		.where(eq(ganadores.rifaId, rifaId))
		.orderBy(ganadores.posicion);

/** Who hears of an event, and what each is told. */
const mensajesDe = async (db: Database, fila: Fila): Promise<NotificacionMensaje[]> => {
	const base = { evento: fila.id, rifa_id: fila.rifaId };
	const tipo = fila.tipo as NotificacionTipo;
	if (tipo === "alerta") {
		const admins = await db
			.select({ id: users.id })
			.from(users)
			.where(and(eq(users.rol, "admin"), eq(users.isActive, true)));
		return admins.map((a) => ({
			...base,
			tipo,
			usuario_id: a.id,
			datos: fila.datos as DatosPorTipo["alerta"],
		}));
	}
	if (!fila.rifaId) return [];
	// A buyer's own events: the room wrote who and what with them.
	if (tipo === "abono") {
		const { usuario_id, ...datos } = fila.datos as Extract<Aviso, { tipo: "abono" }>["datos"];
		return [{ ...base, tipo, usuario_id, datos }];
	}
	if (tipo === "abonos_vencidos") {
		const { usuario_id, ...datos } = fila.datos as Extract<
			Aviso,
			{ tipo: "abonos_vencidos" }
		>["datos"];
		return [{ ...base, tipo, usuario_id, datos }];
	}
	if (tipo === "premio_pagado") {
		const { ganador_id } = fila.datos as { ganador_id: string };
		const [premio] = (await premiosDeRifa(db, fila.rifaId)).filter((p) => p.id === ganador_id);
		if (!premio?.usuarioId) return [];
		return [
			{
				...base,
				tipo,
				usuario_id: premio.usuarioId,
				datos: { ganador_id, numero: premio.numero, monto: premio.monto },
			},
		];
	}
	if (tipo === "reembolso") {
		const { transaccion_id } = fila.datos as { transaccion_id: string };
		const [r] = await db.select().from(reembolsos).where(eq(reembolsos.id, transaccion_id));
		if (r?.estado !== "hecho") return [];
		return [
			{
				...base,
				tipo,
				usuario_id: r.usuarioId,
				datos: {
					transaccion_id,
					monto: r.monto,
					motivo: r.motivo as MotivoReembolso,
					manual: "hecho",
					referencia: r.referenciaTransferencia ?? "",
					...(r.referenciaTransferencia?.startsWith("efectivo:") ? { efectivo: true } : {}),
				},
			},
		];
	}
	const porUsuario = await compradores(db, fila.rifaId);
	if (tipo === "rifa_cerrada") {
		return [...porUsuario].map(([usuario_id, numeros]) => ({
			...base,
			tipo,
			usuario_id,
			datos: { numeros },
		}));
	}
	if (tipo === "resultado") {
		const datos = fila.datos as Extract<Aviso, { tipo: "resultado" }>["datos"];
		const premios = await premiosDeRifa(db, fila.rifaId);
		const ganadoresRifa = [
			...new Set([...(datos.numeros_ganadores ?? []), ...premios.map((p) => p.numero)]),
		].sort((a, b) => a - b);
		const suyos = new Map<string, Premio[]>();
		for (const p of premios) {
			if (!p.usuarioId) continue;
			suyos.set(p.usuarioId, [
				...(suyos.get(p.usuarioId) ?? []),
				{ numero: p.numero, monto: p.monto },
			]);
		}
		return [...porUsuario].map(([usuario_id, numeros]): NotificacionMensaje => {
			const comun = { numeros, ganadores: ganadoresRifa, loteria_numero: datos.loteria_numero };
			const gano = suyos.get(usuario_id);
			return gano
				? {
						...base,
						tipo: "ganador",
						usuario_id,
						datos: { ...comun, premios: gano, pago: datos.pago },
					}
				: { ...base, tipo: "resultado", usuario_id, datos: comun };
		});
	}
	return [];
};

/** Messages in batches the queue accepts: at most 100 and well under 256 KB each. */
export const enLotes = <T>(mensajes: T[]): T[][] => {
	const lotes: T[][] = [];
	let lote: T[] = [];
	let bytes = 0;
	for (const m of mensajes) {
		const size = JSON.stringify(m).length;
		if (lote.length && (lote.length >= BATCH_MESSAGES || bytes + size > BATCH_BYTES)) {
			lotes.push(lote);
			lote = [];
			bytes = 0;
		}
		lote.push(m);
		bytes += size;
	}
	if (lote.length) lotes.push(lote);
	return lotes;
};

export const encolar = async (env: Env, mensajes: NotificacionMensaje[]) => {
	for (const lote of enLotes(mensajes))
		await env.NOTIFICACIONES.sendBatch(lote.map((body) => ({ body, contentType: "json" })));
};

/**
 * Sends what pending events say to the notifications queue, then marks them dispatched. A run
 * stopped half-way leaves its event pending and the next run sends it all again: the consumer
 * records one notification per (event, recipient, channel), so a resent message sends nothing.
 */
export const despacharAvisos = async (
	env: Env,
	db: Database,
	opciones: { ids?: string[] } = {},
): Promise<{ avisos: number; mensajes: number }> => {
	const filas = await db
		.select()
		.from(avisos)
		.where(
			and(isNull(avisos.despachadoEn), opciones.ids ? inArray(avisos.id, opciones.ids) : undefined),
		)
		.orderBy(avisos.creadoEn)
		.limit(PER_RUN);
	let mensajes = 0;
	let despachados = 0;
	let fallo: unknown = null;
	for (const fila of filas) {
		// One event that cannot go now must not hold back those after it.
		try {
			const lista = await mensajesDe(db, fila);
			await encolar(env, lista);
			await db
				.update(avisos)
				.set({ despachadoEn: nowIso() })
				.where(and(eq(avisos.id, fila.id), isNull(avisos.despachadoEn)));
			mensajes += lista.length;
			despachados++;
		} catch (err) {
			fallo ??= err;
			createLogger(env).warn("notification event not dispatched; the cron retries", {
				aviso: fila.id,
				error: errorFields(err),
			});
		}
	}
	if (fallo && !despachados) throw fallo;
	return { avisos: despachados, mensajes };
};

/**
 * Dispatches right after a change, without holding a request's answer when there is a context to
 * wait in; whatever fails here the cron sends on its next run.
 */
export const despacharLuego = (
	env: Env,
	db: Database,
	ctx?: Pick<ExecutionContext, "waitUntil">,
	ids?: string[],
): Promise<void> => {
	const run = despacharAvisos(env, db, ids ? { ids } : {}).then(
		() => undefined,
		(err) =>
			createLogger(env).warn("dispatching notifications failed; the cron retries", {
				error: errorFields(err),
			}),
	);
	if (!ctx) return run;
	ctx.waitUntil(run);
	return Promise.resolve();
};
