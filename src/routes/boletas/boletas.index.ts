import { createRouter } from "../../lib/create-app";
import * as handlers from "./boletas.handlers";
import * as routes from "./boletas.routes";

export const boletasRouter = createRouter().openapi(routes.boletaPdf, handlers.boletaPdfHandler);
