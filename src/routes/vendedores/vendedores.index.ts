import { createRouter } from "../../lib/create-app";
import * as handlers from "./vendedores.handlers";
import * as routes from "./vendedores.routes";

export const vendedoresRouter = createRouter()
	.openapi(routes.crear, handlers.crearHandler)
	.openapi(routes.listar, handlers.listarHandler)
	.openapi(routes.desactivar, handlers.desactivarHandler);
