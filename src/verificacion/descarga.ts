import type { EntradaAuditoria } from "./auditoria.ts";
import type { Jwks, SelloRespuesta } from "./tipos.ts";

/**
 * Downloads what a full audit of a rifa needs from the platform's public API: its keys, its seal,
 * every page of its ledger and its acta. The CLI (`npm run verificar -- --rifa <url>`) and the
 * `/verificar#rifa=<id>` page use it; nothing it gets is trusted, `auditar` checks it all.
 */

const POR_PAGINA = 100;

/** The API's origin and the rifa's id from the address of its page or of any of its API paths. */
export const rifaDeUrl = (url: string): { origen: string; rifaId: string } | null => {
	let u: URL;
	try {
		u = new URL(url);
	} catch {
		return null;
	}
	const id = u.pathname.match(/\/rifas\/([0-9a-f-]{36})(?:\/|$)/i)?.[1];
	return id ? { origen: u.origin, rifaId: id.toLowerCase() } : null;
};

export class DescargaError extends Error {
	override name = "DescargaError";
}

const leer = async <T>(f: typeof fetch, url: string, opcional = false): Promise<T | undefined> => {
	const res = await f(url, { headers: { Accept: "application/json" } });
	if (opcional && res.status === 404) return undefined;
	if (!res.ok) throw new DescargaError(`${url} respondió ${res.status}`);
	return (await res.json()) as T;
};

/** Everything `auditar` takes; the acta is absent while the rifa is not settled. */
export const descargarRifa = async (
	origen: string,
	rifaId: string,
	f: typeof fetch = fetch,
): Promise<EntradaAuditoria> => {
	const api = `${origen}/api/v1/rifas/${rifaId}`;
	const jwks = await leer<Jwks>(f, `${origen}/.well-known/jwks.json`);
	const sello = await leer<SelloRespuesta>(f, `${api}/sello`, true);
	if (!jwks) throw new DescargaError("Sin claves publicadas");
	if (!sello) throw new DescargaError("La rifa aún no se ha sellado: no hay nada que auditar");
	const registro: string[] = [];
	for (let page = 1; ; page++) {
		const p = await leer<{ items: string[]; total: number }>(
			f,
			`${api}/registro?page=${page}&per_page=${POR_PAGINA}`,
		);
		if (!p) break;
		registro.push(...p.items);
		if (!p.items.length || registro.length >= p.total) break;
	}
	const acta = await leer<{ acta: string }>(f, `${api}/acta`, true);
	return { jwks, sello, registro, ...(acta ? { acta: acta.acta } : {}) };
};
