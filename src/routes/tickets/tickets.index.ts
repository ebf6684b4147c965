import { z } from "@hono/zod-openapi";
import { createRouter } from "../../lib/create-app";
import { ApiError, notFound, RIFA, t } from "../../lib/errors";
import { roomFor } from "../../rifa-room/rooms";
import * as handlers from "./tickets.handlers";
import * as routes from "./tickets.routes";

export const ticketsRouter = createRouter()
	.openapi(routes.purchase, handlers.purchaseHandler)
	.openapi(routes.listForRifa, handlers.listForRifaHandler)
	.openapi(routes.listForUser, handlers.listForUserHandler)
	.openapi(routes.availability, handlers.availabilityHandler);

/** Live updates: the rifa's room holds the socket (hibernation), so this only forwards the upgrade. */
ticketsRouter.get("/rifas/:id/ws", async (c) => {
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
	const res = await roomFor(c.env, id).fetch(c.req.raw);
	if (res.status === 404) throw notFound(RIFA);
	return res;
});
