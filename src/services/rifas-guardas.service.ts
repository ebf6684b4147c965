import { eq, type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { categorias, loterias, type RifaRow } from "../db/schema";
import { fechaColombia } from "../domain/calendario";
import { premiosIssues, promesaSinFondos } from "../domain/premios";
import type { Reglas } from "../domain/reglas";
import { ApiError, conflict, type FieldError, forbidden, t } from "../lib/errors";
import { nowIso } from "../lib/time";
import type { AuthUser } from "../lib/types";
import { roomFor } from "../rifa-room/rooms";

/**
 * What a rifa must satisfy to be written: references that exist, a prize its category and its
 * own sales can pay (or an admin's guarantee), and what its stage forbids so that nobody can bend
 * its draw: once its sales end (its ledger is sealed) its definition is what the seal fixed, and
 * once its lottery has drawn nobody can cancel it, whatever has been observed of the result yet.
 */

/**
 * A change of any field of a rifa whose sales have ended: `fecha_fin` has passed or the rifa is past
 * `activa` (D1 knows), or its room has closed its ledger (the room knows first). 409
 * `rifa_sellada`, one error per field.
 */
export const checkSellada = async (env: Env, rifa: RifaRow, fields: string[]): Promise<void> => {
	if (!fields.length) return;
	const vencida =
		(rifa.estado !== "pendiente" && rifa.estado !== "activa") || nowIso() >= rifa.fechaFin;
	if (!vencida && !(await roomFor(env, rifa.id).sellada())) return;
	const detail = t(
		`La venta de esta rifa terminó y su registro quedó sellado con su definición; ya no cambia: ${fields.join(", ")}.`,
		`This rifa's sales have ended and its ledger was sealed with its definition; it no longer changes: ${fields.join(", ")}.`,
	);
	throw new ApiError("CONFLICT", detail, {
		errors: fields.map((path): FieldError => ({ path, message: detail.es, code: "rifa_sellada" })),
	});
};

/**
 * Cancelling refunds everyone, so once sales have ended (when a sold ticket may have won) it is
 * an admin's decision, with a reason, and only before the lottery draws: results are public at
 * draw time, minutes before any source is recorded here. Returns the condition that keeps that
 * true up to the write, or null before fecha_fin.
 */
export const checkLateCancel = async (
	db: Database,
	user: AuthUser | null,
	rifa: RifaRow,
	motivo: string | undefined,
): Promise<SQL | null> => {
	if (nowIso() >= rifa.fechaSorteo) {
		const detail = t(
			`Regla: la lotería ya sorteó (${rifa.fechaSorteo}); la rifa no puede cancelarse, se liquida con el resultado.`,
			`Rule: the lottery has already drawn (${rifa.fechaSorteo}); the rifa cannot be cancelled, it is settled with the result.`,
		);
		throw new ApiError("CONFLICT", detail, {
			errors: [{ path: "estado", message: detail.es, code: "sorteo_realizado" }],
		});
	}
	if (rifa.estado !== "cerrada" && nowIso() < rifa.fechaFin) return null;
	if (user && user.rol !== "admin") {
		throw conflict(
			t(
				"Regla: la venta de esta rifa terminó (fecha_fin); un operador ya no puede cancelarla. Solo un admin, con motivo, antes del sorteo.",
				"Rule: this rifa's sales have ended (fecha_fin); an operador can no longer cancel it. Only an admin can, with a motivo, before the draw.",
			),
		);
	}
	if (user && !motivo) {
		throw new ApiError(
			"VALIDATION_FAILED",
			t("Los datos de la rifa no son válidos.", "The rifa data is not valid."),
			{
				errors: [
					{
						path: "motivo",
						message: "Obligatorio para cancelar una rifa cuya venta terminó",
						code: "motivo_requerido",
					},
				],
			},
		);
	}
	const fecha = fechaColombia(new Date(rifa.fechaSorteo));
	const antesDelSorteo = sql`${rifa.fechaSorteo} > strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
		AND NOT EXISTS (SELECT 1 FROM observaciones_resultado WHERE loteria_id = ${rifa.loteriaId} AND fecha = ${fecha})
		AND NOT EXISTS (SELECT 1 FROM resultados WHERE loteria_id = ${rifa.loteriaId} AND fecha = ${fecha})`;
	const [seen] = await db.all<{ n: number }>(sql`SELECT (${antesDelSorteo}) AS n`);
	if (!seen?.n) {
		throw conflict(
			t(
				`Regla: ya hay una observación del resultado del sorteo del ${fecha}; la rifa no puede cancelarse, se liquida.`,
				`Rule: a result of the ${fecha} draw has already been observed; the rifa cannot be cancelled, it is settled.`,
			),
		);
	}
	return antesDelSorteo;
};

export const checkReferences = async (
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

/**
 * A rifa its category could not pay (see `premiosIssues`) is refused before it can sell, and so is
 * one whose fixed prize its own sales could not fund, unless an admin has the house guarantee it.
 */
export const settleabilityIssues = async (
	db: Database,
	rifa: {
		categoria_id: string;
		total_boletas: number;
		numero_ganadores: number;
		reglas: Reglas;
		premio_garantizado: boolean;
	},
): Promise<FieldError[]> => {
	const [cat] = await db
		.select({
			valorBoleta: categorias.valorBoleta,
			rakeBps: categorias.rakeBps,
			fondoPremios: categorias.fondoPremios,
			premioPorGanador: categorias.premioPorGanador,
		})
		.from(categorias)
		.where(eq(categorias.id, rifa.categoria_id));
	// An unknown category is reported by checkReferences.
	if (!cat) return [];
	const issues = premiosIssues({ totalBoletas: rifa.total_boletas, reglas: rifa.reglas }, cat);
	const falta = promesaSinFondos(
		{
			totalBoletas: rifa.total_boletas,
			numeroGanadores: rifa.numero_ganadores,
			reglas: rifa.reglas,
		},
		cat,
	);
	if (falta > 0 && !rifa.premio_garantizado) {
		issues.push({
			path: "premio_garantizado",
			message: `El premio fijo supera en ${falta} centavos lo que la rifa puede recaudar vendida toda (menos el rake); un admin debe garantizarlo con premio_garantizado: true, o use otra categoría o base_premio "proporcional"`,
			code: "premio_sin_fondos",
		} as FieldError);
	}
	return issues;
};

/** The house's guarantee is a decision about the house's money: only an admin makes it. */
export const checkGarantia = (user: AuthUser | null, pedida: boolean | undefined) => {
	if (pedida && user && user.rol !== "admin") {
		throw forbidden(
			t(
				"Solo un admin puede garantizar un premio mayor que lo que la rifa recauda (premio_garantizado).",
				"Only an admin can guarantee a prize larger than what the rifa collects (premio_garantizado).",
			),
		);
	}
};
