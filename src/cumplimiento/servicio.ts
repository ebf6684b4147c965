/**
 * The compliance record of a rifa through the API: its authorization, guarantee and prizes in kind
 * (with their files in R2), and the view of what it still lacks. Only the rifa's operador or an
 * admin reads or writes it, and only while the rifa is `pendiente`: nobody changes what a rifa on
 * sale was authorized with. Every write is conditional on that in D1 itself, audited in the same
 * batch, and bumps the record's version (what the opening checks, guardas.ts).
 */
import { and, eq, isNull, type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { isUniqueViolation } from "../db/errors";
import {
	type PremioEspecieRow,
	premiosEspecie,
	type RifaRow,
	rifas,
	rifasCumplimiento,
} from "../db/schema";
import { ApiError, conflict, forbidden, notFound, RIFA, t } from "../lib/errors";
import { nowIso } from "../lib/time";
import type { AuthUser } from "../lib/types";
import { auditInsertIf } from "../services/audit";
import { borrar, claveFoto, claveSoporte, guardar, leerArchivo, MAX_FOTOS } from "./archivos";
import { cumplimientoConfig } from "./config";
import { cargarRequisitos, toPremioDto, vistaCumplimiento } from "./estado";
import { filaSi, rifaPendiente } from "./sql";
import type { Autorizacion, Garantia, SoporteTipo } from "./tipos";

export interface Actor {
	env: Env;
	db: Database;
	me: AuthUser;
	requestId: string | null;
}

const PREMIO = t("El premio", "The prize");

export const puedeGestionar = (me: AuthUser, rifa: Pick<RifaRow, "creadoPor">) =>
	me.rol === "admin" || (me.rol === "operador" && rifa.creadoPor === me.id);

const cargarRifa = async (db: Database, id: string) => {
	const rifa = await db.query.rifas.findFirst({ where: eq(rifas.id, id) });
	if (!rifa) throw notFound(RIFA);
	return rifa;
};

const rifaDelActor = async ({ db, me }: Actor, id: string) => {
	const rifa = await cargarRifa(db, id);
	if (!puedeGestionar(me, rifa)) {
		throw forbidden(
			t(
				"El cumplimiento de una rifa es de su operador y de los admins.",
				"A rifa's compliance belongs to its operador and the admins.",
			),
		);
	}
	return rifa;
};

const yaNoPendiente = (estado: string) =>
	conflict(
		t(
			`La rifa está ${estado}: su autorización, garantía y premios ya no cambian (solo mientras está pendiente).`,
			`The rifa is ${estado}: its authorization, guarantee and prizes no longer change (only while it is pendiente).`,
		),
	);

const rifaEditable = async (actor: Actor, id: string) => {
	const rifa = await rifaDelActor(actor, id);
	if (rifa.estado !== "pendiente") throw yaNoPendiente(rifa.estado);
	return rifa;
};

/** After a guarded write matched nothing: the rifa left `pendiente` meanwhile. */
const rifaCambio = async (db: Database, id: string) =>
	yaNoPendiente((await cargarRifa(db, id)).estado);

export const verCumplimiento = async (actor: Actor, id: string) => {
	const rifa = await rifaDelActor(actor, id);
	const config = cumplimientoConfig(actor.env);
	const req = await cargarRequisitos(actor.db, rifa.id, rifa.categoriaId);
	return vistaCumplimiento(rifa, req, config, new Date());
};

/**
 * The record's row, created on its first write: sets `campos` and bumps the version, while the
 * rifa is `pendiente` and its emission is not fixed.
 */
const registrar = (
	db: Database,
	rifaId: string,
	campos: { autorizacion?: Autorizacion; garantia?: Garantia },
	now: string,
) => {
	const fila = {
		rifaId,
		autorizacion: campos.autorizacion ?? null,
		garantia: campos.garantia ?? null,
		version: 1,
		actualizadoEn: now,
	};
	return db
		.insert(rifasCumplimiento)
		.select(filaSi(rifasCumplimiento, fila, rifaPendiente(rifaId)))
		.onConflictDoUpdate({
			target: rifasCumplimiento.rifaId,
			set: { ...campos, version: sql`${rifasCumplimiento.version} + 1`, actualizadoEn: now },
			where: isNull(rifasCumplimiento.fijadoEn),
		})
		.returning({ version: rifasCumplimiento.version });
};

const fijar = async (
	actor: Actor,
	id: string,
	campo: "autorizacion" | "garantia",
	valor: Autorizacion | Garantia,
) => {
	const { db } = actor;
	await rifaEditable(actor, id);
	const [fila] = await db
		.select({ valor: rifasCumplimiento[campo] })
		.from(rifasCumplimiento)
		.where(eq(rifasCumplimiento.rifaId, id));
	const antes = fila?.valor ?? null;
	const [, escritas] = await db.batch([
		auditInsertIf(
			db,
			{
				actorId: actor.me.id,
				action: `cumplimiento.${campo}`,
				entity: "rifa",
				entityId: id,
				before: antes ? { [campo]: antes } : null,
				after: { [campo]: valor },
				requestId: actor.requestId,
			},
			rifas,
			and(eq(rifas.id, id), eq(rifas.estado, "pendiente")) as SQL,
		),
		registrar(db, id, { [campo]: valor }, nowIso()),
	]);
	if (!escritas.length) throw await rifaCambio(db, id);
	return verCumplimiento(actor, id);
};

export const fijarAutorizacion = (actor: Actor, id: string, autorizacion: Autorizacion) =>
	fijar(actor, id, "autorizacion", autorizacion);

export const fijarGarantia = (actor: Actor, id: string, garantia: Garantia) =>
	fijar(actor, id, "garantia", garantia);

export interface PremioForm {
	posicion: number;
	descripcion: string;
	valor_comercial: number;
	soporte_tipo?: SoporteTipo | undefined;
	soporte?: File | undefined;
	fotos: File[];
}

const posicionOcupada = (posicion: number) =>
	conflict(
		t(
			`Ya hay un premio en la posición ${posicion}; elimínelo antes de registrar otro.`,
			`There is already a prize in position ${posicion}; delete it before registering another.`,
		),
	);

export const crearPremio = async (actor: Actor, id: string, form: PremioForm) => {
	const { db, env } = actor;
	if (form.fotos.length > MAX_FOTOS) {
		const es = `A lo sumo ${MAX_FOTOS} fotos por premio; llegaron ${form.fotos.length}.`;
		throw new ApiError(
			"VALIDATION_FAILED",
			t(es, `At most ${MAX_FOTOS} photos a prize; ${form.fotos.length} came.`),
			{ errors: [{ path: "fotos", message: es }] },
		);
	}
	// Every file is read and checked before anything is stored.
	const soporte = form.soporte ? await leerArchivo(form.soporte, "soporte", false) : null;
	const fotos = [];
	for (const [i, foto] of form.fotos.entries())
		fotos.push(await leerArchivo(foto, `fotos[${i}]`, true));
	await rifaEditable(actor, id);

	const premioId = crypto.randomUUID();
	const claves = fotos.map((_, i) => claveFoto(id, premioId, i + 1));
	const row: PremioEspecieRow = {
		id: premioId,
		rifaId: id,
		posicion: form.posicion,
		descripcion: form.descripcion,
		valorComercial: form.valor_comercial,
		fotos: claves,
		soporteTipo: soporte ? (form.soporte_tipo ?? null) : null,
		soporteSha256: soporte?.sha256 ?? null,
		soporteArchivo: soporte ? claveSoporte(id, premioId) : null,
		creadoEn: nowIso(),
	};
	const guardadas = [...claves, ...(row.soporteArchivo ? [row.soporteArchivo] : [])];
	await Promise.all([
		...fotos.map((f, i) => guardar(env, claves[i] as string, f)),
		...(soporte && row.soporteArchivo ? [guardar(env, row.soporteArchivo, soporte)] : []),
	]);
	const dto = toPremioDto(row);
	let insertados: { id: string }[];
	try {
		[, insertados] = await db.batch([
			auditInsertIf(
				db,
				{
					actorId: actor.me.id,
					action: "cumplimiento.premio_creado",
					entity: "rifa",
					entityId: id,
					after: dto,
					requestId: actor.requestId,
				},
				rifas,
				and(eq(rifas.id, id), eq(rifas.estado, "pendiente")) as SQL,
			),
			db
				.insert(premiosEspecie)
				.select(filaSi(premiosEspecie, row, rifaPendiente(id)))
				.returning({ id: premiosEspecie.id }),
			registrar(db, id, {}, row.creadoEn),
		]);
	} catch (err) {
		await borrar(env, guardadas);
		if (isUniqueViolation(err)) throw posicionOcupada(form.posicion);
		throw err;
	}
	if (!insertados.length) {
		await borrar(env, guardadas);
		throw await rifaCambio(db, id);
	}
	return dto;
};

const cargarPremio = async (db: Database, rifaId: string, premioId: string) => {
	const premio = await db.query.premiosEspecie.findFirst({
		where: and(eq(premiosEspecie.id, premioId), eq(premiosEspecie.rifaId, rifaId)),
	});
	if (!premio) throw notFound(PREMIO);
	return premio;
};

export const eliminarPremio = async (actor: Actor, id: string, premioId: string) => {
	const { db, env } = actor;
	await rifaEditable(actor, id);
	const premio = await cargarPremio(db, id, premioId);
	const cual = and(
		eq(premiosEspecie.id, premioId),
		eq(premiosEspecie.rifaId, id),
		rifaPendiente(id),
	) as SQL;
	const [, borrados] = await db.batch([
		auditInsertIf(
			db,
			{
				actorId: actor.me.id,
				action: "cumplimiento.premio_eliminado",
				entity: "rifa",
				entityId: id,
				before: toPremioDto(premio),
				requestId: actor.requestId,
			},
			premiosEspecie,
			cual,
		),
		db.delete(premiosEspecie).where(cual).returning({ id: premiosEspecie.id }),
		registrar(db, id, {}, nowIso()),
	]);
	if (!borrados.length) {
		const rifa = await cargarRifa(db, id);
		if (rifa.estado !== "pendiente") throw yaNoPendiente(rifa.estado);
		throw notFound(PREMIO);
	}
	await borrar(env, [...premio.fotos, ...(premio.soporteArchivo ? [premio.soporteArchivo] : [])]);
};

/**
 * A prize's file: `soporte` (the proof of ownership: the rifa's operador and admins only) or
 * `foto-N` (public).
 */
export const archivoDePremio = async (
	env: Env,
	db: Database,
	viewer: AuthUser | undefined,
	ids: { id: string; premio_id: string; nombre: string },
) => {
	const rifa = await cargarRifa(db, ids.id);
	const premio = await cargarPremio(db, rifa.id, ids.premio_id);
	const privado = ids.nombre === "soporte";
	let clave: string | null | undefined;
	if (privado) {
		if (!viewer) {
			throw new ApiError(
				"UNAUTHORIZED",
				t(
					"El soporte de propiedad solo lo ven el operador de la rifa y los admins: inicie sesión.",
					"The proof of ownership is for the rifa's operador and admins only: sign in.",
				),
			);
		}
		if (!puedeGestionar(viewer, rifa)) {
			throw forbidden(
				t(
					"El soporte de propiedad solo lo ven el operador de la rifa y los admins.",
					"The proof of ownership is for the rifa's operador and admins only.",
				),
			);
		}
		clave = premio.soporteArchivo;
	} else {
		clave = premio.fotos[Number(ids.nombre.slice("foto-".length)) - 1];
	}
	const object = clave ? await env.COMPROBANTES.get(clave) : null;
	if (!object) throw notFound(t("El archivo", "The file"));
	return {
		body: object.body,
		size: object.size,
		tipo: object.httpMetadata?.contentType ?? "application/octet-stream",
		privado,
	};
};
