import { createRouter } from "../../lib/create-app";
import * as handlers from "./ops.handlers";
import * as routes from "./ops.routes";

export const opsRouter = createRouter()
	.openapi(routes.healthz, handlers.healthzHandler)
	.openapi(routes.metrics, handlers.metricsHandler)
	.openapi(routes.jwks, handlers.jwksHandler);

opsRouter.openAPIRegistry.registerComponent("securitySchemes", "metricsToken", {
	type: "http",
	scheme: "bearer",
	description: "El valor de `METRICS_TOKEN` (no un JWT de usuario).",
});
