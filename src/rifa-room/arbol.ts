import { leafHash, nodeHash, sha256 } from "../verificacion/merkle";

/**
 * The ledger's Merkle tree (RFC 9162), kept in the room's storage as its complete subtrees: node
 * (nivel, indice) is the head of leaves [indice·2^nivel, (indice+1)·2^nivel), stored once all of
 * them are signed and never changed after, since the ledger only grows. A tree of any size up to
 * the ledger's is then its complete nodes plus O(log n) hashes along its right edge, so a proof or
 * the seal's root costs O(log n) hashes however long the ledger is. A node that is missing (a
 * crash between signing and storing, a ledger signed before this table) is rebuilt from its
 * children when first needed and stored.
 */

export const ARBOL_SCHEMA = `
CREATE TABLE IF NOT EXISTS arbol (
	nivel INTEGER NOT NULL,
	indice INTEGER NOT NULL,
	hash BLOB NOT NULL,
	PRIMARY KEY (nivel, indice)
) WITHOUT ROWID;
`;

const guardado = (sql: SqlStorage, nivel: number, indice: number): Uint8Array | null => {
	const row = sql
		.exec<{ hash: ArrayBuffer }>(
			"SELECT hash FROM arbol WHERE nivel = ? AND indice = ?",
			nivel,
			indice,
		)
		.toArray()[0];
	return row ? new Uint8Array(row.hash) : null;
};

const guardar = (sql: SqlStorage, nivel: number, indice: number, hash: Uint8Array) => {
	sql.exec(
		"INSERT OR IGNORE INTO arbol (nivel, indice, hash) VALUES (?, ?, ?)",
		nivel,
		indice,
		hash.buffer.slice(hash.byteOffset, hash.byteOffset + hash.byteLength) as ArrayBuffer,
	);
};

/** The head of a complete subtree; every leaf under it must be signed. */
const completo = async (sql: SqlStorage, nivel: number, indice: number): Promise<Uint8Array> => {
	const hit = guardado(sql, nivel, indice);
	if (hit) return hit;
	let hash: Uint8Array;
	if (nivel === 0) {
		const row = sql
			.exec<{ jws: string | null }>("SELECT jws FROM registro WHERE seq = ?", indice)
			.toArray()[0];
		if (!row?.jws) throw new Error(`ledger entry ${indice} is not signed yet`);
		hash = await leafHash(row.jws);
	} else {
		hash = await nodeHash(
			await completo(sql, nivel - 1, 2 * indice),
			await completo(sql, nivel - 1, 2 * indice + 1),
		);
	}
	guardar(sql, nivel, indice, hash);
	return hash;
};

/** Node (nivel, indice) of the tree of the first `n` entries, as RFC 9162 splits it. */
const nodo = async (
	sql: SqlStorage,
	nivel: number,
	indice: number,
	n: number,
): Promise<Uint8Array> => {
	const ancho = Math.min(n, (indice + 1) * 2 ** nivel) - indice * 2 ** nivel;
	if (ancho === 2 ** nivel) return completo(sql, nivel, indice);
	// Only the left child exists in this tree: it is carried up unchanged.
	if (ancho <= 2 ** (nivel - 1)) return nodo(sql, nivel - 1, 2 * indice, n);
	return nodeHash(
		await completo(sql, nivel - 1, 2 * indice),
		await nodo(sql, nivel - 1, 2 * indice + 1, n),
	);
};

const altura = (n: number) => {
	let h = 0;
	while (2 ** h < n) h++;
	return h;
};

/** The entry `seq` was just signed: its leaf and every subtree it completes are stored. */
export const agregarHoja = async (sql: SqlStorage, seq: number, jws: string): Promise<void> => {
	let actual = await leafHash(jws);
	guardar(sql, 0, seq, actual);
	for (let nivel = 0, i = seq; i % 2 === 1; nivel++, i = Math.floor(i / 2)) {
		actual = await nodeHash(await completo(sql, nivel, i - 1), actual);
		guardar(sql, nivel + 1, Math.floor(i / 2), actual);
	}
};

/** The head of the tree of the first `n` entries (SHA-256 of nothing for an empty tree). */
export const raizDe = async (sql: SqlStorage, n: number): Promise<Uint8Array> =>
	n === 0 ? sha256(new Uint8Array(0)) : nodo(sql, altura(n), 0, n);

/** The audit path of entry `seq` in the tree of the first `n` entries, from the leaf up. */
export const rutaDe = async (sql: SqlStorage, seq: number, n: number): Promise<Uint8Array[]> => {
	if (!Number.isInteger(seq) || seq < 0 || seq >= n) {
		throw new RangeError(`leaf index ${seq} is outside a tree of ${n}`);
	}
	const ruta: Uint8Array[] = [];
	for (let nivel = 0; Math.ceil(n / 2 ** nivel) > 1; nivel++) {
		const hermano = Math.floor(seq / 2 ** nivel) ^ 1;
		if (hermano < Math.ceil(n / 2 ** nivel)) ruta.push(await nodo(sql, nivel, hermano, n));
	}
	return ruta;
};
