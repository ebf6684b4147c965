import { base64url, compactVerify, decodeProtectedHeader, importJWK } from "jose";
import { fromHex, iguales, leafHash, rootFromAuditPath, sha256Hex, toHex } from "./merkle.ts";
import { numeroDePosicion, type Posicion, posicionesPara } from "./sorteo.ts";
import {
	type ActaPayload,
	esActa,
	esPrueba,
	esRecibo,
	esSello,
	type GanadorActa,
	type Jwks,
	type Prueba,
	problemaActa,
	problemaCabecera,
	problemaJwks,
	problemaPrueba,
	problemaRecibo,
	problemaSello,
	type ReciboPayload,
	type SelloPayload,
	type SelloRespuesta,
	TYP_ACTA,
	TYP_RECIBO,
	TYP_SELLO,
	type Typ,
} from "./tipos.ts";

/**
 * Checks a receipt against what the rifa published: its signature, its place in the ledger, the
 * seal of that ledger before the draw and the acta's winners. Pure (WebCrypto through jose), so
 * the Worker, the offline CLI and a browser page run the same code.
 */

export type Estado = "ok" | "falla" | "pendiente";

export interface Check {
	/** One of `CHECKS`' ids. */
	id: string;
	/** In Spanish, for the player. */
	nombre: string;
	estado: Estado;
	detalle: string;
}

export interface EntradaVerificacion {
	/** The receipt's compact JWS. */
	recibo: string;
	jwks: Jwks;
	prueba?: Prueba;
	sello?: SelloRespuesta;
	/** The acta's compact JWS (the `acta` field of `GET /rifas/{id}/acta`). */
	acta?: string;
}

export interface Verificacion {
	/** No check failed; missing seal or acta leave theirs pending and the receipt valid. */
	valido: boolean;
	checks: Check[];
}

/** Every check, in the order `verificar` reports them. */
export const CHECKS = [
	{ id: "recibo.firma", nombre: "Firma del recibo" },
	{ id: "recibo.contenido", nombre: "Contenido del recibo" },
	{ id: "prueba.inclusion", nombre: "Recibo incluido en el registro" },
	{ id: "sello.firma", nombre: "Firma del sello" },
	{ id: "sello.contenido", nombre: "Contenido del sello" },
	{ id: "sello.rifa", nombre: "Sello de la misma rifa" },
	{ id: "sello.raiz", nombre: "Prueba contra el registro sellado" },
	{ id: "sello.antes_del_sorteo", nombre: "Sellado antes del sorteo" },
	{ id: "acta.firma", nombre: "Firma del acta" },
	{ id: "acta.contenido", nombre: "Contenido del acta" },
	{ id: "acta.sello", nombre: "El acta cita este sello" },
	{ id: "acta.ganadores", nombre: "Ganadores según el resultado y las reglas" },
	{ id: "acta.recibo", nombre: "Su boleta en el acta" },
] as const;

export type CheckId = (typeof CHECKS)[number]["id"];

type Firma =
	| { ok: true; payload: unknown; kid: string }
	| { ok: false; detalle: string; payload: unknown };

const decoder = new TextDecoder();

/** The payload as JSON without checking anything, so later checks can still say what they see. */
const payloadSinVerificar = (jws: string): unknown => {
	try {
		return JSON.parse(decoder.decode(base64url.decode(jws.split(".")[1] ?? "")));
	} catch {
		return undefined;
	}
};

const verificarFirma = async (jws: string, jwks: Jwks, typ: Typ): Promise<Firma> => {
	const payload = payloadSinVerificar(jws);
	const falla = (detalle: string): Firma => ({ ok: false, detalle, payload });
	let cabecera: Record<string, unknown>;
	try {
		cabecera = decodeProtectedHeader(jws);
	} catch {
		return falla("No es un JWS compacto legible");
	}
	const malo = problemaCabecera(cabecera, typ);
	if (malo) {
		return falla(
			`Cabecera: ${malo} = ${JSON.stringify(cabecera[malo] ?? null)} (se espera alg "EdDSA", typ "${typ}" y un kid)`,
		);
	}
	const kid = cabecera.kid as string;
	const jwksMalo = problemaJwks(jwks);
	if (jwksMalo) return falla(`El JWKS no es válido (${jwksMalo})`);
	const jwk = jwks.keys.find((k) => k.kid === kid);
	if (!jwk) return falla(`La clave ${kid} no está entre las claves publicadas (JWKS)`);
	try {
		const clave = await importJWK({ kty: jwk.kty, crv: jwk.crv, x: jwk.x }, "EdDSA");
		const { payload: bytes } = await compactVerify(jws, clave, { algorithms: ["EdDSA"] });
		let verificado: unknown;
		try {
			verificado = JSON.parse(decoder.decode(bytes));
		} catch {
			verificado = undefined;
		}
		return { ok: true, payload: verificado, kid };
	} catch {
		return falla(
			`La firma no corresponde a la clave ${kid}: el contenido fue alterado o no lo firmó esta clave`,
		);
	}
};

