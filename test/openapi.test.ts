import { describe, expect, it } from "vitest";
import { call, expectProblem, get } from "./helpers";

type Operation = {
	operationId?: string;
	tags?: string[];
	summary?: string;
	security?: Record<string, string[]>[];
	parameters?: { in: string }[];
	requestBody?: unknown;
	responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
};

describe("documentation", () => {
	it("serves an OpenAPI 3.1 document where every operation is named, tagged and lists its errors", async () => {
		const res = await get("/openapi.json");
		expect(res.status).toBe(200);
		const doc = res.body;
		expect(doc.openapi).toBe("3.1.0");
		expect(doc.components.securitySchemes.bearerAuth).toMatchObject({
			type: "http",
			scheme: "bearer",
		});
		// Swagger UI's Authorize logs in with this flow, and sends the token only to operations that
		// list the scheme: so it must be an alternative on every operation that takes the bearer token.
		expect(doc.components.securitySchemes.oauth2Password.flows.password.tokenUrl).toBe(
			"/api/v1/auth/token",
		);
		const operations: [string, Operation][] = Object.entries(
			doc.paths as Record<string, Record<string, Operation>>,
		).flatMap(([path, methods]) =>
			Object.entries(methods).map(([m, op]) => [`${m.toUpperCase()} ${path}`, op]),
		);
		expect(operations.length).toBeGreaterThanOrEqual(22);
		const ids = new Set<string>();
		for (const [name, op] of operations) {
			expect(op.operationId, name).toBeTruthy();
			expect(op.tags?.length, name).toBeGreaterThan(0);
			expect(op.summary, name).toBeTruthy();
			ids.add(op.operationId ?? "");
			const errors = Object.keys(op.responses).filter((s) => Number(s) >= 400);
			expect(errors.length, name).toBeGreaterThan(0);
			for (const status of errors) {
				expect(op.responses[status]?.content, `${name} ${status}`).toEqual({
					"application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } },
				});
			}
			// The body limit and unexpected failures apply to every route.
			expect(errors, name).toEqual(expect.arrayContaining(["413", "500"]));
			if (op.requestBody)
				expect(errors, name).toEqual(expect.arrayContaining(["400", "415", "422"]));
			if (op.parameters?.some((p) => p.in === "path" || p.in === "query")) {
				expect(errors, name).toContain("422");
			}
			if (op.security) expect(errors, name).toContain("401");
			if (op.security?.some((s) => "bearerAuth" in s)) {
				expect(op.security, name).toContainEqual({ oauth2Password: [] });
			}
		}
		expect(ids.size).toBe(operations.length);
		expect(doc.components.schemas.RegisterRequest.example).toMatchObject({
			email: "juan@ejemplo.com",
		});
	});

	it("serves Swagger UI at /docs and Redoc at /redoc", async () => {
		const swagger = await get("/docs");
		expect(swagger.status).toBe(200);
		expect(swagger.text).toContain('<div id="swagger-ui">');
		expect(swagger.text).toContain('<script src="/vendor/swagger-init.js">');
		const redoc = await get("/redoc");
		expect(redoc.status).toBe(200);
		expect(redoc.text).toContain('spec-url="/openapi.json"');
	});
});

describe("error format", () => {
	it("answers unknown routes and methods with a problem+json 404", async () => {
		const res = expectProblem(await get("/api/v1/nada"), 404);
		expect(res.type).toMatch(/^https:\/\//);
		expectProblem(await call("PUT", "/api/v1/rifas"), 404);
	});

	it("never leaks a stack trace for hostile input", async () => {
		for (const raw of ["null", "1", '"x"', "{".repeat(1000), '{"nombre":{"$gt":""}}']) {
			const res = await call("POST", "/api/v1/auth/register", {
				raw,
				headers: { "Content-Type": "application/json" },
			});
			expect([400, 422]).toContain(res.status);
			expect(res.text).not.toMatch(/at .*\.ts:\d+|stack/i);
		}
	});
});
