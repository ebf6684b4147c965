/**
 * The Merkle tree of a rifa's ledger, as RFC 9162 §2.1 defines it (the hashing Certificate
 * Transparency uses). WebCrypto only, so the Worker, the CLI and a browser share it.
 */

const encoder = new TextEncoder();

export const sha256 = async (bytes: Uint8Array): Promise<Uint8Array> =>
	new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));

const prefixed = (prefix: number, parts: Uint8Array[]) => {
	const out = new Uint8Array(1 + parts.reduce((n, p) => n + p.length, 0));
	out[0] = prefix;
	let at = 1;
	for (const p of parts) {
		out.set(p, at);
		at += p.length;
	}
	return out;
};

/** SHA-256(0x00 ‖ UTF-8(entry)): the hash of one ledger entry (a JWS string). */
export const leafHash = (entry: string): Promise<Uint8Array> =>
	sha256(prefixed(0x00, [encoder.encode(entry)]));

/** SHA-256(0x01 ‖ left ‖ right). */
export const nodeHash = (left: Uint8Array, right: Uint8Array): Promise<Uint8Array> =>
	sha256(prefixed(0x01, [left, right]));

/** SHA-256 (hex) of a text's UTF-8 bytes: how the acta names a winner's receipt. */
export const sha256Hex = async (text: string): Promise<string> =>
	toHex(await sha256(encoder.encode(text)));

export interface ArbolMerkle {
	tamano: number;
	/** The tree head (MTH). */
	raiz: Uint8Array;
	/** The audit path of leaf `index`, from the leaf up (RFC 9162 §2.1.3.1 PATH). */
	ruta(index: number): Uint8Array[];
}

/**
 * Builds every level of the tree from the leaf hashes. Pairing nodes level by level and carrying
 * an odd last node up unchanged gives the same tree as the RFC's split at the largest power of
 * two below n, in n − 1 node hashes; keeping the levels answers any number of audit paths
 * without hashing again.
 */
export const construirArbol = async (leaves: Uint8Array[]): Promise<ArbolMerkle> => {
	const niveles: Uint8Array[][] = [leaves.slice()];
	let actual = niveles[0] ?? [];
	while (actual.length > 1) {
		const pares: Promise<Uint8Array>[] = [];
		for (let i = 0; i + 1 < actual.length; i += 2) {
			pares.push(nodeHash(actual[i] as Uint8Array, actual[i + 1] as Uint8Array));
		}
		const siguiente = await Promise.all(pares);
		if (actual.length % 2 === 1) siguiente.push(actual[actual.length - 1] as Uint8Array);
		niveles.push(siguiente);
		actual = siguiente;
	}
	const raiz = actual[0] ?? (await sha256(new Uint8Array(0)));
	return {
		tamano: leaves.length,
		raiz,
		ruta(index: number) {
			if (!Number.isInteger(index) || index < 0 || index >= leaves.length) {
				throw new RangeError(`leaf index ${index} is outside a tree of ${leaves.length}`);
			}
			const ruta: Uint8Array[] = [];
			let i = index;
			for (const nivel of niveles.slice(0, -1)) {
				const hermano = i % 2 === 1 ? i - 1 : i + 1;
				// The last node of an odd level has no sibling: it is carried up, adding nothing.
				if (hermano < nivel.length) ruta.push(nivel[hermano] as Uint8Array);
				i = Math.floor(i / 2);
			}
			return ruta;
		},
	};
};

/** MTH over leaf hashes; the empty tree's head is SHA-256 of the empty string. */
export const treeHead = async (leaves: Uint8Array[]): Promise<Uint8Array> =>
	(await construirArbol(leaves)).raiz;

export const auditPath = async (leaves: Uint8Array[], index: number): Promise<Uint8Array[]> =>
	(await construirArbol(leaves)).ruta(index);

/**
 * The tree head that an audit path gives for the leaf hash `leaf` at `index` in a tree of
 * `size` leaves (RFC 9162 §2.1.3.2), or null when the path cannot belong to that index and size
 * (wrong length, index out of range). The caller compares the result with the root it trusts.
 */
export const rootFromAuditPath = async (
	leaf: Uint8Array,
	index: number,
	size: number,
	path: Uint8Array[],
): Promise<Uint8Array | null> => {
	if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) {
		return null;
	}
	// Trees here stay far below 2^53 leaves; BigInt keeps the shifts exact past 2^31 anyway.
	let fn = BigInt(index);
	let sn = BigInt(size - 1);
	let r = leaf;
	for (const p of path) {
		if (sn === 0n) return null;
		if ((fn & 1n) === 1n || fn === sn) {
			r = await nodeHash(p, r);
			while ((fn & 1n) === 0n && fn !== 0n) {
				fn >>= 1n;
				sn >>= 1n;
			}
		} else {
			r = await nodeHash(r, p);
		}
		fn >>= 1n;
		sn >>= 1n;
	}
	return sn === 0n ? r : null;
};

export const toHex = (bytes: Uint8Array): string =>
	Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

/** Throws a TypeError unless `hex` is an even number of hex digits. */
export const fromHex = (hex: string): Uint8Array => {
	if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
		throw new TypeError("not a hex string");
	}
	const out = new Uint8Array(hex.length / 2);
	for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
	return out;
};

export const iguales = (a: Uint8Array, b: Uint8Array): boolean =>
	a.length === b.length && a.every((x, i) => x === b[i]);
