import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";

const root = dirname(fileURLToPath(import.meta.url));
const out = resolve(root, "dist/web");

/**
 * Swagger UI and Redoc come from npm and are served from the Worker's own assets, so `/docs` and
 * `/redoc` work with no network (their CDN builds render a blank page offline).
 */
const documentacion = (): Plugin => ({
	name: "rifa1122-documentacion",
	closeBundle() {
		const vendor = resolve(out, "vendor");
		mkdirSync(vendor, { recursive: true });
		for (const file of ["swagger-ui.css", "swagger-ui-bundle.js"])
			cpSync(resolve(root, "node_modules/swagger-ui-dist", file), resolve(vendor, file));
		cpSync(
			resolve(root, "node_modules/redoc/bundles/redoc.standalone.js"),
			resolve(vendor, "redoc.standalone.js"),
		);
	},
});

/** The shell again as 404.html, marked so its router shows "not found" whatever the path. */
const noEncontrada = (): Plugin => ({
	name: "rifa1122-404",
	closeBundle() {
		const shell = readFileSync(resolve(out, "index.html"), "utf8");
		const marcada = shell.replace(
			'<main id="contenido"',
			'<main id="contenido" data-no-encontrada',
		);
		if (marcada === shell) throw new Error('index.html has no <main id="contenido">');
		writeFileSync(resolve(out, "404.html"), marcada);
	},
});

// The pages (web/) built into the Worker's static assets (`assets` in wrangler.jsonc).
export default defineConfig({
	root: resolve(root, "web"),
	publicDir: resolve(root, "web/public"),
	build: { outDir: out, emptyOutDir: true, target: "es2022", sourcemap: true },
	plugins: [documentacion(), noEncontrada()],
});
