// Loads the seed data into D1 through wrangler:
// `node seeds/index.ts --local [--persist-to <dir>]` or `node seeds/index.ts --remote --env staging|production`.
// Idempotent: rows have fixed ids and are inserted with INSERT OR IGNORE; the first admin
// (ADMIN_EMAIL / ADMIN_PASSWORD) is created if missing, or promoted and reactivated if present
// (an existing admin keeps its password).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { hashPassword } from "../src/auth/password.ts";
import { drawInstants, fechaColombia, sumarDias } from "../src/domain/calendario.ts";
import { parseReglas } from "../src/domain/reglas.ts";
import {
	CATEGORIAS,
	CUENTA_OPERADOR_SEMBRADO,
	LOTERIAS,
	RIFAS,
	rifaSembrada,
	SEED_USERS,
} from "./data.ts";

const OPERADOR_SEMBRADO = SEED_USERS.find((u) => u.rol === "operador")?.id ?? null;

const target = process.argv.includes("--remote") ? "--remote" : "--local";
const envIndex = process.argv.indexOf("--env");
const wranglerEnv = envIndex > 0 ? process.argv[envIndex + 1] : undefined;
if (target === "--remote" && !wranglerEnv) {
	console.error("--remote needs --env staging or --env production.");
	process.exit(1);
}

const readDevVars = (): Record<string, string> => {
	if (!existsSync(".dev.vars")) return {};
	const vars: Record<string, string> = {};
	for (const line of readFileSync(".dev.vars", "utf8").split("\n")) {
		const m = line.match(/^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/);
		if (m?.[1]) vars[m[1]] = (m[2] ?? "").replace(/^"(.*)"$/, "$1");
	}
	return vars;
};

const env = { ...(target === "--local" ? readDevVars() : {}), ...process.env };
const adminEmail = env.ADMIN_EMAIL?.trim().toLowerCase();
const adminPassword = env.ADMIN_PASSWORD;
if (!adminEmail || !adminPassword || adminPassword.length < 8) {
	console.error("ADMIN_EMAIL and ADMIN_PASSWORD (8+ characters) must be set (.dev.vars locally).");
	process.exit(1);
}

const lit = (v: string | number | null | undefined) =>
	v === null || v === undefined
		? "NULL"
		: typeof v === "number"
			? String(v)
			: `'${v.replaceAll("'", "''")}'`;

/** The loteria's n-th draw after `from` on its real calendar (holidays and published moves). */
const nextDraw = (lot: (typeof LOTERIAS)[number], from: Date, n: number) => {
	const desde = fechaColombia(from);
	const draws = drawInstants(
		{
			frecuencia: "semanal",
			diaSorteo: lot.dia_sorteo,
			horaSorteo: lot.hora_sorteo,
			movimientos: lot.movimientos,
		},
		desde,
		sumarDias(desde, 7 * n + 40),
	).filter((d) => d.instante > from.toISOString());
	const draw = draws[n - 1];
	if (!draw) throw new Error(`${lot.nombre} has no ${n}-th draw after ${from.toISOString()}`);
	return new Date(draw.instante);
};

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const now = new Date();
const nowIso = now.toISOString();
const hourFloor = (d: Date) => new Date(Math.floor(d.getTime() / HOUR) * HOUR);

const rifaDates = (r: (typeof RIFAS)[number], lot: (typeof LOTERIAS)[number]) => {
	const sorteo =
		"date" in r.sorteo
			? new Date(`${r.sorteo.date}T${lot.hora_sorteo}:00-05:00`)
			: nextDraw(lot, now, r.sorteo.weeks);
	const fin = new Date(sorteo.getTime() - HOUR / 2);
	const inicio =
		r.estado === "pendiente"
			? new Date(Math.max(hourFloor(now).getTime() + DAY, fin.getTime() - 7 * DAY))
			: r.estado === "resuelta"
				? new Date(sorteo.getTime() - 7 * DAY)
				: hourFloor(new Date(now.getTime() - 2 * DAY));
	const finEfectivo = r.estado === "cerrada" ? hourFloor(new Date(now.getTime() - HOUR)) : fin;
	return {
		inicio: inicio.toISOString(),
		fin: finEfectivo.toISOString(),
		sorteo: sorteo.toISOString(),
	};
};

const statements: string[] = [];

for (const c of CATEGORIAS) {
	statements.push(
		`INSERT OR IGNORE INTO categoria_rifa (id, nombre, color, valor_boleta, total_recaudo, rake_bps, fondo_premios, premio_por_ganador, comentario, creado_en, actualizado_en) VALUES (${[c.id, c.nombre, c.color, c.valor_boleta, c.total_recaudo, c.rake_bps, c.fondo_premios, c.premio_por_ganador, c.comentario, nowIso, nowIso].map(lit).join(", ")});`,
	);
}
for (const l of LOTERIAS) {
	// Deployed environments confirm results from two independent sources (the public results API
	// and the signed push); local ones on the deterministic mock, or a push or an admin entry.
	const fuentes = JSON.stringify(
		target === "--remote" ? ["resultadosloterias", "webhook"] : ["mock", "webhook", "admin"],
	);
	const requeridas = target === "--remote" ? 2 : 1;
	const meta = JSON.stringify({ slug: l.slug });
	const movimientos = JSON.stringify(l.movimientos);
	statements.push(
		`INSERT OR IGNORE INTO loterias (id, nombre, descripcion, frecuencia, dia_sorteo, hora_sorteo, url_resultados, meta, movimientos, fuentes, fuentes_requeridas, creado_en, actualizado_en) VALUES (${[l.id, l.nombre, `Sorteo semanal, ${l.dia_sorteo} ${l.hora_sorteo} (hora de Colombia)`, "semanal", l.dia_sorteo, l.hora_sorteo, l.url_resultados, meta, movimientos, fuentes, requeridas, nowIso, nowIso].map(lit).join(", ")});`,
	);
	// A database seeded before loterias had moves gets them once; moves edited since are kept.
	if (l.movimientos.length > 0) {
		statements.push(
			`UPDATE loterias SET movimientos = ${lit(movimientos)}, actualizado_en = ${lit(nowIso)} WHERE id = ${lit(l.id)} AND movimientos = '[]';`,
		);
	}
}

