import { createRouter } from "../../lib/create-app";
import * as handlers from "./categorias.handlers";
import * as routes from "./categorias.routes";

export const categoriasRouter = createRouter()
	.openapi(routes.list, handlers.listHandler)
	.openapi(routes.create, handlers.createHandler)
	.openapi(routes.get, handlers.getHandler)
	.openapi(routes.patch, handlers.patchHandler)
	.openapi(routes.remove, handlers.removeHandler);
