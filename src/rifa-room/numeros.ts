import type { Availability, PurchasedNumber, RoomConfig, TakenRow } from "./room.types";

/** Replaces the order in which free numbers are handed out; only while nothing is taken. */
export const rebuildOrder = (sql: SqlStorage, order: number[]): void => {
	sql.exec("DELETE FROM libres");
	order.forEach((numero, orden) => {
		sql.exec("INSERT INTO libres (orden, numero) VALUES (?, ?)", orden, numero);
	});
};

export const takenCount = (sql: SqlStorage): number =>
	sql.exec<{ n: number }>("SELECT count(*) AS n FROM tomados").one().n;

export const freeCount = (sql: SqlStorage): number =>
	sql.exec<{ n: number }>("SELECT count(*) AS n FROM libres").one().n;

export const ownedBy = (sql: SqlStorage, userId: string): number =>
	sql.exec<{ n: number }>("SELECT count(*) AS n FROM tomados WHERE user_id = ?", userId).one().n;

/** The free numbers among `numeros`, with their current place in the order. */
export const freeAmong = (sql: SqlStorage, numeros: number[]) =>
	sql
		.exec<{ orden: number; numero: number }>(
			`SELECT orden, numero FROM libres WHERE numero IN (${numeros.map(() => "?").join(", ")})`,
			...numeros,
		)
		.toArray();

export const nextFree = (sql: SqlStorage, quantity: number) =>
	sql
		.exec<{ orden: number; numero: number }>(
			"SELECT orden, numero FROM libres ORDER BY orden LIMIT ?",
			quantity,
		)
		.toArray();

/**
 * Moves numbers from `libres` to `tomados` as held for a purchase. Each number is found by its
 * value and keeps the place it has in the order now, which may differ from the one it had when
 * the purchase first took it (the order is rebuilt whenever nothing is taken). Returns false, and
 * takes nothing, unless every number is free.
 */
export const take = (
	sql: SqlStorage,
	transaccionId: string,
	userId: string,
	numbers: PurchasedNumber[],
): boolean => {
	if (!numbers.length) return true;
	const free = new Map(
		freeAmong(
			sql,
			numbers.map((n) => n.numero),
		).map((r) => [r.numero, r.orden]),
	);
	if (free.size !== numbers.length) return false;
	hold(
		sql,
		transaccionId,
		userId,
		numbers.map((n) => ({ ...n, orden: free.get(n.numero) as number })),
	);
	return true;
};

/** Moves free numbers, found already with their place in the order, to `tomados` as held. */
export const hold = (
	sql: SqlStorage,
	transaccionId: string,
	userId: string,
	numbers: (PurchasedNumber & { orden: number })[],
): void => {
	for (const n of numbers) {
		sql.exec("DELETE FROM libres WHERE numero = ?", n.numero);
		sql.exec(
			"INSERT INTO tomados (numero, ticket_id, orden, estado, user_id, transaccion_id) VALUES (?, ?, ?, 'reservado', ?, ?)",
			n.numero,
			n.ticket_id,
			n.orden,
			userId,
			transaccionId,
		);
	}
};

/** Puts a purchase's numbers back on sale at the place they held in the order. */
export const release = (sql: SqlStorage, transaccionId: string): number[] => {
	const rows = sql
		.exec<TakenRow>("SELECT * FROM tomados WHERE transaccion_id = ?", transaccionId)
		.toArray();
	for (const r of rows) {
		sql.exec("INSERT INTO libres (orden, numero) VALUES (?, ?)", r.orden, r.numero);
	}
	sql.exec("DELETE FROM tomados WHERE transaccion_id = ?", transaccionId);
	return rows.map((r) => r.numero).sort((a, b) => a - b);
};

export const markSoldNumbers = (sql: SqlStorage, transaccionId: string): number[] => {
	sql.exec("UPDATE tomados SET estado = 'vendido' WHERE transaccion_id = ?", transaccionId);
	return numbersOf(sql, transaccionId);
};

export const numbersOf = (sql: SqlStorage, transaccionId: string): number[] =>
	sql
		.exec<{ numero: number }>(
			"SELECT numero FROM tomados WHERE transaccion_id = ? ORDER BY numero",
			transaccionId,
		)
		.toArray()
		.map((r) => r.numero);

export const takenOf = (sql: SqlStorage, transaccionId: string): TakenRow[] =>
	sql
		.exec<TakenRow>("SELECT * FROM tomados WHERE transaccion_id = ? ORDER BY numero", transaccionId)
		.toArray();

export const soldNumbers = (sql: SqlStorage) =>
	sql
		.exec<{ numero: number; ticket_id: string }>(
			"SELECT numero, ticket_id FROM tomados WHERE estado = 'vendido' ORDER BY numero",
		)
		.toArray()
		.map((r) => ({ numero: r.numero, ticketId: r.ticket_id }));

export const snapshot = (sql: SqlStorage, config: RoomConfig): Availability => {
	const mapa = new Array<string>(config.totalBoletas).fill("L");
	let reservados = 0;
	let vendidos = 0;
	for (const row of sql.exec<{ numero: number; estado: string }>(
		"SELECT numero, estado FROM tomados",
	)) {
		if (row.estado === "vendido") {
			mapa[row.numero] = "V";
			vendidos++;
		} else {
			mapa[row.numero] = "R";
			reservados++;
		}
	}
	return {
		rifa_id: config.rifaId,
		total: config.totalBoletas,
		libres: config.totalBoletas - reservados - vendidos,
		reservados,
		vendidos,
		mapa: mapa.join(""),
	};
};

/**
 * The stock's invariant: every number of the rifa is in exactly one of free, held or sold, and
 * nothing else is. Returns what breaks it (empty when it holds).
 */
export const stockProblems = (sql: SqlStorage, total: number): string[] => {
	const seen = new Map<number, string>();
	const problems: string[] = [];
	const note = (numero: number, where: string) => {
		const before = seen.get(numero);
		if (before) problems.push(`${numero} en ${before} y ${where}`);
		else seen.set(numero, where);
	};
	for (const r of sql.exec<{ numero: number }>("SELECT numero FROM libres"))
		note(r.numero, "libres");
	for (const r of sql.exec<{ numero: number; estado: string }>(
		"SELECT numero, estado FROM tomados",
	))
		note(r.numero, r.estado);
	for (let n = 0; n < total; n++) if (!seen.has(n)) problems.push(`${n} falta`);
	for (const n of seen.keys()) if (n < 0 || n >= total) problems.push(`${n} sobra`);
	return problems;
};
