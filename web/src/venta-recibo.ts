import { el, formatCop, numeroDe, token } from "./api";
import { type Aviso, aviso, textoDe } from "./avisos";
import { type Boleta, enlaceRecibo, titular } from "./boletas";

/** A phone as wa.me takes it: digits with the country code (a Colombian mobile may lack +57). */
export const digitosWhatsapp = (telefono: string): string | null => {
	const d = telefono.replace(/[\s().-]/g, "");
	if (/^3\d{9}$/.test(d)) return `57${d}`;
	const intl = d.startsWith("+") ? d.slice(1) : d.startsWith("00") ? d.slice(2) : null;
	return intl && /^[1-9]\d{6,14}$/.test(intl) ? intl : null;
};

export const rutaBoletaPdf = (ticketId: string, formato: "termica" | "a4") =>
	`/api/v1/tickets/${ticketId}/boleta.pdf?formato=${formato}`;

/**
 * The API gives the printed boleta to a bearer token only, so a plain link would be refused: the
 * PDF is fetched with the signed-in user's token and shown from memory in a new tab where the
 * browser shows PDFs, or saved as a file where it does not (most phones open it in their PDF app).
 */
const abrirPdf = async (href: string, nombre: string, error: Aviso) => {
	error.mostrar("");
	// Opened at the click itself, so no popup blocker takes it for an unasked window.
	const ventana = navigator.pdfViewerEnabled ? window.open("", "_blank") : null;
	try {
		const res = await fetch(href, {
			headers: { Accept: "application/pdf", Authorization: `Bearer ${token() ?? ""}` },
		}).catch(() => {
			throw new Error("no hubo respuesta del servidor; revise su conexión");
		});
		if (!res.ok) {
			const problema = (await res.json().catch(() => null)) as { detail?: string } | null;
			throw new Error(problema?.detail ?? `Error ${res.status}`);
		}
		const url = URL.createObjectURL(await res.blob());
		setTimeout(() => URL.revokeObjectURL(url), 120_000);
		if (ventana) ventana.location.href = url;
		else el("a", { href: url, download: nombre }).click();
	} catch (err) {
		ventana?.close();
		error.mostrar(`No se pudo abrir la boleta: ${textoDe(err)}`);
	}
};

/** A link to a boleta's PDF that fetches it with the signed-in user's token. */
export const enlacePdf = (
	ticketId: string,
	formato: "termica" | "a4",
	texto: string,
	archivo: string,
	error: Aviso,
) => {
	const href = rutaBoletaPdf(ticketId, formato);
	const a = el("a", { href, target: "_blank", rel: "noopener", "data-formato": formato }, texto);
	a.addEventListener("click", (e) => {
		e.preventDefault();
		void abrirPdf(href, archivo, error);
	});
	return a;
};

/** The message a buyer gets on WhatsApp: the numbers and each one's receipt to verify. */
const mensajeWhatsapp = (o: { nombre: string; rifa: string; total: number; boletas: Boleta[] }) =>
	[
		`Hola ${o.nombre}, gracias por su compra en ${o.rifa}.`,
		`Sus números: ${o.boletas.map((b) => numeroDe(b.numero, o.total)).join(", ")}.`,
		"Verifique cada boleta aquí:",
		...o.boletas.map(
			(b) =>
				`${numeroDe(b.numero, o.total)}: ${b.recibo ? `${location.origin}${enlaceRecibo(b.recibo)}` : "recibo pendiente"}`,
		),
	].join("\n");

/**
 * A cash sale done: the numbers sold, a thermal boleta to print for each, all of them on A4, each
 * receipt's verification link, and (if the buyer accepted WhatsApp) the message to send them.
 */
export const vistaVenta = (o: {
	rifa: string;
	total: number;
	monto: number;
	boletas: Boleta[];
	cliente: { nombre: string; telefono: string; acepta_whatsapp: boolean };
}) => {
	const error = aviso();
	const numeros = o.boletas.map((b) => numeroDe(b.numero, o.total));
	const wa = o.cliente.acepta_whatsapp ? digitosWhatsapp(o.cliente.telefono) : null;
	const primera = o.boletas[0];
	return [
		titular(o.boletas.length === 1 ? "Boleta vendida" : "Boletas vendidas"),
		el(
			"p",
			{ "data-vendidos": numeros.join(",") },
			`${o.boletas.length === 1 ? "Número" : "Números"} ${numeros.join(", ")} para ${o.cliente.nombre}. Cobre ${formatCop(o.monto)} en efectivo.`,
		),
		el(
			"ul",
			{ class: "recibos vendidas" },
			...o.boletas.map((b) =>
				el(
					"li",
					{ "data-ticket": b.id },
					el("strong", {}, `Número ${numeroDe(b.numero, o.total)}`),
					" ",
					enlacePdf(
						b.id,
						"termica",
						`Imprimir boleta ${numeroDe(b.numero, o.total)}`,
						`boleta-${numeroDe(b.numero, o.total)}.pdf`,
						error,
					),
					b.recibo
						? el(
								"span",
								{},
								" · ",
								el(
									"a",
									{ href: enlaceRecibo(b.recibo), "data-recibo": b.recibo },
									`Verificar ${numeroDe(b.numero, o.total)}`,
								),
							)
						: null,
				),
			),
		),
		el(
			"p",
			{ class: "botones" },
			primera
				? enlacePdf(
						primera.id,
						"a4",
						"Imprimir todas las boletas (hoja A4)",
						`boletas-${numeros.join("-")}.pdf`,
						error,
					)
				: null,
			wa
				? el(
						"a",
						{
							href: `https://wa.me/${wa}?text=${encodeURIComponent(mensajeWhatsapp({ nombre: o.cliente.nombre, rifa: o.rifa, total: o.total, boletas: o.boletas }))}`,
							target: "_blank",
							rel: "noopener",
							class: "whatsapp",
						},
						"Compartir por WhatsApp",
					)
				: el("span", {}, "El comprador no aceptó recibir WhatsApp: entréguele la boleta impresa."),
		),
		error.nodo,
	];
};
