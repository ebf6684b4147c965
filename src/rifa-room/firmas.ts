import { type Firmante, firmante } from "../recibos/claves";
import { toHex } from "../verificacion/merkle";
import { type ReciboPayload, TYP_ANULACION, TYP_RECIBO } from "../verificacion/tipos";
import { agregarHoja } from "./arbol";
import { enqueue } from "./outbox";
import {
	type DatosAnulacion,
	type DatosVenta,
	type EntradaRow,
	guardarFirma,
	sinFirmar,
} from "./registro";

/** The per-rifa secret under which buyers are pseudonymised; made once, never leaves the room. */
const sal = (sql: SqlStorage): string => {
	const row = sql
		.exec<{ valor: string }>("SELECT valor FROM sala WHERE clave = 'sal_comprador'")
		.toArray()[0];
	if (row) return row.valor;
	const value = toHex(crypto.getRandomValues(new Uint8Array(32)));
	sql.exec("INSERT OR IGNORE INTO sala (clave, valor) VALUES ('sal_comprador', ?)", value);
	return sql.exec<{ valor: string }>("SELECT valor FROM sala WHERE clave = 'sal_comprador'").one()
		.valor;
};

const hmacKeys = new Map<string, Promise<CryptoKey>>();

/** HMAC-SHA256 of the buyer's id under the rifa's salt: the same buyer, the same pseudonym. */
const comprador = async (salt: string, userId: string) => {
	let key = hmacKeys.get(salt);
	if (!key) {
		key = crypto.subtle.importKey(
			"raw",
			new TextEncoder().encode(salt),
			{ name: "HMAC", hash: "SHA-256" },
			false,
			["sign"],
		);
		hmacKeys.set(salt, key);
	}
	return toHex(
		new Uint8Array(await crypto.subtle.sign("HMAC", await key, new TextEncoder().encode(userId))),
	);
};

/** The signed payload of a ledger entry, exactly as receipts and annulments carry it. */
export const payloadDe = async (rifaId: string, e: EntradaRow, salt: string) => {
	if (e.tipo === "venta") {
		const d = JSON.parse(e.datos) as DatosVenta;
		const payload: ReciboPayload = {
			v: 2,
			rifa_id: rifaId,
			ticket_id: e.ticket_id,
			numero: d.numero,
			precio: d.precio,
			comprador: await comprador(salt, d.user_id),
			vendido_en: d.vendido_en,
			seq: e.seq,
			definicion_sha256: d.definicion_sha256,
		};
		return { typ: TYP_RECIBO, payload };
	}
	const d = JSON.parse(e.datos) as DatosAnulacion;
	return {
		typ: TYP_ANULACION,
		payload: {
			v: 1,
			rifa_id: rifaId,
			ticket_id: e.ticket_id,
			anula: d.anula,
			motivo: d.motivo,
			anulado_en: d.anulado_en,
			seq: e.seq,
		},
	};
};

/**
 * Signs the ledger entries still unsigned, in order, and mirrors each sale's receipt to its D1
 * ticket through the outbox. Without a signing key receipts are off and entries wait unsigned.
 * Returns how many remain unsigned. `clave`: a past history's retired key (historia.ts).
 */
export const firmarPendientes = async (
	env: Env,
	sql: SqlStorage,
	rifaId: string,
	clave?: Firmante,
): Promise<number> => {
	const pending = sinFirmar(sql);
	if (!pending.length) return 0;
	const f = clave ?? (await firmante(env));
	if (!f) return pending.length;
	const salt = sal(sql);
	for (const e of pending) {
		const { typ, payload } = await payloadDe(rifaId, e, salt);
		const jws = await f.firmar(payload, typ);
		guardarFirma(sql, e.seq, jws);
		await agregarHoja(sql, e.seq, jws);
		if (e.tipo === "venta") {
			enqueue(sql, [
				{
					sql: "UPDATE tickets SET recibo = ? WHERE id = ? AND recibo IS NULL",
					params: [jws, e.ticket_id],
				},
			]);
		}
	}
	return sinFirmar(sql).length;
};
