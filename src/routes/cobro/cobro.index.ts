import { createRouter } from "../../lib/create-app";
import * as handlers from "./cobro.handlers";
import * as routes from "./cobro.routes";

export const cobroRouter = createRouter()
	.openapi(routes.registrar, handlers.registrarHandler)
	.openapi(routes.confirmar, handlers.confirmarHandler)
	.openapi(routes.ver, handlers.verHandler)
	.openapi(routes.bancos, handlers.bancosHandler);
