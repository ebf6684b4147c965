import { enforceRateLimit } from "../../lib/rate-limit";
import type { AppRouteHandler } from "../../lib/types";
import { confirmarReclamo, pedirCodigo } from "../../services/reclamos.service";
import type { confirmar, pedir } from "./reclamos.routes";

export const pedirHandler: AppRouteHandler<typeof pedir> = async (c) => {
	const { telefono } = c.req.valid("json");
	await enforceRateLimit(c.env, "AUTH_EMAIL_LIMITER", `reclamo:${telefono}`);
	await pedirCodigo(c.env, c.var.db, telefono, c.var.logger);
	return c.json({ enviado: true as const }, 202);
};

export const confirmarHandler: AppRouteHandler<typeof confirmar> = async (c) => {
	const body = c.req.valid("json");
	await enforceRateLimit(c.env, "AUTH_EMAIL_LIMITER", `reclamo:${body.telefono}`);
	return c.json(await confirmarReclamo(c.env, c.var.db, body, c.var.requestId), 200);
};
