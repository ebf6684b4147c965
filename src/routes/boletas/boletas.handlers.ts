import type { AppRouteHandler } from "../../lib/types";
import { printableBoletas } from "../../services/boleta.service";
import { boletaPdf } from "../../services/boleta-pdf";
import type { boletaPdf as boletaPdfRoute } from "./boletas.routes";

/** If-None-Match compares weakly for a GET (RFC 9110 §13.1.2): `W/` does not count. */
const matches = (header: string | undefined, etag: string) => {
	const opaque = (tag: string) => tag.trim().replace(/^W\//, "");
	return (
		header?.split(",").some((tag) => tag.trim() === "*" || opaque(tag) === opaque(etag)) ?? false
	);
};

export const boletaPdfHandler: AppRouteHandler<typeof boletaPdfRoute> = async (c) => {
	const { id } = c.req.valid("param");
	const { formato } = c.req.valid("query");
	const print = await printableBoletas(c.env, c.var.db, c.var.user, id, formato);
	// Names and the draw can change under a boleta: clients keep it, and revalidate every time.
	const headers = { "Cache-Control": "private, no-cache", ETag: print.etag };
	if (matches(c.req.header("If-None-Match"), print.etag))
		return c.body(null, 304, headers) as never;
	const pdf = await boletaPdf(print.boletas, formato, print.soldAt);
	return new Response(pdf, {
		status: 200,
		headers: {
			...headers,
			"Content-Type": "application/pdf",
			"Content-Disposition": `inline; filename="boleta-${print.rifaId}-${print.numero}.pdf"`,
		},
	}) as never;
};
