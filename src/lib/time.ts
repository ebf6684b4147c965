export const nowIso = (): string => new Date().toISOString();

/** Normalises any ISO-8601 instant with an offset to UTC `YYYY-MM-DDTHH:mm:ss.sssZ`, so that text comparison in SQL orders instants correctly. */
export const toUtcIso = (value: string): string => new Date(value).toISOString();

/**
 * A rifa's definitions are ordered by `actualizado_en`: the stamp of a change is now, or just
 * after the previous one when this machine's clock is behind the one that wrote it.
 */
export const nextStamp = (previous: string): string => {
	const now = nowIso();
	return now > previous ? now : new Date(Date.parse(previous) + 1).toISOString();
};
