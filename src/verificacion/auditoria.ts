import type { Vendido } from "./acta.ts";
import {
	Informe,
	revisarActa,
	revisarAntesDelSorteo,
	revisarSello,
	type Verificacion,
} from "./checks.ts";
import { verificarFirma } from "./firma.ts";
import { esAnulacion, esRecibo } from "./guardas.ts";
import { construirArbol, leafHash, toHex } from "./merkle.ts";
import { corto } from "./texto.ts";
import {
	type AnulacionPayload,
	type Jwks,
	type ReciboPayload,
	type SelloRespuesta,
	TYP_ANULACION,
	TYP_RECIBO,
} from "./tipos.ts";

/**
 * The full audit of a rifa, for anyone (a journalist, a player) who wants to trust no one: every
 * entry of the public ledger checked and hashed again, the sealed root rebuilt from them, the seal
 * and its definition checked, and the acta recomputed from the sealed tickets with the prize rules
 * settlement uses. `npm run verificar -- --rifa <url>` downloads the documents and runs it.
 */
export interface EntradaAuditoria {
	jwks: Jwks;
	sello: SelloRespuesta;
	/** Every ledger entry (compact JWS), in order: `GET /rifas/{id}/registro`, all pages. */
	registro: string[];
	acta?: string;
}

type Entrada =
	| { tipo: "venta"; jws: string; payload: ReciboPayload }
	| { tipo: "anulacion"; jws: string; payload: AnulacionPayload };

const MOSTRADOS = 5;

const lista = (xs: string[]) =>
	`${xs.slice(0, MOSTRADOS).join("; ")}${xs.length > MOSTRADOS ? `; y ${xs.length - MOSTRADOS} más` : ""}`;

const leerEntrada = async (jws: string, jwks: Jwks): Promise<Entrada | string> => {
	const venta = await verificarFirma(jws, jwks, TYP_RECIBO, (x) =>
		esRecibo(x) ? x.vendido_en : undefined,
	);
	if (venta.ok) {
		return esRecibo(venta.payload)
			? { tipo: "venta", jws, payload: venta.payload }
			: "no es un recibo v2";
	}
	const anulacion = await verificarFirma(jws, jwks, TYP_ANULACION, (x) =>
		esAnulacion(x) ? x.anulado_en : undefined,
	);
	if (anulacion.ok) {
		return esAnulacion(anulacion.payload)
			? { tipo: "anulacion", jws, payload: anulacion.payload }
			: "no es una anulación v1";
	}
	return venta.detalle.startsWith("Cabecera: typ") ? anulacion.detalle : venta.detalle;
};

export const auditar = async (input: EntradaAuditoria): Promise<Verificacion> => {
	const inf = new Informe();
	const { jwks, sello, registro, acta } = input;
	const s = await revisarSello(inf, sello, jwks);
	revisarAntesDelSorteo(inf, s);

	const entradas: (Entrada | undefined)[] = [];
	const malas: string[] = [];
	for (const [seq, jws] of registro.entries()) {
		const e = await leerEntrada(jws, jwks);
		if (typeof e === "string") malas.push(`entrada ${seq}: ${e}`);
		else if (e.payload.seq !== seq) malas.push(`entrada ${seq}: dice ser la ${e.payload.seq}`);
		else if (s && e.payload.rifa_id !== s.rifa_id) malas.push(`entrada ${seq}: es de otra rifa`);
		entradas.push(typeof e === "string" ? undefined : e);
	}
	inf.resultado(
		"registro.firmas",
		malas.length ? [lista(malas)] : [],
		`${registro.length} entradas, cada una firmada por una clave publicada en su vigencia`,
	);
	if (!s) {
		inf.pendientes(
			["registro.definicion", "registro.raiz", "registro.despues_del_sello"],
			"Sin sello legible contra el cual revisar el registro",
		);
		await revisarActa(inf, acta, undefined, jwks);
		return inf.verificacion;
	}

	const ventas = entradas.filter((e) => e?.tipo === "venta") as Extract<
		Entrada,
		{ tipo: "venta" }
	>[];
	const otras = ventas.filter((e) => e.payload.definicion_sha256 !== s.definicion_sha256);
	inf.resultado(
		"registro.definicion",
		otras.length
			? [
					`Boletas vendidas con otras reglas: ${lista(otras.map((e) => `entrada ${e.payload.seq} (${corto(e.payload.definicion_sha256)})`))}`,
				]
			: [],
		`Las ${ventas.length} ventas nombran las reglas selladas ${corto(s.definicion_sha256)}`,
	);

	if (registro.length < s.tamano) {
		inf.add(
			"registro.raiz",
			"falla",
			`El registro publicado tiene ${registro.length} entradas y el sello cubre ${s.tamano}`,
		);
	} else {
		const arbol = await construirArbol(
			await Promise.all(registro.slice(0, s.tamano).map(leafHash)),
		);
		const raiz = toHex(arbol.raiz);
		inf.add(
			"registro.raiz",
			raiz === s.raiz ? "ok" : "falla",
			raiz === s.raiz
				? `Las primeras ${s.tamano} entradas dan la raíz sellada ${corto(raiz)}`
				: `Las primeras ${s.tamano} entradas dan la raíz ${corto(raiz)}, no la sellada ${corto(s.raiz)}: el registro cambió`,
		);
	}
	const tardias = ventas.filter((e) => e.payload.seq >= s.tamano);
	inf.resultado(
		"registro.despues_del_sello",
		tardias.length
			? [
					`Ventas agregadas después del sello, fuera del sorteo: ${lista(tardias.map((e) => `entrada ${e.payload.seq}, número ${e.payload.numero}`))}`,
				]
			: [],
		`Después del sello (${s.tamano} entradas) no se vendió nada`,
	);

	const sellado = entradas.slice(0, s.tamano);
	const anuladas = new Set(
		sellado.flatMap((e) => (e?.tipo === "anulacion" ? [e.payload.ticket_id] : [])),
	);
	const vendidos: Vendido[] = sellado.flatMap((e) =>
		e?.tipo === "venta" && !anuladas.has(e.payload.ticket_id)
			? [{ numero: e.payload.numero, ticketId: e.payload.ticket_id }]
			: [],
	);
	await revisarActa(inf, acta, s, jwks, vendidos);
	return inf.verificacion;
};
