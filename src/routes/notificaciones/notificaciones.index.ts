import { createRouter } from "../../lib/create-app";
import * as handlers from "./notificaciones.handlers";
import * as routes from "./notificaciones.routes";

export const notificacionesRouter = createRouter()
	.openapi(routes.mias, handlers.miasHandler)
	.openapi(routes.todas, handlers.todasHandler)
	.openapi(routes.baja, handlers.bajaHandler)
	.openapi(routes.bajaPagina, handlers.bajaPaginaHandler);
