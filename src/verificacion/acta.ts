import { calcularPremios, entradaDe, repartoDe } from "../domain/premios.ts";
import { canonico } from "./definicion.ts";
import { verificarFirma } from "./firma.ts";
import { esRecibo } from "./guardas.ts";
import { fromHex, iguales, leafHash, rootFromAuditPath, sha256Hex } from "./merkle.ts";
import { cifras, corto, pesos } from "./texto.ts";
import { type ActaPayload, type Jwks, type ReciboPayload, TYP_RECIBO } from "./tipos.ts";

/**
 * The acta's checks: its result against the observations it lists and the rules of the draw its
 * seal fixed, and its winners and amounts recomputed with the prize rules settlement uses
 * (src/domain/premios.ts), from the sealed definition and the sealed tickets.
 */

/** A sold ticket in the sealed ledger. */
export interface Vendido {
	numero: number;
	ticketId: string;
}

const enColombia = (instante: string) =>
	new Date(Date.parse(instante) - 5 * 3_600_000).toISOString();

/** The calendar day in Colombia (UTC−5, no daylight saving), which is how lotteries date draws. */
export const fechaColombia = (instante: string) => enColombia(instante).slice(0, 10);

const horaColombia = (instante: string) => enColombia(instante).slice(11, 16);

const clave = (o: { numero: string; serie: string | null }) => `${o.numero}/${o.serie ?? ""}`;

/** The draw is the sealed one, or the one its loteria published it moved to. */
const problemasSorteo = (a: ActaPayload): string[] => {
	const sellada = fechaColombia(a.definicion.fecha_sorteo);
	const { sorteo, resultado } = a;
	const p: string[] = [];
	if (fechaColombia(sorteo.instante) !== sorteo.fecha)
		p.push(`El sorteo dice ser del ${sorteo.fecha} pero su instante es ${sorteo.instante}`);
	if (!sorteo.movimiento) {
		if (sorteo.instante !== a.definicion.fecha_sorteo)
			p.push(
				`El sorteo sellado es el de ${a.definicion.fecha_sorteo}; el acta da el de ${sorteo.instante} sin un movimiento de la lotería`,
			);
	} else if (
		sorteo.movimiento.fecha_nominal !== sellada ||
		sorteo.movimiento.fecha_real !== sorteo.fecha ||
		(sorteo.movimiento.hora !== null && horaColombia(sorteo.instante) !== sorteo.movimiento.hora)
	) {
		p.push(
			`El movimiento citado (${sorteo.movimiento.fecha_nominal} → ${sorteo.movimiento.fecha_real} ${sorteo.movimiento.hora ?? ""}) no lleva del sorteo sellado (${sellada}) al del acta (${sorteo.fecha}, ${sorteo.instante})`,
		);
	}
	if (Date.parse(a.sello.sellado_en) >= Date.parse(sorteo.instante))
		p.push(`Se selló (${a.sello.sellado_en}) después del sorteo que hubo (${sorteo.instante})`);
	if (resultado.fecha !== sorteo.fecha)
		p.push(`El resultado es del ${resultado.fecha}; el sorteo, del ${sorteo.fecha}`);
	return p;
};

/**
 * The result is what the loteria's sources said: `fuentes_requeridas` distinct sources it lists
 * agreed before it was confirmed and none disagreed (all admins are one source), or, after a
 * disagreement, two different admins decided it, on a number a source gave or with the document.
 */
