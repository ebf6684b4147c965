// First half of `npm run dev`: local secrets, local D1 schema, seed data. Safe to run any number of times.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync } from "node:fs";

const run = (cmd: string, args: string[]) => {
	// CI=true keeps wrangler from asking for confirmation before applying local migrations.
	const r = spawnSync(cmd, args, {
		stdio: "inherit",
		env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" },
	});
	if (r.status !== 0) process.exit(r.status ?? 1);
};

if (!existsSync(".dev.vars")) {
	copyFileSync(".dev.vars.example", ".dev.vars");
	console.log("Created .dev.vars from .dev.vars.example (local development values).");
}
run("wrangler", ["d1", "migrations", "apply", "DB", "--local"]);
run(process.execPath, ["seeds/index.ts", "--local"]);
