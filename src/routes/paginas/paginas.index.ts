import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { createRouter } from "../../lib/create-app";
import { publicReadRateLimit } from "../../lib/rate-limit";
import type { AppBindings } from "../../lib/types";
import { findRifa } from "../../rifa-room/rooms";

/**
 * The pages' documents (web/, built into the static assets). The Worker answers them rather than
 * the asset server so that each gets its status (a rifa that does not exist is a 404) and the
 * CSP the configuration calls for (src/lib/security.ts: Stripe's origins only where Stripe takes
 * cards). Scripts, styles and any other path come straight from the assets.
 */
const documento = async (c: Context<AppBindings>, encontrado: boolean) => {
	const asset = await c.env.ASSETS.fetch(new URL(encontrado ? "/" : "/404", c.req.url));
	if (!asset.ok) throw new Error(`the pages' shell is missing from the assets (${asset.status})`);
	return new Response(asset.body, {
		status: encontrado ? 200 : 404,
		// The shell names the hashed bundles of one build: always revalidated, never kept stale.
		headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-cache" },
	});
};

export const paginasRouter = createRouter()
	.get("/", (c) => documento(c, true))
	.get("/mis-boletas", (c) => documento(c, true))
	.get("/verificar", (c) => documento(c, true))
	// A walk-in buyer claims the account a seller made for it.
	.get("/reclamar", (c) => documento(c, true))
	// The point of sale (a seller's) and its operador's pages: each page signs in and checks.
	.get("/vender", (c) => documento(c, true))
	.get("/vender/caja", (c) => documento(c, true))
	.get("/vender/*", (c) => documento(c, false))
	.get("/operador/vendedores", (c) => documento(c, true))
	.get("/operador/cajas", (c) => documento(c, true))
	.get("/operador/comprobantes", (c) => documento(c, true))
	.get("/operador/*", (c) => documento(c, false))
	// Looking a rifa up is a read of D1, limited as the API's public reads are.
	.get("/rifas/:id", publicReadRateLimit, async (c) => {
		const id = c.req.param("id");
		return documento(c, z.uuid().safeParse(id).success && (await findRifa(c.var.db, id)) !== null);
	})
	.get("/rifas/*", (c) => documento(c, false));