export const problemasResultado = (a: ActaPayload): string[] => {
	const { resultado: r, definicion: d } = a;
	const p = problemasSorteo(a);
	const obs = r.observaciones;
	for (const o of obs) {
		if (!d.loteria.fuentes.includes(o.fuente))
			p.push(
				`La fuente ${o.fuente} no es una de las de la lotería (${d.loteria.fuentes.join(", ")})`,
			);
		if (Date.parse(o.observado_en) < Date.parse(a.sorteo.instante))
			p.push(
				`${o.fuente} observó el resultado (${o.observado_en}) antes del sorteo (${a.sorteo.instante})`,
			);
	}
	const antes = obs.filter((o) => Date.parse(o.observado_en) <= Date.parse(r.confirmado_en));
	const distintos = new Set(antes.map(clave));
	if (r.confirmado_por === "quorum") {
		if (r.resolucion) p.push("El acta dice confirmado por quórum y trae una resolución");
		if (distintos.size > 1)
			p.push(
				`Antes de confirmarse, las fuentes discreparon (${[...distintos].join(", ")}): solo una resolución podía decidirlo`,
			);
		const fuentes = new Set(antes.filter((o) => clave(o) === clave(r)).map((o) => o.fuente));
		if (fuentes.size < d.loteria.fuentes_requeridas)
			p.push(
				`Solo ${fuentes.size} fuente(s) (${[...fuentes].join(", ") || "ninguna"}) dieron ${clave(r)} antes de confirmarse; la lotería exige ${d.loteria.fuentes_requeridas}`,
			);
		return p;
	}
	const res = r.resolucion;
	if (!res) return [...p, "El acta dice resuelto por resolución y no la trae"];
	if (clave(res) !== clave(r))
		p.push(`La resolución decidió ${clave(res)}; el acta da ${clave(r)}`);
	if (res.propuesta_por === res.confirmada_por)
		p.push("La misma persona propuso y confirmó la resolución: se necesitan dos admins");
	if (Date.parse(res.confirmada_en) < Date.parse(res.propuesta_en))
		p.push("La resolución se confirmó antes de proponerse");
	const previas = obs.filter((o) => Date.parse(o.observado_en) <= Date.parse(res.propuesta_en));
	if (new Set(previas.map(clave)).size < 2)
		p.push("No hubo fuentes en desacuerdo antes de la resolución: no había nada que resolver");
	if (!obs.some((o) => clave(o) === clave(res)) && !res.evidencia_sha256)
		p.push(`Ninguna fuente dio ${clave(res)} y la resolución no trae el documento oficial`);
	return p;
};

/** Equal values, whatever order their keys were written in. */
const igual = (a: unknown, b: unknown) => canonico(a) === canonico(b);

/** Each winner's receipt: signed, of this rifa and definition, inside the seal at its path. */
const problemasRecibosGanadores = async (a: ActaPayload, jwks: Jwks): Promise<string[]> => {
	const p: string[] = [];
	for (const g of a.ganadores) {
		const donde = `Posición ${g.posicion}`;
		const firma = await verificarFirma(g.recibo, jwks, TYP_RECIBO, (x) =>
			esRecibo(x) ? x.vendido_en : undefined,
		);
		const r = esRecibo(firma.payload) ? (firma.payload as ReciboPayload) : undefined;
		if (!firma.ok) p.push(`${donde}: ${firma.detalle}`);
		else if (!r) p.push(`${donde}: su recibo no es un recibo v2`);
		else if (
			r.rifa_id !== a.rifa_id ||
			r.ticket_id !== g.ticket_id ||
			r.numero !== g.numero ||
			r.seq !== g.seq
		)
			p.push(`${donde}: el recibo citado es de otra boleta, número o posición del registro`);
		else if (r.definicion_sha256 !== a.definicion_sha256)
			p.push(`${donde}: el recibo se vendió con otras reglas (${corto(r.definicion_sha256)})`);
		if ((await sha256Hex(g.recibo)) !== g.recibo_sha256)
			p.push(`${donde}: recibo_sha256 no es el SHA-256 de su recibo`);
		if (g.seq >= a.sello.tamano) {
			p.push(
				`${donde}: la entrada ${g.seq} está fuera del registro sellado (${a.sello.tamano} entradas)`,
			);
			continue;
		}
		const raiz = await rootFromAuditPath(
			await leafHash(g.recibo),
			g.seq,
			a.sello.tamano,
			g.ruta.map(fromHex),
		);
		if (!raiz || !iguales(raiz, fromHex(a.sello.raiz)))
			p.push(`${donde}: su recibo no está en el registro sellado en la entrada ${g.seq}`);
	}
	return p;
};

/**
 * The winners and every amount, recomputed. With the sealed tickets (a full audit) settlement is
 * redone and compared whole; with only the seal's count of tickets sold, the money of every
 * position, each winner's number and where unclaimed prizes went are still recomputed, and each
 * winner's receipt is checked inside the seal.
 */
