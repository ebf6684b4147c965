/** A lottery draw's published premio mayor. Strings keep leading zeros ("0017", "002"). */
export interface LoteriaResult {
	numero: string;
	serie: string | null;
	/** Numbers published for the draw, premio mayor first (adapters here only know that one). */
	numbers: string[];
	/** Draw date, YYYY-MM-DD (Colombia). */
	fecha: string;
	/** Where it came from: adapter name and, where there is one, the URL asked. */
	fuente: string;
	/** The URL asked and the SHA-256 (hex) of the raw payload it answered. */
	evidencia: { url: string | null; sha256: string };
}

export interface LoteriaRef {
	id: string;
	nombre: string;
	horaSorteo: string | null;
	meta: { adapter: string; slug?: string | undefined };
}

export interface ResultsAdapter {
	readonly name: string;
	/** `null`: not published yet. Throws when the source fails or contradicts itself. */
	getResult(loteria: LoteriaRef, fecha: string): Promise<LoteriaResult | null>;
}

export class ResultSourceError extends Error {}

/** A real calendar day: rejects 2026-02-30 rather than letting it roll over to March. */
export const isCalendarDate = (fecha: string): boolean => {
	const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(fecha);
	if (!m) return false;
	const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
	return d.toISOString().slice(0, 10) === fecha;
};

const COLOMBIA_OFFSET_MS = 5 * 3600_000;

/** The instant a draw happens: its date at the loteria's hour, Colombia time (UTC−5, no DST). */
export const drawInstant = (fecha: string, horaSorteo: string | null): Date =>
	new Date(new Date(`${fecha}T${horaSorteo ?? "23:59"}:00Z`).getTime() + COLOMBIA_OFFSET_MS);
