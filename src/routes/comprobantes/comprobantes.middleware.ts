import { createMiddleware } from "hono/factory";
import { ApiError, t } from "../../lib/errors";
import { PROOF_BODY_LIMIT } from "../../lib/security";
import type { AppBindings } from "../../lib/types";
import { proofTooLarge } from "../../services/comprobantes.service";

/**
 * Before the form is read: a proof comes as multipart/form-data (a clearer 415 than the JSON
 * routes' one), and a body announced bigger than the file limit allows is refused unread.
 */
export const proofUpload = createMiddleware<AppBindings>(async (c, next) => {
	if (!/^multipart\/form-data\s*;/i.test(c.req.header("Content-Type") ?? ""))
		throw new ApiError(
			"UNSUPPORTED_MEDIA_TYPE",
			t(
				"Envíe el comprobante como multipart/form-data (archivo, referencia, monto, banco).",
				"Send the proof as multipart/form-data (archivo, referencia, monto, banco).",
			),
		);
	if (Number(c.req.header("Content-Length") ?? 0) > PROOF_BODY_LIMIT) throw proofTooLarge();
	await next();
});
