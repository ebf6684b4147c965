import { and, asc, count, eq, isNull, lt, type SQL } from "drizzle-orm";
import type { Database } from "../db/client";
import { type ReembolsoRow, reembolsos, users } from "../db/schema";
import { ApiError, notFound, t } from "../lib/errors";
import { offsetOf, pageOf } from "../lib/pagination";
import { alerta, avisoInsert } from "../notificaciones/avisos";
import { auditInsertIf } from "./audit";

/**
 * Manual refunds: money owed back for payments whose provider has no refund API (Wompi's Nequi,
 * PSE, transfers, cash). The rifa room writes each once; an admin transfers the money and records
 * it here, once; what stays pending too long is alerted.
 */

const REEMBOLSO = t("El reembolso", "The refund");

export const horasAlertaReembolso = (env: Env): number => {
	const horas = Number(env.HORAS_ALERTA_REEMBOLSO ?? 48);
	return Number.isFinite(horas) && horas > 0 ? horas : 48;
};

const dto = (
	r: ReembolsoRow,
	comprador: { nombre: string; email: string; telefono: string | null },
) => ({
	id: r.id,
	transaccion_id: r.id,
	rifa_id: r.rifaId,
	comprador: { id: r.usuarioId, ...comprador },
	monto: r.monto,
	proveedor: r.proveedor,
	metodo: r.metodo,
	referencia_proveedor: r.referenciaProveedor,
	motivo: r.motivo,
	estado: r.estado,
	referencia_transferencia: r.referenciaTransferencia,
	nota: r.nota,
	hecho_por: r.hechoPor,
	hecho_en: r.hechoEn,
	creado_en: r.creadoEn,
});

export const listarReembolsos = async (
	db: Database,
	filtro: { estado?: ReembolsoRow["estado"] | undefined; rifa_id?: string | undefined },
	page: { page: number; per_page: number },
) => {
	const where = and(
		filtro.estado ? eq(reembolsos.estado, filtro.estado) : undefined,
		filtro.rifa_id ? eq(reembolsos.rifaId, filtro.rifa_id) : undefined,
	);
	const [rows, [total]] = await db.batch([
		db
			.select({
				r: reembolsos,
				nombre: users.nombre,
				email: users.email,
				telefono: users.telefono,
			})
			.from(reembolsos)
			.innerJoin(users, eq(users.id, reembolsos.usuarioId))
			.where(where)
			.orderBy(asc(reembolsos.creadoEn), asc(reembolsos.id))
			.limit(page.per_page)
			.offset(offsetOf(page)),
		db.select({ n: count() }).from(reembolsos).where(where),
	]);
	return pageOf(
		rows.map(({ r, ...c }) => dto(r, c)),
		total?.n ?? 0,
		page,
	);
};

/**
 * Records the transfer an admin made. Applies once, while the refund is pending; the audit entry and
 * the buyer's notification are written in the same batch under the same condition. The same
 * reference again answers the recorded refund; another reference is a 409.
 */
export const registrarReembolso = async (
	db: Database,
	id: string,
	datos: { referencia: string; nota?: string | undefined },
	actorId: string,
) => {
	const [antes] = await db.select().from(reembolsos).where(eq(reembolsos.id, id));
	if (!antes) throw notFound(REEMBOLSO);
	const at = new Date().toISOString();
	const pendiente = and(eq(reembolsos.id, id), eq(reembolsos.estado, "pendiente")) as SQL;
	if (antes.estado === "pendiente") {
		await db.batch([
			auditInsertIf(
				db,
				{
					actorId,
					action: "reembolso.transferido",
					entity: "transaccion",
					entityId: id,
					before: { estado: "pendiente", monto: antes.monto },
					after: {
						estado: "hecho",
						monto: antes.monto,
						referencia_transferencia: datos.referencia,
						nota: datos.nota ?? null,
					},
				},
				reembolsos,
				pendiente,
			),
			avisoInsert(
				db,
				{
					id: `reembolso_hecho:${id}`,
					tipo: "reembolso",
					rifaId: antes.rifaId,
					datos: { transaccion_id: id },
				},
				{ table: reembolsos, where: pendiente },
			),
			db
				.update(reembolsos)
				.set({
					estado: "hecho",
					referenciaTransferencia: datos.referencia,
					nota: datos.nota ?? null,
					hechoPor: actorId,
					hechoEn: at,
				})
				.where(pendiente),
		]);
	}
	const [despues] = await db
		.select({ r: reembolsos, nombre: users.nombre, email: users.email, telefono: users.telefono })
		.from(reembolsos)
		.innerJoin(users, eq(users.id, reembolsos.usuarioId))
		.where(eq(reembolsos.id, id));
	if (!despues) throw notFound(REEMBOLSO);
	if (despues.r.referenciaTransferencia !== datos.referencia) {
		throw new ApiError(
			"CONFLICT",
			t(
				`Este reembolso ya se registró con la referencia ${despues.r.referenciaTransferencia}.`,
				`This refund was already recorded with reference ${despues.r.referenciaTransferencia}.`,
			),
		);
	}
	const { r, ...c } = despues;
	return { reembolso: dto(r, c), nuevo: r.hechoEn === at && antes.estado === "pendiente" };
};

/**
 * Pending refunds older than `HORAS_ALERTA_REEMBOLSO`: each alerted once (the alert's id is the
 * refund's, and `alertado_en` marks it). Run by the cron.
 */
export const alertarReembolsosVencidos = async (env: Env, db: Database, now = Date.now()) => {
	const limite = new Date(now - horasAlertaReembolso(env) * 3600_000).toISOString();
	const vencidos = await db
		.select()
		.from(reembolsos)
		.where(
			and(
				eq(reembolsos.estado, "pendiente"),
				lt(reembolsos.creadoEn, limite),
				isNull(reembolsos.alertadoEn),
			),
		)
		.limit(100);
	for (const r of vencidos) {
		await db.batch([
			avisoInsert(
				db,
				alerta(
					r.id,
					{
						clase: "reembolso_vencido",
						detalle: {
							transaccion_id: r.id,
							monto: r.monto,
							metodo: r.metodo,
							referencia_proveedor: r.referenciaProveedor,
							creado_en: r.creadoEn,
						},
					},
					r.rifaId,
				),
			),
			db
				.update(reembolsos)
				.set({ alertadoEn: new Date(now).toISOString() })
				.where(and(eq(reembolsos.id, r.id), isNull(reembolsos.alertadoEn))),
		]);
	}
	return vencidos.length;
};
