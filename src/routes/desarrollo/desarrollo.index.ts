import { createRouter } from "../../lib/create-app";
import * as handlers from "./desarrollo.handlers";
import * as routes from "./desarrollo.routes";

export const desarrolloRouter = createRouter().openapi(
	routes.importarHistoria,
	handlers.importarHistoriaHandler,
);
