import { createRouter } from "../../lib/create-app";
import * as handlers from "./webhooks.handlers";
import * as routes from "./webhooks.routes";
import { wompiWebhookHandler } from "./wompi.handlers";
import { wompiPagosWebhookHandler } from "./wompi-pagos.handlers";

export const webhooksRouter = createRouter()
	.openapi(routes.stripeWebhook, handlers.stripeWebhookHandler)
	.openapi(routes.loteriaWebhook, handlers.loteriaWebhookHandler)
	.openapi(routes.wompiWebhook, wompiWebhookHandler)
	.openapi(routes.wompiPagosWebhook, wompiPagosWebhookHandler);
