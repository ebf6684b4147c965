// The API and its pages as a user meets them: `wrangler dev` on a free port, with its own fresh
// local state, migrated and seeded, with the sandbox, Stripe and Wompi (both answered by local
// stand-ins), prizes paid through Wompi's payouts. Started once per test file.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { createServer } from "node:net";
import { nuevaClaveRecibos, type ParClaves } from "../../scripts/clave-recibos.ts";
import { iniciarWompiLocal, type WompiLocal } from "../../scripts/wompi-local.ts";
import { WOMPI_CLAVES, WOMPI_PAGOS_CLAVES } from "../fixtures/wompi.ts";
import { iniciarStripeFalso, STRIPE_CLAVES, type StripeFalso } from "./stripe-falso.ts";

export const ADMIN = { email: "admin@rifa1122.local", password: "Admin1122!local" };
export const JWT_SECRET = "browser-tests-only-secret-0123456789abcdefghijklmnop";

/**
 * Each server's own local state, removed when it stops: two test runs at once (two files, two
 * people in one working tree) never share or wipe each other's database.
 */
const STATE_DIR = ".wrangler/browser-state";
/** Seconds before the local Wompi approves a Nequi, card or cash payment on its own. */
export const WOMPI_SEGUNDOS = 8;
const env = { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" };

const run = (cmd: string, args: string[], extra: Record<string, string> = {}) => {
	const r = spawnSync(cmd, args, { encoding: "utf8", env: { ...env, ...extra } });
	if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
};

const freePort = () =>
	new Promise<number>((resolve, reject) => {
		const srv = createServer();
		srv.listen(0, "127.0.0.1", () => {
			const address = srv.address();
			srv.close(() =>
				typeof address === "object" && address
					? resolve(address.port)
					: reject(new Error("no port")),
			);
		});
	});

export interface Servidor {
	base: string;
	logs: string[];
	/** The Stripe the Worker and the pages talk to. */
	stripe: StripeFalso;
	/**
	 * The Wompi the Worker and the pages talk to (scripts/wompi-local.ts): its bank page at
	 * `${url}/banco/{id}`; Nequi, cards and cash approve themselves `WOMPI_SEGUNDOS` after they
	 * are created, and every final status is POSTed, signed, to the Worker's webhook.
	 */
	wompi: WompiLocal;
	/** The Worker's receipt signing key (private JWK), for tests that forge what it would sign. */
	clave: ParClaves["privada"];
	stop(): Promise<void>;
}

export const iniciarServidor = async (): Promise<Servidor> => {
	const STATE = `${STATE_DIR}/${process.pid}-${Date.now().toString(36)}`;
	rmSync(STATE, { recursive: true, force: true });
	run("wrangler", ["d1", "migrations", "apply", "DB", "--local", "--persist-to", STATE]);
	run(process.execPath, ["seeds/index.ts", "--local", "--persist-to", STATE], {
		ADMIN_EMAIL: ADMIN.email,
		ADMIN_PASSWORD: ADMIN.password,
	});
	const port = await freePort();
	const { privada } = await nuevaClaveRecibos("browser-tests");
	const stripe = await iniciarStripeFalso();
	const wompi = await iniciarWompiLocal({
		webhook: `http://127.0.0.1:${port}/api/v1/webhooks/wompi`,
		webhookPagos: `http://127.0.0.1:${port}/api/v1/webhooks/wompi-pagos`,
		segundos: WOMPI_SEGUNDOS,
		registrar: false,
	});
	// Every way to pay: the sandbox, Stripe's Payment Element against the fake Stripe, and Wompi's
	// Colombian methods against the local Wompi (its test keys; ENVIRONMENT is development). Prizes
	// go through the local Wompi's payouts, to the Bre-B key or account each winner confirmed.
	const vars = {
		...STRIPE_CLAVES,
		STRIPE_API_URL: stripe.url,
		...WOMPI_CLAVES,
		WOMPI_API_URL: `${wompi.url}/v1`,
		JWT_SECRET,
		NOTIFICACIONES_BAJA_SECRET: "browser-tests-only-unsubscribe-secret-0123456789",
		PAYMENTS_SANDBOX: "succeed",
		PAYOUTS_PROVIDER: "wompi",
		...WOMPI_PAGOS_CLAVES,
		WOMPI_PAYOUTS_API_URL: `${wompi.url}/terceros`,
		RECIBOS_CLAVE_PRIVADA: JSON.stringify(privada),
		// A rifa may close seconds before its draw, so a test can follow one through the draw.
		MINUTOS_CIERRE_ANTES_SORTEO: "0",
		APP_URL: `http://localhost:${port}`,
	};
	const child: ChildProcess = spawn(
		"wrangler",
		[
			"dev",
			"--port",
			String(port),
			"--ip",
			"127.0.0.1",
			"--persist-to",
			STATE,
			"--test-scheduled",
			...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
		],
		{ env, stdio: ["ignore", "pipe", "pipe"] },
	);
	const logs: string[] = [];
	const collect = (chunk: Buffer) => logs.push(...chunk.toString().split("\n"));
	child.stdout?.on("data", collect);
	child.stderr?.on("data", collect);
	const base = `http://localhost:${port}`;
	for (let i = 0; i < 240; i++) {
		try {
			if ((await fetch(`${base}/healthz`)).ok) {
				return {
					base,
					logs,
					stripe,
					wompi,
					clave: privada,
					stop: async () => {
						child.kill("SIGTERM");
						await new Promise((r) => child.once("exit", r));
						await stripe.close();
						await wompi.close();
						rmSync(STATE, { recursive: true, force: true });
					},
				};
			}
		} catch {
			// not listening yet
		}
		await new Promise((r) => setTimeout(r, 500));
	}
	child.kill("SIGTERM");
	await stripe.close();
	await wompi.close();
	rmSync(STATE, { recursive: true, force: true });
	throw new Error(`wrangler dev did not start:\n${logs.slice(-40).join("\n")}`);
};