const DIGITOS_TXT: Record<number, number> = { 100: 2, 1000: 3, 10000: 4 };
const cifras = (n: number, total: number) => String(n).padStart(DIGITOS_TXT[total] ?? 1, "0");

const pesos = (centavos: number) => {
	const enteros = Math.floor(centavos / 100)
		.toString()
		.replace(/\B(?=(\d{3})+(?!\d))/g, ".");
	const resto = centavos % 100;
	return `$${enteros}${resto ? `,${String(resto).padStart(2, "0")}` : ""}`;
};

const nombrePosicion = (p: Posicion, total: number) => {
	const k = DIGITOS_TXT[total];
	return p === "ultimas"
		? `últimas ${k} cifras del número`
		: p === "primeras"
			? `primeras ${k} cifras del número`
			: `últimas ${k} cifras de la serie`;
};

const corto = (hex: string) => `${hex.slice(0, 16)}…`;

/** The winning number of each position of the acta, from its result and rules. */
const objetivosDe = (a: ActaPayload) => {
	const posiciones = posicionesPara(a.total_boletas).slice(0, a.numero_ganadores);
	return posiciones.map((posicion) => ({
		posicion,
		numero: numeroDePosicion(posicion, a.resultado, a.total_boletas) ?? null,
	}));
};

const revisarGanadores = (a: ActaPayload): string[] => {
	const problemas: string[] = [];
	const maximo = posicionesPara(a.total_boletas).length;
	if (a.numero_ganadores > maximo) {
		return [
			`Una rifa de ${a.total_boletas} números tiene hasta ${maximo} posiciones, no ${a.numero_ganadores}`,
		];
	}
	const objetivos = objetivosDe(a);
	const mas = a.reglas.numero_no_vendido === "mas_cercano";
	const porPosicion = new Map<number, GanadorActa>();
	for (const g of a.ganadores) {
		const o = objetivos[g.posicion - 1];
		if (!o) {
			problemas.push(`El acta premia una posición ${g.posicion} que la rifa no tiene`);
			continue;
		}
		if (porPosicion.has(g.posicion))
			problemas.push(`La posición ${g.posicion} tiene dos ganadores`);
		porPosicion.set(g.posicion, g);
		if (g.numero >= a.total_boletas) {
			problemas.push(`Posición ${g.posicion}: el número ${g.numero} no existe en la rifa`);
		} else if (o.numero === null) {
			problemas.push(
				`Posición ${g.posicion}: el resultado no trae serie, así que no tiene ganador`,
			);
		} else if (!mas && g.numero !== o.numero) {
			problemas.push(
				`Posición ${g.posicion}: el resultado da ${cifras(o.numero, a.total_boletas)} y el acta premia ${cifras(g.numero, a.total_boletas)}`,
			);
		}
	}
	const d = a.premios;
	if (d.por_posicion.length !== objetivos.length) {
		problemas.push(
			`El desglose tiene ${d.por_posicion.length} posiciones; la rifa, ${objetivos.length}`,
		);
	}
	d.por_posicion.forEach((pp, i) => {
		const o = objetivos[i];
		if (!o) return;
		const g = porPosicion.get(i + 1);
		const destino = g ? "ganador" : a.reglas.numero_no_vendido === "acumula" ? "acumula" : "casa";
		if (pp.posicion !== i + 1 || pp.fuente !== o.posicion || pp.numero_ganador !== o.numero) {
			problemas.push(
				`Desglose, posición ${i + 1}: dice ${pp.fuente} → ${pp.numero_ganador}; del resultado sale ${o.posicion} → ${o.numero}`,
			);
		} else if (pp.destino !== destino) {
			problemas.push(
				`Desglose, posición ${i + 1}: el premio va a "${pp.destino}" y debería ir a "${destino}"`,
			);
		} else if (g && pp.monto !== g.monto) {
			problemas.push(
				`Posición ${i + 1}: el ganador recibe ${pesos(g.monto)} y el desglose dice ${pesos(pp.monto)}`,
			);
		}
	});
	const suma = (destino: string) =>
		d.por_posicion.filter((pp) => pp.destino === destino).reduce((s, pp) => s + pp.monto, 0);
	const total = d.por_posicion.reduce((s, pp) => s + pp.monto, 0);
	if (total !== d.fondo + d.acumulado_recibido) {
		problemas.push(
			`Las posiciones suman ${pesos(total)}, no el fondo más lo acumulado (${pesos(d.fondo + d.acumulado_recibido)})`,
		);
	}
	const premiados = a.ganadores.reduce((s, g) => s + g.monto, 0);
	if (
		d.premios !== premiados ||
		d.premios !== suma("ganador") ||
		d.casa !== suma("casa") ||
		d.acumula !== suma("acumula")
	) {
		problemas.push(
			"Los totales del desglose (premios, casa, acumula) no cuadran con sus posiciones",
		);
	}
	return problemas;
};

