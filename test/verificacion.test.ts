import fc from "fast-check";
import { CompactSign, exportJWK } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import {
	calcularPremios,
	type Desglose,
	DIGITOS,
	entradaDe,
	type Fuente,
	fuentesPara,
	type PremiosInput,
	repartoDe,
} from "../src/domain/premios";
import { parseReglas, type Reglas } from "../src/domain/reglas";
import { problemasResultado } from "../src/verificacion/acta";
import { auditar } from "../src/verificacion/auditoria";
import { definicionSha256 } from "../src/verificacion/definicion";
import {
	esActa,
	esRecibo,
	esSello,
	problemaActa,
	problemaDefinicion,
	problemaJwks,
	problemaRecibo,
	problemaSello,
} from "../src/verificacion/guardas";
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
import {
	type ActaPayload,
	type Definicion,
	type DesgloseActa,
	type GanadorActa,
	type Jwk,
	type Jwks,
	type ObservacionActa,
	type Prueba,
	type ReciboPayload,
	type ReglasDefinicion,
	type SelloPayload,
	type SelloRespuesta,
	TYP_ACTA,
	TYP_ANULACION,
	TYP_RECIBO,
	TYP_SELLO,
} from "../src/verificacion/tipos";
import { CHECKS, type Verificacion, verificar } from "../src/verificacion/verificar";

// The acta and the definition carry the domain's objects; these fail to compile if they drift apart.
const _desglose = (d: Desglose): DesgloseActa => d;
const _reglas = (r: Reglas): ReglasDefinicion => r;

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

describe("prize positions, as settlement computes them", () => {
	it("repartoDe gives calcularPremios' positions, winning numbers and amounts", () => {
		fc.assert(
			fc.property(
				fc.constantFrom(100, 1000, 10000),
				fc.integer({ min: 1, max: 3 }),
				fc.stringMatching(/^\d{4}$/),
				fc.option(fc.stringMatching(/^\d{3}$/)),
				fc.constantFrom("fijo" as const, "proporcional" as const),
				fc.option(fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 3, maxLength: 3 })),
				fc.constantFrom("casa" as const, "acumula" as const, "mas_cercano" as const),
				fc.uniqueArray(fc.integer({ min: 0, max: 9_999 }), { maxLength: 40 }),
				fc.integer({ min: 0, max: 5_000_000 }),
				(total, g, numero, serie, base, bps, noVendido, numeros, acumulado) => {
					const numeroGanadores = Math.min(g, fuentesPara(total).length);
					const pesos = bps?.slice(0, numeroGanadores);
					const vendidos = numeros
						.filter((n) => n < total)
						.map((n) => ({ numero: n, ticketId: `t-${n}` }));
					const input: PremiosInput = {
						totalBoletas: total,
						numeroGanadores,
						reglas: {
							base_premio: base,
							reparto_bps: pesos?.some((p) => p > 0) ? pesos : null,
							numero_no_vendido: noVendido,
						},
						categoria: {
							valorBoleta: 500_000,
							rakeBps: 2_000,
							fondoPremios: base === "fijo" ? 10_000_001 : null,
							premioPorGanador: null,
						},
						vendidos,
						resultado: { numero, serie },
						acumuladoRecibido: acumulado,
					};
					const reparto = repartoDe(input, vendidos.length);
					const { ganadores, desglose } = calcularPremios(input);

					// Each position's number, written from the rules: the número's last k digits, its
					// first k, the serie's last k.
					const k = DIGITOS[total] as number;
					const esperado: Record<Fuente, number | null> = {
						ultimas: Number(numero.slice(-k)),
						primeras: Number(numero.slice(0, k)),
						serie: serie === null ? null : Number(serie.slice(-k)),
					};
					expect(reparto.posiciones.map((p) => p.fuente)).toEqual(
						fuentesPara(total).slice(0, numeroGanadores),
					);
					for (const p of reparto.posiciones) expect(p.numeroGanador).toBe(esperado[p.fuente]);

					expect(
						desglose.por_posicion.map((p) => ({
							posicion: p.posicion,
							fuente: p.fuente,
							numeroGanador: p.numero_ganador,
							monto: p.monto,
						})),
					).toEqual(reparto.posiciones);
					expect(desglose).toMatchObject({
						ventas: reparto.ventas,
						rake: reparto.rake,
						fondo: reparto.fondo,
						acumulado_recibido: acumulado,
					});
					// Every centavo of the fund and the pot goes somewhere, once.
					const enJuego = reparto.fondo + acumulado;
					expect(reparto.posiciones.reduce((s, p) => s + p.monto, 0)).toBe(enJuego);
					expect(desglose.premios + desglose.casa + desglose.acumula).toBe(enJuego);

					expect(ganadores.map((w) => w.posicion)).toEqual(
						desglose.por_posicion.filter((p) => p.destino === "ganador").map((p) => p.posicion),
					);
					for (const w of ganadores) {
						const p = reparto.posiciones[w.posicion - 1];
						expect(w).toMatchObject({ monto: p?.monto, numeroGanador: p?.numeroGanador });
						if (!w.porCercania) expect(w.numero).toBe(p?.numeroGanador);
						expect(vendidos).toContainEqual({ numero: w.numero, ticketId: w.ticketId });
					}
					if (noVendido === "mas_cercano" && vendidos.length > 0)
						expect(ganadores.length).toBe(
							reparto.posiciones.filter((p) => p.numeroGanador !== null).length,
						);
				},
			),
		);
	});
});

// --- Signed fixtures: a 100-number rifa with three winning positions. ---

type Clave = { kid: string; privada: CryptoKey; jwk: Jwk };