export const problemasGanadores = async (
	a: ActaPayload,
	jwks: Jwks,
	vendidosSellados: number,
	vendidos?: Vendido[],
): Promise<string[]> => {
	const d = a.definicion;
	const pr = a.premios;
	const p: string[] = [];
	const recibido = a.acumulado.reduce((s, x) => s + x.monto, 0);
	if (recibido !== pr.acumulado_recibido)
		p.push(
			`Los acumulados listados suman ${pesos(recibido)}; el desglose dice ${pesos(pr.acumulado_recibido)}`,
		);
	const entrada = entradaDe(d, a.resultado, pr.acumulado_recibido);
	if (vendidos) {
		if (vendidos.length !== vendidosSellados)
			p.push(
				`El registro sellado tiene ${vendidos.length} boletas vendidas; el sello dice ${vendidosSellados}`,
			);
		const { ganadores, desglose } = calcularPremios({ ...entrada, vendidos });
		const esperado = ganadores.map((g) => ({
			posicion: g.posicion,
			ticket_id: g.ticketId,
			numero: g.numero,
			monto: g.monto,
		}));
		const dado = a.ganadores.map((g) => ({
			posicion: g.posicion,
			ticket_id: g.ticket_id,
			numero: g.numero,
			monto: g.monto,
		}));
		if (!igual(esperado, dado)) {
			const txt = (xs: typeof dado) =>
				xs
					.map((g) => `${g.posicion}: ${cifras(g.numero, d.total_boletas)} ${pesos(g.monto)}`)
					.join(", ") || "ninguno";
			p.push(`Con las reglas selladas ganan ${txt(esperado)}; el acta premia ${txt(dado)}`);
		}
		const { acumula_a: _a, promesa: _p, ...resto } = pr;
		if (!igual(desglose, resto))
			p.push("El desglose de premios no es el que dan las reglas selladas con estas boletas");
		return [...p, ...(await problemasRecibosGanadores(a, jwks))];
	}
	const reparto = repartoDe(entrada, vendidosSellados);
	const mas = d.reglas.numero_no_vendido === "mas_cercano";
	if (pr.ventas !== reparto.ventas || pr.rake !== reparto.rake || pr.fondo !== reparto.fondo)
		p.push(
			`Con ${vendidosSellados} boletas selladas y las reglas selladas: ventas ${pesos(reparto.ventas)}, rake ${pesos(reparto.rake)}, fondo ${pesos(reparto.fondo)}; el acta dice ${pesos(pr.ventas)}, ${pesos(pr.rake)}, ${pesos(pr.fondo)}`,
		);
	if (pr.por_posicion.length !== reparto.posiciones.length)
		p.push(
			`El desglose tiene ${pr.por_posicion.length} posiciones; las reglas, ${reparto.posiciones.length}`,
		);
	const porPosicion = new Map(a.ganadores.map((g) => [g.posicion, g]));
	if (porPosicion.size !== a.ganadores.length) p.push("Una posición tiene dos ganadores");
	for (const g of a.ganadores)
		if (!reparto.posiciones.some((x) => x.posicion === g.posicion))
			p.push(`El acta premia una posición ${g.posicion} que la rifa no tiene`);
	for (const [i, esperado] of reparto.posiciones.entries()) {
		const pp = pr.por_posicion[i];
		const g = porPosicion.get(esperado.posicion);
		const n = esperado.numeroGanador;
		const donde = `Posición ${esperado.posicion}`;
		if (!pp) continue;
		if (
			pp.posicion !== esperado.posicion ||
			pp.fuente !== esperado.fuente ||
			pp.numero_ganador !== n
		)
			p.push(
				`${donde}: el desglose dice ${pp.fuente} → ${pp.numero_ganador}; del resultado sale ${esperado.fuente} → ${n}`,
			);
		if (pp.monto !== esperado.monto)
			p.push(
				`${donde}: las reglas selladas le dan ${pesos(esperado.monto)}; el desglose, ${pesos(pp.monto)}`,
			);
		if (g) {
			if (pp.destino !== "ganador")
				p.push(`${donde}: tiene ganador pero el desglose la manda a "${pp.destino}"`);
			if (g.monto !== esperado.monto)
				p.push(
					`${donde}: el ganador recibe ${pesos(g.monto)}; las reglas selladas le dan ${pesos(esperado.monto)}`,
				);
			if (n === null) p.push(`${donde}: el resultado no trae serie, así que no tiene ganador`);
			else if (!mas && g.numero !== n)
				p.push(
					`${donde}: el resultado da ${cifras(n, d.total_boletas)} y el acta premia ${cifras(g.numero, d.total_boletas)}`,
				);
		} else {
			const destino = d.reglas.numero_no_vendido === "acumula" ? "acumula" : "casa";
			if (mas && n !== null && vendidosSellados > 0)
				p.push(`${donde}: con "mas_cercano" y boletas vendidas siempre hay un ganador`);
			else if (pp.destino !== destino)
				p.push(
					`${donde}: sin ganador, el premio va a "${destino}" y el desglose dice "${pp.destino}"`,
				);
		}
	}
	const suma = (destino: string) =>
		pr.por_posicion.filter((x) => x.destino === destino).reduce((s, x) => s + x.monto, 0);
	const premiados = a.ganadores.reduce((s, g) => s + g.monto, 0);
	if (
		pr.premios !== premiados ||
		pr.premios !== suma("ganador") ||
		pr.casa !== suma("casa") ||
		pr.acumula !== suma("acumula")
	)
		p.push("Los totales del desglose (premios, casa, acumula) no cuadran con sus posiciones");
	return [...p, ...(await problemasRecibosGanadores(a, jwks))];
};

