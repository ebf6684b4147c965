import { and, eq, type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import {
	type CuentaCobroRow,
	cuentasCobro,
	ganadores,
	type TIPOS_CUENTA_BANCO,
	type TIPOS_DOCUMENTO_COBRO,
	tickets,
} from "../db/schema";
import { ApiError, t } from "../lib/errors";
import { nextStamp, nowIso } from "../lib/time";
import { auditInsertIf } from "../services/audit";
import { pagoEnCurso } from "./dispersiones";
import { WompiPagos, type WompiPagosConfig, WompiPagosError, wompiPagosConfig } from "./wompi";

export type CuentaCobroDatos =
	| { tipo: "breb"; llave: string }
	| {
			tipo: "banco";
			banco_id: string;
			tipo_cuenta: (typeof TIPOS_CUENTA_BANCO)[number];
			numero: string;
			tipo_documento: (typeof TIPOS_DOCUMENTO_COBRO)[number];
			documento: string;
			titular: string;
	  };

const noConfigurado = () =>
	new ApiError(
		"NOT_FOUND",
		t(
			"El pago de premios por Wompi no está configurado.",
			"Prize payouts through Wompi are not configured.",
		),
	);

const wompiNoResponde = (cause: unknown) =>
	new ApiError(
		"BAD_GATEWAY",
		t(
			"Wompi no respondió; intente de nuevo en unos minutos.",
			"Wompi did not answer; try again in a few minutes.",
		),
		{ cause },
	);

const invalido = (path: string, es: string, en: string, code: string) =>
	new ApiError("VALIDATION_FAILED", t(es, en), { errors: [{ path, message: es, code }] });

/** Prizes are paid through Wompi here: its credentials are set and it is the payouts provider. */
const pagosWompi = (env: Env): WompiPagosConfig | null =>
	env.PAYOUTS_PROVIDER === "wompi" ? wompiPagosConfig(env) : null;

export const requireWompiPagos = (env: Env): WompiPagosConfig => {
	const config = pagosWompi(env);
	if (!config) throw noConfigurado();
	return config;
};

/** The public list of banks a prize can be paid to (Wompi's `GET /v1/banks`). */
export const bancosPremios = async (env: Env) => {
	const config = pagosWompi(env);
	if (!config)
		throw new ApiError(
			"NOT_FOUND",
			t(
				"El pago de premios por Wompi no está configurado.",
				"Prize payouts through Wompi are not configured.",
			),
		);
	try {
		return await new WompiPagos(config).bancos();
	} catch (err) {
		throw wompiNoResponde(err);
	}
};

/** Bre-B keys resolve now, so the winner sees whose account it is before confirming it. */
const resolverLlave = async (api: WompiPagos, llave: string) => {
	try {
		return await api.resolverLlave(llave);
	} catch (err) {
		if (!(err instanceof WompiPagosError)) throw wompiNoResponde(err);
		if (err.code === "EXC_034" || err.status === 404)
			throw invalido(
				"llave",
				"La llave Bre-B no está registrada o no está activa.",
				"The Bre-B key is not registered or not active.",
				"no_registrada",
			);
		if (err.code === "EXC_035")
			throw invalido(
				"llave",
				"La llave Bre-B está inactiva.",
				"The Bre-B key is inactive.",
				"inactiva",
			);
		if (err.code === "EXC_033" || err.status === 400)
			throw invalido(
				"llave",
				"El formato de la llave Bre-B no es válido (cédula, celular, correo o alias @…).",
				"The Bre-B key's format is not valid (ID number, mobile, email or @alias).",
				"formato",
			);
		throw wompiNoResponde(err);
	}
};

const destinoDe = async (api: WompiPagos, datos: CuentaCobroDatos) => {
	const vacio = {
		llave: null,
		tipoLlave: null,
		entidad: null,
		bancoId: null,
		bancoNombre: null,
		tipoCuenta: null,
		numero: null,
		tipoDocumento: null,
		documento: null,
	};
	if (datos.tipo === "breb") {
		const r = await resolverLlave(api, datos.llave);
		return {
			...vacio,
			tipo: "breb" as const,
			llave: datos.llave,
			tipoLlave: r.tipoLlave,
			entidad: r.entidad,
			titular: r.titular,
		};
	}
	let bancos: Awaited<ReturnType<WompiPagos["bancos"]>>;
	try {
		bancos = await api.bancos();
	} catch (err) {
		throw wompiNoResponde(err);
	}
	const banco = bancos.find((b) => b.id === datos.banco_id);
	if (!banco)
		throw invalido(
			"banco_id",
			"El banco no está en la lista de Wompi (GET /api/v1/pagos/bancos-premios).",
			"The bank is not in Wompi's list (GET /api/v1/pagos/bancos-premios).",
			"banco",
		);
	return {
		...vacio,
		tipo: "banco" as const,
		bancoId: banco.id,
		bancoNombre: banco.nombre,
		tipoCuenta: datos.tipo_cuenta,
		numero: datos.numero,
		tipoDocumento: datos.tipo_documento,
		documento: datos.documento,
		titular: datos.titular,
	};
};

const enCurso = () =>
	new ApiError(
		"CONFLICT",
		t(
			"Hay un pago de premio en curso a este destino; podrá cambiarlo cuando termine.",
			"A prize payout to this destination is under way; you can change it once it ends.",
		),
	);

const ultimos4 = (v: string | null) => (v ? `…${v.slice(-4)}` : null);

/** What the audit log keeps of a destination: enough to follow changes, not full account numbers. */
const paraAuditoria = (c: CuentaCobroRow | null) =>
	c && {
		tipo: c.tipo,
		estado: c.estado,
		titular: c.titular,
		llave: c.llave,
		entidad: c.entidad,
		banco: c.bancoNombre,
		tipo_cuenta: c.tipoCuenta,
		numero: ultimos4(c.numero),
		documento: ultimos4(c.documento),
	};

export const verCuenta = async (db: Database, usuarioId: string) => {
	const [row] = await db.select().from(cuentasCobro).where(eq(cuentasCobro.usuarioId, usuarioId));
	return row ?? null;
};

const bloqueada = async (db: Database, usuarioId: string) => {
	const [row] = await db
		.select({ n: sql<number>`1` })
		.from(cuentasCobro)
		.where(and(eq(cuentasCobro.usuarioId, usuarioId), pagoEnCurso));
	return row !== undefined;
};

/**
 * Registers or replaces where a winner is paid, always `por_confirmar`. Refused while a payout to
 * the current destination may still pay: checked first, and again inside the write.
 */
export const registrarCuenta = async (
	env: Env,
	db: Database,
	usuarioId: string,
	datos: CuentaCobroDatos,
	actor: { id: string; requestId: string },
) => {
	const api = new WompiPagos(requireWompiPagos(env));
	const antes = await verCuenta(db, usuarioId);
	if (antes && (await bloqueada(db, usuarioId))) throw enCurso();
	const destino = await destinoDe(api, datos);
	const at = antes ? nextStamp(antes.actualizadoEn) : nowIso();
	const valores = {
		...destino,
		estado: "por_confirmar" as const,
		confirmadaEn: null,
		actualizadoEn: at,
	};
	const escrita = and(
		eq(cuentasCobro.usuarioId, usuarioId),
		eq(cuentasCobro.actualizadoEn, at),
	) as SQL;
	await db.batch([
		db
			.insert(cuentasCobro)
			.values({ usuarioId, ...valores, creadoEn: at })
			.onConflictDoUpdate({
				target: cuentasCobro.usuarioId,
				set: valores,
				setWhere: sql`NOT ${pagoEnCurso}`,
			}),
		auditInsertIf(
			db,
			{
				actorId: actor.id,
				action: "cuenta_cobro.registrada",
				entity: "cuenta_cobro",
				entityId: usuarioId,
				before: paraAuditoria(antes),
				after: paraAuditoria({ ...valores, usuarioId, creadoEn: antes?.creadoEn ?? at }),
				requestId: actor.requestId,
			},
			cuentasCobro,
			escrita,
		),
	]);
	const despues = await verCuenta(db, usuarioId);
	if (!despues || despues.actualizadoEn !== at) throw enCurso();
	return despues;
};

/**
 * The winner confirms the destination they were shown: from then on their prizes are paid there,
 * and every prize of theirs still pending goes to the payouts queue now.
 */
export const confirmarCuenta = async (
	env: Env,
	db: Database,
	usuarioId: string,
	actor: { id: string; requestId: string },
) => {
	const antes = await verCuenta(db, usuarioId);
	if (!antes)
		throw new ApiError(
			"NOT_FOUND",
			t(
				"Primero registre dónde se le pagan los premios.",
				"First register where your prizes are paid.",
			),
		);
	if (antes.estado === "por_confirmar") {
		const at = nextStamp(antes.actualizadoEn);
		const pendiente = and(
			eq(cuentasCobro.usuarioId, usuarioId),
			eq(cuentasCobro.estado, "por_confirmar"),
			eq(cuentasCobro.actualizadoEn, antes.actualizadoEn),
			sql`NOT ${pagoEnCurso}`,
		) as SQL;
		await db.batch([
			auditInsertIf(
				db,
				{
					actorId: actor.id,
					action: "cuenta_cobro.confirmada",
					entity: "cuenta_cobro",
					entityId: usuarioId,
					before: paraAuditoria(antes),
					after: paraAuditoria({ ...antes, estado: "confirmada", confirmadaEn: at }),
					requestId: actor.requestId,
				},
				cuentasCobro,
				pendiente,
			),
			db
				.update(cuentasCobro)
				.set({ estado: "confirmada", confirmadaEn: at, actualizadoEn: at })
				.where(pendiente),
		]);
	}
	const cuenta = await verCuenta(db, usuarioId);
	if (cuenta?.estado !== "confirmada")
		throw new ApiError(
			"CONFLICT",
			t(
				"El destino cambió o tiene un pago en curso; revíselo y confirme de nuevo.",
				"The destination changed or has a payout under way; review it and confirm again.",
			),
		);
	const pendientes = await db
		.select({ id: ganadores.id })
		.from(ganadores)
		.innerJoin(tickets, eq(tickets.id, ganadores.ticketId))
		.where(and(eq(tickets.usuarioId, usuarioId), eq(ganadores.estadoPago, "pendiente")));
	// The consumer pays each ganador once however often it is sent, so a repeated confirmation is harmless.
	if (pendientes.length && env.PAYOUTS_PROVIDER === "wompi") {
		await env.PAYOUTS.sendBatch(pendientes.map((g) => ({ body: { ganador_id: g.id } })));
	}
	return { cuenta, premiosEnCola: env.PAYOUTS_PROVIDER === "wompi" ? pendientes.length : 0 };
};
