import { problemasGanadores, problemasResultado, type Vendido } from "./acta.ts";
import { canonico, definicionSha256 } from "./definicion.ts";
import { verificarFirma } from "./firma.ts";
import { esActa, esSello, problemaActa, problemaSello } from "./guardas.ts";
import { corto, pesos } from "./texto.ts";
import {
	type ActaPayload,
	type Jwks,
	type SelloPayload,
	type SelloRespuesta,
	TYP_ACTA,
	TYP_SELLO,
} from "./tipos.ts";

export type Estado = "ok" | "falla" | "pendiente";

export interface Check {
	/** One of `CHECKS`' ids. */
	id: string;
	/** In Spanish, for the player. */
	nombre: string;
	estado: Estado;
	detalle: string;
}

export interface Verificacion {
	/** No check failed; what was not given (yet) leaves its checks pending. */
	valido: boolean;
	checks: Check[];
}

/** Every check either mode runs, with the name it prints. */
export const CHECKS = [
	{ id: "recibo.firma", nombre: "Firma del recibo" },
	{ id: "recibo.contenido", nombre: "Contenido del recibo" },
	{ id: "prueba.inclusion", nombre: "Recibo incluido en el registro" },
	{ id: "sello.firma", nombre: "Firma del sello" },
	{ id: "sello.contenido", nombre: "Contenido del sello y reglas selladas" },
	{ id: "sello.rifa", nombre: "Sello de la misma rifa" },
	{ id: "sello.definicion", nombre: "Comprado con las reglas selladas" },
	{ id: "sello.raiz", nombre: "Dentro del registro sellado" },
	{ id: "sello.antes_del_sorteo", nombre: "Sellado antes del sorteo" },
	{ id: "registro.firmas", nombre: "Firmas de todo el registro" },
	{ id: "registro.definicion", nombre: "Todas las boletas con las reglas selladas" },
	{ id: "registro.raiz", nombre: "El registro reconstruye la raíz sellada" },
	{ id: "registro.despues_del_sello", nombre: "Nada vendido después del sello" },
	{ id: "acta.firma", nombre: "Firma del acta" },
	{ id: "acta.contenido", nombre: "Contenido del acta" },
	{ id: "acta.sello", nombre: "El acta cita este sello" },
	{ id: "acta.resultado", nombre: "Resultado según las fuentes" },
	{ id: "acta.ganadores", nombre: "Ganadores y montos recalculados" },
	{ id: "acta.recibo", nombre: "Su boleta en el acta" },
] as const;

export type CheckId = (typeof CHECKS)[number]["id"];

const NOMBRES = new Map<string, string>(CHECKS.map((c) => [c.id, c.nombre]));

/** The checks of one run, in the order they are added. */
export class Informe {
	readonly checks: Check[] = [];

	add(id: CheckId, estado: Estado, detalle: string): void {
		this.checks.push({ id, nombre: NOMBRES.get(id) ?? id, estado, detalle });
	}

	/** "ok" with `si` when there is no problem, else "falla" with the problems. */
	resultado(id: CheckId, problemas: string[], si: string): void {
		this.add(id, problemas.length ? "falla" : "ok", problemas.length ? problemas.join("; ") : si);
	}

	pendientes(ids: readonly CheckId[], detalle: string): void {
		for (const id of ids) this.add(id, "pendiente", detalle);
	}

	get verificacion(): Verificacion {
		return { valido: this.checks.every((c) => c.estado !== "falla"), checks: this.checks };
	}
}

/** The seal's signature (in its key's window), content and definition; its payload if readable. */
export const revisarSello = async (
	inf: Informe,
	sello: SelloRespuesta,
	jwks: Jwks,
): Promise<SelloPayload | undefined> => {
	const jws = typeof sello.sello === "string" ? sello.sello : "";
	const firma = await verificarFirma(jws, jwks, TYP_SELLO, (x) =>
		esSello(x) ? x.sellado_en : undefined,
	);
	inf.add(
		"sello.firma",
		firma.ok ? "ok" : "falla",
		firma.ok ? `Firmado por la clave ${firma.kid}` : firma.detalle,
	);
	const payload = firma.payload;
	if (!esSello(payload)) {
		inf.add(
			"sello.contenido",
			"falla",
			`No es un sello v2: falta o no es válido «${problemaSello(payload)}»`,
		);
		return undefined;
	}
	const distintos: string[] = (
		["tamano", "raiz", "vendidos", "sellado_en", "definicion_sha256"] as const
	).filter((k) => sello[k] !== payload[k]);
	if (sello.definicion !== undefined && canonico(sello.definicion) !== canonico(payload.definicion))
		distintos.push("definicion");
	const hash = await definicionSha256(payload.definicion);
	const problemas = [
		...(distintos.length
			? [`La respuesta no coincide con el sello firmado en ${distintos.join(", ")}`]
			: []),
		...(payload.vendidos > payload.tamano
			? [`${payload.vendidos} vendidas en un registro de ${payload.tamano} entradas`]
			: []),
		...(hash !== payload.definicion_sha256
			? [`La definición sellada da SHA-256 ${corto(hash)}, no ${corto(payload.definicion_sha256)}`]
			: []),
		...(payload.definicion.rifa_id !== payload.rifa_id
			? ["La definición sellada es de otra rifa"]
			: []),
		...(payload.fecha_sorteo !== payload.definicion.fecha_sorteo
			? ["La fecha del sorteo del sello no es la de su definición"]
			: []),
	];
	const d = payload.definicion;
	inf.resultado(
		"sello.contenido",
		problemas,
		`${payload.tamano} entradas, ${payload.vendidos} boletas vendidas, raíz ${corto(payload.raiz)}; reglas selladas ${corto(payload.definicion_sha256)}: ${d.total_boletas} números a ${pesos(d.valor_boleta)}, ${d.numero_ganadores} ganador(es), base ${d.reglas.base_premio}, número no vendido: ${d.reglas.numero_no_vendido}`,
	);
	return problemas.length ? undefined : payload;
};

