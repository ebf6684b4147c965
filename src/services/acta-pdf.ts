import { PDFDocument, rgb, StandardFonts } from "pdf-lib";
import { formatCop } from "../lib/format";
import type { ActaPayload } from "../verificacion/tipos";

const FUENTE_POSICION: Record<string, string> = {
	ultimas: "últimas cifras del número",
	primeras: "primeras cifras del número",
	serie: "cifras de la serie",
};

/**
 * The acta as a printable one-page document in Spanish: the same facts as the signed acta, and
 * where to verify it. The PDF is a convenience for people; the JWS is what a verifier checks.
 */
export const actaPdf = async (
	acta: { jws: string; payload: ActaPayload; nombre: string; loteria: string },
	verificarUrl: string,
): Promise<Uint8Array> => {
	const doc = await PDFDocument.create();
	doc.setTitle(`Acta de sorteo — ${acta.nombre}`);
	doc.setLanguage("es-CO");
	doc.setCreator("Rifa1122");
	const page = doc.addPage([595.28, 841.89]);
	const regular = await doc.embedFont(StandardFonts.Helvetica);
	const bold = await doc.embedFont(StandardFonts.HelveticaBold);
	const mono = await doc.embedFont(StandardFonts.Courier);
	let y = 800;
	const line = (
		text: string,
		opts: { font?: typeof regular; size?: number; gap?: number } = {},
	) => {
		const size = opts.size ?? 10;
		page.drawText(text, { x: 50, y, size, font: opts.font ?? regular, color: rgb(0, 0, 0) });
		y -= opts.gap ?? size + 6;
	};
	const p = acta.payload;
	line("Acta de sorteo", { font: bold, size: 20, gap: 30 });
	line(`Rifa: ${acta.nombre}`, { font: bold, size: 12 });
	line(`Id: ${p.rifa_id}`);
	line(`Lotería: ${acta.loteria}, sorteo del ${p.resultado.fecha}`);
	line(`Emitida: ${p.emitido_en}`, { gap: 24 });

	line("Resultado confirmado", { font: bold, size: 12 });
	line(`Premio mayor: ${p.resultado.numero}, serie ${p.resultado.serie ?? "—"}`);
	for (const f of p.resultado.fuentes) {
		line(
			`Fuente ${f.fuente}${f.observado_en ? `, observado ${f.observado_en}` : ""}${f.evidencia_sha256 ? `, evidencia SHA-256 ${f.evidencia_sha256.slice(0, 16)}…` : ""}`,
			{ size: 9 },
		);
	}
	y -= 10;
	line("Registro de boletas sellado antes del sorteo", { font: bold, size: 12 });
	line(`Entradas: ${p.sello.tamano}. Raíz del árbol de Merkle (RFC 9162):`);
	line(p.sello.raiz, { font: mono, size: 8, gap: 22 });

	line("Ganadores", { font: bold, size: 12 });
	if (!p.ganadores.length) line("Ninguna boleta vendida ganó.");
	for (const g of p.ganadores) {
		const pos = p.premios.por_posicion.find((x) => x.posicion === g.posicion);
		line(
			`Posición ${g.posicion} (${FUENTE_POSICION[pos?.fuente ?? ""] ?? "—"}): número ${g.numero}, ${formatCop(g.monto)}`,
		);
		line(`Boleta ${g.ticket_id}, recibo SHA-256 ${g.recibo_sha256.slice(0, 32)}…`, {
			font: mono,
			size: 8,
		});
	}
	y -= 10;
	line("Premios", { font: bold, size: 12 });
	line(`Ventas: ${formatCop(p.premios.ventas)}. Fondo: ${formatCop(p.premios.fondo)}.`);
	line(
		`Pagado en premios: ${formatCop(p.premios.premios)}. Casa: ${formatCop(p.premios.casa)}. Acumula: ${formatCop(p.premios.acumula)}.`,
		{ gap: 24 },
	);

	line("Verificación", { font: bold, size: 12 });
	line(
		"Esta acta está firmada (JWS, EdDSA). Verifíquela, con su recibo, sin confiar en el operador:",
	);
	line(verificarUrl, { font: mono, size: 9 });
	line("o sin conexión: npm run verificar -- recibo.jws --acta acta.json (docs/verificacion.md).", {
		size: 9,
	});
	return doc.save();
};
