import { createRouter } from "../../lib/create-app";
import * as handlers from "./auth.handlers";
import * as routes from "./auth.routes";

export const authRouter = createRouter()
	.openapi(routes.register, handlers.registerHandler)
	.openapi(routes.login, handlers.loginHandler)
	.openapi(routes.token, handlers.tokenHandler)
	.openapi(routes.me, handlers.meHandler)
	.openapi(routes.patchMe, handlers.patchMeHandler);
