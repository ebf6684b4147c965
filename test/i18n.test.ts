import { beforeAll, describe, expect, it } from "vitest";
import { negotiateLang } from "../src/lib/errors";
import { call, createActiveRifa, createCast, expectProblem, patch, type TestUser } from "./helpers";

let admin: TestUser;
let jugador: TestUser;

beforeAll(async () => {
	({ admin, jugador } = await createCast());
});

describe("Accept-Language negotiation", () => {
	it.each([
		[undefined, "es"],
		["", "es"],
		["en", "en"],
		["en-US,en;q=0.9", "en"],
		["fr-FR, en;q=0.5", "en"],
		["es-CO,en;q=0.8", "es"],
		["en;q=0.4, es;q=0.6", "es"],
		["en;q=0", "es"],
		["de, *;q=0.5", "es"],
		["EN-gb", "en"],
		["en;q=abc", "es"],
	])("%s → %s", (header, lang) => {
		expect(negotiateLang(header)).toBe(lang);
	});
});

describe("problem+json language", () => {
	const missing = (lang?: string) =>
		call("GET", `/api/v1/rifas/${crypto.randomUUID()}`, {
			headers: lang ? { "Accept-Language": lang } : {},
		});

	it("answers in Spanish by default and in English when asked", async () => {
		const es = expectProblem(await missing(), 404);
		expect(es).toMatchObject({ title: "No encontrado", detail: "La rifa no existe." });
		const res = await missing("en-US,en;q=0.9");
		const en = expectProblem(res, 404);
		expect(en).toMatchObject({ title: "Not found", detail: "The rifa does not exist." });
		expect(res.headers.get("Content-Language")).toBe("en");
		expect(res.headers.get("Vary")).toContain("Accept-Language");
		expect(en.type).toBe(es.type);
	});

	it("translates validation, auth and the rifa room's own refusals", async () => {
		const invalid = expectProblem(
			await call("POST", "/api/v1/auth/login", {
				body: { email: "no-es-un-correo" },
				headers: { "Accept-Language": "en" },
			}),
			422,
		);
		expect(invalid.title).toBe("Validation failed");
		expect(invalid.errors.length).toBeGreaterThan(0);

		const unauthenticated = expectProblem(
			await call("GET", "/api/v1/users/me", { headers: { "Accept-Language": "en" } }),
			401,
		);
		expect(unauthenticated.detail).toBe("Missing access token (Authorization: Bearer …).");

		const rifa = await createActiveRifa(admin.token);
		await patch(`/api/v1/rifas/${rifa.id}`, { estado: "cerrada" }, admin.token);
		const buy = (lang: string) =>
			call("POST", `/api/v1/rifas/${rifa.id}/tickets`, {
				token: jugador.token,
				body: { user_id: jugador.id, quantity: 1, payment_method: "sandbox" },
				headers: { "Idempotency-Key": crypto.randomUUID(), "Accept-Language": lang },
			});
		expect(expectProblem(await buy("en"), 409).detail).toBe(
			"The rifa is not on sale (estado cerrada).",
		);
		expect(expectProblem(await buy("es-CO"), 409).detail).toBe(
			"La rifa no está a la venta (estado cerrada).",
		);
	});

	it("answers unknown routes in the asked language", async () => {
		const en = expectProblem(
			await call("GET", "/api/v1/nada", { headers: { "Accept-Language": "en" } }),
			404,
		);
		expect(en.detail).toBe("There is no route GET /api/v1/nada.");
	});
});
