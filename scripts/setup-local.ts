// First half of `npm run dev`: local secrets, local D1 schema, seed data. Safe to run any number of times.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFileSync, copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { kidConFecha, nuevaClaveRecibos } from "./clave-recibos.ts";

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
// A key of this machine's own, made once: .dev.vars.example must not hold a key everyone shares.
// A key from before keys had a validity window ("desde") is replaced: verifiers need the window.
const clave = /^\s*(export\s+)?RECIBOS_CLAVE_PRIVADA\s*=.*$/m;
const previas = readFileSync(".dev.vars", "utf8");
const vieja = previas.match(clave)?.[0];
if (vieja && !vieja.includes('"desde"')) {
	writeFileSync(".dev.vars", previas.replace(clave, ""));
	console.log("Replacing the local receipt signing key: it had no validity window (desde).");
}
const vars = readFileSync(".dev.vars", "utf8");
if (!clave.test(vars)) {
	const { privada } = await nuevaClaveRecibos(kidConFecha("local"));
	// Single quotes: .dev.vars is read as dotenv, which takes a single-quoted value literally.
	const linea = `RECIBOS_CLAVE_PRIVADA='${JSON.stringify(privada)}'\n`;
	appendFileSync(".dev.vars", vars.endsWith("\n") || vars === "" ? linea : `\n${linea}`);
	console.log(`Added a receipt signing key (kid ${privada.kid}) to .dev.vars.`);
}
// Unsubscribe links never expire, so their key is this machine's own too (docs/security.md).
const actual = readFileSync(".dev.vars", "utf8");
if (!/^\s*(export\s+)?NOTIFICACIONES_BAJA_SECRET\s*=/m.test(actual)) {
	const linea = `NOTIFICACIONES_BAJA_SECRET=${randomBytes(48).toString("base64url")}\n`;
	appendFileSync(".dev.vars", actual.endsWith("\n") || actual === "" ? linea : `\n${linea}`);
	console.log("Added an unsubscribe link secret to .dev.vars.");
}
run("wrangler", ["d1", "migrations", "apply", "DB", "--local"]);
run(process.execPath, ["seeds/index.ts", "--local"]);
// The resolved example's week of sales and its draw, through a local Worker: worth a warning, not
// a stop, if it fails (everything else is seeded).
const historia = spawnSync(process.execPath, ["seeds/historia-local.ts"], {
	stdio: "inherit",
	env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
});
if (historia.status !== 0)
	console.warn("The seeded resolved rifa has no history: see the error above.");
