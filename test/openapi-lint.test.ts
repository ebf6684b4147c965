import { BaseResolver, createConfig, lintFromString, type Source } from "@redocly/openapi-core";
import { describe, expect, it } from "vitest";
import { get } from "./helpers";

/** Any $ref outside the document would be fetched: the lint runs offline, so it fails instead. */
class OfflineResolver extends BaseResolver {
	override async loadExternalRef(absoluteRef: string): Promise<Source> {
		throw new Error(`external reference not allowed offline: ${absoluteRef}`);
	}
}

describe("OpenAPI document", () => {
	it("passes Redocly's recommended rules with no warning", async () => {
		const res = await get("/openapi.json");
		expect(res.status).toBe(200);
		const problems = await lintFromString({
			source: res.text,
			absoluteRef: "/openapi.json",
			config: await createConfig({ extends: ["recommended"] }),
			externalRefResolver: new OfflineResolver(),
		});
		const report = problems.map(
			(p) => `${p.severity} ${p.ruleId} ${p.location[0]?.pointer ?? ""}: ${p.message}`,
		);
		expect(report).toEqual([]);
	});
});
