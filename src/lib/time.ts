export const nowIso = (): string => new Date().toISOString();

/** Normalises any ISO-8601 instant with an offset to UTC `YYYY-MM-DDTHH:mm:ss.sssZ`, so that text comparison in SQL orders instants correctly. */
export const toUtcIso = (value: string): string => new Date(value).toISOString();
