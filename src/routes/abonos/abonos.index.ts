import { createRouter } from "../../lib/create-app";
import * as handlers from "./abonos.handlers";
import * as routes from "./abonos.routes";

export const abonosRouter = createRouter()
	.openapi(routes.abonar, handlers.abonarHandler)
	.openapi(routes.misCreditos, handlers.misCreditosHandler);
