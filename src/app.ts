import { swaggerUI } from "@hono/swagger-ui";
import { createApp } from "./lib/create-app";
import { countWebhookFailures } from "./lib/metrics";
import { abonosRouter } from "./routes/abonos/abonos.index";
import { adminRouter } from "./routes/admin/admin.index";
import { authRouter } from "./routes/auth/auth.index";
import { boletasRouter } from "./routes/boletas/boletas.index";
import { cajasRouter } from "./routes/cajas/cajas.index";
import { categoriasRouter } from "./routes/categorias/categorias.index";
import { cobroRouter } from "./routes/cobro/cobro.index";
import { comprobantesRouter } from "./routes/comprobantes/comprobantes.index";
import { cumplimientoRouter } from "./routes/cumplimiento/cumplimiento.index";
import { desarrolloRouter } from "./routes/desarrollo/desarrollo.index";
import { ganadoresRouter } from "./routes/ganadores/ganadores.index";
import { loteriasRouter } from "./routes/loterias/loterias.index";
import { notificacionesRouter } from "./routes/notificaciones/notificaciones.index";
import { opsRouter } from "./routes/ops/ops.index";
import { paginasRouter } from "./routes/paginas/paginas.index";
import { reclamosRouter } from "./routes/reclamos/reclamos.index";
import { reembolsosRouter } from "./routes/reembolsos/reembolsos.index";
import { registroRouter } from "./routes/registro/registro.index";
import { reportesRouter } from "./routes/reportes/reportes.index";
import { resultadosRouter } from "./routes/resultados/resultados.index";
import { rifasRouter } from "./routes/rifas/rifas.index";
import { ticketsRouter } from "./routes/tickets/tickets.index";
import { usersRouter } from "./routes/users/users.index";
import { vendedoresRouter } from "./routes/vendedores/vendedores.index";
import { webhooksRouter } from "./routes/webhooks/webhooks.index";

/**
 * The documentation pages load Swagger UI and Redoc from this Worker's static assets (copied from
 * npm by the web build, vite.web.config.ts), so they work offline; no inline script.
 */
const DOCS_PAGE = `<!doctype html>
<html lang="es"><head><meta charset="utf-8"><title>Rifa1122 API — Swagger UI</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/vendor/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/vendor/swagger-ui-bundle.js"></script>
<script src="/vendor/swagger-init.js"></script></body></html>`;

const REDOC_PAGE = `<!doctype html>
<html lang="es"><head><meta charset="utf-8"><title>Rifa1122 API — Redoc</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><redoc spec-url="/openapi.json"></redoc>
<script src="/vendor/redoc.standalone.js"></script></body></html>`;

/**
 * Private code with no published licence text: `LicenseRef-` is SPDX's form for a licence not on
 * its list. A constant, not a literal in `doc31`, because @hono/zod-openapi types that config with
 * OpenAPI 3.0's license object, which has no `identifier`.
 */
const LICENSE = {
	name: "Propietaria, todos los derechos reservados",
	identifier: "LicenseRef-Propietaria",
};

export const buildApp = () => {
	const app = createApp();
	// Registered before the routers so it runs around the webhook handlers.
	app.use("/api/v1/webhooks/*", countWebhookFailures);
	app.route("/", opsRouter);
	// authRouter holds users/me, so it must precede usersRouter's users/{id}.
	for (const router of [
		authRouter,
		reclamosRouter,
		notificacionesRouter,
		usersRouter,
		cobroRouter,
		categoriasRouter,
		loteriasRouter,
		resultadosRouter,
		rifasRouter,
		ticketsRouter,
		registroRouter,
		boletasRouter,
		webhooksRouter,
		adminRouter,
		ganadoresRouter,
		reportesRouter,
		desarrolloRouter,
		vendedoresRouter,
		cajasRouter,
		abonosRouter,
		comprobantesRouter,
		reembolsosRouter,
		cumplimientoRouter,
	]) {
		app.route("/api/v1", router);
	}

	app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
		type: "http",
		scheme: "bearer",
		bearerFormat: "JWT",
		description: "Token de `POST /api/v1/auth/login`.",
	});
	app.openAPIRegistry.registerComponent("securitySchemes", "oauth2Password", {
		type: "oauth2",
		description:
			"El mismo token, pedido con correo y contraseña a `POST /api/v1/auth/token` (el botón Authorize de Swagger UI).",
		flows: { password: { tokenUrl: "/api/v1/auth/token", scopes: {} } },
	});
	app.doc31("/openapi.json", {
		openapi: "3.1.0",
		info: {
			title: "Rifa1122 API",
			version: "1.0.0",
			license: LICENSE,
			description:
				"API de rifas ligadas a los resultados de las loterías colombianas. Dinero en centavos de COP (enteros). Errores en `application/problem+json` (RFC 9457).",
		},
		servers: [{ url: "/" }],
		security: [],
		tags: [
			{ name: "auth", description: "Registro e inicio de sesión" },
			{ name: "users", description: "Usuarios (administración)" },
			{ name: "categorias", description: "Categorías de rifa" },
			{
				name: "loterias",
				description: "Loterías: su calendario de sorteos y sus fuentes de resultados (admin)",
			},
			{
				name: "resultados",
				description:
					"Resultados de cada sorteo: lo que observó cada fuente, el quórum que lo confirma y la resolución de conflictos",
			},
			{ name: "rifas", description: "Rifas" },
			{
				name: "cumplimiento",
				description:
					"Modo legal (MODO_LEGAL): autorización, garantía, premios en especie y emisión de cada rifa (docs/cumplimiento.md)",
			},
			{
				name: "tickets",
				description: "Compra de boletas, disponibilidad y WebSocket en /api/v1/rifas/{id}/ws",
			},
			{
				name: "registro",
				description:
					"Recibos firmados, el registro de ventas de cada rifa, su sello y pruebas de inclusión (docs/verificacion.md)",
			},
			{ name: "webhooks", description: "Eventos firmados de proveedores externos" },
			{ name: "admin", description: "Administración: auditoría, pago de premios" },
			{
				name: "reportes",
				description:
					"Reportes de ingresos y participación (días en hora de Colombia, America/Bogota)",
			},
			{ name: "ops", description: "Operación: salud del servicio y métricas (fuera de /api/v1)" },
			{
				name: "verificacion",
				description:
					"Recibos firmados y su verificación sin conexión: claves públicas en /.well-known/jwks.json",
			},
		],
	});
	app.get("/docs", swaggerUI({ url: "/openapi.json", manuallySwaggerUIHtml: () => DOCS_PAGE }));
	app.get("/redoc", (c) => c.html(REDOC_PAGE));
	app.route("/", paginasRouter);
	app.get("/api", (c) =>
		c.json({ name: "Rifa1122 API", docs: "/docs", redoc: "/redoc", openapi: "/openapi.json" }),
	);
	return app;
};
