/**
 * A file's type read from its first bytes (its signature), whatever its name or the type its
 * sender declared: a page saved as `recibo.png` is still HTML and is refused.
 */
export type SniffedType = "image/jpeg" | "image/png" | "image/webp" | "application/pdf";

const ascii = (text: string) => Array.from(text, (ch) => ch.charCodeAt(0));

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG = [0xff, 0xd8, 0xff];
const RIFF = ascii("RIFF");
const WEBP = ascii("WEBP");
const PDF = ascii("%PDF-");

const hasAt = (bytes: Uint8Array, signature: readonly number[], offset = 0) =>
	bytes.length >= offset + signature.length && signature.every((b, i) => bytes[offset + i] === b);

export const sniffFileType = (bytes: Uint8Array): SniffedType | null => {
	if (hasAt(bytes, PNG)) return "image/png";
	if (hasAt(bytes, JPEG)) return "image/jpeg";
	if (hasAt(bytes, RIFF) && hasAt(bytes, WEBP, 8)) return "image/webp";
	// PDF readers accept the header further in; a proof must start with it.
	if (hasAt(bytes, PDF)) return "application/pdf";
	return null;
};

const EXTENSIONS: Record<SniffedType, string> = {
	"image/jpeg": "jpg",
	"image/png": "png",
	"image/webp": "webp",
	"application/pdf": "pdf",
};

export const extensionOf = (type: SniffedType): string => EXTENSIONS[type];
