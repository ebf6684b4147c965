/**
 * What a rifa signs and publishes for verification: the payloads of its JWS (receipt, annulment,
 * seal, acta), the proof and seal responses and the JWKS. Plain types with small guards, without
 * zod, so the CLI and a browser page load them as they are.
 */

export const TYP_RECIBO = "rifa1122-recibo";
export const TYP_ANULACION = "rifa1122-anulacion";
export const TYP_SELLO = "rifa1122-sello";
export const TYP_ACTA = "rifa1122-acta";
export type Typ = typeof TYP_RECIBO | typeof TYP_ANULACION | typeof TYP_SELLO | typeof TYP_ACTA;

/** The protected header of every signed entry. */
export interface Cabecera {
	alg: "EdDSA";
	kid: string;
	typ: Typ;
}

/** A sold ticket; `seq` is its leaf index in the ledger. */
export interface ReciboPayload {
	v: 1;
	rifa_id: string;
	ticket_id: string;
	numero: number;
	/** Centavos. */
	precio: number;
	/** HMAC-SHA256 pseudonym of the buyer under the rifa's salt. */
	comprador: string;
	vendido_en: string;
	seq: number;
}

/** A refund or cancellation of the sale at ledger position `anula`. */
export interface AnulacionPayload {
	v: 1;
	rifa_id: string;
	ticket_id: string;
	anula: number;
	motivo: string;
	anulado_en: string;
	seq: number;
}

export interface SelloPayload {
	v: 1;
	rifa_id: string;
	/** Entries in the sealed tree. */
	tamano: number;
	/** Hex of the tree head. */
	raiz: string;
	/** Tickets sold and not annulled. */
	vendidos: number;
	sellado_en: string;
	fecha_sorteo: string;
}

/** The rifa's rules as the acta carries them: every key, defaults filled in. */
export interface ReglasActa {
	asignacion: "secuencial" | "aleatoria";
	max_boletas_por_compra: number;
	max_boletas_por_usuario: number | null;
	minutos_reserva: number;
	base_premio: "fijo" | "proporcional";
	reparto_bps: number[] | null;
	numero_no_vendido: "casa" | "acumula" | "mas_cercano";
}

/** The settlement's prize breakdown (`Desglose` of `src/domain/premios.ts`). */
export interface DesgloseActa {
	base_premio: "fijo" | "proporcional";
	ventas: number;
	rake: number;
	fondo: number;
	acumulado_recibido: number;
	por_posicion: {
		posicion: number;
		fuente: "ultimas" | "primeras" | "serie";
		numero_ganador: number | null;
		monto: number;
		destino: "ganador" | "casa" | "acumula";
	}[];
	premios: number;
	casa: number;
	acumula: number;
	acumula_a?: string | null;
	promesa?: {
		valor_boleta: number;
		rake_bps: number;
		fondo_premios: number | null;
		premio_por_ganador: number | null;
	};
}

export interface FuenteResultado {
	/** Who reported the result (a source's name or `admin:<id>`). */
	fuente: string;
	/** SHA-256 (hex) of what the source gave, when it gave a document. */
	evidencia_sha256: string | null;
	/** When the source was first seen with the result; after the seal in a fair draw. */
	observado_en?: string;
}

export interface GanadorActa {
	posicion: number;
	/** The winning ticket's number (the nearest sold one under `mas_cercano`). */
	numero: number;
	ticket_id: string;
	/** SHA-256 (hex) of the winning ticket's receipt, the JWS string. */
	recibo_sha256: string;
	monto: number;
}

export interface ActaPayload {
	v: 1;
	rifa_id: string;
	sello: { raiz: string; tamano: number };
	resultado: {
		/** Four digits of the premio mayor. */
		numero: string;
		/** Three digits, or null when the sources gave none. */
		serie: string | null;
		fecha: string;
		fuentes: FuenteResultado[];
	};
	reglas: ReglasActa;
	total_boletas: number;
	numero_ganadores: number;
	ganadores: GanadorActa[];
	premios: DesgloseActa;
	emitido_en: string;
}

/** `GET /tickets/{id}/prueba`: the audit path of leaf `seq` in a tree of `tamano` entries. */
export interface Prueba {
	seq: number;
	tamano: number;
	ruta: string[];
	raiz: string;
}

/** `GET /rifas/{id}/sello`: the seal's JWS and, unsigned, its main fields. */
export interface SelloRespuesta {
	sello: string;
	tamano: number;
	raiz: string;
	vendidos: number;
	sellado_en: string;
}

/** `GET /rifas/{id}/acta`. */
export interface ActaRespuesta {
	acta: string;
}

export interface Jwk {
	kty: "OKP";
	crv: "Ed25519";
	x: string;
	kid: string;
	alg: "EdDSA";
	use: "sig";
}

export interface Jwks {
	keys: Jwk[];
}

// Each `problema*` names the first field that is missing or of the wrong type (null: none).

type Campos = Record<string, (v: unknown) => boolean>;

const isObj = (v: unknown): v is Record<string, unknown> =>
	typeof v === "object" && v !== null && !Array.isArray(v);
const texto = (v: unknown) => typeof v === "string" && v.length > 0;
const entero = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
const hex64 = (v: unknown) => typeof v === "string" && /^[0-9a-f]{64}$/.test(v);
const instante = (v: unknown) => typeof v === "string" && !Number.isNaN(Date.parse(v));
const uno = (v: unknown) => v === 1;
const nulo =
	(f: (v: unknown) => boolean) =>
	(v: unknown): boolean =>
		v === null || f(v);
