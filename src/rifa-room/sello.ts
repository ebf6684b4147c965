import { firmante } from "../recibos/claves";
import { construirArbol, leafHash, toHex } from "../verificacion/merkle";
import { TYP_SELLO } from "../verificacion/tipos";
import { type EntradaRow, entradas } from "./registro";
import type { RoomConfig } from "./room.types";
import { readFlag, writeFlag } from "./sala";

/** When sales ended and how many entries the sealed tree holds: decided once, synchronously. */
export interface Cierre {
	tamano: number;
	sellado_en: string;
}

export interface Sello extends Cierre {
	sello: string;
	raiz: string;
	vendidos: number;
}

const CIERRE = "sello:cierre";
const SELLO = "sello:jws";

export const cierre = (sql: SqlStorage): Cierre | null => {
	const raw = readFlag(sql, CIERRE);
	return raw ? (JSON.parse(raw) as Cierre) : null;
};

export const selloGuardado = (sql: SqlStorage): Sello | null => {
	const raw = readFlag(sql, SELLO);
	return raw ? (JSON.parse(raw) as Sello) : null;
};

/**
 * Sales are over: the ledger's size at this moment is what the seal covers. Called inside the
 * step that ends sales (the close, or the first request or alarm at or after `fecha_fin`); what
 * is appended later (a late refund's annulment) is a post-seal appendix, never in the tree.
 */
export const cerrarRegistro = (sql: SqlStorage, at: string): void => {
	if (cierre(sql)) return;
	const { n } = sql.exec<{ n: number }>("SELECT count(*) AS n FROM registro").one();
	const value: Cierre = { tamano: n, sellado_en: at };
	// Written once: this runs inside a storage transaction, after the check above.
	writeFlag(sql, CIERRE, JSON.stringify(value));
};

const leavesOf = (rows: EntradaRow[]) =>
	Promise.all(
		rows.map((r) => {
			if (!r.jws) throw new Error(`ledger entry ${r.seq} is not signed yet`);
			return leafHash(r.jws);
		}),
	);

/** Tickets sold in the first `tamano` entries and not annulled within them. */
const vendidosEn = (rows: EntradaRow[]) => {
	const anuladas = new Set(rows.filter((r) => r.tipo === "anulacion").map((r) => r.ticket_id));
	return rows.filter((r) => r.tipo === "venta" && !anuladas.has(r.ticket_id)).length;
};

/**
 * Signs the seal once sales are closed and every sealed entry is signed. Deterministic: signing
 * again gives the same JWS, so a crash between signing and storing changes nothing.
 */
export const firmarSello = async (
	env: Env,
	sql: SqlStorage,
	config: RoomConfig,
): Promise<Sello | null> => {
	const done = selloGuardado(sql);
	if (done) return done;
	const c = cierre(sql);
	if (!c) return null;
	const rows = entradas(sql, 0, c.tamano);
	if (rows.some((r) => !r.jws)) return null;
	const f = await firmante(env);
	if (!f) return null;
	const raiz = toHex((await construirArbol(await leavesOf(rows))).raiz);
	const vendidos = vendidosEn(rows);
	const jws = await f.firmar(
		{
			v: 1,
			rifa_id: config.rifaId,
			tamano: c.tamano,
			raiz,
			vendidos,
			sellado_en: c.sellado_en,
			fecha_sorteo: config.fechaSorteo ?? null,
		},
		TYP_SELLO,
	);
	const sello: Sello = { sello: jws, tamano: c.tamano, raiz, vendidos, sellado_en: c.sellado_en };
	if (!selloGuardado(sql)) writeFlag(sql, SELLO, JSON.stringify(sello));
	return selloGuardado(sql);
};

/**
 * The RFC 9162 audit path of a sale's receipt: in the sealed tree once there is one, else in
 * the current tree. Null for an entry outside that tree.
 */
export const prueba = async (sql: SqlStorage, seq: number) => {
	const sealed = selloGuardado(sql);
	const size = sealed?.tamano ?? cierre(sql)?.tamano ?? null;
	const rows = entradas(sql, 0, size ?? Number.MAX_SAFE_INTEGER).filter((r) => r.jws);
	// Before the seal the current tree is the signed prefix of the ledger.
	const prefix: EntradaRow[] = [];
	for (const r of rows) {
		if (r.seq !== prefix.length) break;
		prefix.push(r);
	}
	if (seq >= prefix.length) return null;
	const arbol = await construirArbol(await leavesOf(prefix));
	return {
		seq,
		tamano: arbol.tamano,
		ruta: arbol.ruta(seq).map(toHex),
		raiz: toHex(arbol.raiz),
		sellada: sealed !== null,
	};
};
