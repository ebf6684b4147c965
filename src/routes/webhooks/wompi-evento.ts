import { ApiError, t } from "../../lib/errors";
import {
	checksumEvento,
	type EventoWompi,
	mismoChecksum,
	pareceEvento,
} from "../../payments/wompi/firmas";

const invalido = () =>
	new ApiError(
		"UNAUTHORIZED",
		t("El checksum del evento no es válido.", "The event checksum is not valid."),
	);

/**
 * A Wompi event (payments or payouts), verified over the raw body before anything is read from it:
 * its checksum, and the `X-Event-Checksum` header when present, compared in constant time. A body
 * that is not an event or carries no checksum is a 400; a wrong checksum a 401.
 */
export const eventoVerificado = async (
	raw: string,
	cabecera: string | undefined,
	secreto: string,
): Promise<EventoWompi> => {
	let evento: unknown;
	try {
		evento = JSON.parse(raw);
	} catch {
		throw new ApiError(
			"BAD_REQUEST",
			t("El cuerpo del evento no es JSON válido.", "The event body is not valid JSON."),
		);
	}
	if (!pareceEvento(evento) || !evento.signature.checksum)
		throw new ApiError(
			"BAD_REQUEST",
			t("Falta el checksum del evento.", "The event checksum is missing."),
		);
	const esperado = await checksumEvento(evento, secreto);
	if (!mismoChecksum(evento.signature.checksum, esperado)) throw invalido();
	if (cabecera !== undefined && !mismoChecksum(cabecera, esperado)) throw invalido();
	return evento;
};
