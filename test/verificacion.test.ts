import fc from "fast-check";
import { CompactSign, exportJWK } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import {
	calcularPremios,
	type Desglose,
	numeroGanador,
	type PremiosInput,
} from "../src/domain/premios";
import { fuentesPara, parseReglas, type Reglas } from "../src/domain/reglas";
import {
	auditPath,
	construirArbol,
	fromHex,
	leafHash,
	nodeHash,
	rootFromAuditPath,
	sha256Hex,
	toHex,
	treeHead,
} from "../src/verificacion/merkle";
import { numeroDePosicion, posicionesPara } from "../src/verificacion/sorteo";
import {
	type ActaPayload,
	type DesgloseActa,
	esActa,
	esRecibo,
	type Jwk,
	type Jwks,
	type Prueba,
	problemaActa,
	type ReciboPayload,
	type ReglasActa,
	type SelloPayload,
	type SelloRespuesta,
	TYP_ACTA,
	TYP_ANULACION,
	TYP_RECIBO,
	TYP_SELLO,
} from "../src/verificacion/tipos";
import { CHECKS, type Verificacion, verificar } from "../src/verificacion/verificar";

// The acta carries the domain's objects; these fail to compile if the two drift apart.
const _desglose = (d: Desglose): DesgloseActa => d;
const _reglas = (r: Reglas): ReglasActa => r;

const enc = new TextEncoder();

/** MTH and PATH written straight from RFC 9162 §2.1.1 and §2.1.3.1, recursive and unoptimised. */
const sha = async (...parts: (number[] | Uint8Array)[]) => {
	const bytes = parts.flatMap((p) => Array.from(p));
	return new Uint8Array(await crypto.subtle.digest("SHA-256", new Uint8Array(bytes)));
};
const k = (n: number) => {
	let p = 1;
	while (p * 2 < n) p *= 2;
	return p;
};
const mth = async (d: string[]): Promise<Uint8Array> => {
	if (d.length === 0) return sha([]);
	if (d.length === 1) return sha([0], enc.encode(d[0]));
	const s = k(d.length);
	return sha([1], await mth(d.slice(0, s)), await mth(d.slice(s)));
};
const path = async (m: number, d: string[]): Promise<Uint8Array[]> => {
	if (d.length === 1) return [];
	const s = k(d.length);
	return m < s
		? [...(await path(m, d.slice(0, s))), await mth(d.slice(s))]
		: [...(await path(m - s, d.slice(s))), await mth(d.slice(0, s))];
};

const entradas = (n: number) => Array.from({ length: n }, (_, i) => `entrada ${i} ñ`);

