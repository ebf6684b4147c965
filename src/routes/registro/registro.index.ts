import { createRouter } from "../../lib/create-app";
import * as handlers from "./registro.handlers";
import * as routes from "./registro.routes";

export const registroRouter = createRouter()
	.openapi(routes.registro, handlers.registroHandler)
	.openapi(routes.sello, handlers.selloHandler)
	.openapi(routes.recibo, handlers.reciboHandler)
	.openapi(routes.prueba, handlers.pruebaHandler)
	.openapi(routes.acta, handlers.actaHandler)
	.openapi(routes.actaPdf, handlers.actaPdfHandler);
