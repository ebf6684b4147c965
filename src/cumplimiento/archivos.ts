/**
 * A prize's files in the private COMPROBANTES bucket, under `cumplimiento/{rifa}/premios/{premio}/`:
 * the proof that the operador owns it (read only by the rifa's operador and admins) and its photos
 * (public). Each file's type is read from its bytes (src/lib/archivos.ts), never from its name,
 * each is at most 5 MB, and R2 stores it with its SHA-256 checked on arrival.
 */
import { COMPROBANTE_MAX_BYTES } from "../db/schema";
import { type SniffedType, sniffFileType } from "../lib/archivos";
import { ApiError, t } from "../lib/errors";
import { toHex } from "../verificacion/merkle";

export const ARCHIVO_MAX_BYTES = COMPROBANTE_MAX_BYTES;
export const MAX_FOTOS = 5;
const MB = ARCHIVO_MAX_BYTES / 1024 / 1024;

export interface ArchivoLeido {
	bytes: Uint8Array;
	tipo: SniffedType;
	sha256: string;
}

const invalido = (path: string, es: string, en: string) =>
	new ApiError("VALIDATION_FAILED", t(es, en), { errors: [{ path, message: es }] });

export const archivoDemasiadoGrande = (path: string) =>
	new ApiError(
		"PAYLOAD_TOO_LARGE",
		t(
			`${path}: el archivo supera el máximo de ${MB} MB.`,
			`${path}: the file exceeds the ${MB} MB limit.`,
		),
	);

/**
 * The file's bytes, its type from its signature and its SHA-256; its size is checked before its
 * bytes are read. `soloImagen`: a photo, so a PDF is refused.
 */
export const leerArchivo = async (
	file: File,
	path: string,
	soloImagen: boolean,
): Promise<ArchivoLeido> => {
	if (file.size > ARCHIVO_MAX_BYTES) throw archivoDemasiadoGrande(path);
	if (file.size === 0) throw invalido(path, "El archivo está vacío.", "The file is empty.");
	const bytes = new Uint8Array(await file.arrayBuffer());
	const tipo = sniffFileType(bytes);
	if (!tipo || (soloImagen && tipo === "application/pdf")) {
		throw soloImagen
			? invalido(
					path,
					"La foto no es una imagen JPEG, PNG o WebP (se lee de sus bytes, no de su nombre).",
					"The photo is not a JPEG, PNG or WebP image (read from its bytes, not its name).",
				)
			: invalido(
					path,
					"El soporte no es un PDF ni una imagen JPEG, PNG o WebP (se lee de sus bytes, no de su nombre).",
					"The proof is not a PDF nor a JPEG, PNG or WebP image (read from its bytes, not its name).",
				);
	}
	const sha256 = toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)));
	return { bytes, tipo, sha256 };
};

const prefijo = (rifaId: string, premioId: string) => `cumplimiento/${rifaId}/premios/${premioId}/`;
export const claveSoporte = (rifaId: string, premioId: string) =>
	`${prefijo(rifaId, premioId)}soporte`;
export const claveFoto = (rifaId: string, premioId: string, n: number) =>
	`${prefijo(rifaId, premioId)}foto-${n}`;

export const guardar = (env: Env, clave: string, archivo: ArchivoLeido) =>
	env.COMPROBANTES.put(clave, archivo.bytes, {
		httpMetadata: { contentType: archivo.tipo },
		customMetadata: { sha256: archivo.sha256 },
		sha256: archivo.sha256,
	});

/** Best effort: a file left behind by a failed write is unreachable (no row names it). */
export const borrar = async (env: Env, claves: string[]) => {
	if (claves.length) await env.COMPROBANTES.delete(claves);
};
