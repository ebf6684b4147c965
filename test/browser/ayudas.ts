// What the browser test files share: axe-core over a page, and the API as a test script calls it.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";

// axe-core, the accessibility engine browsers' own audits use: evaluated in the page (the pages'
// CSP refuses any script but their own), it reports WCAG 2.1 A and AA failures.
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** Every WCAG 2.1 A and AA violation on the page as it is now, as "rule: targets". */
export const auditar = async (page: Page): Promise<string[]> => {
	await page.evaluate(AXE);
	return page.evaluate(async () => {
		const axe = (window as unknown as { axe: { run: (o: unknown) => Promise<unknown> } }).axe;
		const r = (await axe.run({
			runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
		})) as { violations: { id: string; nodes: { target: string[] }[] }[] };
		return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
	});
};

/** The API at `base`, answering status and parsed body. */
export const clienteApi = (base: string) => {
	const api = async <T = Record<string, unknown>>(
		path: string,
		opts: { method?: string; body?: unknown; token?: string } = {},
	): Promise<{ status: number; body: T }> => {
		const res = await fetch(`${base}/api/v1${path}`, {
			method: opts.method ?? "GET",
			headers: {
				...(opts.body ? { "Content-Type": "application/json" } : {}),
				...(opts.token ? { Authorization: `Bearer ${opts.token}` } : {}),
			},
			...(opts.body ? { body: JSON.stringify(opts.body) } : {}),
		});
		const text = await res.text();
		return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
	};
	const login = async (who: { email: string; password: string }) => {
		const r = await api<{ access_token: string }>("/auth/login", { method: "POST", body: who });
		const me = await api<{ id: string }>("/users/me", { token: r.body.access_token });
		return { token: r.body.access_token, id: me.body.id };
	};
	return { api, login };
};