const revisarRecibo = (a: ActaPayload, r: ReciboPayload, hashRecibo: string) => {
	const problemas: string[] = [];
	const ganadas: GanadorActa[] = [];
	const t = a.total_boletas;
	if (r.numero >= t)
		return { problemas: [`El número ${r.numero} no existe en una rifa de ${t}`], ganadas };
	const mas = a.reglas.numero_no_vendido === "mas_cercano";
	const anulada = " (si la venta se anuló, el registro de la rifa lo muestra)";
	objetivosDe(a).forEach((o, i) => {
		const p = i + 1;
		const g = a.ganadores.find((x) => x.posicion === p);
		if (g && g.ticket_id === r.ticket_id) {
			if (g.numero !== r.numero) {
				problemas.push(
					`El acta da la posición ${p} a esta boleta con el número ${cifras(g.numero, t)}; el recibo dice ${cifras(r.numero, t)}`,
				);
			} else if (g.recibo_sha256 !== hashRecibo) {
				problemas.push(
					`El acta premia esta boleta en la posición ${p} pero cita otro recibo (${corto(g.recibo_sha256)})`,
				);
			} else {
				ganadas.push(g);
			}
			return;
		}
		if (o.numero === null) return;
		if (r.numero === o.numero) {
			problemas.push(
				`Su número ${cifras(r.numero, t)} salió en la posición ${p} y el acta premia ${g ? `la boleta ${cifras(g.numero, t)}` : "a nadie"}${anulada}`,
			);
		} else if (mas && !g) {
			problemas.push(
				`Posición ${p}: con la regla "mas_cercano" el premio es del número vendido más cercano a ${cifras(o.numero, t)}, y su boleta estaba vendida${anulada}`,
			);
		} else if (mas && g && g.numero !== o.numero) {
			const dr = Math.abs(r.numero - o.numero);
			const dg = Math.abs(g.numero - o.numero);
			if (dr < dg || (dr === dg && r.numero < g.numero)) {
				problemas.push(
					`Posición ${p}: su número ${cifras(r.numero, t)} está más cerca de ${cifras(o.numero, t)} que el premiado ${cifras(g.numero, t)}${anulada}`,
				);
			}
		}
	});
	return { problemas, ganadas };
};

