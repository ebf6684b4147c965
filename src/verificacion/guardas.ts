import type {
	ActaPayload,
	AnulacionPayload,
	Definicion,
	Jwks,
	Prueba,
	ReciboPayload,
	SelloPayload,
	SelloRespuesta,
	Typ,
} from "./tipos.ts";

// Each `problema*` names the first field that is missing or of the wrong type (null: none).

type Campos = Record<string, (v: unknown) => boolean>;

const isObj = (v: unknown): v is Record<string, unknown> =>
	typeof v === "object" && v !== null && !Array.isArray(v);
const texto = (v: unknown) => typeof v === "string" && v.length > 0;
const entero = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
const hex64 = (v: unknown) => typeof v === "string" && /^[0-9a-f]{64}$/.test(v);
const instante = (v: unknown) => typeof v === "string" && !Number.isNaN(Date.parse(v));
const fecha = (v: unknown) => typeof v === "string" && /^\d{4}-\d{2}-\d{2}$/.test(v);
const booleano = (v: unknown) => typeof v === "boolean";
const version =
	(n: number) =>
	(v: unknown): boolean =>
		v === n;
const nulo =
	(f: (v: unknown) => boolean) =>
	(v: unknown): boolean =>
		v === null || f(v);
const opcional =
	(f: (v: unknown) => boolean) =>
	(v: unknown): boolean =>
		v === undefined || f(v);
const entre =
	(...valores: unknown[]) =>
	(v: unknown): boolean =>
		valores.includes(v);
const numero4 = (n: unknown) => typeof n === "string" && /^\d{4}$/.test(n);
const serie3 = (s: unknown) => typeof s === "string" && /^\d{3}$/.test(s);

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

const conAnidados = (x: unknown, campos: (e: string[]) => Campos): string | null => {
	const e: string[] = [];
	const p = problema(x, campos(e));
	return p === null ? null : (e[0] ?? p);
};

export const problemaCabecera = (h: unknown, typ: Typ): string | null =>
	problema(h, { alg: entre("EdDSA"), kid: texto, typ: entre(typ) });

const REGLAS: Campos = {
	asignacion: entre("secuencial", "aleatoria"),
	max_boletas_por_compra: entero,
	max_boletas_por_usuario: nulo(entero),
	minutos_reserva: entero,
	base_premio: entre("fijo", "proporcional"),
	reparto_bps: nulo((v) => Array.isArray(v) && v.every(entero)),
	numero_no_vendido: entre("casa", "acumula", "mas_cercano"),
	// Absent in a rifa without instalments; what the seal covers is only what was fully paid.
	abonos: (v) =>
		v === undefined ||
		(isObj(v) &&
			entero(v.minimo_bps) &&
			(v.fecha_limite === undefined || instante(v.fecha_limite)) &&
			(v.al_vencer === undefined || v.al_vencer === "reembolso" || v.al_vencer === "credito")),
};

const definicionCampos = (nombre: string, e: string[]): Campos => ({
	v: version(1),
	rifa_id: texto,
	categoria_id: texto,
	loteria: objeto(
		{
			id: texto,
			fuentes: (v) => Array.isArray(v) && v.every(texto),
			fuentes_requeridas: (v) => entero(v) && (v as number) >= 1,
		},
		`${nombre}.loteria`,
		e,
	),
	fecha_sorteo: instante,
	total_boletas: entre(100, 1000, 10000),
	valor_boleta: entero,
	numero_ganadores: (v) => entero(v) && (v as number) >= 1,
	reglas: objeto(REGLAS, `${nombre}.reglas`, e),
	promesa: objeto(
		{ rake_bps: entero, fondo_premios: nulo(entero), premio_por_ganador: nulo(entero) },
		`${nombre}.promesa`,
		e,
	),
	premio_garantizado: booleano,
});

export const problemaDefinicion = (x: unknown): string | null => {
	const e: string[] = [];
	const p = problema(x, definicionCampos("", e));
	return p === null ? null : (e[0]?.replace(/^\./, "") ?? p);
};

