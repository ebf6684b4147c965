import { createRouter } from "../../lib/create-app";
import * as handlers from "./reclamos.handlers";
import * as routes from "./reclamos.routes";

export const reclamosRouter = createRouter()
	.openapi(routes.pedir, handlers.pedirHandler)
	.openapi(routes.confirmar, handlers.confirmarHandler);
