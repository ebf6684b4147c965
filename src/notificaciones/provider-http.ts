import type { Envio } from "./tipos";

// A provider that never answers must not hold a queue message until the consumer's wall-time limit.
export const TIMEOUT_MS = 15_000;
const MAX_ERROR = 500;

/** The error text stored and logged: bounded, and without the credential should a provider echo it. */
export const textoError = (texto: string, secreto: string) =>
	(secreto ? texto.split(secreto).join("[redactado]") : texto).slice(0, MAX_ERROR);

export const leerJson = async (res: Response): Promise<unknown> => {
	try {
		return JSON.parse(await res.text());
	} catch {
		return null;
	}
};

export const campo = (obj: unknown, key: string): unknown =>
	obj !== null && typeof obj === "object" ? (obj as Record<string, unknown>)[key] : undefined;

export const texto = (v: unknown) => (typeof v === "string" && v ? v : undefined);

/** A request that got no answer (network error, timeout): the message may have gone out. */
export const sinRespuesta = (nombre: string, err: unknown, secreto: string): Envio => ({
	ok: false,
	error: textoError(`${nombre}: ${err instanceof Error ? err.message : String(err)}`, secreto),
	definitivo: false,
	incierto: true,
});
