import type { RoomConfig } from "./room.types";
import { readFlag, writeFlag } from "./sala";

/**
 * The end of sales. Once the room closes its ledger, the size of the ledger at that moment is what
 * the seal covers and the room sells nothing more, whatever definition it is told later: no sale,
 * no hold, no late payment taking numbers back.
 */
export interface Cierre {
	tamano: number;
	sellado_en: string;
}

const CIERRE = "sello:cierre";

export const cierre = (sql: SqlStorage): Cierre | null => {
	const raw = readFlag(sql, CIERRE);
	return raw ? (JSON.parse(raw) as Cierre) : null;
};

/** Closes the ledger at `at`, once; runs inside the storage transaction of the step that ends sales. */
export const cerrarRegistro = (sql: SqlStorage, at: string): void => {
	if (cierre(sql)) return;
	const { n } = sql.exec<{ n: number }>("SELECT count(*) AS n FROM registro").one();
	writeFlag(sql, CIERRE, JSON.stringify({ tamano: n, sellado_en: at } satisfies Cierre));
};

/**
 * The definition says the ledger must be closed by now: sales ended (`fecha_fin` passed, or the
 * rifa is past `activa`), whether or not the room had heard that it ever opened.
 */
export const ventaVencida = (config: RoomConfig, now: number): boolean =>
	(config.estado !== "pendiente" && config.estado !== "activa") ||
	new Date(now).toISOString() >= config.fechaFin;