const entre =
	(...valores: unknown[]) =>
	(v: unknown): boolean =>
		valores.includes(v);

const problema = (x: unknown, campos: Campos, donde = ""): string | null => {
	if (!isObj(x)) return donde || "(no es un objeto)";
	for (const [k, ok] of Object.entries(campos)) {
		if (!ok(x[k])) return donde ? `${donde}.${k}` : k;
	}
	return null;
};

// Nested checks push the path of what failed inside them, innermost first.
const objeto =
	(campos: Campos, nombre: string, errores: string[]) =>
	(v: unknown): boolean => {
		const p = problema(v, campos, nombre);
		if (p) errores.push(p);
		return p === null;
	};

const lista =
	(campos: Campos, nombre: string, errores: string[]) =>
	(v: unknown): boolean =>
		Array.isArray(v) && v.every((e, i) => objeto(campos, `${nombre}[${i}]`, errores)(e));

export const problemaCabecera = (h: unknown, typ: Typ): string | null =>
	problema(h, { alg: entre("EdDSA"), kid: texto, typ: entre(typ) });

export const problemaRecibo = (x: unknown): string | null =>
	problema(x, {
		v: uno,
		rifa_id: texto,
		ticket_id: texto,
		numero: entero,
		precio: entero,
		comprador: texto,
		vendido_en: instante,
		seq: entero,
	});

export const problemaAnulacion = (x: unknown): string | null =>
	problema(x, {
		v: uno,
		rifa_id: texto,
		ticket_id: texto,
		anula: entero,
		motivo: texto,
		anulado_en: instante,
		seq: entero,
	});

export const problemaSello = (x: unknown): string | null =>
	problema(x, {
		v: uno,
		rifa_id: texto,
		tamano: entero,
		raiz: hex64,
		vendidos: entero,
		sellado_en: instante,
		fecha_sorteo: instante,
	});

const REGLAS: Campos = {
	asignacion: entre("secuencial", "aleatoria"),
	max_boletas_por_compra: entero,
	max_boletas_por_usuario: nulo(entero),
	minutos_reserva: entero,
	base_premio: entre("fijo", "proporcional"),
	reparto_bps: nulo((v) => Array.isArray(v) && v.every(entero)),
	numero_no_vendido: entre("casa", "acumula", "mas_cercano"),
};

export const problemaActa = (x: unknown): string | null => {
	const e: string[] = [];
	const p = problema(x, {
		v: uno,
		rifa_id: texto,
		sello: objeto({ raiz: hex64, tamano: entero }, "sello", e),
		resultado: objeto(
			{
				numero: (n) => typeof n === "string" && /^\d{4}$/.test(n),
				serie: nulo((s) => typeof s === "string" && /^\d{3}$/.test(s)),
				fecha: texto,
				fuentes: lista(
					{
						fuente: texto,
						evidencia_sha256: nulo(hex64),
						observado_en: (o) => o === undefined || instante(o),
					},
					"resultado.fuentes",
					e,
				),
			},
			"resultado",
			e,
		),
		reglas: objeto(REGLAS, "reglas", e),
		total_boletas: entre(100, 1000, 10000),
		numero_ganadores: (v) => entero(v) && (v as number) >= 1,
		ganadores: lista(
			{ posicion: entero, numero: entero, ticket_id: texto, recibo_sha256: hex64, monto: entero },
			"ganadores",
			e,
		),
		premios: objeto(
			{
				base_premio: entre("fijo", "proporcional"),
				ventas: entero,
				rake: entero,
				fondo: entero,
				acumulado_recibido: entero,
				por_posicion: lista(
					{
						posicion: entero,
						fuente: entre("ultimas", "primeras", "serie"),
						numero_ganador: nulo(entero),
						monto: entero,
						destino: entre("ganador", "casa", "acumula"),
					},
					"premios.por_posicion",
					e,
				),
				premios: entero,
				casa: entero,
				acumula: entero,
			},
			"premios",
			e,
		),
		emitido_en: instante,
	});
	return p === null ? null : (e[0] ?? p);
};

export const problemaPrueba = (x: unknown): string | null =>
	problema(x, {
		seq: entero,
		tamano: entero,
		ruta: (v) => Array.isArray(v) && v.every(hex64),
		raiz: hex64,
	});

export const problemaSelloRespuesta = (x: unknown): string | null =>
	problema(x, {
		sello: texto,
		tamano: entero,
		raiz: hex64,
		vendidos: entero,
		sellado_en: instante,
	});

export const problemaJwks = (x: unknown): string | null => {
	const e: string[] = [];
	const p = problema(x, {
		keys: lista(
			{
				kty: entre("OKP"),
				crv: entre("Ed25519"),
				x: texto,
				kid: texto,
				alg: (v) => v === undefined || v === "EdDSA",
				use: (v) => v === undefined || v === "sig",
			},
			"keys",
			e,
		),
	});
	return p === null ? null : (e[0] ?? p);
};

export const esRecibo = (x: unknown): x is ReciboPayload => problemaRecibo(x) === null;
export const esAnulacion = (x: unknown): x is AnulacionPayload => problemaAnulacion(x) === null;
export const esSello = (x: unknown): x is SelloPayload => problemaSello(x) === null;
export const esActa = (x: unknown): x is ActaPayload => problemaActa(x) === null;
export const esPrueba = (x: unknown): x is Prueba => problemaPrueba(x) === null;
export const esSelloRespuesta = (x: unknown): x is SelloRespuesta =>
	problemaSelloRespuesta(x) === null;
export const esJwks = (x: unknown): x is Jwks => problemaJwks(x) === null;
