import { createRouter } from "../../lib/create-app";
import * as handlers from "./users.handlers";
import * as routes from "./users.routes";

export const usersRouter = createRouter()
	.openapi(routes.list, handlers.listHandler)
	.openapi(routes.get, handlers.getHandler)
	.openapi(routes.patch, handlers.patchHandler)
	.openapi(routes.remove, handlers.removeHandler);
