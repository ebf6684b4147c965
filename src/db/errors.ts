const messages = (err: unknown): string => {
	const parts: string[] = [];
	let cur: unknown = err;
	for (let depth = 0; cur && depth < 5; depth++) {
		if (cur instanceof Error) {
			parts.push(cur.message);
			cur = cur.cause;
		} else {
			parts.push(String(cur));
			break;
		}
	}
	return parts.join(" | ");
};

export const isUniqueViolation = (err: unknown) => /UNIQUE constraint failed/i.test(messages(err));
export const isForeignKeyViolation = (err: unknown) =>
	/FOREIGN KEY constraint failed/i.test(messages(err));
