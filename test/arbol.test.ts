import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { agregarHoja, raizDe, rutaDe } from "../src/rifa-room/arbol";
import {
	auditPath,
	fromHex,
	leafHash,
	rootFromAuditPath,
	toHex,
	treeHead,
} from "../src/verificacion/merkle";

/**
 * The room's incremental Merkle tree (src/rifa-room/arbol.ts) against the whole-tree reference
 * (src/verificacion/merkle.ts, itself checked against RFC 9162 in verificacion.test.ts), inside a
 * fresh room: its constructor creates `registro` and `arbol`.
 */
const enSala = <T>(fn: (sql: SqlStorage) => Promise<T>): Promise<T> =>
	runInDurableObject(env.RIFA_ROOM.getByName(`arbol-${crypto.randomUUID()}`), (_i, state) =>
		fn(state.storage.sql),
	);

const b64url = (s: string) => btoa(s).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");

/** A JWS-like string for ledger entry `seq`; what it says does not matter to the tree. */
const jwsDe = (seq: number) =>
	`${b64url('{"alg":"EdDSA","typ":"rifa1122-recibo"}')}.${b64url(JSON.stringify({ seq, numero: (seq * 37) % 100 }))}.firma-${seq}-${"x".repeat(seq % 5)}`;

/** The entry `seq` lands in the ledger already signed (registro is append-only: insert only). */
const registrar = (sql: SqlStorage, seq: number): string => {
	const jws = jwsDe(seq);
	sql.exec(
		"INSERT INTO registro (seq, tipo, ticket_id, datos, jws) VALUES (?, 'venta', ?, '{}', ?)",
		seq,
		`t-${seq}`,
		jws,
	);
	return jws;
};

/** Entries `desde`…`hasta - 1` signed one by one, each added to the tree as the room does. */
const firmarHasta = async (
	sql: SqlStorage,
	hojas: Uint8Array[],
	hasta: number,
	despues?: (n: number) => Promise<void>,
) => {
	for (let seq = hojas.length; seq < hasta; seq++) {
		const jws = registrar(sql, seq);
		await agregarHoja(sql, seq, jws);
		hojas.push(await leafHash(jws));
		await despues?.(seq + 1);
	}
};

const hex = (xs: Uint8Array[]) => xs.map(toHex);

/** A few leaf indices of a tree of n: both ends, the middle, around the largest power of two. */
const indices = (n: number) => {
	let p = 1;
	while (p * 2 < n) p *= 2;
	return [...new Set([0, 1, n >> 1, p - 1, p, n - 2, n - 1, (n * 7 + 3) % n])].filter(
		(k) => k >= 0 && k < n,
	);
};

/** The room's root and paths for the first n entries equal the reference's. */
const comprobar = async (sql: SqlStorage, hojas: Uint8Array[], n: number, ks = indices(n)) => {
	const prefijo = hojas.slice(0, n);
	const raiz = await treeHead(prefijo);
	expect(toHex(await raizDe(sql, n)), `raíz de ${n}`).toBe(toHex(raiz));
	for (const k of ks) {
		const ruta = await rutaDe(sql, k, n);
		expect(hex(ruta), `ruta de ${k} en ${n}`).toEqual(hex(await auditPath(prefijo, k)));
		expect(await rootFromAuditPath(prefijo[k] as Uint8Array, k, n, ruta)).toEqual(raiz);
	}
};

const nodos = (sql: SqlStorage) =>
	sql
		.exec<{ nivel: number; indice: number; hash: ArrayBuffer }>(
			"SELECT nivel, indice, hash FROM arbol ORDER BY nivel, indice",
		)
		.toArray()
		.map((r) => ({ nivel: r.nivel, indice: r.indice, hash: toHex(new Uint8Array(r.hash)) }));

/** Every complete subtree of n leaves, as (nivel, indice): what the table holds once all are signed. */
const completos = (n: number) => {
	const out: string[] = [];
	for (let nivel = 0; 2 ** nivel <= n; nivel++)
		for (let indice = 0; (indice + 1) * 2 ** nivel <= n; indice++) out.push(`${nivel}/${indice}`);
	return out;
};

const claves = (rows: { nivel: number; indice: number }[]) =>
	rows.map((r) => `${r.nivel}/${r.indice}`).sort();

