import { createRouter } from "../../lib/create-app";
import * as handlers from "./loterias.handlers";
import * as routes from "./loterias.routes";

export const loteriasRouter = createRouter()
	.openapi(routes.list, handlers.listHandler)
	.openapi(routes.create, handlers.createHandler)
	.openapi(routes.get, handlers.getHandler)
	.openapi(routes.sorteos, handlers.sorteosHandler)
	.openapi(routes.patch, handlers.patchHandler)
	.openapi(routes.remove, handlers.removeHandler);