const nuevaClave = async (kid: string, desde: string, hasta?: string): Promise<Clave> => {
	const par = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, [
		"sign",
		"verify",
	])) as CryptoKeyPair;
	const { x } = await exportJWK(par.publicKey);
	return {
		kid,
		privada: par.privateKey,
		jwk: {
			kty: "OKP",
			crv: "Ed25519",
			x: x as string,
			kid,
			alg: "EdDSA",
			use: "sig",
			desde,
			...(hasta ? { hasta } : {}),
		},
	};
};

const firmar = (clave: Clave, typ: string, payload: unknown) =>
	new CompactSign(enc.encode(JSON.stringify(payload)))
		.setProtectedHeader({ alg: "EdDSA", kid: clave.kid, typ })
		.sign(clave.privada);

const RIFA = "rifa-verificable";
// The platform rotated its key during the sales: the first two receipts carry the old one.
const ROTACION = "2026-03-03T00:00:00.000Z";
const ANULADO = "2026-03-06T10:00:00.000Z";
const SELLADO = "2026-03-07T05:00:00.000Z";
// 18:00 in Colombia on 7 March.
const SORTEO = "2026-03-07T23:00:00.000Z";
const FECHA = "2026-03-07";
const CONFIRMADO = "2026-03-07T23:25:00.000Z";
const EMITIDO = "2026-03-08T00:00:00.000Z";
const RESULTADO = { numero: "3649", serie: "188" };
// 49, 36 and 88 are the winning numbers of 3649 serie 188; 12 is sold then refunded.
const NUMEROS = [49, 12, 36, 88, 7];
const FONDO = 75_000_000;

const vendidoEn = (seq: number) => `2026-03-0${seq + 1}T12:00:00.000Z`;

const definicion = (reglas: Partial<Reglas> = {}, over: Partial<Definicion> = {}): Definicion => ({
	v: 1,
	rifa_id: RIFA,
	categoria_id: "categoria-plata",
	loteria: {
		id: "loteria-de-bogota",
		fuentes: ["admin", "resultadosloterias", "webhook"],
		fuentes_requeridas: 2,
	},
	fecha_sorteo: SORTEO,
	total_boletas: 100,
	valor_boleta: 1_000_000,
	numero_ganadores: 3,
	reglas: parseReglas(reglas),
	promesa: { rake_bps: 2500, fondo_premios: FONDO, premio_por_ganador: null },
	premio_garantizado: false,
	...over,
});

let actual: Clave;
let anterior: Clave;
let jwks: Jwks;

/** The key in force at an instant: the retired one before the rotation, the current one after. */
const claveEn = (instante: string) =>
	Date.parse(instante) < Date.parse(ROTACION) ? anterior : actual;

interface Libro {
	definicion: Definicion;
	definicionSha256: string;
	/** The number of each sale, by ledger position. */
	numeros: number[];
	/** The receipts, by ledger position (sales come first). */
	recibos: string[];
	/** Every ledger entry: the receipts, then the annulment if any. */
	entradas: string[];
	hojas: Uint8Array[];
	raiz: string;
	/** The sealed tickets: sold and not annulled. */
	vendidos: { numero: number; ticketId: string }[];
}

const reciboPayload = (seq: number, numero: number, definicionSha: string): ReciboPayload => ({
	v: 2,
	rifa_id: RIFA,
	ticket_id: `t-${numero}`,
	numero,
	precio: 1_000_000,
	comprador: `c${seq}`.padEnd(64, "0"),
	vendido_en: vendidoEn(seq),
	seq,
	definicion_sha256: definicionSha,
});

const libro = async ({
	numeros = NUMEROS,
	def = definicion(),
	anula = 12 as number | null,
}: {
	numeros?: number[];
	def?: Definicion;
	anula?: number | null;
} = {}): Promise<Libro> => {
	const definicionSha = await definicionSha256(def);
	const recibos = await Promise.all(
		numeros.map((n, seq) =>
			firmar(claveEn(vendidoEn(seq)), TYP_RECIBO, reciboPayload(seq, n, definicionSha)),
		),
	);
	const entradas = [...recibos];
	if (anula !== null) {
		entradas.push(
			await firmar(claveEn(ANULADO), TYP_ANULACION, {
				v: 1,
				rifa_id: RIFA,
				ticket_id: `t-${anula}`,
				anula: numeros.indexOf(anula),
				motivo: "reembolso",
				anulado_en: ANULADO,
				seq: numeros.length,
			}),
		);
	}
	const hojas = await Promise.all(entradas.map(leafHash));
	return {
		definicion: def,
		definicionSha256: definicionSha,
		numeros,
		recibos,
		entradas,
		hojas,
		raiz: toHex(await treeHead(hojas)),
		vendidos: numeros
			.filter((n) => n !== anula)
			.map((numero) => ({ numero, ticketId: `t-${numero}` })),
	};
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
	v: 2,
	rifa_id: RIFA,
	tamano: l.entradas.length,
	raiz: l.raiz,
	vendidos: l.vendidos.length,
	sellado_en: SELLADO,
	fecha_sorteo: SORTEO,
	definicion: l.definicion,
	definicion_sha256: l.definicionSha256,
	...over,
});

const sello = async (payload: SelloPayload, clave = actual): Promise<SelloRespuesta> => ({
	sello: await firmar(clave, TYP_SELLO, payload),
	tamano: payload.tamano,
	raiz: payload.raiz,
	vendidos: payload.vendidos,
	sellado_en: payload.sellado_en,
	definicion_sha256: payload.definicion_sha256,
	definicion: payload.definicion,
});

type Res = { numero: string; serie: string | null };

/** Two of the loteria's sources report the draw after it took place, and agree. */
const observaciones = async (r: Res): Promise<ObservacionActa[]> => [
	{
		fuente: "resultadosloterias",
		observador: null,
		...r,
		observado_en: "2026-03-07T23:20:00.000Z",
		evidencia_sha256: await sha256Hex("boletín oficial"),
	},
	{
		fuente: "webhook",
		observador: null,
		...r,
		observado_en: CONFIRMADO,
		evidencia_sha256: await sha256Hex("mensaje del webhook"),
	},
];

