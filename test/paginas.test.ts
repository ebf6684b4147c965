import { describe, expect, it } from "vitest";
import { call, createCast, createRifa, get } from "./helpers";

// The pages' documents as the Worker answers them (wrangler.jsonc runs it first for these paths);
// what the pages do in a browser is in test/browser/.
const csp = (res: { headers: Headers }) => res.headers.get("Content-Security-Policy") ?? "";
const directiva = (res: { headers: Headers }, name: string) =>
	csp(res)
		.split(";")
		.map((d) => d.trim())
		.find((d) => d.startsWith(`${name} `));

describe("the pages' documents", () => {
	it("serves the shell with the pages' CSP: this origin only, nothing inline", async () => {
		const { admin } = await createCast();
		const rifa = await createRifa(admin.token);
		for (const path of [
			"/",
			"/mis-boletas",
			"/mis-boletas/",
			"/verificar",
			"/verificar/",
			`/rifas/${rifa.id}`,
		]) {
			const res = await get(path);
			expect(res.status, path).toBe(200);
			expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
			expect(res.headers.get("Cache-Control")).toBe("no-cache");
			expect(res.text).toContain('<main id="contenido"');
			expect(res.text).not.toContain("data-no-encontrada");
			expect(res.text).not.toMatch(/<script>|<style>/);
			expect(csp(res)).toContain("default-src 'self'");
			expect(csp(res)).toContain("script-src 'self';");
			expect(csp(res)).toContain("style-src 'self';");
			expect(csp(res)).toContain("frame-ancestors 'none'");
			expect(csp(res)).not.toContain("stripe");
			expect(res.headers.get("X-Frame-Options")).toBe("DENY");
			expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
		}
	});

	it("answers 404 with the shell marked not found for a rifa that does not exist", async () => {
		for (const path of [
			`/rifas/${crypto.randomUUID()}`,
			"/rifas/no-es-un-id",
			`/rifas/${crypto.randomUUID()}/otra-cosa`,
		]) {
			const res = await get(path);
			expect(res.status, path).toBe(404);
			expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
			expect(res.text).toContain("data-no-encontrada");
			expect(csp(res)).toContain("script-src 'self';");
		}
	});

	it("lets in Stripe's origins, and only them, where Stripe takes cards", async () => {
		// Wompi off: its origin is tested in test/wompi-paginas.test.ts.
		const stripe = {
			STRIPE_PUBLISHABLE_KEY: "pk_test_rifa1122_pages",
			WOMPI_PUBLIC_KEY: undefined,
		};
		const { admin } = await createCast();
		const rifa = await createRifa(admin.token);
		const res = await call("GET", `/rifas/${rifa.id}`, { env: stripe });
		expect(res.status).toBe(200);
		expect(directiva(res, "script-src")).toBe(
			"script-src 'self' https://js.stripe.com https://*.js.stripe.com",
		);
		expect(directiva(res, "frame-src")).toBe(
			"frame-src https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com",
		);
		expect(directiva(res, "connect-src")).toBe("connect-src 'self' https://api.stripe.com");
		expect(directiva(res, "style-src")).toBe("style-src 'self'");
		expect(directiva(res, "default-src")).toBe("default-src 'self'");
		expect(res.headers.get("Cross-Origin-Opener-Policy")).toBe("same-origin-allow-popups");
		// Only the rifa page pays: the others keep this origin only.
		for (const path of ["/", "/mis-boletas", "/verificar"]) {
			const otra = await call("GET", path, { env: stripe });
			expect(csp(otra), path).not.toContain("stripe");
			expect(otra.headers.get("Cross-Origin-Opener-Policy")).toBe("same-origin");
		}
		// A secret key pasted as the publishable one is never published.
		const pegada = await call("GET", "/api/v1/pagos", {
			env: { STRIPE_PUBLISHABLE_KEY: "sk_live_oops", WOMPI_PUBLIC_KEY: undefined },
		});
		expect(pegada.body.stripe).toBeNull();
		// Without a secret key the API takes no card payment, so the pages need no Stripe either.
		const sinClave = await call("GET", `/rifas/${rifa.id}`, {
			env: { ...stripe, STRIPE_SECRET_KEY: undefined },
		});
		expect(csp(sinClave)).not.toContain("stripe");
		// The API's own answers keep the data CSP.
		const api = await call("GET", "/api/v1/pagos", { env: stripe });
		expect(csp(api)).toBe("default-src 'none'; frame-ancestors 'none'");
	});
});

/** What `detalle` says of the methods every deployment takes, after the online ones. */
const SIEMPRE = [
	{
		metodo: "transferencia",
		quien: "comprador",
		venta: "revision_comprobante",
		requiere: "cuenta_transferencia",
	},
	{ metodo: "efectivo", quien: "personal", venta: "inmediata", requiere: null },
	{ metodo: "abonos", quien: "personal", venta: "abonos", requiere: "reglas.abonos" },
];

describe("GET /api/v1/pagos", () => {
	it("names the methods a purchase may use and Stripe's publishable key when configured", async () => {
		const sinWompi = { WOMPI_PUBLIC_KEY: undefined };
		expect((await call("GET", "/api/v1/pagos", { env: sinWompi })).body).toEqual({
			metodos: ["sandbox", "stripe"],
			detalle: [
				{ metodo: "sandbox", quien: "comprador", venta: "inmediata", requiere: null },
				{ metodo: "stripe", quien: "comprador", venta: "confirmacion_proveedor", requiere: null },
				...SIEMPRE,
			],
			stripe: null,
			wompi: null,
		});
		const conClave = await call("GET", "/api/v1/pagos", {
			env: {
				...sinWompi,
				STRIPE_PUBLISHABLE_KEY: "pk_test_rifa1122_pages",
				PAYMENTS_SANDBOX: "off",
			},
		});
		expect(conClave.body).toEqual({
			metodos: ["stripe"],
			detalle: [
				{ metodo: "stripe", quien: "comprador", venta: "confirmacion_proveedor", requiere: null },
				...SIEMPRE,
			],
			stripe: { publishable_key: "pk_test_rifa1122_pages" },
			wompi: null,
		});
		const ninguno = await call("GET", "/api/v1/pagos", {
			env: { ...sinWompi, STRIPE_SECRET_KEY: undefined, PAYMENTS_SANDBOX: "off" },
		});
		expect(ninguno.body).toEqual({ metodos: [], detalle: SIEMPRE, stripe: null, wompi: null });
	});
});
