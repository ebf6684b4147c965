import { and, asc, eq, isNull } from "drizzle-orm";
import { createDb } from "../db/client";
import { type DispersionRow, dispersionesPremio } from "../db/schema";
import { nowIso } from "../lib/time";
import {
	abierta,
	aplicarEstado,
	type Destino,
	desenlace,
	destinoConfirmado,
	fallidasDesde,
	MAX_FALLIDAS,
	outcomeDe,
	referenciaIntento,
	ultimaDispersion,
	versionDe,
} from "./dispersiones";
import type { PayoutOutcome, PayoutProvider, PayoutRequest } from "./types";
import { WompiPagos, type WompiPagosConfig, WompiPagosError } from "./wompi";

/**
 * What Wompi's API says of a batch's one dispersal (or of the batch, while that is still open);
 * null when the batch carries another reference than this attempt's, so is not its batch.
 */
export const estadoEnWompi = async (api: WompiPagos, d: DispersionRow & { payoutId: string }) => {
	const version = versionDe(d.tipo);
	const [tx] = await api.dispersiones(version, d.payoutId);
	if (tx?.reference && tx.reference !== d.id) return null;
	let status = tx?.status ?? "PENDING";
	if (!desenlace(status)) {
		const lote = await api.lote(version, d.payoutId);
		if (desenlace(lote.status)) status = lote.status;
	}
	return {
		status,
		payoutId: d.payoutId,
		transaccionId: tx?.id ?? null,
		motivo: tx?.failureReason ? JSON.stringify(tx.failureReason) : null,
	};
};

/**
 * Prizes paid through Wompi's payouts API: one batch of one dispersal per attempt, to the
 * destination the winner confirmed. Each attempt is written to D1 (`dispersiones_premio`) before
 * its batch is requested, under a reference that is also the batch's idempotency key (the ganador
 * id for the first attempt), so a retry finds its batch by reference instead of paying again, even
 * after Wompi has forgotten the key (24 h). Payouts are asynchronous: a batch is paid when Wompi
 * says its dispersal is APPROVED; a new attempt is only made once the last one has failed for good.
 */
