/**
 * What a rifa signs and publishes for verification: the rifa's sealed definition, the payloads of
 * its JWS (receipt, annulment, seal, acta), the proof and seal responses and the JWKS. Plain types,
 * without zod, so the CLI and a browser page load them as they are; their guards are in guardas.ts.
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

/** The rifa's rules, every key, defaults filled in (docs/reglas.md). */
export interface ReglasDefinicion {
	asignacion: "secuencial" | "aleatoria";
	max_boletas_por_compra: number;
	max_boletas_por_usuario: number | null;
	minutos_reserva: number;
	base_premio: "fijo" | "proporcional";
	reparto_bps: number[] | null;
	numero_no_vendido: "casa" | "acumula" | "mas_cercano";
}

/**
 * Everything that decides who wins what, fixed from the first number taken: the draw (its loteria,
 * the sources that must agree on its result, its instant), the numbers, the price, the rules and
 * the category's money promise. Its SHA-256 over the canonical JSON (definicion.ts) is in every
 * receipt; the seal carries it whole.
 */
export interface Definicion {
	v: 1;
	rifa_id: string;
	categoria_id: string;
	loteria: { id: string; fuentes: string[]; fuentes_requeridas: number };
	fecha_sorteo: string;
	total_boletas: number;
	/** Centavos. */
	valor_boleta: number;
	numero_ganadores: number;
	reglas: ReglasDefinicion;
	promesa: { rake_bps: number; fondo_premios: number | null; premio_por_ganador: number | null };
	/** An admin accepted a fixed prize larger than the rifa can collect: the house pays the rest. */
	premio_garantizado: boolean;
}

/** A sold ticket; `seq` is its leaf index in the ledger. */
export interface ReciboPayload {
	v: 2;
	rifa_id: string;
	ticket_id: string;
	numero: number;
	/** Centavos. */
	precio: number;
	/** HMAC-SHA256 pseudonym of the buyer under the rifa's salt. */
	comprador: string;
	vendido_en: string;
	seq: number;
	/** The rules the ticket was bought under. */
	definicion_sha256: string;
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
	v: 2;
	rifa_id: string;
	/** Entries in the sealed tree: nothing is sold after it. */
	tamano: number;
	/** Hex of the tree head. */
	raiz: string;
	/** Tickets sold and not annulled. */
	vendidos: number;
	sellado_en: string;
	fecha_sorteo: string;
	definicion: Definicion;
	definicion_sha256: string;
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

/** One source's report of the draw's result, agreeing or not. */
export interface ObservacionActa {
	fuente: string;
	/** A pseudonym of the admin who reported it (fuente `admin`); null for other sources. */
	observador: string | null;
	numero: string;
	serie: string | null;
	observado_en: string;
	/** SHA-256 (hex) of what the source gave (its payload, or the document an admin read). */
	evidencia_sha256: string | null;
}

/** A conflict decided by two admins: one proposed, another confirmed. */
export interface ResolucionActa {
	numero: string;
	serie: string;
	motivo: string;
	propuesta_por: string;
	confirmada_por: string;
	propuesta_en: string;
	confirmada_en: string;
	evidencia_sha256: string | null;
}

export interface GanadorActa {
	posicion: number;
	/** The winning ticket's number (the nearest sold one under `mas_cercano`). */
	numero: number;
	ticket_id: string;
	/** The winning receipt itself, so anyone can check its signature and its place in the seal. */
	recibo: string;
	/** SHA-256 (hex) of `recibo`. */
	recibo_sha256: string;
	/** Its ledger position and RFC 9162 audit path (hex) in the sealed tree. */
	seq: number;
	ruta: string[];
	monto: number;
}

export interface ActaPayload {
	v: 2;
	rifa_id: string;
	definicion: Definicion;
	definicion_sha256: string;
	sello: { raiz: string; tamano: number; sellado_en: string };
	/** The draw that took place: the sealed one, or where its loteria published that it moved. */
	sorteo: {
		fecha: string;
		instante: string;
		movimiento: { fecha_nominal: string; fecha_real: string; hora: string | null } | null;
	};
	resultado: {
		/** Four digits of the premio mayor. */
		numero: string;
		/** Three digits, or null when the sources gave none. */
		serie: string | null;
		fecha: string;
		/** `quorum`: the loteria's required sources agreed; `resolucion`: two admins decided. */
		confirmado_por: "quorum" | "resolucion";
		confirmado_en: string;
		/** Every observation of the draw, disagreeing ones included. */
		observaciones: ObservacionActa[];
		resolucion: ResolucionActa | null;
	};
	/** Pots rolled over into this rifa from earlier ones of its category; they sum to `acumulado_recibido`. */
	acumulado: { desde_rifa: string | null; monto: number }[];
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
	definicion_sha256: string;
	/** The signed definition, repeated for readers. */
	definicion?: Definicion;
}

/** `GET /rifas/{id}/acta`. */
export interface ActaRespuesta {
	acta: string;
}

/**
 * A published key. `desde` is when it started signing and `hasta`, once retired, when it stopped:
 * whatever it signed is dated inside that window, and anything dated outside fails.
 */
export interface Jwk {
	kty: "OKP";
	crv: "Ed25519";
	x: string;
	kid: string;
	alg: "EdDSA";
	use: "sig";
	desde: string;
	hasta?: string;
}

export interface Jwks {
	keys: Jwk[];
}
