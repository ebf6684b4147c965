import { createRouter } from "../../lib/create-app";
import * as handlers from "./resultados.handlers";
import * as routes from "./resultados.routes";

export const resultadosRouter = createRouter()
	.openapi(routes.getResultado, handlers.getResultadoHandler)
	.openapi(routes.postObservacion, handlers.postObservacionHandler)
	.openapi(routes.postResolucion, handlers.postResolucionHandler)
	.openapi(routes.getPropuestas, handlers.getPropuestasHandler)
	.openapi(routes.postConfirmacion, handlers.postConfirmacionHandler);
