import { revisarRecibo } from "./acta.ts";
import {
	Informe,
	revisarActa,
	revisarAntesDelSorteo,
	revisarSello,
	type Verificacion,
} from "./checks.ts";
import { verificarFirma } from "./firma.ts";
import { esPrueba, esRecibo, problemaPrueba, problemaRecibo } from "./guardas.ts";
import { fromHex, iguales, leafHash, rootFromAuditPath, sha256Hex, toHex } from "./merkle.ts";
import { cifras, corto, pesos } from "./texto.ts";
import { type Jwks, type Prueba, type SelloRespuesta, TYP_RECIBO } from "./tipos.ts";

export { CHECKS, type Check, type CheckId, type Estado, type Verificacion } from "./checks.ts";

/**
 * Checks a receipt against what the rifa published: its signature, its place in the ledger, the
 * seal of that ledger and the rules it fixed before the draw, and the acta's result and winners,
 * recomputed. Pure (WebCrypto through jose), so the Worker, the offline CLI and a browser page run
 * the same code; `auditoria.ts` checks a whole rifa the same way.
 */
export interface EntradaVerificacion {
	/** The receipt's compact JWS. */
	recibo: string;
	jwks: Jwks;
	prueba?: Prueba;
	sello?: SelloRespuesta;
	/** The acta's compact JWS (the `acta` field of `GET /rifas/{id}/acta`). */
	acta?: string;
}

const SELLO_IDS = [
	"sello.firma",
	"sello.contenido",
	"sello.rifa",
	"sello.definicion",
	"sello.raiz",
	"sello.antes_del_sorteo",
] as const;

export const verificar = async (input: EntradaVerificacion): Promise<Verificacion> => {
	const inf = new Informe();
	const { recibo, jwks, prueba, sello, acta } = input;

	const firmaRecibo = await verificarFirma(recibo, jwks, TYP_RECIBO, (x) =>
		esRecibo(x) ? x.vendido_en : undefined,
	);
	inf.add(
		"recibo.firma",
		firmaRecibo.ok ? "ok" : "falla",
		firmaRecibo.ok
			? `Firmado por la clave ${firmaRecibo.kid} de la plataforma`
			: firmaRecibo.detalle,
	);
	const r = esRecibo(firmaRecibo.payload) ? firmaRecibo.payload : undefined;
	inf.add(
		"recibo.contenido",
		r ? "ok" : "falla",
		r
			? `Boleta ${r.ticket_id}, número ${r.numero}, rifa ${r.rifa_id}, posición ${r.seq} del registro, vendida el ${r.vendido_en} con las reglas ${corto(r.definicion_sha256)}`
			: `No es un recibo v2: falta o no es válido «${problemaRecibo(firmaRecibo.payload)}»`,
	);

	// Inclusion proof: optional before the seal; once the rifa is sealed, a receipt must prove it is in it.
	let pruebaOk = false;
	if (!prueba) {
		inf.add(
			"prueba.inclusion",
			sello ? "falla" : "pendiente",
			sello
				? "La rifa está sellada y no hay prueba de que este recibo esté en su registro sellado"
				: "Sin prueba de inclusión",
		);
	} else if (!esPrueba(prueba)) {
		inf.add("prueba.inclusion", "falla", `La prueba no es válida: «${problemaPrueba(prueba)}»`);
	} else if (r && prueba.seq !== r.seq) {
		inf.add(
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
			inf.add(
				"prueba.inclusion",
				"falla",
				`Una ruta de ${prueba.ruta.length} hashes no sirve para la posición ${prueba.seq} de un registro de ${prueba.tamano} entradas`,
			);
		} else if (!iguales(raiz, fromHex(prueba.raiz))) {
			inf.add(
				"prueba.inclusion",
				"falla",
				`La ruta lleva a ${corto(toHex(raiz))}, no a la raíz de la prueba ${corto(prueba.raiz)}`,
			);
		} else {
			pruebaOk = true;
			inf.add(
				"prueba.inclusion",
				"ok",
				`Entrada ${prueba.seq} de ${prueba.tamano}: ${prueba.ruta.length} hashes llevan del recibo a la raíz ${corto(prueba.raiz)}`,
			);
		}
	}

	const s = sello ? await revisarSello(inf, sello, jwks) : undefined;
	if (!sello) {
		inf.pendientes(SELLO_IDS, "Sin sello: la rifa aún no se ha sellado o no se dio el sello");
	} else {
		if (!s || !r) inf.add("sello.rifa", "pendiente", "Sin sello o recibo legible");
		else if (s.rifa_id !== r.rifa_id)
			inf.add(
				"sello.rifa",
				"falla",
				`El sello es de la rifa ${s.rifa_id}; el recibo, de la ${r.rifa_id}`,
			);
		else inf.add("sello.rifa", "ok", `Rifa ${s.rifa_id}`);
		if (!s || !r) inf.add("sello.definicion", "pendiente", "Sin sello o recibo legible");
		else
			inf.add(
				"sello.definicion",
				r.definicion_sha256 === s.definicion_sha256 ? "ok" : "falla",
				r.definicion_sha256 === s.definicion_sha256
					? `El recibo y el sello nombran las mismas reglas (${corto(s.definicion_sha256)})`
					: `El recibo se compró con las reglas ${corto(r.definicion_sha256)}; el sello fijó ${corto(s.definicion_sha256)}: las reglas cambiaron`,
			);
		if (!s || !r) {
			inf.add("sello.raiz", "pendiente", "Sin sello o recibo legible");
		} else if (r.seq >= s.tamano) {
			inf.add(
				"sello.raiz",
				"falla",
				`El recibo está en la entrada ${r.seq} y el registro sellado tiene ${s.tamano}: se agregó después del sello y no entra en el sorteo`,
			);
		} else if (!prueba || !esPrueba(prueba)) {
			inf.add("sello.raiz", "falla", "Sin prueba contra el registro sellado");
		} else if (prueba.tamano !== s.tamano || prueba.raiz !== s.raiz) {
			inf.add(
				"sello.raiz",
				"falla",
				`La prueba es contra un registro de ${prueba.tamano} entradas (raíz ${corto(prueba.raiz)}); el sello, de ${s.tamano} (raíz ${corto(s.raiz)}). Pida la prueba otra vez: después del sello se da contra el registro sellado`,
			);
		} else {
			inf.add(
				"sello.raiz",
				pruebaOk ? "ok" : "falla",
				pruebaOk
					? "La prueba es contra la raíz sellada"
					: "La prueba cita la raíz sellada, pero su ruta no lleva a ella",
			);
		}
		revisarAntesDelSorteo(inf, s);
	}

	const a = await revisarActa(inf, acta, s, jwks);
	if (acta === undefined) {
		inf.add("acta.recibo", "pendiente", "Sin acta");
	} else if (!a || !r) {
		inf.add("acta.recibo", "pendiente", "Sin acta o recibo legibles");
	} else if (a.rifa_id !== r.rifa_id) {
		inf.add("acta.recibo", "falla", "El acta es de otra rifa");
	} else {
		const { problemas, ganadas } = revisarRecibo(a, r, await sha256Hex(recibo));
		const t = a.definicion.total_boletas;
		inf.resultado(
			"acta.recibo",
			problemas,
			ganadas.length
				? `Su boleta ${cifras(r.numero, t)} ganó: ${ganadas.map((g) => `posición ${g.posicion}, ${pesos(g.monto)}`).join("; ")}`
				: `Su boleta ${cifras(r.numero, t)} no ganó`,
		);
	}
	return inf.verificacion;
};