/** Where this receipt's ticket stands in the acta: named where it won, or rightly not named. */
export const revisarRecibo = (a: ActaPayload, r: ReciboPayload, hashRecibo: string) => {
	const problemas: string[] = [];
	const ganadas: ActaPayload["ganadores"] = [];
	const t = a.definicion.total_boletas;
	if (r.numero >= t)
		return { problemas: [`El número ${r.numero} no existe en una rifa de ${t}`], ganadas };
	const mas = a.definicion.reglas.numero_no_vendido === "mas_cercano";
	const anulada = " (si la venta se anuló, el registro de la rifa lo muestra)";
	const objetivos = a.premios.por_posicion;
	for (const o of objetivos) {
		const p = o.posicion;
		const g = a.ganadores.find((x) => x.posicion === p);
		if (g && g.ticket_id === r.ticket_id) {
			if (g.numero !== r.numero)
				problemas.push(
					`El acta da la posición ${p} a esta boleta con el número ${cifras(g.numero, t)}; el recibo dice ${cifras(r.numero, t)}`,
				);
			else if (g.recibo_sha256 !== hashRecibo)
				problemas.push(
					`El acta premia esta boleta en la posición ${p} pero cita otro recibo (${corto(g.recibo_sha256)})`,
				);
			else ganadas.push(g);
			continue;
		}
		if (o.numero_ganador === null) continue;
		if (r.numero === o.numero_ganador) {
			problemas.push(
				`Su número ${cifras(r.numero, t)} salió en la posición ${p} y el acta premia ${g ? `la boleta ${cifras(g.numero, t)}` : "a nadie"}${anulada}`,
			);
		} else if (mas && !g) {
			problemas.push(
				`Posición ${p}: con la regla "mas_cercano" el premio es del número vendido más cercano a ${cifras(o.numero_ganador, t)}, y su boleta estaba vendida${anulada}`,
			);
		} else if (mas && g && g.numero !== o.numero_ganador) {
			const dr = Math.abs(r.numero - o.numero_ganador);
			const dg = Math.abs(g.numero - o.numero_ganador);
			if (dr < dg || (dr === dg && r.numero < g.numero))
				problemas.push(
					`Posición ${p}: su número ${cifras(r.numero, t)} está más cerca de ${cifras(o.numero_ganador, t)} que el premiado ${cifras(g.numero, t)}${anulada}`,
				);
		}
	}
	return { problemas, ganadas };
};
