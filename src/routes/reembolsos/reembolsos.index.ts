import { createRouter } from "../../lib/create-app";
import * as handlers from "./reembolsos.handlers";
import * as routes from "./reembolsos.routes";

export const reembolsosRouter = createRouter()
	.openapi(routes.listar, handlers.listarHandler)
	.openapi(routes.entregaEfectivo, handlers.entregaEfectivoHandler);
