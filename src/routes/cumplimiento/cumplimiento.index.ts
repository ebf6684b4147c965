import { createRouter } from "../../lib/create-app";
import * as handlers from "./cumplimiento.handlers";
import * as routes from "./cumplimiento.routes";

export const cumplimientoRouter = createRouter()
	.openapi(routes.ver, handlers.verHandler)
	.openapi(routes.autorizacion, handlers.autorizacionHandler)
	.openapi(routes.garantia, handlers.garantiaHandler)
	.openapi(routes.crearPremio, handlers.crearPremioHandler)
	.openapi(routes.eliminarPremio, handlers.eliminarPremioHandler)
	.openapi(routes.archivo, handlers.archivoHandler);