describe("the room's Merkle tree", () => {
	it("gives the reference root and paths for every size from 0 to 70, leaf by leaf", async () => {
		await enSala(async (sql) => {
			expect(toHex(await raizDe(sql, 0))).toBe(toHex(await treeHead([])));
			const hojas: Uint8Array[] = [];
			await firmarHasta(sql, hojas, 71, async (n) => {
				await comprobar(sql, hojas, n);
				// Only complete subtrees are stored, every one of them, and nothing else.
				expect(claves(nodos(sql)), `nodos con ${n}`).toEqual(completos(n).sort());
			});
			// Every path of the last tree.
			await comprobar(
				sql,
				hojas,
				71,
				hojas.map((_, k) => k),
			);
		});
	});

	it("gives the reference root and paths for large ledgers", async () => {
		await enSala(async (sql) => {
			const hojas: Uint8Array[] = [];
			await firmarHasta(sql, hojas, 1030);
			for (const n of [511, 512, 513, 777, 1000, 1023, 1024, 1025, 1030]) {
				await comprobar(sql, hojas, n);
			}
			expect(claves(nodos(sql))).toEqual(completos(1030).sort());
			// A path of a 1,000-entry tree has at most ⌈log2 1000⌉ = 10 hashes.
			expect((await rutaDe(sql, 999, 1000)).length).toBeLessThanOrEqual(10);
		});
	});

	it("keeps a proof for n entries valid as the ledger grows", async () => {
		await enSala(async (sql) => {
			const hojas: Uint8Array[] = [];
			const antes = new Map<number, { raiz: string; rutas: Map<number, string[]> }>();
			let guardados: ReturnType<typeof nodos> = [];
			await firmarHasta(sql, hojas, 70, async (n) => {
				const rutas = new Map<number, string[]>();
				for (const k of indices(n)) rutas.set(k, hex(await rutaDe(sql, k, n)));
				antes.set(n, { raiz: toHex(await raizDe(sql, n)), rutas });
				if (n === 40) guardados = nodos(sql);
			});
			await firmarHasta(sql, hojas, 200);
			for (const [n, { raiz, rutas }] of antes) {
				expect(toHex(await raizDe(sql, n)), `raíz de ${n}`).toBe(raiz);
				for (const [k, ruta] of rutas) {
					expect(hex(await rutaDe(sql, k, n)), `ruta de ${k} en ${n}`).toEqual(ruta);
					// The proof given then still leads from the leaf to the root given then.
					const r = await rootFromAuditPath(hojas[k] as Uint8Array, k, n, ruta.map(fromHex));
					expect(r && toHex(r)).toBe(raiz);
				}
			}
			// A stored node never changes once its subtree is complete.
			const ahora = new Map(nodos(sql).map((r) => [`${r.nivel}/${r.indice}`, r.hash]));
			expect(guardados.length).toBeGreaterThan(0);
			for (const r of guardados) expect(ahora.get(`${r.nivel}/${r.indice}`)).toBe(r.hash);
		});
	});

	it("rebuilds the whole tree from the ledger when its table is empty", async () => {
		await enSala(async (sql) => {
			const hojas: Uint8Array[] = [];
			await firmarHasta(sql, hojas, 100);
			sql.exec("DELETE FROM arbol");
			for (const n of [1, 2, 3, 37, 64, 65, 99, 100]) await comprobar(sql, hojas, n);
			// What it rebuilt is stored, and only complete subtrees.
			const rebuilt = claves(nodos(sql));
			expect(rebuilt.length).toBeGreaterThan(0);
			expect(completos(100)).toEqual(expect.arrayContaining(rebuilt));

			// Entries signed after that still go in, on top of the rebuilt and the missing nodes.
			sql.exec("DELETE FROM arbol");
			await firmarHasta(sql, hojas, 140, (n) => comprobar(sql, hojas, n, [0, n - 1]));
			for (const n of [100, 128, 129, 140]) await comprobar(sql, hojas, n);
		});
	});

	it("rebuilds nodes missing here and there", async () => {
		await enSala(async (sql) => {
			const hojas: Uint8Array[] = [];
			await firmarHasta(sql, hojas, 130);
			const todos = nodos(sql);
			const borrados: [string, string][] = [
				// Some leaves, which only the ledger's entries give back.
				["nivel = 0 AND indice % 7 = 3", "hojas"],
				// Inner nodes across the levels.
				["nivel > 0 AND (nivel + indice) % 3 = 0", "internos"],
				// The tallest ones.
				["nivel >= 5", "altos"],
			];
			for (const [donde, que] of borrados) {
				sql.exec(`DELETE FROM arbol WHERE ${donde}`);
				expect(nodos(sql).length, que).toBeLessThan(todos.length);
				for (const n of [1, 16, 33, 64, 97, 128, 129, 130]) await comprobar(sql, hojas, n);
			}
			// A rebuilt node is the node it replaced.
			const ahora = new Map(nodos(sql).map((r) => [`${r.nivel}/${r.indice}`, r.hash]));
			for (const r of todos) {
				const h = ahora.get(`${r.nivel}/${r.indice}`);
				if (h !== undefined) expect(h, `${r.nivel}/${r.indice}`).toBe(r.hash);
			}
		});
	});

	it("fills in leaves signed but never added (a crash between signing and storing)", async () => {
		await enSala(async (sql) => {
			const hojas: Uint8Array[] = [];
			for (let seq = 0; seq < 90; seq++) {
				const jws = registrar(sql, seq);
				// Every third signature is lost before its leaf is stored.
				if (seq % 3 !== 1) await agregarHoja(sql, seq, jws);
				hojas.push(await leafHash(jws));
			}
			for (const n of [2, 3, 8, 31, 32, 64, 89, 90]) await comprobar(sql, hojas, n);
		});
	});

	it("refuses a tree past the signed entries, and a leaf outside the tree", async () => {
		await enSala(async (sql) => {
			const hojas: Uint8Array[] = [];
			await firmarHasta(sql, hojas, 10);
			await expect(raizDe(sql, 11)).rejects.toThrow(/not signed/);
			await expect(rutaDe(sql, 10, 10)).rejects.toThrow(RangeError);
			await expect(rutaDe(sql, -1, 10)).rejects.toThrow(RangeError);
			await expect(rutaDe(sql, 0, 0)).rejects.toThrow(RangeError);
			// An entry recorded but not signed yet.
			sql.exec(
				"INSERT INTO registro (seq, tipo, ticket_id, datos, jws) VALUES (10, 'venta', 't-10', '{}', NULL)",
			);
			await expect(raizDe(sql, 11)).rejects.toThrow(/not signed/);
			await comprobar(sql, hojas, 10);
		});
	});
});