describe("Merkle tree (RFC 9162 §2.1)", () => {
	it("hashes leaves and nodes with the 0x00 / 0x01 prefixes", async () => {
		expect(toHex(await leafHash(""))).toBe(
			// SHA-256 of the single byte 0x00.
			"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
		);
		const a = await leafHash("a");
		const b = await leafHash("b");
		expect(await nodeHash(a, b)).toEqual(await sha([1], a, b));
		expect(toHex(await treeHead([]))).toBe(
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		);
	});

	it("matches a naive MTH and PATH for trees of 0 to 70 leaves", async () => {
		for (let n = 0; n <= 70; n++) {
			const d = entradas(n);
			const hojas = await Promise.all(d.map(leafHash));
			const head = await treeHead(hojas);
			expect(toHex(head), `n=${n}`).toBe(toHex(await mth(d)));
			if (n === 0) {
				expect(await rootFromAuditPath(await leafHash("x"), 0, 0, [])).toBeNull();
				continue;
			}
			const indices = [...new Set([0, n - 1, Math.floor(n / 2), (n * 7) % n, (n * 13 + 5) % n])];
			for (const m of indices) {
				const p = await auditPath(hojas, m);
				expect(p.map(toHex), `n=${n} m=${m}`).toEqual((await path(m, d)).map(toHex));
				const leaf = hojas[m] as Uint8Array;
				expect(toHex((await rootFromAuditPath(leaf, m, n, p)) ?? new Uint8Array())).toBe(
					toHex(head),
				);
				// A path of the wrong length for this index and size is rejected, not just unequal.
				expect(await rootFromAuditPath(leaf, m, n, [...p, head])).toBeNull();
				if (p.length > 0) expect(await rootFromAuditPath(leaf, m, n, p.slice(1))).toBeNull();
				expect(await rootFromAuditPath(leaf, n, n, p)).toBeNull();
				expect(await rootFromAuditPath(leaf, -1, n, p)).toBeNull();
				// The same path for another leaf or index does not give the head.
				const otra = await rootFromAuditPath(await leafHash("otra"), m, n, p);
				expect(otra && toHex(otra)).not.toBe(toHex(head));
			}
		}
	});

	it("builds a 10,000-leaf tree well under a second, with paths of at most 14 hashes", async () => {
		const hojas = await Promise.all(entradas(10_000).map(leafHash));
		const t0 = performance.now();
		const head = await treeHead(hojas);
		const ruta = await auditPath(hojas, 6_789);
		const ms = performance.now() - t0;
		expect(ms).toBeLessThan(1000);
		expect(ruta.length).toBeLessThanOrEqual(14);
		expect(await rootFromAuditPath(hojas[6_789] as Uint8Array, 6_789, 10_000, ruta)).toEqual(head);

		const arbol = await construirArbol(hojas);
		expect(arbol.raiz).toEqual(head);
		let maximo = 0;
		for (let i = 0; i < 10_000; i++) maximo = Math.max(maximo, arbol.ruta(i).length);
		expect(maximo).toBe(14);
		for (const i of [0, 8_191, 8_192, 9_999]) {
			expect(await rootFromAuditPath(hojas[i] as Uint8Array, i, 10_000, arbol.ruta(i))).toEqual(
				head,
			);
		}
	});

	it("round-trips hex and refuses what is not hex", () => {
		const bytes = new Uint8Array([0, 1, 127, 128, 255]);
		expect(toHex(bytes)).toBe("00017f80ff");
		expect(fromHex("00017F80ff")).toEqual(bytes);
		expect(() => fromHex("abc")).toThrow(TypeError);
		expect(() => fromHex("zz")).toThrow(TypeError);
	});
});

describe("winning numbers, as the domain computes them", () => {
	it("gives the same positions and numbers as src/domain/premios.ts", () => {
		fc.assert(
			fc.property(
				fc.constantFrom(100, 1000, 10000),
				fc.stringMatching(/^\d{4}$/),
				fc.option(fc.stringMatching(/^\d{3}$/)),
				(total, numero, serie) => {
					expect(posicionesPara(total)).toEqual(fuentesPara(total));
					for (const f of fuentesPara(total)) {
						expect(numeroDePosicion(f, { numero, serie }, total)).toBe(
							numeroGanador(f, { numero, serie }, total),
						);
					}
				},
			),
		);
	});
});

// --- Signed fixtures: a 100-number rifa with three winning positions. ---

type Clave = { kid: string; privada: CryptoKey; jwk: Jwk };

const nuevaClave = async (kid: string): Promise<Clave> => {
	const par = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, [
		"sign",
		"verify",
	])) as CryptoKeyPair;
	const { x } = await exportJWK(par.publicKey);
	return {
		kid,
		privada: par.privateKey,
		jwk: { kty: "OKP", crv: "Ed25519", x: x as string, kid, alg: "EdDSA", use: "sig" },
	};
};

const firmar = (clave: Clave, typ: string, payload: unknown) =>
	new CompactSign(enc.encode(JSON.stringify(payload)))
		.setProtectedHeader({ alg: "EdDSA", kid: clave.kid, typ })
		.sign(clave.privada);

const RIFA = "rifa-verificable";
const SELLADO = "2026-03-07T05:00:00.000Z";
const SORTEO = "2026-03-07T23:00:00.000Z";
const RESULTADO = { numero: "3649", serie: "188" };
// 49, 36 and 88 are the winning numbers of 3649 serie 188; 12 is sold then refunded.
const NUMEROS = [49, 12, 36, 88, 7];
const CATEGORIA = {
	valorBoleta: 1_000_000,
	rakeBps: 2500,
	fondoPremios: 75_000_000,
	premioPorGanador: null,
};

interface Libro {
	recibos: string[];
	entradas: string[];
	hojas: Uint8Array[];
	raiz: string;
}

