import { createRouter } from "../../lib/create-app";
import * as handlers from "./webhooks.handlers";
import * as routes from "./webhooks.routes";

export const webhooksRouter = createRouter()
	.openapi(routes.stripeWebhook, handlers.stripeWebhookHandler)
	.openapi(routes.loteriaWebhook, handlers.loteriaWebhookHandler);
