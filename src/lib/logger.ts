export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

export interface Logger {
	debug(msg: string, fields?: LogFields): void;
	info(msg: string, fields?: LogFields): void;
	warn(msg: string, fields?: LogFields): void;
	error(msg: string, fields?: LogFields): void;
	/** A logger that adds `fields` to every line. */
	with(fields: LogFields): Logger;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

// Workers Logs takes each line's level from the console method that wrote it.
const WRITE: Record<LogLevel, (line: string) => void> = {
	debug: (line) => console.debug(line),
	info: (line) => console.log(line),
	warn: (line) => console.warn(line),
	error: (line) => console.error(line),
};

// Whole words only, so that e.g. `descartados` is not mistaken for card data.
const SENSITIVE_WORD =
	/(^|[_-])(passw(or)?d|secret|token|authorization|cookie|card|pan|cvc|cvv|signature)s?([_-]|$)/;
const isSensitive = (key: string) =>
	SENSITIVE_WORD.test(key.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase());
const MAX_DEPTH = 6;

/** A backstop: a field whose name suggests a credential or card data is never written out. */
const redact = (value: unknown, depth = 0): unknown => {
	if (value === null || typeof value !== "object") return value;
	if (value instanceof Error) return errorFields(value);
	if (depth >= MAX_DEPTH) return "[truncated]";
	if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
	const out: LogFields = {};
	for (const [k, v] of Object.entries(value)) {
		out[k] = isSensitive(k) ? "[redacted]" : redact(v, depth + 1);
	}
	return out;
};

export const errorFields = (err: unknown) =>
	err instanceof Error
		? { name: err.name, message: err.message, stack: err.stack }
		: { message: String(err) };

export const logLevel = (env: { LOG_LEVEL?: string | undefined }): LogLevel => {
	const level = env.LOG_LEVEL?.toLowerCase();
	return level && level in RANK ? (level as LogLevel) : "info";
};

/** JSON lines, one per call; lines below `LOG_LEVEL` (default `info`) are dropped. */
export const createLogger = (
	env: { LOG_LEVEL?: string | undefined },
	base: LogFields = {},
): Logger => {
	const min = RANK[logLevel(env)];
	const write = (level: LogLevel, msg: string, fields?: LogFields) => {
		if (RANK[level] < min) return;
		// level and msg lead the line and no field can overwrite them.
		const line = Object.assign({ level, msg }, redact({ ...base, ...fields }), { level, msg });
		WRITE[level](JSON.stringify(line));
	};
	return {
		debug: (msg, fields) => write("debug", msg, fields),
		info: (msg, fields) => write("info", msg, fields),
		warn: (msg, fields) => write("warn", msg, fields),
		error: (msg, fields) => write("error", msg, fields),
		with: (fields) => createLogger(env, { ...base, ...fields }),
	};
};