export const problemaRecibo = (x: unknown): string | null =>
	problema(x, {
		v: version(2),
		rifa_id: texto,
		ticket_id: texto,
		numero: entero,
		precio: entero,
		comprador: texto,
		vendido_en: instante,
		seq: entero,
		definicion_sha256: hex64,
	});

export const problemaAnulacion = (x: unknown): string | null =>
	problema(x, {
		v: version(1),
		rifa_id: texto,
		ticket_id: texto,
		anula: entero,
		motivo: texto,
		anulado_en: instante,
		seq: entero,
	});

export const problemaSello = (x: unknown): string | null =>
	conAnidados(x, (e) => ({
		v: version(2),
		rifa_id: texto,
		tamano: entero,
		raiz: hex64,
		vendidos: entero,
		sellado_en: instante,
		fecha_sorteo: instante,
		definicion: objeto(definicionCampos("definicion", e), "definicion", e),
		definicion_sha256: hex64,
	}));

export const problemaActa = (x: unknown): string | null =>
	conAnidados(x, (e) => ({
		v: version(2),
		rifa_id: texto,
		definicion: objeto(definicionCampos("definicion", e), "definicion", e),
		definicion_sha256: hex64,
		sello: objeto({ raiz: hex64, tamano: entero, sellado_en: instante }, "sello", e),
		sorteo: objeto(
			{
				fecha,
				instante,
				movimiento: nulo(
					objeto(
						{ fecha_nominal: fecha, fecha_real: fecha, hora: nulo(texto) },
						"sorteo.movimiento",
						e,
					),
				),
			},
			"sorteo",
			e,
		),
		resultado: objeto(
			{
				numero: numero4,
				serie: nulo(serie3),
				fecha,
				confirmado_por: entre("quorum", "resolucion"),
				confirmado_en: instante,
				observaciones: lista(
					{
						fuente: texto,
						observador: nulo(texto),
						numero: numero4,
						serie: nulo(serie3),
						observado_en: instante,
						evidencia_sha256: nulo(hex64),
					},
					"resultado.observaciones",
					e,
				),
				resolucion: nulo(
					objeto(
						{
							numero: numero4,
							serie: serie3,
							motivo: texto,
							propuesta_por: texto,
							confirmada_por: texto,
							propuesta_en: instante,
							confirmada_en: instante,
							evidencia_sha256: nulo(hex64),
						},
						"resultado.resolucion",
						e,
					),
				),
			},
			"resultado",
			e,
		),
		acumulado: lista(
			{ desde_rifa: nulo(texto), monto: (v) => Number.isSafeInteger(v) },
			"acumulado",
			e,
		),
		ganadores: lista(
			{
				posicion: entero,
				numero: entero,
				ticket_id: texto,
				recibo: texto,
				recibo_sha256: hex64,
				seq: entero,
				ruta: (v) => Array.isArray(v) && v.every(hex64),
				monto: entero,
			},
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
	}));

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
		definicion_sha256: hex64,
	});

export const problemaJwks = (x: unknown): string | null =>
	conAnidados(x, (e) => ({
		keys: lista(
			{
				kty: entre("OKP"),
				crv: entre("Ed25519"),
				x: texto,
				kid: texto,
				alg: opcional(entre("EdDSA")),
				use: opcional(entre("sig")),
				desde: instante,
				hasta: opcional(instante),
			},
			"keys",
			e,
		),
	}));

export const esDefinicion = (x: unknown): x is Definicion => problemaDefinicion(x) === null;
export const esRecibo = (x: unknown): x is ReciboPayload => problemaRecibo(x) === null;
export const esAnulacion = (x: unknown): x is AnulacionPayload => problemaAnulacion(x) === null;
export const esSello = (x: unknown): x is SelloPayload => problemaSello(x) === null;
export const esActa = (x: unknown): x is ActaPayload => problemaActa(x) === null;
export const esPrueba = (x: unknown): x is Prueba => problemaPrueba(x) === null;
export const esSelloRespuesta = (x: unknown): x is SelloRespuesta =>
	problemaSelloRespuesta(x) === null;
export const esJwks = (x: unknown): x is Jwks => problemaJwks(x) === null;