export const verificar = async (input: EntradaVerificacion): Promise<Verificacion> => {
	const checks: Check[] = [];
	const nombres = new Map<string, string>(CHECKS.map((c) => [c.id, c.nombre]));
	const add = (id: CheckId, estado: Estado, detalle: string) =>
		checks.push({ id, nombre: nombres.get(id) ?? id, estado, detalle });
	const { recibo, jwks, prueba, sello, acta } = input;

	// Receipt.
	const firmaRecibo = await verificarFirma(recibo, jwks, TYP_RECIBO);
	add(
		"recibo.firma",
		firmaRecibo.ok ? "ok" : "falla",
		firmaRecibo.ok
			? `Firmado por la clave ${firmaRecibo.kid} de la plataforma`
			: firmaRecibo.detalle,
	);
	const r = esRecibo(firmaRecibo.payload) ? firmaRecibo.payload : undefined;
	add(
		"recibo.contenido",
		r ? "ok" : "falla",
		r
			? `Boleta ${r.ticket_id}, número ${r.numero}, rifa ${r.rifa_id}, posición ${r.seq} del registro, vendida el ${r.vendido_en}`
			: `No es un recibo v1: falta o no es válido «${problemaRecibo(firmaRecibo.payload)}»`,
	);

	// Inclusion proof.
	let pruebaOk = false;
	if (!prueba) {
		add("prueba.inclusion", "pendiente", "Sin prueba de inclusión");
	} else if (!esPrueba(prueba)) {
		add("prueba.inclusion", "falla", `La prueba no es válida: «${problemaPrueba(prueba)}»`);
	} else if (r && prueba.seq !== r.seq) {
		add(
			"prueba.inclusion",
			"falla",
			`La prueba es de la posición ${prueba.seq}; el recibo está en la ${r.seq}`,
		);
	} else {
		const raiz = await rootFromAuditPath(
			await leafHash(recibo),
			prueba.seq,
			prueba.tamano,
			prueba.ruta.map(fromHex),
		);
		if (raiz === null) {
			add(
				"prueba.inclusion",
				"falla",
				`Una ruta de ${prueba.ruta.length} hashes no sirve para la posición ${prueba.seq} de un registro de ${prueba.tamano} entradas`,
			);
		} else if (!iguales(raiz, fromHex(prueba.raiz))) {
			add(
				"prueba.inclusion",
				"falla",
				`La ruta lleva a ${corto(toHex(raiz))}, no a la raíz de la prueba ${corto(prueba.raiz)}`,
			);
		} else {
			pruebaOk = true;
			add(
				"prueba.inclusion",
				"ok",
				`Entrada ${prueba.seq} de ${prueba.tamano}: ${prueba.ruta.length} hashes llevan del recibo a la raíz ${corto(prueba.raiz)}`,
			);
		}
	}

	// Seal.
	let s: SelloPayload | undefined;
	if (!sello) {
		const sin = "Sin sello: la rifa aún no se ha sellado o no se dio el sello";
		for (const id of [
			"sello.firma",
			"sello.contenido",
			"sello.rifa",
			"sello.raiz",
			"sello.antes_del_sorteo",
		] as const) {
			add(id, "pendiente", sin);
		}
	} else {
		const jws = typeof sello.sello === "string" ? sello.sello : "";
		const firma = await verificarFirma(jws, jwks, TYP_SELLO);
		add(
			"sello.firma",
			firma.ok ? "ok" : "falla",
			firma.ok ? `Firmado por la clave ${firma.kid}` : firma.detalle,
		);
		const payload = firma.payload;
		if (!esSello(payload)) {
			add(
				"sello.contenido",
				"falla",
				`No es un sello v1: falta o no es válido «${problemaSello(payload)}»`,
			);
		} else {
			s = payload;
			const distintos = (["tamano", "raiz", "vendidos", "sellado_en"] as const).filter(
				(k) => sello[k] !== payload[k],
			);
			if (distintos.length > 0) {
				add(
					"sello.contenido",
					"falla",
					`La respuesta no coincide con el sello firmado en ${distintos.join(", ")}`,
				);
			} else if (payload.vendidos > payload.tamano) {
				add(
					"sello.contenido",
					"falla",
					`${payload.vendidos} vendidas en un registro de ${payload.tamano} entradas`,
				);
			} else {
				add(
					"sello.contenido",
					"ok",
					`${payload.tamano} entradas, ${payload.vendidos} boletas vendidas, raíz ${corto(payload.raiz)}`,
				);
			}
		}
		if (!s || !r) {
			add("sello.rifa", "pendiente", "Sin sello o recibo legible");
		} else if (s.rifa_id !== r.rifa_id) {
			add(
				"sello.rifa",
				"falla",
				`El sello es de la rifa ${s.rifa_id}; el recibo, de la ${r.rifa_id}`,
			);
		} else {
			add("sello.rifa", "ok", `Rifa ${s.rifa_id}`);
		}
		if (!s || !prueba || !esPrueba(prueba)) {
			add("sello.raiz", "pendiente", "Sin sello legible o sin prueba");
		} else if (prueba.tamano !== s.tamano || prueba.raiz !== s.raiz) {
			add(
				"sello.raiz",
				"falla",
				`La prueba es contra un registro de ${prueba.tamano} entradas (raíz ${corto(prueba.raiz)}); el sello, de ${s.tamano} (raíz ${corto(s.raiz)}). Pida la prueba otra vez: después del sello se da contra el registro sellado`,
			);
		} else {
			add(
				"sello.raiz",
				pruebaOk ? "ok" : "falla",
				pruebaOk
					? "La prueba es contra la raíz sellada"
					: "La prueba cita la raíz sellada, pero su ruta no lleva a ella",
			);
		}
		if (!s) {
			add("sello.antes_del_sorteo", "pendiente", "Sin sello legible");
		} else if (Date.parse(s.sellado_en) < Date.parse(s.fecha_sorteo)) {
			add(
				"sello.antes_del_sorteo",
				"ok",
				`Sellado el ${s.sellado_en}; el sorteo es el ${s.fecha_sorteo}`,
			);
		} else {
			add(
				"sello.antes_del_sorteo",
				"falla",
				`Sellado el ${s.sellado_en}, cuando el sorteo (${s.fecha_sorteo}) ya había ocurrido`,
			);
		}
	}

	// Acta.
	if (acta === undefined) {
		const sin = "Sin acta: la rifa aún no se ha liquidado o no se dio el acta";
		for (const id of [
			"acta.firma",
			"acta.contenido",
			"acta.sello",
			"acta.ganadores",
			"acta.recibo",
		] as const) {
			add(id, "pendiente", sin);
		}
	} else {
		const firma = await verificarFirma(acta, jwks, TYP_ACTA);
		add(
			"acta.firma",
			firma.ok ? "ok" : "falla",
			firma.ok ? `Firmada por la clave ${firma.kid}` : firma.detalle,
		);
		const a = esActa(firma.payload) ? firma.payload : undefined;
		if (!a) {
			add(
				"acta.contenido",
				"falla",
				`No es un acta v1: falta o no es válido «${problemaActa(firma.payload)}»`,
			);
		} else if (r && a.rifa_id !== r.rifa_id) {
			add(
				"acta.contenido",
				"falla",
				`El acta es de la rifa ${a.rifa_id}; el recibo, de la ${r.rifa_id}`,
			);
		} else {
			const { numero, serie, fecha, fuentes } = a.resultado;
			add(
				"acta.contenido",
				"ok",
				`Resultado del ${fecha}: ${numero}${serie ? ` serie ${serie}` : ""}, según ${fuentes.map((f) => f.fuente).join(", ") || "ninguna fuente"}`,
			);
		}
		if (!a || !s) {
			add("acta.sello", "pendiente", "Sin acta o sello legibles");
		} else if (a.sello.raiz !== s.raiz || a.sello.tamano !== s.tamano) {
			add(
				"acta.sello",
				"falla",
				`El acta cita el registro de ${a.sello.tamano} entradas y raíz ${corto(a.sello.raiz)}; el sello es de ${s.tamano} y raíz ${corto(s.raiz)}`,
			);
		} else {
			const antes = a.resultado.fuentes.filter(
				(f) =>
					f.observado_en !== undefined && Date.parse(f.observado_en) <= Date.parse(s.sellado_en),
			);
			add(
				"acta.sello",
				antes.length ? "falla" : "ok",
				antes.length
					? `El resultado se conoció (${antes.map((f) => `${f.fuente}: ${f.observado_en}`).join(", ")}) antes del sello (${s.sellado_en})`
					: "El acta cita la raíz y el tamaño del sello",
			);
		}
		if (!a) {
			add("acta.ganadores", "pendiente", "Sin acta legible");
		} else {
			const problemas = revisarGanadores(a);
			const t = a.total_boletas;
			add(
				"acta.ganadores",
				problemas.length ? "falla" : "ok",
				problemas.length
					? problemas.join("; ")
					: objetivosDe(a)
							.map((o, i) => {
								const g = a.ganadores.find((x) => x.posicion === i + 1);
								const n = o.numero === null ? "sin número" : cifras(o.numero, t);
								return `Posición ${i + 1} (${nombrePosicion(o.posicion, t)}): ${n} → ${g ? `boleta ${cifras(g.numero, t)}, ${pesos(g.monto)}` : "sin ganador"}`;
							})
							.join("; "),
			);
		}
		if (!a || !r) {
			add("acta.recibo", "pendiente", "Sin acta o recibo legibles");
		} else if (a.rifa_id !== r.rifa_id) {
			add("acta.recibo", "falla", "El acta es de otra rifa");
		} else {
			const { problemas, ganadas } = revisarRecibo(a, r, await sha256Hex(recibo));
			const t = a.total_boletas;
			add(
				"acta.recibo",
				problemas.length ? "falla" : "ok",
				problemas.length
					? problemas.join("; ")
					: ganadas.length
						? `Su boleta ${cifras(r.numero, t)} ganó: ${ganadas.map((g) => `posición ${g.posicion}, ${pesos(g.monto)}`).join("; ")}`
						: `Su boleta ${cifras(r.numero, t)} no ganó`,
			);
		}
	}

	return { valido: checks.every((c) => c.estado !== "falla"), checks };
};
