import { createRouter } from "../../lib/create-app";
import * as handlers from "./cajas.handlers";
import * as routes from "./cajas.routes";

// `/cajas/actual`, `/cajas/ajustes` and `/cajas/resumen` before `/cajas/{id}`.
export const cajasRouter = createRouter()
	.openapi(routes.actual, handlers.actualHandler)
	.openapi(routes.ajuste, handlers.ajusteHandler)
	.openapi(routes.resumen, handlers.resumenHandler)
	.openapi(routes.listar, handlers.listarHandler)
	.openapi(routes.detalle, handlers.detalleHandler)
	.openapi(routes.cierre, handlers.cierreHandler)
	.openapi(routes.confirmacion, handlers.confirmacionHandler)
	.openapi(routes.verComision, handlers.verComisionHandler)
	.openapi(routes.fijarComision, handlers.fijarComisionHandler)
	.openapi(routes.verCuentaTransferencia, handlers.verCuentaTransferenciaHandler)
	.openapi(routes.fijarCuentaTransferencia, handlers.fijarCuentaTransferenciaHandler);