const adminId = crypto.randomUUID();
statements.push(
	`INSERT INTO users (id, nombre, email, telefono, hashed_password, rol, is_active, creado_en, actualizado_en) SELECT ${[adminId, "Administrador", adminEmail, null, await hashPassword(adminPassword), "admin", 1, nowIso, nowIso].map(lit).join(", ")} WHERE NOT EXISTS (SELECT 1 FROM users WHERE lower(email) = ${lit(adminEmail)});`,
	`UPDATE users SET rol = 'admin', is_active = 1, actualizado_en = ${lit(nowIso)} WHERE lower(email) = ${lit(adminEmail)} AND (rol <> 'admin' OR is_active = 0);`,
);
if (target === "--local") {
	for (const u of SEED_USERS) {
		statements.push(
			`INSERT OR IGNORE INTO users (id, nombre, email, telefono, hashed_password, rol, is_active, creado_en, actualizado_en) VALUES (${[u.id, u.nombre, u.email, null, await hashPassword(u.password), u.rol, 1, nowIso, nowIso].map(lit).join(", ")});`,
		);
	}
	if (OPERADOR_SEMBRADO) {
		// Its rifas take transfers; an account it set since is kept.
		const c = CUENTA_OPERADOR_SEMBRADO;
		statements.push(
			`INSERT OR IGNORE INTO cuentas_transferencia (operador_id, banco, tipo_cuenta, numero, titular, documento_titular, llave_breb, actualizado_por, creado_en, actualizado_en) VALUES (${[OPERADOR_SEMBRADO, c.banco, c.tipo_cuenta, c.numero, c.titular, c.documento_titular, c.llave_breb, OPERADOR_SEMBRADO, nowIso, nowIso].map(lit).join(", ")});`,
		);
	}
}

// Example rifas and users are for local development only; production gets the catalog and the admin.
for (const r of target === "--local" ? RIFAS : []) {
	const cat = CATEGORIAS[r.categoria - 1];
	const lot = LOTERIAS[r.loteria - 1];
	if (!cat || !lot) throw new Error(`rifa ${r.n}: unknown categoria or loteria`);
	const d = rifaDates(r, lot);
	const id = rifaSembrada(r.n);
	const creadoPor = "operador" in r && r.operador ? OPERADOR_SEMBRADO : null;
	// The resolved example starts closed: seeds/historia.ts brings in its sales and the API settles it.
	const estado = r.estado === "resuelta" ? "cerrada" : r.estado;
	statements.push(
		// A cancelled example has no room to tell; the others' rooms take their definition from D1.
		`INSERT OR IGNORE INTO rifas (id, nombre, categoria_id, loteria_id, fecha_inicio, fecha_fin, fecha_sorteo, numero_ganadores, estado, reglas, total_boletas, creado_por, sala_sincronizada_en, creado_en, actualizado_en) VALUES (${[id, r.nombre, cat.id, lot.id, d.inicio, d.fin, d.sorteo, r.numero_ganadores, estado, JSON.stringify(parseReglas(r.reglas)), r.total_boletas, null, estado === "cancelada" ? nowIso : null, nowIso, nowIso].map(lit).join(", ")});`,
	);
	if (creadoPor) {
		// Seeded before rifas had an operador: the seeded operador's own from now on.
		statements.push(
			`UPDATE rifas SET creado_por = ${lit(creadoPor)} WHERE id = ${lit(id)} AND creado_por IS NULL;`,
		);
	}
	if (r.estado === "resuelta") {
		// Seeded before it had a history: a resolved row with no tickets, closed again to receive it.
		statements.push(
			`UPDATE rifas SET estado = 'cerrada', sala_sincronizada_en = NULL WHERE id = ${lit(id)} AND estado = 'resuelta' AND NOT EXISTS (SELECT 1 FROM tickets WHERE rifa_id = ${lit(id)});`,
		);
	}
}

mkdirSync(".wrangler", { recursive: true });
const file = ".wrangler/seed.sql";
writeFileSync(file, `${statements.join("\n")}\n`);
const persistIndex = process.argv.indexOf("--persist-to");
const persist = persistIndex > 0 ? ["--persist-to", process.argv[persistIndex + 1] ?? ""] : [];
const args = ["d1", "execute", "DB", target, "--file", file, "--yes", ...persist];
const result = spawnSync("wrangler", wranglerEnv ? [...args, "--env", wranglerEnv] : args, {
	encoding: "utf8",
	env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
});
if (result.status !== 0) {
	if (result.error)
		console.error(`Could not run wrangler (run this through npm): ${result.error.message}`);
	process.stdout.write(result.stdout ?? "");
	process.stderr.write(result.stderr ?? "");
	process.exit(result.status ?? 1);
}
console.log(
	`Seeded ${wranglerEnv ?? target.slice(2)} D1: ${CATEGORIAS.length} categorias, ${LOTERIAS.length} loterias, ${RIFAS.length} rifas, admin ${adminEmail}.`,
);