/** Position `posicion` of the acta given to the ticket sold with `numero`, with its receipt and path. */
const ganadorActa = async (
	l: Libro,
	posicion: number,
	numero: number,
	monto: number,
): Promise<GanadorActa> => {
	const seq = l.numeros.indexOf(numero);
	const recibo = l.recibos[seq] as string;
	return {
		posicion,
		numero,
		ticket_id: `t-${numero}`,
		recibo,
		recibo_sha256: await sha256Hex(recibo),
		seq,
		ruta: (await auditPath(l.hojas, seq)).map(toHex),
		monto,
	};
};

/**
 * The acta of the domain's own settlement of the sealed tickets. `calculo`: the definition the
 * winners are computed with (the sealed one unless given); `observado`: what the sources said
 * (the result unless given).
 */
const actaPayload = async (
	l: Libro,
	o: { calculo?: Definicion; resultado?: Res; observado?: Res } = {},
): Promise<ActaPayload> => {
	const resultado = o.resultado ?? RESULTADO;
	const calculo = o.calculo ?? l.definicion;
	const { ganadores, desglose } = calcularPremios({
		...entradaDe(calculo, resultado, 0),
		vendidos: l.vendidos,
	});
	return {
		v: 2,
		rifa_id: RIFA,
		definicion: l.definicion,
		definicion_sha256: l.definicionSha256,
		sello: { raiz: l.raiz, tamano: l.entradas.length, sellado_en: SELLADO },
		sorteo: { fecha: FECHA, instante: SORTEO, movimiento: null },
		resultado: {
			...resultado,
			fecha: FECHA,
			confirmado_por: "quorum",
			confirmado_en: CONFIRMADO,
			observaciones: await observaciones(o.observado ?? resultado),
			resolucion: null,
		},
		acumulado: [],
		ganadores: await Promise.all(
			ganadores.map((g) => ganadorActa(l, g.posicion, g.numero, g.monto)),
		),
		// As settlement stores it: the breakdown, where the pot goes and the promise sold under.
		premios: {
			...desglose,
			acumula_a: null,
			promesa: {
				valor_boleta: calculo.valor_boleta,
				rake_bps: calculo.promesa.rake_bps,
				fondo_premios: calculo.promesa.fondo_premios,
				premio_por_ganador: calculo.promesa.premio_por_ganador,
			},
		},
		emitido_en: EMITIDO,
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
const fallas = (v: Verificacion) => v.checks.filter((c) => c.estado === "falla").map((c) => c.id);
const check = (v: Verificacion, id: string) => v.checks.find((c) => c.id === id);
const estado = (v: Verificacion, id: string) => check(v, id)?.estado;
const detalle = (v: Verificacion, id: string) => check(v, id)?.detalle ?? "";

let l: Libro;
let selloOk: SelloRespuesta;
let actaOkPayload: ActaPayload;
let actaOk: string;

beforeAll(async () => {
	anterior = await nuevaClave("2025-01", "2025-01-01T00:00:00.000Z", ROTACION);
	actual = await nuevaClave("2026-03", ROTACION);
	jwks = { keys: [actual.jwk, anterior.jwk] };
	l = await libro();
	selloOk = await sello(selloPayload(l));
	actaOkPayload = await actaPayload(l);
	actaOk = await firmar(actual, TYP_ACTA, actaOkPayload);
});

/** What a player with receipt `seq` of the genuine rifa hands in, whole. */
const completo = async (seq: number) => ({
	recibo: l.recibos[seq] as string,
	jwks,
	prueba: await prueba(l, seq),
	sello: selloOk,
	acta: actaOk,
});

describe("verificar", () => {
	it("accepts a genuine winning receipt with its proof, seal and acta", async () => {
		const v = await verificar(await completo(0));
		expect(v.checks.filter((c) => c.estado !== "ok")).toEqual([]);
		expect(v.valido).toBe(true);
		expect(v.checks.map((c) => c.id)).toEqual(
			CHECKS.map((c) => c.id).filter((id) => !id.startsWith("registro.")),
		);
		expect(detalle(v, "acta.recibo")).toMatch(/ganó: posición 1, \$250\.000/);
		expect(actaOkPayload.ganadores.map((g) => [g.posicion, g.numero, g.monto])).toEqual([
			[1, 49, 25_000_000],
			[2, 36, 25_000_000],
			[3, 88, 25_000_000],
		]);
	});

	it("accepts a genuine receipt that did not win, and one refunded after it was sold", async () => {
		for (const seq of [4, 1]) {
			const v = await verificar(await completo(seq));
			expect(fallas(v)).toEqual([]);
			expect(detalle(v, "acta.recibo")).toMatch(/no ganó$/);
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

	it("fails a receipt with no proof once the rifa is sealed", async () => {
		const v = await verificar({ recibo: l.recibos[2] as string, jwks, sello: selloOk });
		expect(v.valido).toBe(false);
		expect(primeraFalla(v)).toBe("prueba.inclusion");
		expect(estado(v, "sello.raiz")).toBe("falla");
	});

	it("fails a receipt with one payload byte changed", async () => {
		const v = await verificar({ ...(await completo(0)), recibo: alterar(l.recibos[0] as string) });
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
		expect(estado(v, "sello.raiz")).toBe("falla");

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
		expect(detalle(corta, "prueba.inclusion")).toMatch(/no sirve/);
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

	it("fails a receipt sold after the seal, even with a good proof", async () => {
		const tardio = await firmar(actual, TYP_RECIBO, {
			...reciboPayload(l.entradas.length, 55, l.definicionSha256),
			vendido_en: "2026-03-07T06:00:00.000Z",
		});
		const hojas = [...l.hojas, await leafHash(tardio)];
		const v = await verificar({
			recibo: tardio,
			jwks,
			prueba: {
				seq: l.entradas.length,
				tamano: hojas.length,
				ruta: (await auditPath(hojas, l.entradas.length)).map(toHex),
				raiz: toHex(await treeHead(hojas)),
			},
			sello: selloOk,
		});
		expect(estado(v, "prueba.inclusion")).toBe("ok");
		expect(primeraFalla(v)).toBe("sello.raiz");
		expect(detalle(v, "sello.raiz")).toMatch(/después del sello/);
	});

	it("fails a receipt bought under other rules than the sealed ones", async () => {
		// The same ledger, sealed with a changed rule (and the hash of the changed definition).
		const cambiada = definicion({ numero_no_vendido: "mas_cercano" });
		const otroSello = await sello(
			selloPayload(l, {
				definicion: cambiada,
				definicion_sha256: await definicionSha256(cambiada),
			}),
		);
		const v = await verificar({ ...(await completo(0)), sello: otroSello });
		expect(estado(v, "sello.contenido")).toBe("ok");
		expect(primeraFalla(v)).toBe("sello.definicion");
		// The acta was computed with the rules the receipts name, not the sealed ones.
		expect(estado(v, "acta.sello")).toBe("falla");
	});

	it("fails a tampered seal, and a seal answer that does not match its signed payload", async () => {
		const base = await completo(0);
		const v = await verificar({ ...base, sello: { ...selloOk, sello: alterar(selloOk.sello) } });
		expect(primeraFalla(v)).toBe("sello.firma");
		const w = await verificar({ ...base, sello: { ...selloOk, vendidos: 5 } });
		expect(primeraFalla(w)).toBe("sello.contenido");
		expect(detalle(w, "sello.contenido")).toContain("vendidos");
		const otraDefinicion = await verificar({
			...base,
			sello: { ...selloOk, definicion: definicion({ numero_no_vendido: "acumula" }) },
		});
		expect(primeraFalla(otraDefinicion)).toBe("sello.contenido");
		expect(detalle(otraDefinicion, "sello.contenido")).toContain("definicion");
		// Signed, but the hash it names is not its definition's.
		const malHash = await verificar({
			...base,
			sello: await sello(selloPayload(l, { definicion_sha256: await sha256Hex("otra cosa") })),
		});
		expect(primeraFalla(malHash)).toBe("sello.contenido");
		const otraRifa = definicion({}, { rifa_id: "otra" });
		const x = await verificar({
			...base,
			sello: await sello(
				selloPayload(l, {
					rifa_id: "otra",
					definicion: otraRifa,
					definicion_sha256: await definicionSha256(otraRifa),
				}),
			),
		});
		expect(primeraFalla(x)).toBe("sello.rifa");
	});

	it("fails a seal made at or after the draw", async () => {
		for (const sellado_en of [SORTEO, "2026-03-08T01:00:00.000Z"]) {
			const v = await verificar({
				recibo: l.recibos[0] as string,
				jwks,
				prueba: await prueba(l, 0),
				sello: await sello(selloPayload(l, { sellado_en })),
			});
			expect(primeraFalla(v)).toBe("sello.antes_del_sorteo");
		}
	});

	it("fails an acta whose winner does not follow from the result", async () => {
		const a = actaOkPayload;
		const g2 = a.ganadores[1] as GanadorActa;
		// Position 1 (last two digits, 49) handed to the 36 ticket, with its genuine receipt.
		const falsa = { ...a, ganadores: [{ ...g2, posicion: 1 }, ...a.ganadores.slice(1)] };
		const v = await verificar({
			...(await completo(0)),
			acta: await firmar(actual, TYP_ACTA, falsa),
		});
		expect(primeraFalla(v)).toBe("acta.ganadores");
		expect(estado(v, "acta.recibo")).toBe("falla");

		// Position 1 moved to another sold ticket (7), receipt, position and path included.
		const movida = {
			...a,
			ganadores: [await ganadorActa(l, 1, 7, 25_000_000), ...a.ganadores.slice(1)],
		};
		const w = await verificar({
			...(await completo(4)),
			acta: await firmar(actual, TYP_ACTA, movida),
		});
		expect(fallas(w)).toContain("acta.ganadores");
		expect(estado(w, "acta.resultado")).toBe("ok");

		// The numbers add up but position 1 names another ticket with number 49: the ticket's
		// receipt is not the one cited, and the genuine 49 receipt shows it.
		const suplantada = {
			...a,
			ganadores: [
				{ ...(a.ganadores[0] as GanadorActa), ticket_id: "t-falsa" },
				...a.ganadores.slice(1),
			],
		};
		const x = await verificar({
			...(await completo(0)),
			acta: await firmar(actual, TYP_ACTA, suplantada),
		});
		expect(primeraFalla(x)).toBe("acta.ganadores");
		expect(detalle(x, "acta.recibo")).toContain("Su número 49 salió en la posición 1");
	});

	it("fails an acta whose amounts are not what the sealed definition gives", async () => {
		const a = actaOkPayload;
		const mas = 1_000_000;
		// Consistent with itself: the winner, its position and the total all say the larger amount.
		const inflada: ActaPayload = {
			...a,
			ganadores: a.ganadores.map((g) => (g.posicion === 1 ? { ...g, monto: g.monto + mas } : g)),
			premios: {
				...a.premios,
				por_posicion: a.premios.por_posicion.map((p) =>
					p.posicion === 1 ? { ...p, monto: p.monto + mas } : p,
				),
				premios: a.premios.premios + mas,
			},
		};
		const v = await verificar({
			...(await completo(2)),
			acta: await firmar(actual, TYP_ACTA, inflada),
		});
		expect(fallas(v)).toEqual(["acta.ganadores"]);
		expect(detalle(v, "acta.ganadores")).toContain("Posición 1");

		// The proportional base would have given other amounts for the same tickets.
		const proporcional = await actaPayload(l, {
			calculo: definicion({ base_premio: "proporcional" }),
		});
		const w = await verificar({
			...(await completo(2)),
			acta: await firmar(actual, TYP_ACTA, proporcional),
		});
		expect(fallas(w)).toEqual(["acta.ganadores"]);
	});

	it("fails an acta whose result is not what its sources observed", async () => {
		// Only the result changed: the sources still say 3649.
		const solo = { ...actaOkPayload, resultado: { ...actaOkPayload.resultado, numero: "3612" } };
		const v = await verificar({
			...(await completo(4)),
			acta: await firmar(actual, TYP_ACTA, solo),
		});
		expect(primeraFalla(v)).toBe("acta.resultado");
		// 12 was refunded, so position 1 goes to the house, not to 49.
		expect(estado(v, "acta.ganadores")).toBe("falla");

		// One source is not enough for this loteria.
		const a = actaOkPayload;
		const unaFuente = {
			...a,
			resultado: { ...a.resultado, observaciones: a.resultado.observaciones.slice(0, 1) },
		};
		const w = await verificar({
			...(await completo(4)),
			acta: await firmar(actual, TYP_ACTA, unaFuente),
		});
		expect(fallas(w)).toEqual(["acta.resultado"]);

		// A source the loteria does not list does not count.
		const ajena = {
			...a,
			resultado: {
				...a.resultado,
				observaciones: a.resultado.observaciones.map((o, i) =>
					i === 1 ? { ...o, fuente: "mock" } : o,
				),
			},
		};
		const x = await verificar({
			...(await completo(4)),
			acta: await firmar(actual, TYP_ACTA, ajena),
		});
		expect(fallas(x)).toEqual(["acta.resultado"]);
		expect(detalle(x, "acta.resultado")).toContain("mock");

		// Sources that disagreed before the result was confirmed need a resolution, not a quorum.
		const discrepan = {
			...a,
			resultado: {
				...a.resultado,
				observaciones: [
					...a.resultado.observaciones,
					{
						...(a.resultado.observaciones[0] as ObservacionActa),
						fuente: "admin",
						observador: "adm-1",
						numero: "3694",
						observado_en: "2026-03-07T23:22:00.000Z",
					},
				],
			},
		};
		const y = await verificar({
			...(await completo(4)),
			acta: await firmar(actual, TYP_ACTA, discrepan),
		});
		expect(fallas(y)).toEqual(["acta.resultado"]);
	});

	it("fails a changed result even when its sources are changed with it", async () => {
		const cambiado = await actaPayload(l, { resultado: { numero: "3612", serie: "188" } });
		// Settled as the lie says (12 is not a sealed ticket) but for the genuine winners' positions.
		const mentira = { ...actaOkPayload, resultado: cambiado.resultado };
		const v = await verificar({
			...(await completo(0)),
			acta: await firmar(actual, TYP_ACTA, mentira),
		});
		expect(estado(v, "acta.resultado")).toBe("ok");
		expect(fallas(v)).toContain("acta.ganadores");
	});

	it("checks a result decided by two admins, and refuses one decided by one", async () => {
		const a = actaOkPayload;
		const [lot, web] = a.resultado.observaciones as [ObservacionActa, ObservacionActa];
		const resuelta: ActaPayload = {
			...a,
			resultado: {
				...a.resultado,
				confirmado_por: "resolucion",
				confirmado_en: "2026-03-07T23:50:00.000Z",
				// The webhook swapped two digits.
				observaciones: [lot, { ...web, numero: "3694" }],
				resolucion: {
					numero: "3649",
					serie: "188",
					motivo: "El webhook invirtió dos cifras; el boletín oficial dice 3649",
					propuesta_por: "adm-7f3a",
					confirmada_por: "adm-c210",
					propuesta_en: "2026-03-07T23:40:00.000Z",
					confirmada_en: "2026-03-07T23:50:00.000Z",
					evidencia_sha256: await sha256Hex("boletín oficial"),
				},
			},
		};
		const ok = await verificar({
			...(await completo(0)),
			acta: await firmar(actual, TYP_ACTA, resuelta),
		});
		expect(fallas(ok)).toEqual([]);

		const resolucion = resuelta.resultado.resolucion as NonNullable<
			ActaPayload["resultado"]["resolucion"]
		>;
		const unSolo = {
			...resuelta,
			resultado: {
				...resuelta.resultado,
				resolucion: { ...resolucion, confirmada_por: resolucion.propuesta_por },
			},
		};
		const v = await verificar({
			...(await completo(0)),
			acta: await firmar(actual, TYP_ACTA, unSolo),
		});
		expect(fallas(v)).toEqual(["acta.resultado"]);
		expect(detalle(v, "acta.resultado")).toContain("dos admins");

		// A resolution acta must carry its resolution, and a quorum acta cannot carry one.
		for (const resultado of [
			{ ...resuelta.resultado, resolucion: null },
			{ ...actaOkPayload.resultado, resolucion },
		]) {
			const w = await verificar({
				...(await completo(0)),
				acta: await firmar(actual, TYP_ACTA, { ...resuelta, resultado }),
			});
			expect(fallas(w)).toEqual(["acta.resultado"]);
		}
	});

	it("checks the nearest sold number under mas_cercano", async () => {
		// 49 unsold: 48 and 50 are both one away and the lower one wins.
		const cercano = await libro({
			numeros: [48, 50, 36, 88],
			def: definicion({ numero_no_vendido: "mas_cercano" }),
			anula: null,
		});
		const a = await actaPayload(cercano);
		expect(a.ganadores[0]?.numero).toBe(48);
		const s = await sello(selloPayload(cercano));
		const base = {
			recibo: cercano.recibos[1] as string,
			jwks,
			prueba: await prueba(cercano, 1),
			sello: s,
		};
		const ok = await verificar({ ...base, acta: await firmar(actual, TYP_ACTA, a) });
		expect(fallas(ok)).toEqual([]);

		// Position 1 given to 36, a sold ticket farther from 49: only the full ledger, or the
		// receipt of a nearer ticket, shows it.
		const lejos = {
			...a,
			ganadores: a.ganadores.map((g) =>
				g.posicion === 1 ? { ...(a.ganadores[1] as GanadorActa), posicion: 1, monto: g.monto } : g,
			),
		};
		const acta = await firmar(actual, TYP_ACTA, lejos);
		const v = await verificar({ ...base, acta });
		expect(estado(v, "acta.ganadores")).toBe("ok");
		expect(fallas(v)).toEqual(["acta.recibo"]);
		const auditoria = await auditar({ jwks, sello: s, registro: cercano.entradas, acta });
		expect(fallas(auditoria)).toEqual(["acta.ganadores"]);
	});

	it("fails an acta that cites another seal or was observed before the seal", async () => {
		const a = actaOkPayload;
		const base = await completo(0);
		const v = await verificar({
			...base,
			acta: await firmar(actual, TYP_ACTA, { ...a, sello: { ...a.sello, tamano: 5 } }),
		});
		expect(primeraFalla(v)).toBe("acta.sello");
		const observaciones = a.resultado.observaciones.map((o, i) =>
			i === 0 ? { ...o, observado_en: "2026-03-07T04:59:00.000Z" } : o,
		);
		const w = await verificar({
			...base,
			acta: await firmar(actual, TYP_ACTA, {
				...a,
				resultado: { ...a.resultado, observaciones },
			}),
		});
		expect(primeraFalla(w)).toBe("acta.sello");
		const x = await verificar({ ...base, acta: alterar(actaOk) });
		expect(primeraFalla(x)).toBe("acta.firma");
	});

	it("fails a receipt signed by a key that is not published, or not by the kid it names", async () => {
		const ajena = await nuevaClave("no-publicada", ROTACION);
		const payload = reciboPayload(3, 88, l.definicionSha256);
		const v = await verificar({ recibo: await firmar(ajena, TYP_RECIBO, payload), jwks });
		expect(primeraFalla(v)).toBe("recibo.firma");
		expect(v.checks[0]?.detalle).toContain("no-publicada");
		const suplanta = await nuevaClave(actual.kid, ROTACION);
		const w = await verificar({ recibo: await firmar(suplanta, TYP_RECIBO, payload), jwks });
		expect(primeraFalla(w)).toBe("recibo.firma");
	});

	it("fails a seal or an acta handed in as a receipt", async () => {
		for (const jws of [selloOk.sello, actaOk]) {
			const v = await verificar({ recibo: jws, jwks });
			expect(primeraFalla(v)).toBe("recibo.firma");
			expect(v.checks[0]?.detalle).toContain("typ");
		}
	});

	it("keeps receipts signed before a key rotation valid, and nothing signed outside a key's window", async () => {
		// Receipts 0 and 1 were signed with the retired key, the rest with the current one.
		const v = await verificar(await completo(0));
		expect(v.checks[0]?.detalle).toContain(anterior.kid);
		const w = await verificar(await completo(2));
		expect(w.checks[0]?.detalle).toContain(actual.kid);
		// Once the old key is no longer published, its receipts no longer verify.
		const sinAnterior = await verificar({
			recibo: l.recibos[0] as string,
			jwks: { keys: [actual.jwk] },
		});
		expect(primeraFalla(sinAnterior)).toBe("recibo.firma");

		// The retired key (leaked, say) signs a sale dated after it was retired; the current key
		// signs one dated before it started.
		const tarde = await firmar(anterior, TYP_RECIBO, reciboPayload(3, 88, l.definicionSha256));
		const x = await verificar({ recibo: tarde, jwks });
		expect(primeraFalla(x)).toBe("recibo.firma");
		expect(detalle(x, "recibo.firma")).toContain("vigencia");
		const temprano = await firmar(actual, TYP_RECIBO, reciboPayload(0, 49, l.definicionSha256));
		expect(primeraFalla(await verificar({ recibo: temprano, jwks }))).toBe("recibo.firma");

		// A seal or an acta signed by the retired key, after its window.
		const y = await verificar({
			...(await completo(0)),
			sello: await sello(selloPayload(l), anterior),
		});
		expect(fallas(y)).toEqual(["sello.firma"]);
		expect(detalle(y, "sello.firma")).toContain("vigencia");
		const z = await verificar({
			...(await completo(0)),
			acta: await firmar(anterior, TYP_ACTA, actaOkPayload),
		});
		expect(fallas(z)).toEqual(["acta.firma"]);

		// A published key without the start of its window is not a valid JWKS.
		const { desde: _d, ...sinDesde } = actual.jwk;
		const sinVigencia = await verificar({
			recibo: l.recibos[2] as string,
			jwks: { keys: [sinDesde as Jwk, anterior.jwk] },
		});
		expect(primeraFalla(sinVigencia)).toBe("recibo.firma");
		expect(detalle(sinVigencia, "recibo.firma")).toContain("JWKS");
	});
});

describe("a draw the lottery moved", () => {
	const movida = (
		instante: string,
		movimiento: ActaPayload["sorteo"]["movimiento"],
	): ActaPayload => ({
		...actaOkPayload,
		sorteo: { fecha: FECHA, instante, movimiento },
	});

	it("accepts the sealed draw held at another hour when the acta names that move", () => {
		// 18:00 in Colombia, moved to 18:05 the same day; the sources reported after it.
		const a = movida("2026-03-07T23:05:00.000Z", {
			fecha_nominal: FECHA,
			fecha_real: FECHA,
			hora: "18:05",
		});
		expect(problemasResultado(a)).toEqual([]);
	});

	it("refuses a moved draw the acta does not explain, or explains with another hour", () => {
		expect(problemasResultado(movida("2026-03-07T23:05:00.000Z", null))).toEqual([
			expect.stringContaining("sin un movimiento de la lotería"),
		]);
		expect(
			problemasResultado(
				movida("2026-03-07T23:05:00.000Z", {
					fecha_nominal: FECHA,
					fecha_real: FECHA,
					hora: "18:30",
				}),
			),
		).toEqual([expect.stringContaining("no lleva del sorteo sellado")]);
	});

	it("refuses a seal made after the draw that took place, even if before the one sealed", () => {
		// Moved earlier than the seal: the ledger was closed after the lottery had drawn.
		const a = movida("2026-03-07T04:00:00.000Z", {
			fecha_nominal: FECHA,
			fecha_real: "2026-03-06",
			hora: "23:00",
		});
		expect(problemasResultado(a)).toContainEqual(
			expect.stringContaining("después del sorteo que hubo"),
		);
	});
});

describe("full audit", () => {
	const AUDITORIA = [
		"sello.firma",
		"sello.contenido",
		"sello.antes_del_sorteo",
		"registro.firmas",
		"registro.definicion",
		"registro.raiz",
		"registro.despues_del_sello",
		"acta.firma",
		"acta.contenido",
		"acta.sello",
		"acta.resultado",
		"acta.ganadores",
	];
	const genuina = () => ({ jwks, sello: selloOk, registro: l.entradas, acta: actaOk });
	const conActa = async (a: ActaPayload) => ({
		...genuina(),
		acta: await firmar(actual, TYP_ACTA, a),
	});

	it("passes a genuine rifa: every entry, the seal and the acta recomputed", async () => {
		const v = await auditar(genuina());
		expect(v.checks.filter((c) => c.estado !== "ok")).toEqual([]);
		expect(v.valido).toBe(true);
		expect(v.checks.map((c) => c.id)).toEqual(AUDITORIA);
		expect(detalle(v, "registro.firmas")).toContain(`${l.entradas.length} entradas`);

		// Without the acta, a rifa not settled yet: its checks are pending, nothing fails.
		const sinActa = await auditar({ ...genuina(), acta: undefined });
		expect(fallas(sinActa)).toEqual([]);
		expect(sinActa.checks.filter((c) => c.estado === "pendiente").map((c) => c.id)).toEqual(
			AUDITORIA.filter((id) => id.startsWith("acta.")),
		);
	});

	it("fails an entry appended after the seal", async () => {
		const tardio = await firmar(actual, TYP_RECIBO, {
			...reciboPayload(l.entradas.length, 55, l.definicionSha256),
			vendido_en: "2026-03-07T06:00:00.000Z",
		});
		const v = await auditar({ ...genuina(), registro: [...l.entradas, tardio] });
		expect(fallas(v)).toEqual(["registro.despues_del_sello"]);
		expect(detalle(v, "registro.despues_del_sello")).toContain("entrada 6, número 55");
	});

	it("fails a changed rule", async () => {
		// The same ledger sealed over a definition with another rule for unsold numbers.
		const cambiada = definicion({ numero_no_vendido: "mas_cercano" });
		const otroSello = await sello(
			selloPayload(l, {
				definicion: cambiada,
				definicion_sha256: await definicionSha256(cambiada),
			}),
		);
		const v = await auditar({ ...genuina(), sello: otroSello });
		expect(estado(v, "sello.contenido")).toBe("ok");
		expect(fallas(v)).toEqual(["registro.definicion", "acta.sello"]);

		// A draw where position 1's number (50) was not sold: the sealed rule gives it to the house;
		// an acta computed under mas_cercano (49 is the nearest) cites the sealed rules anyway.
		const resultado = { numero: "3650", serie: "188" };
		const honesta = await actaPayload(l, { resultado });
		expect(honesta.premios.por_posicion[0]?.destino).toBe("casa");
		expect(fallas(await auditar(await conActa(honesta)))).toEqual([]);
		const otraRegla = await actaPayload(l, { resultado, calculo: cambiada });
		expect(otraRegla.ganadores[0]).toMatchObject({ posicion: 1, numero: 49 });
		const w = await auditar(await conActa(otraRegla));
		expect(fallas(w)).toEqual(["acta.ganadores"]);
		const enRecibo = await verificar({
			...(await completo(0)),
			acta: await firmar(actual, TYP_ACTA, otraRegla),
		});
		expect(fallas(enRecibo)).toContain("acta.ganadores");
	});

	it("fails a winner moved to another sold ticket", async () => {
		const a = actaOkPayload;
		const movida = {
			...a,
			ganadores: [await ganadorActa(l, 1, 7, 25_000_000), ...a.ganadores.slice(1)],
		};
		const v = await auditar(await conActa(movida));
		expect(fallas(v)).toEqual(["acta.ganadores"]);
		expect(detalle(v, "acta.ganadores")).toContain("Con las reglas selladas");
		// A winner that is not a sealed ticket at all (the refunded 12).
		const anulada = await auditar(
			await conActa({
				...a,
				ganadores: [
					{
						...(await ganadorActa(l, 1, 12, 25_000_000)),
					},
					...a.ganadores.slice(1),
				],
			}),
		);
		expect(fallas(anulada)).toEqual(["acta.ganadores"]);
	});

	it("fails a changed result", async () => {
		const a = actaOkPayload;
		// The number alone: its sources disagree, and the winners do not follow from it.
		const v = await auditar(await conActa({ ...a, resultado: { ...a.resultado, numero: "3612" } }));
		expect(fallas(v)).toEqual(["acta.resultado", "acta.ganadores"]);
		// The sources changed with it: the recomputed winners still give it away.
		const cambiado = await actaPayload(l, { resultado: { numero: "3612", serie: "188" } });
		const w = await auditar(await conActa({ ...a, resultado: cambiado.resultado }));
		expect(fallas(w)).toEqual(["acta.ganadores"]);
		// The serie dropped: position 3 has no number and no winner.
		const sinSerie = await auditar(
			await conActa({
				...a,
				resultado: {
					...a.resultado,
					serie: null,
					observaciones: a.resultado.observaciones.map((o) => ({ ...o, serie: null })),
				},
			}),
		);
		expect(fallas(sinSerie)).toEqual(["acta.ganadores"]);
	});

	it("fails a seal or an entry signed by a key outside its window", async () => {
		const v = await auditar({ ...genuina(), sello: await sello(selloPayload(l), anterior) });
		expect(fallas(v)).toEqual(["sello.firma"]);
		expect(detalle(v, "sello.firma")).toContain("vigencia");

		// Entry 4 (sold on 5 March) signed again with the key retired on the 3rd.
		const registro = l.entradas.with(
			4,
			await firmar(anterior, TYP_RECIBO, reciboPayload(4, 7, l.definicionSha256)),
		);
		const w = await auditar({ ...genuina(), registro });
		expect(fallas(w)).toContain("registro.firmas");
		expect(detalle(w, "registro.firmas")).toContain("entrada 4");
		expect(detalle(w, "registro.firmas")).toContain("vigencia");
	});

	it("fails a ledger entry altered, replaced or dropped", async () => {
		// One byte of entry 4's payload: its signature and the sealed root both break.
		const alterado = await auditar({
			...genuina(),
			registro: l.entradas.with(4, alterar(l.entradas[4] as string)),
		});
		expect(fallas(alterado)).toEqual(expect.arrayContaining(["registro.firmas", "registro.raiz"]));
		expect(detalle(alterado, "registro.firmas")).toContain("entrada 4");

		// Replaced by a validly signed entry with another number: only the root tells.
		const otro = await firmar(actual, TYP_RECIBO, reciboPayload(4, 8, l.definicionSha256));
		const reemplazado = await auditar({ ...genuina(), registro: l.entradas.with(4, otro) });
		expect(estado(reemplazado, "registro.firmas")).toBe("ok");
		expect(fallas(reemplazado)).toContain("registro.raiz");

		// The annulment of 12 dropped: the ledger no longer covers the seal.
		const corto = await auditar({ ...genuina(), registro: l.entradas.slice(0, -1) });
		expect(fallas(corto)).toContain("registro.raiz");

		// Two entries swapped: each says where it belongs.
		const cruzado = l.entradas.with(2, l.entradas[3] as string).with(3, l.entradas[2] as string);
		const x = await auditar({ ...genuina(), registro: cruzado });
		expect(fallas(x)).toEqual(expect.arrayContaining(["registro.firmas", "registro.raiz"]));
	});
});

describe("payload guards", () => {
	it("accept the fixtures and name the first bad field", async () => {
		const a = actaOkPayload;
		const s = selloPayload(l);
		const r = reciboPayload(0, 49, l.definicionSha256);
		expect(esActa(a)).toBe(true);
		expect(esSello(s)).toBe(true);
		expect(esRecibo(r)).toBe(true);
		expect(problemaDefinicion(l.definicion)).toBeNull();

		// A v1 receipt, or one without the rules it was bought under.
		expect(esRecibo({ ...r, v: 1 })).toBe(false);
		const { definicion_sha256: _s, ...sinReglas } = r;
		expect(problemaRecibo(sinReglas)).toBe("definicion_sha256");

		expect(problemaActa({ ...a, resultado: { ...a.resultado, numero: "649" } })).toBe(
			"resultado.numero",
		);
		expect(
			problemaActa({
				...a,
				resultado: {
					...a.resultado,
					observaciones: [
						a.resultado.observaciones[0],
						{ ...a.resultado.observaciones[1], serie: "18" },
					],
				},
			}),
		).toBe("resultado.observaciones[1].serie");
		expect(problemaActa({ ...a, resultado: { ...a.resultado, confirmado_por: "admin" } })).toBe(
			"resultado.confirmado_por",
		);
		expect(problemaActa({ ...a, ganadores: [{ ...a.ganadores[0], monto: -1 }] })).toBe(
			"ganadores[0].monto",
		);
		expect(problemaActa({ ...a, ganadores: [{ ...a.ganadores[0], ruta: ["xyz"] }] })).toBe(
			"ganadores[0].ruta",
		);
		expect(
			problemaActa({
				...a,
				definicion: {
					...a.definicion,
					reglas: { ...a.definicion.reglas, numero_no_vendido: "otro" },
				},
			}),
		).toBe("definicion.reglas.numero_no_vendido");
		expect(problemaActa({ ...a, sello: { raiz: a.sello.raiz, tamano: a.sello.tamano } })).toBe(
			"sello.sellado_en",
		);

		expect(problemaSello({ ...s, v: 1 })).toBe("v");
		expect(problemaSello({ ...s, definicion: { ...s.definicion, total_boletas: 50 } })).toBe(
			"definicion.total_boletas",
		);
		expect(
			problemaDefinicion({
				...l.definicion,
				loteria: { ...l.definicion.loteria, fuentes_requeridas: 0 },
			}),
		).toBe("loteria.fuentes_requeridas");

		expect(problemaJwks(jwks)).toBeNull();
		const { desde: _d, ...sinDesde } = actual.jwk;
		expect(problemaJwks({ keys: [sinDesde] })).toBe("keys[0].desde");
		expect(problemaJwks({ keys: [{ ...anterior.jwk, hasta: "ayer" }] })).toBe("keys[0].hasta");
	});
});
