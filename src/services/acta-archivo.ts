import { eq } from "drizzle-orm";
import type { Database } from "../db/client";
import { loterias, rifas } from "../db/schema";
import { payloadSinVerificar } from "../verificacion/firma";
import { esActa } from "../verificacion/guardas";
import type { ActaPayload } from "../verificacion/tipos";
import { type ActaOutcome, actaDe } from "./acta.service";
import { actaPdf } from "./acta-pdf";

/**
 * The acta of a settlement and its PDF are made once and kept in R2 (`ARCHIVOS`), keyed by the
 * settlement's id: every later read is a file, served with its ETag, with no signing or rendering.
 * A recalculation that changes the prizes is a new settlement id, so a new acta; one that changes
 * nothing keeps the same. Both are deterministic, so two requests that make one at once store the
 * same bytes, and a missing file (R2 down when the rifa settled) is made on the next read.
 */

export interface ActaArchivada {
	outcome: "acta";
	acta: string;
	payload: ActaPayload;
	etag: string;
}

const clave = (rifaId: string, liquidacionId: string, ext: "jws" | "pdf") =>
	`actas/${rifaId}/${liquidacionId}.${ext}`;

const liquidacion = async (db: Database, rifaId: string) => {
	const [row] = await db
		.select({
			estado: rifas.estado,
			liquidacionId: rifas.liquidacionId,
			nombre: rifas.nombre,
			loteria: loterias.nombre,
		})
		.from(rifas)
		.innerJoin(loterias, eq(loterias.id, rifas.loteriaId))
		.where(eq(rifas.id, rifaId));
	return row ?? null;
};

/** The stored acta of the rifa's current settlement, made and stored first if it is not there. */
export const actaArchivada = async (
	env: Env,
	db: Database,
	rifaId: string,
): Promise<ActaArchivada | Exclude<ActaOutcome, { outcome: "acta" }>> => {
	const row = await liquidacion(db, rifaId);
	if (!row) return { outcome: "no_existe" };
	if (row.estado !== "resuelta" || !row.liquidacionId) return { outcome: "no_resuelta" };
	const key = clave(rifaId, row.liquidacionId, "jws");
	const guardada = await env.ARCHIVOS.get(key);
	if (guardada) {
		const acta = await guardada.text();
		const payload = payloadSinVerificar(acta);
		if (esActa(payload)) return { outcome: "acta", acta, payload, etag: guardada.httpEtag };
	}
	const out = await actaDe(env, db, rifaId);
	if (out.outcome !== "acta") return out;
	const puesta = await env.ARCHIVOS.put(key, out.acta, {
		httpMetadata: { contentType: "application/jose" },
	});
	return { outcome: "acta", acta: out.acta, payload: out.payload, etag: puesta.httpEtag };
};

/** The stored PDF of the rifa's current acta, rendered and stored first if it is not there. */
export const actaPdfArchivada = async (
	env: Env,
	db: Database,
	rifaId: string,
): Promise<
	| { outcome: "pdf"; body: ReadableStream | Uint8Array; etag: string }
	| Exclude<ActaOutcome, { outcome: "acta" }>
> => {
	const acta = await actaArchivada(env, db, rifaId);
	if (acta.outcome !== "acta") return acta;
	const row = await liquidacion(db, rifaId);
	if (!row?.liquidacionId) return { outcome: "no_resuelta" };
	const key = clave(rifaId, row.liquidacionId, "pdf");
	const guardado = await env.ARCHIVOS.get(key);
	if (guardado) return { outcome: "pdf", body: guardado.body, etag: guardado.httpEtag };
	const pdf = await actaPdf(
		{ jws: acta.acta, payload: acta.payload, nombre: row.nombre, loteria: row.loteria },
		verificarActaUrl(env, rifaId),
	);
	const puesto = await env.ARCHIVOS.put(key, pdf, {
		httpMetadata: { contentType: "application/pdf" },
	});
	return { outcome: "pdf", body: pdf, etag: puesto.httpEtag };
};

/** Where anyone audits the rifa in a browser: the PDF prints it and its QR code. */
export const verificarActaUrl = (env: Pick<Env, "APP_URL">, rifaId: string) =>
	new URL(`/verificar#rifa=${rifaId}`, env.APP_URL).toString();

/** Makes and stores a settlement's acta and PDF right after it is written; a failure waits for a read. */
export const archivarActa = async (env: Env, db: Database, rifaId: string): Promise<void> => {
	await actaPdfArchivada(env, db, rifaId);
};
