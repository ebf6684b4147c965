import { createRouter } from "../../lib/create-app";
import * as handlers from "./reportes.handlers";
import * as routes from "./reportes.routes";

export const reportesRouter = createRouter()
	.openapi(routes.ingresos, handlers.ingresosHandler)
	.openapi(routes.participacion, handlers.participacionHandler);
