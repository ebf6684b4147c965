import { createRouter } from "../../lib/create-app";
import * as handlers from "./ganadores.handlers";
import * as routes from "./ganadores.routes";

export const ganadoresRouter = createRouter().openapi(routes.pago, handlers.pagoHandler);
