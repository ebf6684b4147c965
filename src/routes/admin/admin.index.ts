import { createRouter } from "../../lib/create-app";
import * as handlers from "./admin.handlers";
import * as routes from "./admin.routes";

export const adminRouter = createRouter()
	.openapi(routes.auditoria, handlers.auditoriaHandler)
	.openapi(routes.reembolsos, handlers.reembolsosHandler)
	.openapi(routes.registrarReembolso, handlers.registrarReembolsoHandler);