export const wompiProvider = (env: Env, config: WompiPagosConfig): PayoutProvider => {
	const db = createDb(env.DB);
	const api = new WompiPagos(config);

	/** Wompi's status of a batch already created, applied to its dispersal. */
	const leer = async (d: DispersionRow & { payoutId: string }): Promise<PayoutOutcome> => {
		const estado = await estadoEnWompi(api, d);
		if (!estado) throw new Error(`Wompi batch ${d.payoutId} is not attempt ${d.id}`);
		const { status, ...campos } = estado;
		const { dispersion } = await aplicarEstado(db, d, status, campos);
		return outcomeDe(dispersion);
	};

	const crear = async (d: DispersionRow, destino: Destino, req: PayoutRequest) => {
		const { cuenta, nombre, email } = destino;
		const comun = { amount: req.monto, reference: d.id, email };
		const transaccion =
			cuenta.tipo === "breb"
				? { key: cuenta.llave, name: nombre, ...comun }
				: {
						legalIdType: cuenta.tipoDocumento,
						legalId: cuenta.documento,
						bankId: cuenta.bancoId,
						accountType: cuenta.tipoCuenta,
						accountNumber: cuenta.numero,
						name: cuenta.titular,
						...comun,
					};
		try {
			const body = {
				reference: d.id,
				accountId: await api.cuentaOrigen(),
				paymentType: "OTHER",
				transactions: [transaccion],
			};
			const lote = await api.crearLote(versionDe(d.tipo), body, d.id);
			const rechazada = lote.transactions > 0 && lote.failed >= lote.transactions;
			const { dispersion } = await aplicarEstado(db, d, rechazada ? "FAILED" : "PENDING", {
				payoutId: lote.payoutId,
				motivo: rechazada ? "Wompi rechazó la dispersión al crear el lote" : null,
			});
			return outcomeDe(dispersion);
		} catch (err) {
			if (!(err instanceof WompiPagosError)) throw err;
			if (err.yaProcesada) {
				// Created by an earlier request whose answer was lost: read that batch.
				const lote = await api.lotePorReferencia(d.id);
				return lote ? leer({ ...d, payoutId: lote.id }) : outcomeDe(d);
			}
			if (!err.rechazo) throw err;
			const { dispersion } = await aplicarEstado(db, d, "FAILED", {
				estadoProveedor: err.code ?? `HTTP_${err.status}`,
				motivo: err.message,
			});
			return outcomeDe(dispersion);
		}
	};

	/** An open attempt: its batch read, or requested again when Wompi has none under its reference. */
	const seguir = async (d: DispersionRow, req: PayoutRequest): Promise<PayoutOutcome> => {
		if (d.payoutId) return leer({ ...d, payoutId: d.payoutId });
		const lote = await api.lotePorReferencia(d.id);
		if (lote) return leer({ ...d, payoutId: lote.id });
		const destino = await destinoConfirmado(db, req.usuarioId);
		if (!destino || destino.cuenta.tipo !== d.tipo) {
			// No batch and nothing confirmed to send it to: the attempt never left.
			await db
				.delete(dispersionesPremio)
				.where(
					and(
						eq(dispersionesPremio.id, d.id),
						eq(dispersionesPremio.estado, "creando"),
						isNull(dispersionesPremio.payoutId),
					),
				);
			return null;
		}
		return crear(d, destino, req);
	};

	const nuevoIntento = async (
		req: PayoutRequest,
		ultima: DispersionRow | null,
	): Promise<PayoutOutcome> => {
		const destino = await destinoConfirmado(db, req.usuarioId);
		if (!destino?.cuenta.confirmadaEn) return null;
		const fallidas = await fallidasDesde(db, req.ganadorId, destino.cuenta.confirmadaEn);
		if (fallidas >= MAX_FALLIDAS) {
			return {
				referencia: ultima?.id ?? req.ganadorId,
				estado: "fallido",
				motivo: `${fallidas} dispersiones fallidas al destino confirmado; se espera otro destino o un pago manual`,
			};
		}
		const intento = (ultima?.intento ?? 0) + 1;
		const at = nowIso();
		const [d] = await db
			.insert(dispersionesPremio)
			.values({
				id: referenciaIntento(req.ganadorId, intento),
				ganadorId: req.ganadorId,
				intento,
				tipo: destino.cuenta.tipo,
				estado: "creando",
				creadoEn: at,
				actualizadoEn: at,
			})
			.onConflictDoNothing()
			.returning();
		// Another delivery took this attempt first; it is under way.
		if (!d) return { referencia: referenciaIntento(req.ganadorId, intento), estado: "en_curso" };
		// Read again after the row exists: from here on the destination cannot change (a change is
		// refused while a dispersal is open), so what is sent is what the winner confirmed.
		const vigente = await destinoConfirmado(db, req.usuarioId);
		if (vigente?.cuenta.actualizadoEn !== destino.cuenta.actualizadoEn) {
			await db.delete(dispersionesPremio).where(eq(dispersionesPremio.id, d.id));
			return null;
		}
		// Wompi is the authority on what it holds, whatever D1 lost (a restore, a manual edit).
		const previo = await api.lotePorReferencia(d.id);
		if (previo) return leer({ ...d, payoutId: previo.id });
		return crear(d, destino, req);
	};

	return {
		name: "wompi",
		canPay: async (req) => {
			if (await destinoConfirmado(db, req.usuarioId)) return true;
			const ultima = await ultimaDispersion(db, req.ganadorId);
			return ultima !== null && ultima.estado !== "fallida";
		},
		pay: async (req) => {
			const ultima = await ultimaDispersion(db, req.ganadorId);
			if (ultima?.estado === "pagada") return outcomeDe(ultima);
			if (ultima && abierta(ultima)) return seguir(ultima, req);
			return nuevoIntento(req, ultima);
		},
		find: async (req) => {
			const intentos = await db
				.select()
				.from(dispersionesPremio)
				.where(eq(dispersionesPremio.ganadorId, req.ganadorId))
				.orderBy(asc(dispersionesPremio.intento));
			for (const d of intentos) {
				if (d.estado === "pagada") return outcomeDe(d);
				const payoutId = d.payoutId ?? (await api.lotePorReferencia(d.id))?.id;
				if (!payoutId) continue;
				const outcome = await leer({ ...d, payoutId });
				if (outcome && outcome.estado !== "en_curso" && outcome.estado !== "fallido")
					return outcome;
			}
			return null;
		},
	};
};