const recibo = (seq: number): ReciboPayload => ({
	v: 1,
	rifa_id: RIFA,
	ticket_id: `t-${NUMEROS[seq]}`,
	numero: NUMEROS[seq] as number,
	precio: 1_000_000,
	comprador: `c${seq}`.padEnd(64, "0"),
	vendido_en: `2026-03-0${seq + 1}T12:00:00.000Z`,
	seq,
});

const libro = async (
	clave: Clave,
	conRecibo: (seq: number) => Clave = () => clave,
): Promise<Libro> => {
	const recibos = await Promise.all(
		NUMEROS.map((_, seq) => firmar(conRecibo(seq), TYP_RECIBO, recibo(seq))),
	);
	const anulacion = await firmar(clave, TYP_ANULACION, {
		v: 1,
		rifa_id: RIFA,
		ticket_id: "t-12",
		anula: 1,
		motivo: "reembolso",
		anulado_en: "2026-03-06T10:00:00.000Z",
		seq: NUMEROS.length,
	});
	const entradas = [...recibos, anulacion];
	const hojas = await Promise.all(entradas.map(leafHash));
	return { recibos, entradas, hojas, raiz: toHex(await treeHead(hojas)) };
};

const prueba = async (l: Libro, seq: number, tamano = l.hojas.length): Promise<Prueba> => {
	const hojas = l.hojas.slice(0, tamano);
	return {
		seq,
		tamano,
		ruta: (await auditPath(hojas, seq)).map(toHex),
		raiz: toHex(await treeHead(hojas)),
	};
};

const selloPayload = (l: Libro, over: Partial<SelloPayload> = {}): SelloPayload => ({
	v: 1,
	rifa_id: RIFA,
	tamano: l.entradas.length,
	raiz: l.raiz,
	vendidos: 4,
	sellado_en: SELLADO,
	fecha_sorteo: SORTEO,
	...over,
});

const sello = async (clave: Clave, payload: SelloPayload): Promise<SelloRespuesta> => ({
	sello: await firmar(clave, TYP_SELLO, payload),
	tamano: payload.tamano,
	raiz: payload.raiz,
	vendidos: payload.vendidos,
	sellado_en: payload.sellado_en,
});

/** The acta from the domain's own settlement of this ledger. */
const actaPayload = async (
	l: Libro,
	over: { reglas?: Partial<Reglas>; numeros?: number[]; resultado?: typeof RESULTADO } = {},
): Promise<ActaPayload> => {
	const reglas = parseReglas(over.reglas ?? {});
	const numeros = over.numeros ?? NUMEROS.filter((n) => n !== 12);
	const input: PremiosInput = {
		totalBoletas: 100,
		numeroGanadores: 3,
		reglas,
		categoria: CATEGORIA,
		vendidos: numeros.map((numero) => ({ numero, ticketId: `t-${numero}` })),
		resultado: over.resultado ?? RESULTADO,
	};
	const { ganadores, desglose } = calcularPremios(input);
	const reciboDe = (ticket: string) => l.recibos[NUMEROS.indexOf(Number(ticket.slice(2)))] ?? "";
	return {
		v: 1,
		rifa_id: RIFA,
		sello: { raiz: l.raiz, tamano: l.entradas.length },
		resultado: {
			...(over.resultado ?? RESULTADO),
			fecha: "2026-03-07",
			fuentes: [
				{
					fuente: "resultadosloterias",
					evidencia_sha256: await sha256Hex("documento"),
					observado_en: "2026-03-07T23:30:00.000Z",
				},
				{ fuente: "webhook", evidencia_sha256: null },
			],
		},
		reglas,
		total_boletas: 100,
		numero_ganadores: 3,
		ganadores: await Promise.all(
			ganadores.map(async (g) => ({
				posicion: g.posicion,
				numero: g.numero,
				ticket_id: g.ticketId,
				recibo_sha256: await sha256Hex(reciboDe(g.ticketId)),
				monto: g.monto,
			})),
		),
		premios: desglose,
		emitido_en: "2026-03-08T00:00:00.000Z",
	};
};

