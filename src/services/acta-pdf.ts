import { PDFDocument } from "pdf-lib";
import { formatCop } from "../lib/format";
import type { ActaPayload } from "../verificacion/tipos";
import { embedFaces } from "./pdf-fonts";
import { PageFlow } from "./pdf-layout";
import { MISSING } from "./pdf-text";

const FUENTE_POSICION: Record<string, string> = {
	ultimas: "últimas cifras del número",
	primeras: "primeras cifras del número",
	serie: "cifras de la serie",
};

// A heading starts a new page unless it fits with a couple of lines after it.
const HEADING_ROOM = 60;

/**
 * The acta as a printable document in Spanish: the same facts as the signed acta, and where to
 * verify it, with a QR code of that link. The PDF is a convenience for people; the JWS is what a
 * verifier checks. Names print in any script the embedded font (DejaVu Sans) covers; any other
 * character prints as `MISSING`, and the exact name stays in the PDF's title.
 */
export const actaPdf = async (
	acta: { jws: string; payload: ActaPayload; nombre: string; loteria: string },
	verificarUrl: string,
): Promise<Uint8Array> => {
	const p = acta.payload;
	const doc = await PDFDocument.create();
	doc.setTitle(`Acta de sorteo — ${acta.nombre.replace(/\p{Cc}+/gu, " ")}`);
	doc.setLanguage("es-CO");
	doc.setCreator("Rifa1122");
	// Dated by the acta, not the clock: the same acta renders to the same bytes, stored or fresh.
	doc.setCreationDate(new Date(p.emitido_en));
	doc.setModificationDate(new Date(p.emitido_en));
	const flow = new PageFlow(doc, await embedFaces(doc));
	const heading = (text: string) => {
		flow.keep(HEADING_ROOM);
		flow.text(text, { face: "bold", size: 12 });
	};

	flow.text("Acta de sorteo", { face: "bold", size: 20, gap: 30 });
	flow.text(`Rifa: ${acta.nombre}`, { face: "bold", size: 12 });
	flow.text(`Id: ${p.rifa_id}`);
	flow.text(`Lotería: ${acta.loteria}, sorteo del ${p.resultado.fecha}`);
	flow.text(`Emitida: ${p.emitido_en}`, { gap: 24 });

	heading("Resultado confirmado");
	flow.text(`Premio mayor: ${p.resultado.numero}, serie ${p.resultado.serie ?? "—"}`);
	for (const o of p.resultado.observaciones) {
		flow.text(
			`Fuente ${o.fuente}${o.observador ? ` (${o.observador})` : ""}: ${o.numero}, serie ${o.serie ?? "—"}, observado ${o.observado_en}${o.evidencia_sha256 ? `, evidencia SHA-256 ${o.evidencia_sha256.slice(0, 16)}…` : ""}`,
			{ size: 9 },
		);
	}
	flow.space(10);
	heading("Registro de boletas sellado antes del sorteo");
	flow.text(`Entradas: ${p.sello.tamano}. Raíz del árbol de Merkle (RFC 9162):`);
	flow.text(p.sello.raiz, { face: "mono", size: 8, gap: 22 });

	heading("Ganadores");
	if (!p.ganadores.length) flow.text("Ninguna boleta vendida ganó.");
	for (const g of p.ganadores) {
		const pos = p.premios.por_posicion.find((x) => x.posicion === g.posicion);
		flow.keep(30);
		flow.text(
			`Posición ${g.posicion} (${FUENTE_POSICION[pos?.fuente ?? ""] ?? "—"}): número ${g.numero}, ${formatCop(g.monto)}`,
		);
		flow.text(`Boleta ${g.ticket_id}, recibo SHA-256 ${g.recibo_sha256.slice(0, 32)}…`, {
			face: "mono",
			size: 8,
		});
	}
	flow.space(10);
	heading("Premios");
	flow.text(`Ventas: ${formatCop(p.premios.ventas)}. Fondo: ${formatCop(p.premios.fondo)}.`);
	flow.text(
		`Pagado en premios: ${formatCop(p.premios.premios)}. Casa: ${formatCop(p.premios.casa)}. Acumula: ${formatCop(p.premios.acumula)}.`,
		{ gap: 24 },
	);

	heading("Verificación");
	flow.text(
		"Esta acta está firmada (JWS, EdDSA). Verifíquela, con su recibo, sin confiar en el operador:",
	);
	flow.qr(verificarUrl, 96);
	flow.text(verificarUrl, { face: "mono", size: 9 });
	flow.text(
		"o sin conexión: npm run verificar -- recibo.jws --acta acta.json (docs/verificacion.md).",
		{
			size: 9,
		},
	);
	if (flow.substituted) {
		flow.space(10);
		flow.text(
			`${MISSING} marca un carácter que la fuente de este documento no tiene; el título del PDF (sus propiedades) lleva el nombre exacto.`,
			{ size: 9 },
		);
	}
	flow.footer(`Acta de sorteo de la rifa ${p.rifa_id}`);
	return doc.save();
};