export const revisarAntesDelSorteo = (inf: Informe, s: SelloPayload | undefined): void => {
	if (!s) {
		inf.add("sello.antes_del_sorteo", "pendiente", "Sin sello legible");
		return;
	}
	const antes = Date.parse(s.sellado_en) < Date.parse(s.fecha_sorteo);
	inf.add(
		"sello.antes_del_sorteo",
		antes ? "ok" : "falla",
		antes
			? `Sellado el ${s.sellado_en}; el sorteo es el ${s.fecha_sorteo}`
			: `Sellado el ${s.sellado_en}, cuando el sorteo (${s.fecha_sorteo}) ya había ocurrido`,
	);
};

const ACTA_IDS = [
	"acta.firma",
	"acta.contenido",
	"acta.sello",
	"acta.resultado",
	"acta.ganadores",
] as const;

/**
 * The acta's signature (in its key's window and not before the draw), its content, that it cites
 * this seal and the sealed definition, its result against its sources, and its winners and
 * amounts recomputed. `vendidos`: the sealed tickets, when the whole ledger was checked.
 */
export const revisarActa = async (
	inf: Informe,
	acta: string | undefined,
	s: SelloPayload | undefined,
	jwks: Jwks,
	vendidos?: Vendido[],
): Promise<ActaPayload | undefined> => {
	if (acta === undefined) {
		inf.pendientes(ACTA_IDS, "Sin acta: la rifa aún no se ha liquidado o no se dio el acta");
		return undefined;
	}
	const firma = await verificarFirma(acta, jwks, TYP_ACTA, (x) =>
		esActa(x) ? x.emitido_en : undefined,
	);
	inf.add(
		"acta.firma",
		firma.ok ? "ok" : "falla",
		firma.ok ? `Firmada por la clave ${firma.kid}` : firma.detalle,
	);
	const a = esActa(firma.payload) ? firma.payload : undefined;
	if (!a) {
		inf.add(
			"acta.contenido",
			"falla",
			`No es un acta v2: falta o no es válido «${problemaActa(firma.payload)}»`,
		);
		inf.pendientes(["acta.sello", "acta.resultado", "acta.ganadores"], "Sin acta legible");
		return undefined;
	}
	const hash = await definicionSha256(a.definicion);
	inf.resultado(
		"acta.contenido",
		[
			...(hash !== a.definicion_sha256
				? ["La definición del acta no da el SHA-256 que el acta cita"]
				: []),
			...(s && a.rifa_id !== s.rifa_id ? [`El acta es de la rifa ${a.rifa_id}`] : []),
			...(Date.parse(a.emitido_en) < Date.parse(a.sorteo.instante)
				? [`Emitida el ${a.emitido_en}, antes del sorteo (${a.sorteo.instante})`]
				: []),
		],
		`Sorteo del ${a.sorteo.fecha}: ${a.resultado.numero}${a.resultado.serie ? ` serie ${a.resultado.serie}` : ""}, ${a.resultado.observaciones.length} observación(es), confirmado por ${a.resultado.confirmado_por}`,
	);
	if (!s) {
		inf.pendientes(
			["acta.sello", "acta.resultado", "acta.ganadores"],
			"Sin sello legible contra el cual revisar el acta",
		);
		return a;
	}
	const antes = a.resultado.observaciones.filter(
		(o) => Date.parse(o.observado_en) <= Date.parse(s.sellado_en),
	);
	inf.resultado(
		"acta.sello",
		[
			...(a.sello.raiz !== s.raiz ||
			a.sello.tamano !== s.tamano ||
			a.sello.sellado_en !== s.sellado_en
				? [
						`El acta cita el registro de ${a.sello.tamano} entradas y raíz ${corto(a.sello.raiz)}; el sello es de ${s.tamano} y raíz ${corto(s.raiz)}`,
					]
				: []),
			...(a.definicion_sha256 !== s.definicion_sha256
				? [
						`El acta se calculó con las reglas ${corto(a.definicion_sha256)}; las selladas son ${corto(s.definicion_sha256)}`,
					]
				: []),
			...(antes.length
				? [
						`El resultado se conoció (${antes.map((o) => `${o.fuente}: ${o.observado_en}`).join(", ")}) antes del sello (${s.sellado_en})`,
					]
				: []),
		],
		"El acta cita la raíz, el tamaño y las reglas del sello",
	);
	inf.resultado(
		"acta.resultado",
		problemasResultado(a),
		a.resultado.confirmado_por === "quorum"
			? `Confirmado por ${new Set(a.resultado.observaciones.map((o) => o.fuente)).size} fuente(s) de la lotería, sin desacuerdos`
			: `Resuelto por dos admins distintos (${a.resultado.resolucion?.propuesta_por} y ${a.resultado.resolucion?.confirmada_por})`,
	);
	let problemas: string[];
	try {
		problemas = await problemasGanadores(
			{ ...a, definicion: s.definicion },
			jwks,
			s.vendidos,
			vendidos,
		);
	} catch (err) {
		problemas = [`Las reglas selladas no se pueden aplicar: ${(err as Error).message}`];
	}
	inf.resultado(
		"acta.ganadores",
		problemas,
		`${vendidos ? "Recalculado con todas las boletas selladas" : `Recalculado con las ${s.vendidos} boletas selladas`}: ${a.ganadores.length} ganador(es), ${pesos(a.premios.premios)} en premios, cada recibo ganador dentro del sello`,
	);
	return a;
};
