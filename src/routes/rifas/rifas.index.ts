import { createRouter } from "../../lib/create-app";
import * as handlers from "./rifas.handlers";
import * as routes from "./rifas.routes";

export const rifasRouter = createRouter()
	.openapi(routes.list, handlers.listHandler)
	.openapi(routes.create, handlers.createHandler)
	.openapi(routes.get, handlers.getHandler)
	.openapi(routes.patch, handlers.patchHandler)
	.openapi(routes.cerrar, handlers.cerrarHandler)
	.openapi(routes.cancelar, handlers.cancelarHandler)
	.openapi(routes.resultados, handlers.resultadosHandler)
	.openapi(routes.recalcular, handlers.recalcularHandler);
