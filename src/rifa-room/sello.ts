import { type Firmante, firmante } from "../recibos/claves";
import { toHex } from "../verificacion/merkle";
import { type SelloPayload, TYP_SELLO } from "../verificacion/tipos";
import { raizDe, rutaDe } from "./arbol";
import { type Cierre, cierre } from "./cierre";
import type { RoomConfig } from "./room.types";
import { readFlag, writeFlag } from "./sala";

export interface Sello extends Cierre {
	sello: string;
	raiz: string;
	vendidos: number;
	definicion_sha256: string;
}

const SELLO = "sello:jws";

export const selloGuardado = (sql: SqlStorage): Sello | null => {
	const raw = readFlag(sql, SELLO);
	return raw ? (JSON.parse(raw) as Sello) : null;
};

/** The signed prefix of the ledger: entries are signed in order, so it is one number. */
const firmadas = (sql: SqlStorage): number =>
	sql
		.exec<{ n: number }>(
			"SELECT coalesce((SELECT min(seq) FROM registro WHERE jws IS NULL), (SELECT count(*) FROM registro)) AS n",
		)
		.one().n;

/** Tickets sold in the first `tamano` entries and not annulled within them, with their numbers. */
export const vendidosHasta = (sql: SqlStorage, tamano: number) =>
	sql
		.exec<{ ticket_id: string; numero: number }>(
			`SELECT v.ticket_id, json_extract(v.datos, '$.numero') AS numero FROM registro v
			WHERE v.tipo = 'venta' AND v.seq < ?
			AND NOT EXISTS (SELECT 1 FROM registro a WHERE a.tipo = 'anulacion' AND a.ticket_id = v.ticket_id AND a.seq < ?)
			ORDER BY v.seq`,
			tamano,
			tamano,
		)
		.toArray();

/**
 * Signs the seal once sales are closed and every sealed entry is signed: the tree head over the
 * entries the close counted, and the rifa's definition they were sold under. Deterministic:
 * signing again gives the same JWS, so a crash between signing and storing changes nothing.
 */
export const firmarSello = async (
	env: Env,
	sql: SqlStorage,
	config: RoomConfig,
	clave?: Firmante,
): Promise<Sello | null> => {
	const done = selloGuardado(sql);
	if (done) return done;
	const c = cierre(sql);
	if (!c || firmadas(sql) < c.tamano) return null;
	const { definicion, definicionSha256 } = config;
	if (!definicion || !definicionSha256) return null;
	const f = clave ?? (await firmante(env));
	if (!f) return null;
	const raiz = toHex(await raizDe(sql, c.tamano));
	const vendidos = vendidosHasta(sql, c.tamano).length;
	const payload: SelloPayload = {
		v: 2,
		rifa_id: config.rifaId,
		tamano: c.tamano,
		raiz,
		vendidos,
		sellado_en: c.sellado_en,
		fecha_sorteo: definicion.fecha_sorteo,
		definicion,
		definicion_sha256: definicionSha256,
	};
	const jws = await f.firmar(payload, TYP_SELLO);
	const sello: Sello = {
		sello: jws,
		tamano: c.tamano,
		raiz,
		vendidos,
		sellado_en: c.sellado_en,
		definicion_sha256: definicionSha256,
	};
	if (!selloGuardado(sql)) writeFlag(sql, SELLO, JSON.stringify(sello));
	return selloGuardado(sql);
};

/**
 * The RFC 9162 audit path of a sale's receipt: in the sealed tree once the ledger is closed, else
 * in the tree of the entries signed so far. Null for an entry outside that tree.
 */
export const prueba = async (sql: SqlStorage, seq: number) => {
	const c = cierre(sql);
	const tamano = Math.min(c?.tamano ?? Number.MAX_SAFE_INTEGER, firmadas(sql));
	if (seq >= tamano) return null;
	return {
		seq,
		tamano,
		ruta: (await rutaDe(sql, seq, tamano)).map(toHex),
		raiz: toHex(await raizDe(sql, tamano)),
		sellada: selloGuardado(sql) !== null,
	};
};
