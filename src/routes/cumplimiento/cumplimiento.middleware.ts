import { createMiddleware } from "hono/factory";
import { archivoDemasiadoGrande } from "../../cumplimiento/archivos";
import { ApiError, t } from "../../lib/errors";
import { PREMIO_BODY_LIMIT } from "../../lib/security";
import type { AppBindings } from "../../lib/types";

/**
 * Before the form is read: a prize comes as multipart/form-data (a clearer 415 than the JSON
 * routes' one), and a body announced bigger than its files allow is refused unread.
 */
export const premioUpload = createMiddleware<AppBindings>(async (c, next) => {
	if (!/^multipart\/form-data\s*;/i.test(c.req.header("Content-Type") ?? ""))
		throw new ApiError(
			"UNSUPPORTED_MEDIA_TYPE",
			t(
				"Envíe el premio como multipart/form-data (posicion, descripcion, valor_comercial, soporte_tipo, soporte, fotos).",
				"Send the prize as multipart/form-data (posicion, descripcion, valor_comercial, soporte_tipo, soporte, fotos).",
			),
		);
	if (Number(c.req.header("Content-Length") ?? 0) > PREMIO_BODY_LIMIT)
		throw archivoDemasiadoGrande("(body)");
	await next();
});