/** Changes one character of the JWS's payload to another valid base64url character. */
const alterar = (jws: string) => {
	const [h, p = "", s] = jws.split(".");
	const i = Math.floor(p.length / 2);
	const c = p[i] === "A" ? "B" : "A";
	return [h, p.slice(0, i) + c + p.slice(i + 1), s].join(".");
};

const primeraFalla = (v: Verificacion) => v.checks.find((c) => c.estado === "falla")?.id;
const estado = (v: Verificacion, id: string) => v.checks.find((c) => c.id === id)?.estado;

let actual: Clave;
let anterior: Clave;
let jwks: Jwks;
let l: Libro;
let selloOk: SelloRespuesta;
let actaOk: string;

beforeAll(async () => {
	actual = await nuevaClave("2026-03");
	anterior = await nuevaClave("2026-01");
	jwks = { keys: [actual.jwk, anterior.jwk] };
	l = await libro(actual);
	selloOk = await sello(actual, selloPayload(l));
	actaOk = await firmar(actual, TYP_ACTA, await actaPayload(l));
});

describe("verificar", () => {
	it("accepts a genuine winning receipt with its proof, seal and acta", async () => {
		const v = await verificar({
			recibo: l.recibos[0] as string,
			jwks,
			prueba: await prueba(l, 0),
			sello: selloOk,
			acta: actaOk,
		});
		expect(v.checks.filter((c) => c.estado !== "ok")).toEqual([]);
		expect(v.valido).toBe(true);
		expect(v.checks.map((c) => c.id)).toEqual(CHECKS.map((c) => c.id));
		expect(v.checks.find((c) => c.id === "acta.recibo")?.detalle).toBe(
			"Su boleta 49 ganó: posición 1, $250.000",
		);
		expect(v.checks.find((c) => c.id === "acta.ganadores")?.detalle).toContain(
			"Posición 3 (últimas 2 cifras de la serie): 88 → boleta 88",
		);
	});

	it("accepts a genuine receipt that did not win, and one refunded after it was sold", async () => {
		for (const seq of [4, 1]) {
			const v = await verificar({
				recibo: l.recibos[seq] as string,
				jwks,
				prueba: await prueba(l, seq),
				sello: selloOk,
				acta: actaOk,
			});
			expect(primeraFalla(v)).toBeUndefined();
			expect(v.checks.find((c) => c.id === "acta.recibo")?.detalle).toMatch(/no ganó$/);
		}
	});

	it("keeps a receipt valid with seal and acta pending before the rifa is sealed", async () => {
		const v = await verificar({
			recibo: l.recibos[2] as string,
			jwks,
			prueba: await prueba(l, 2, 4),
		});
		expect(v.valido).toBe(true);
		expect(v.checks.filter((c) => c.estado === "pendiente").map((c) => c.id)).toEqual(
			CHECKS.map((c) => c.id).filter((id) => id.startsWith("sello.") || id.startsWith("acta.")),
		);
		const soloRecibo = await verificar({ recibo: l.recibos[2] as string, jwks });
		expect(soloRecibo.valido).toBe(true);
		expect(estado(soloRecibo, "prueba.inclusion")).toBe("pendiente");
	});

	it("fails a receipt with one payload byte changed", async () => {
		const v = await verificar({
			recibo: alterar(l.recibos[0] as string),
			jwks,
			prueba: await prueba(l, 0),
			sello: selloOk,
			acta: actaOk,
		});
		expect(v.valido).toBe(false);
		expect(primeraFalla(v)).toBe("recibo.firma");
		expect(estado(v, "prueba.inclusion")).toBe("falla");
	});

	it("fails a proof with one hash changed, or for another position", async () => {
		const p = await prueba(l, 3);
		const h = p.ruta[1] as string;
		const tocada = { ...p, ruta: p.ruta.with(1, (h[0] === "0" ? "1" : "0") + h.slice(1)) };
		const v = await verificar({
			recibo: l.recibos[3] as string,
			jwks,
			prueba: tocada,
			sello: selloOk,
		});
		expect(primeraFalla(v)).toBe("prueba.inclusion");

		const otra = await verificar({
			recibo: l.recibos[3] as string,
			jwks,
			prueba: await prueba(l, 2),
		});
		expect(primeraFalla(otra)).toBe("prueba.inclusion");
		const corta = await verificar({
			recibo: l.recibos[3] as string,
			jwks,
			prueba: { ...p, ruta: p.ruta.slice(1) },
		});
		expect(corta.checks.find((c) => c.id === "prueba.inclusion")?.detalle).toMatch(/no sirve/);
	});

	it("fails a proof against the tree before the seal once there is a seal", async () => {
		const v = await verificar({
			recibo: l.recibos[0] as string,
			jwks,
			prueba: await prueba(l, 0, 3),
			sello: selloOk,
		});
		expect(estado(v, "prueba.inclusion")).toBe("ok");
		expect(primeraFalla(v)).toBe("sello.raiz");
	});

	it("fails a tampered seal, and a seal answer that does not match its signed payload", async () => {
		const base = { recibo: l.recibos[0] as string, jwks, prueba: await prueba(l, 0), acta: actaOk };
		const v = await verificar({ ...base, sello: { ...selloOk, sello: alterar(selloOk.sello) } });
		expect(primeraFalla(v)).toBe("sello.firma");
		const w = await verificar({ ...base, sello: { ...selloOk, vendidos: 5 } });
		expect(primeraFalla(w)).toBe("sello.contenido");
		const otraRifa = await verificar({
			...base,
			sello: await sello(actual, selloPayload(l, { rifa_id: "otra" })),
		});
		expect(primeraFalla(otraRifa)).toBe("sello.rifa");
	});

	it("fails a seal made at or after the draw", async () => {
		for (const sellado_en of [SORTEO, "2026-03-08T01:00:00.000Z"]) {
			const v = await verificar({
				recibo: l.recibos[0] as string,
				jwks,
				prueba: await prueba(l, 0),
				sello: await sello(actual, selloPayload(l, { sellado_en })),
			});
			expect(primeraFalla(v)).toBe("sello.antes_del_sorteo");
		}
	});

	it("fails an acta whose winner does not follow from the result", async () => {
		const a = await actaPayload(l);
		const [g1, g2] = a.ganadores;
		// Position 1 (last two digits, 49) handed to the 36 ticket.
		const falsa = { ...a, ganadores: [{ ...g2, posicion: 1 }, ...a.ganadores.slice(1)] };
		const v = await verificar({
			recibo: l.recibos[0] as string,
			jwks,
			prueba: await prueba(l, 0),
			sello: selloOk,
			acta: await firmar(actual, TYP_ACTA, falsa),
		});
		expect(primeraFalla(v)).toBe("acta.ganadores");
		expect(estado(v, "acta.recibo")).toBe("falla");

		// A result that makes 12 the winner, while the breakdown still names 49's numbers.
		const otroResultado = { ...a, resultado: { ...a.resultado, numero: "3612" } };
		const w = await verificar({
			recibo: l.recibos[4] as string,
			jwks,
			acta: await firmar(actual, TYP_ACTA, otroResultado),
		});
		expect(primeraFalla(w)).toBe("acta.ganadores");

		// The numbers add up but position 1 names another ticket with number 49: the genuine 49
		// receipt shows it.
		const suplantada = {
			...a,
			ganadores: [
				{ ...(g1 as (typeof a.ganadores)[0]), ticket_id: "t-falsa" },
				...a.ganadores.slice(1),
			],
		};
		const x = await verificar({
			recibo: l.recibos[0] as string,
			jwks,
			prueba: await prueba(l, 0),
			sello: selloOk,
			acta: await firmar(actual, TYP_ACTA, suplantada),
		});
		expect(primeraFalla(x)).toBe("acta.recibo");
		expect(x.checks.find((c) => c.id === "acta.recibo")?.detalle).toContain(
			"Su número 49 salió en la posición 1",
		);
	});

	it("checks the nearest sold number under mas_cercano", async () => {
		// 49 unsold: 48 and 50 are both one away and the lower one wins.
		const numeros = [48, 50, 36, 88];
		const a = await actaPayload(l, { reglas: { numero_no_vendido: "mas_cercano" }, numeros });
		expect(a.ganadores[0]?.numero).toBe(48);
		const recibo50 = await firmar(actual, TYP_RECIBO, {
			...recibo(0),
			numero: 50,
			ticket_id: "t-50",
		});
		const ok = await verificar({ recibo: recibo50, jwks, acta: await firmar(actual, TYP_ACTA, a) });
		expect(primeraFalla(ok)).toBeUndefined();

		const lejos = {
			...a,
			ganadores: a.ganadores.map((g) => (g.posicion === 1 ? { ...g, numero: 45 } : g)),
		};
		const v = await verificar({
			recibo: recibo50,
			jwks,
			acta: await firmar(actual, TYP_ACTA, lejos),
		});
		expect(estado(v, "acta.ganadores")).toBe("ok");
		expect(primeraFalla(v)).toBe("acta.recibo");
	});

	it("fails an acta that cites another seal or was observed before the seal", async () => {
		const a = await actaPayload(l);
		const base = {
			recibo: l.recibos[0] as string,
			jwks,
			prueba: await prueba(l, 0),
			sello: selloOk,
		};
		const v = await verificar({
			...base,
			acta: await firmar(actual, TYP_ACTA, { ...a, sello: { ...a.sello, tamano: 5 } }),
		});
		expect(primeraFalla(v)).toBe("acta.sello");
		const fuentes = [{ ...a.resultado.fuentes[0], observado_en: "2026-03-07T04:59:00.000Z" }];
		const w = await verificar({
			...base,
			acta: await firmar(actual, TYP_ACTA, { ...a, resultado: { ...a.resultado, fuentes } }),
		});
		expect(primeraFalla(w)).toBe("acta.sello");
		const x = await verificar({ ...base, acta: alterar(actaOk) });
		expect(primeraFalla(x)).toBe("acta.firma");
	});

	it("fails a receipt signed by a key that is not published, or not by the kid it names", async () => {
		const ajena = await nuevaClave("no-publicada");
		const v = await verificar({
			recibo: await firmar(ajena, TYP_RECIBO, recibo(0)),
			jwks,
		});
		expect(primeraFalla(v)).toBe("recibo.firma");
		expect(v.checks[0]?.detalle).toContain("no-publicada");
		const suplanta = await nuevaClave(actual.kid);
		const w = await verificar({ recibo: await firmar(suplanta, TYP_RECIBO, recibo(0)), jwks });
		expect(primeraFalla(w)).toBe("recibo.firma");
	});

	it("fails a seal or an acta handed in as a receipt", async () => {
		for (const jws of [selloOk.sello, actaOk]) {
			const v = await verificar({ recibo: jws, jwks });
			expect(primeraFalla(v)).toBe("recibo.firma");
			expect(v.checks[0]?.detalle).toContain("typ");
		}
	});

	it("keeps receipts signed before a key rotation valid", async () => {
		// Receipts 0-2 were signed with the old key; the seal and acta with the new one.
		const rotado = await libro(actual, (seq) => (seq < 3 ? anterior : actual));
		const v = await verificar({
			recibo: rotado.recibos[0] as string,
			jwks,
			prueba: await prueba(rotado, 0),
			sello: await sello(actual, selloPayload(rotado)),
			acta: await firmar(actual, TYP_ACTA, await actaPayload(rotado)),
		});
		expect(primeraFalla(v)).toBeUndefined();
		expect(v.checks[0]?.detalle).toContain(anterior.kid);
		// Once the old key is no longer published, its receipts no longer verify.
		const sinAnterior = await verificar({
			recibo: rotado.recibos[0] as string,
			jwks: { keys: [actual.jwk] },
		});
		expect(primeraFalla(sinAnterior)).toBe("recibo.firma");
	});
});

describe("payload guards", () => {
	it("accept the fixtures and name the first bad field", async () => {
		const a = await actaPayload(l);
		expect(esActa(a)).toBe(true);
		expect(esRecibo(recibo(0))).toBe(true);
		expect(esRecibo({ ...recibo(0), v: 2 })).toBe(false);
		expect(problemaActa({ ...a, resultado: { ...a.resultado, numero: "649" } })).toBe(
			"resultado.numero",
		);
		expect(problemaActa({ ...a, ganadores: [{ ...a.ganadores[0], monto: -1 }] })).toBe(
			"ganadores[0].monto",
		);
		expect(problemaActa({ ...a, reglas: { ...a.reglas, numero_no_vendido: "otro" } })).toBe(
			"reglas.numero_no_vendido",
		);
	});
});
