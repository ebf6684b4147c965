import { createRouter } from "../../lib/create-app";
import * as handlers from "./comprobantes.handlers";
import * as routes from "./comprobantes.routes";

export const comprobantesRouter = createRouter()
	.openapi(routes.subir, handlers.subirHandler)
	.openapi(routes.listar, handlers.listarHandler)
	.openapi(routes.ver, handlers.verHandler)
	.openapi(routes.archivo, handlers.archivoHandler)
	.openapi(routes.aprobar, handlers.aprobarHandler)
	.openapi(routes.rechazar, handlers.rechazarHandler);
