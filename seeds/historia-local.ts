// Last step of `npm run setup:local`: gives the seeded resolved rifa its week of sales, its seal,
// the Lotería de Bogotá's real result and its settlement, through a local Worker started here
// (seeds/historia.ts). Run once per local database; later runs see it done and stop.
//
// The sales are dated January 2026, so they are signed by a key of their own that signed only
// that week and is published as retired (RECIBOS_CLAVES_ANTERIORES in .dev.vars); its private half
// stays in .wrangler/, beside the local state it signed, in case a run is cut off half-way.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { unstable_startWorker } from "wrangler";
import { kidConFecha, nuevaClaveRecibos } from "../scripts/clave-recibos.ts";
import { LOTERIAS, RESULTADO_REAL, RIFAS, rifaSembrada, SEED_USERS } from "./data.ts";
import { type Api, comprasDeHistoria, sembrarHistoria } from "./historia.ts";

const DEV_VARS = ".dev.vars";
const CLAVE = ".wrangler/clave-historica.json";
const rifaId = rifaSembrada(RESULTADO_REAL.rifa);

const consultar = (sql: string) => {
	const r = spawnSync("wrangler", ["d1", "execute", "DB", "--local", "--json", "--command", sql], {
		encoding: "utf8",
		env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
	});
	if (r.status !== 0) throw new Error(`wrangler d1 execute failed: ${r.stderr || r.error}`);
	return (JSON.parse(r.stdout) as { results: Record<string, unknown>[] }[])[0]?.results ?? [];
};

const [rifa] = consultar(
	`SELECT estado, fecha_inicio, fecha_fin, fecha_sorteo, (SELECT count(*) FROM tickets WHERE rifa_id = r.id) AS vendidos FROM rifas r WHERE id = '${rifaId}'`,
) as {
	estado: string;
	fecha_inicio: string;
	fecha_fin: string;
	fecha_sorteo: string;
	vendidos: number;
}[];
if (!rifa || (rifa.estado === "resuelta" && rifa.vendidos > 0)) process.exit(0);
if (rifa.estado !== "cerrada") {
	console.warn(`The seeded past rifa is ${rifa.estado}, not cerrada: its history is left alone.`);
	process.exit(0);
}

const vars = (): Record<string, string> => {
	const out: Record<string, string> = {};
	for (const line of readFileSync(DEV_VARS, "utf8").split("\n")) {
		const m = line.match(/^\s*(?:export\s+)?([A-Z0-9_]+)\s*=\s*(.*?)\s*$/);
		if (m?.[1]) out[m[1]] = (m[2] ?? "").replace(/^'(.*)'$|^"(.*)"$/, "$1$2");
	}
	return out;
};

/** The retired key of that week: made once, its window the rifa's sales up to its draw. */
const clave = async () => {
	const ventana = { desde: rifa.fecha_inicio, hasta: rifa.fecha_sorteo };
	if (existsSync(CLAVE)) {
		const guardada = JSON.parse(readFileSync(CLAVE, "utf8"));
		if (guardada.desde === ventana.desde && guardada.hasta === ventana.hasta) return guardada;
	}
	const kid = kidConFecha("historica", new Date(ventana.desde));
	const { privada } = await nuevaClaveRecibos(kid, ventana.desde);
	const nueva = { ...privada, hasta: ventana.hasta };
	writeFileSync(CLAVE, `${JSON.stringify(nueva)}\n`);
	return nueva;
};

/** Publishes the key as retired in .dev.vars, beside any other retired key already there. */
const publicar = (privada: { kid: string; d?: string } & Record<string, unknown>) => {
	const { d: _, ...publica } = privada;
	const actual = vars().RECIBOS_CLAVES_ANTERIORES?.trim();
	const previas = actual ? JSON.parse(actual) : [];
	const lista: { kid: string }[] = Array.isArray(previas) ? previas : previas.keys;
	const otras = lista.filter((k) => !k.kid.startsWith("historica-"));
	const linea = `RECIBOS_CLAVES_ANTERIORES='${JSON.stringify([...otras, { ...publica, alg: "EdDSA", use: "sig" }])}'`;
	const texto = readFileSync(DEV_VARS, "utf8");
	const patron = /^\s*(export\s+)?RECIBOS_CLAVES_ANTERIORES\s*=.*$/m;
	writeFileSync(
		DEV_VARS,
		patron.test(texto) ? texto.replace(patron, linea) : `${texto.replace(/\n?$/, "\n")}${linea}\n`,
	);
};

const privada = await clave();
publicar(privada);
const local = vars();
const lot = LOTERIAS[(RIFAS.find((r) => r.n === RESULTADO_REAL.rifa)?.loteria ?? 0) - 1];
if (!lot || !local.ADMIN_EMAIL || !local.ADMIN_PASSWORD)
	throw new Error("seed data or admin missing");
const compradores = SEED_USERS.filter((u) => u.rol === "jugador").map((u) => u.id);

// The Worker serves the pages' build too: without it, it does not start.
if (!existsSync("dist/web")) {
	const build = spawnSync("npm", ["run", "build:web"], { stdio: "inherit" });
	if (build.status !== 0) throw new Error("npm run build:web failed");
}
const worker = await unstable_startWorker({
	config: "wrangler.jsonc",
	dev: { server: { port: 0 }, inspector: false, logLevel: "error" },
});
try {
	await worker.ready;
	// wrangler types its fetch with undici's Request and Response, the same at run time.
	const api: Api = async (path, init) =>
		(await worker.fetch(`http://localhost${path}`, init as never)) as unknown as Response;
	const settled = await sembrarHistoria(api, {
		admin: { email: local.ADMIN_EMAIL, password: local.ADMIN_PASSWORD },
		rifaId,
		loteriaId: lot.id,
		clave: JSON.stringify(privada),
		compras: comprasDeHistoria(rifa, 100, compradores, Number(RESULTADO_REAL.numero.slice(-2))),
		sellado_en: rifa.fecha_fin,
		resultado: RESULTADO_REAL,
	});
	const pagos = (settled.ganadores as { numero: number; estado_pago: string }[])
		.map((g) => `${g.numero} ${g.estado_pago}`)
		.join(", ");
	console.log(
		`Seeded the past rifa ${rifaId}: 100 numbers sold that week, sealed before the draw, drawn on ${RESULTADO_REAL.numero}/${RESULTADO_REAL.serie} and settled (winner ${pagos}).`,
	);
} finally {
	await worker.dispose();
}
