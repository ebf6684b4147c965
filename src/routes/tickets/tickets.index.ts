import { z } from "@hono/zod-openapi";
import { createRouter } from "../../lib/create-app";
import { ApiError, notFound, RIFA, t } from "../../lib/errors";
import { clientIpKey, publicReadRateLimit, tooManyRequests } from "../../lib/rate-limit";
import { findRifa, roomFor } from "../../rifa-room/rooms";
import * as handlers from "./tickets.handlers";
import * as routes from "./tickets.routes";

export const ticketsRouter = createRouter()
	.openapi(routes.purchase, handlers.purchaseHandler)
	.openapi(routes.listForRifa, handlers.listForRifaHandler)
	.openapi(routes.listForUser, handlers.listForUserHandler)
	.openapi(routes.availability, handlers.availabilityHandler)
	.openapi(routes.pagos, handlers.pagosHandler)
	.openapi(routes.bancosPse, handlers.bancosPseHandler)
	.openapi(routes.transaccion, handlers.transaccionHandler);

/** Live updates: the rifa's room holds the socket (hibernation), so this only forwards the upgrade. */
const RETRY_SOCKET_S = 30;

ticketsRouter.get("/rifas/:id/ws", publicReadRateLimit, async (c) => {
	const id = c.req.param("id");
	if (!z.uuid().safeParse(id).success) {
		throw new ApiError(
			"VALIDATION_FAILED",
			t("El id de la rifa no es válido.", "The rifa id is not valid."),
			{
				errors: [{ path: "id", message: "Debe ser un UUID" }],
			},
		);
	}
	if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
		throw new ApiError(
			"BAD_REQUEST",
			t(
				"Este endpoint requiere una conexión WebSocket (Upgrade: websocket).",
				"This endpoint needs a WebSocket connection (Upgrade: websocket).",
			),
		);
	}
	if (!(await findRifa(c.var.db, id))) throw notFound(RIFA);
	// The room counts sockets per client address; only this Worker may say which address that is.
	const headers = new Headers(c.req.raw.headers);
	const client = clientIpKey(c);
	if (client) headers.set("X-Cliente", client);
	else headers.delete("X-Cliente");
	const res = await roomFor(c.env, id).fetch(new Request(c.req.raw, { headers }));
	if (res.status === 404) throw notFound(RIFA);
	if (res.status === 429) {
		throw tooManyRequests(
			t(
				"Demasiadas conexiones en vivo a esta rifa; cierre alguna e intente de nuevo.",
				"Too many live connections to this rifa; close one and try again.",
			),
			RETRY_SOCKET_S,
		);
	}
	// A Durable Object's upgrade answer has immutable headers, and the security headers are set
	// after this handler: a copy with the same socket takes them (without it the upgrade is a 500).
	return new Response(res.body, {
		status: res.status,
		statusText: res.statusText,
		headers: new Headers(res.headers),
		webSocket: res.webSocket,
	});
});
