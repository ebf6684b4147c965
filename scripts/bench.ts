// `npm run bench`: starts the API with `wrangler dev` on its own fresh local state, then measures
// purchases against one rifa and against many, next to a plain read of the same rifa measured in
// the same run, and checks afterwards that no number was sold twice. Results go to stdout as a
// Markdown table (docs/benchmarks.md keeps a copy of a run and how to read it).
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { signAccessToken } from "../src/auth/jwt.ts";
import { hashPassword } from "../src/auth/password.ts";

const PORT = Number(process.env.BENCH_PORT ?? 8799);
const BASE = `http://127.0.0.1:${PORT}`;
const STATE = ".wrangler/bench-state";
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 1500);
// Enough buyers that each stays far below PURCHASE_LIMITER (60 a minute) at the bench's pace.
const BUYERS = 150;
const JWT_SECRET = "bench-only-secret-0123456789abcdefghijklmnopqrstuvwxyz";

const wrangler = (args: string[]) => {
	const r = spawnSync("wrangler", args, {
		encoding: "utf8",
		env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" },
	});
	if (r.status !== 0)
		throw new Error(`wrangler ${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
	return r.stdout;
};

const d1 = (sql: string) =>
	JSON.parse(
		wrangler(["d1", "execute", "DB", "--local", "--persist-to", STATE, "--json", "--command", sql]),
	)[0].results as Record<string, unknown>[];

const logs: string[] = [];

/** The receipts' signing key of this run: receipts are on, as in production, unless a pass turns them off. */
const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as {
	privateKey: Parameters<typeof crypto.subtle.exportKey>[1];
};
const RECIBOS_KEY = JSON.stringify({
	...(await crypto.subtle.exportKey("jwk", pair.privateKey)),
	kid: "bench",
	desde: new Date(Date.now() - 86_400_000).toISOString(),
});

const startServer = async (extraVars: string[] = []): Promise<ChildProcess> => {
	const child = spawn(
		"wrangler",
		[
			"dev",
			"--test-scheduled",
			"--port",
			String(PORT),
			"--ip",
			"127.0.0.1",
			"--persist-to",
			STATE,
			"--var",
			"PAYMENTS_SANDBOX:succeed",
			"--var",
			`JWT_SECRET:${JWT_SECRET}`,
			"--var",
			"NOTIFICACIONES_BAJA_SECRET:bench-only-unsubscribe-secret-0123456789abcdef",
			"--var",
			"ENVIRONMENT:bench",
			"--var",
			`RECIBOS_CLAVE_PRIVADA:${RECIBOS_KEY}`,
			...extraVars.flatMap((v) => ["--var", v]),
		],
		{ env: { ...process.env, WRANGLER_SEND_METRICS: "false" }, stdio: ["ignore", "pipe", "pipe"] },
	);
	const collect = (chunk: Buffer) => logs.push(...chunk.toString().split("\n"));
	child.stdout?.on("data", collect);
	child.stderr?.on("data", collect);
	for (let i = 0; i < 120; i++) {
		try {
			if ((await fetch(`${BASE}/`)).ok) return child;
		} catch {
			// not listening yet
		}
		await new Promise((r) => setTimeout(r, 500));
	}
	child.kill();
	throw new Error(`wrangler dev did not start:\n${logs.slice(-30).join("\n")}`);
};

const api = async (
	method: string,
	path: string,
	body?: unknown,
	token?: string,
	headers: Record<string, string> = {},
) => {
	const res = await fetch(`${BASE}/api/v1${path}`, {
		method,
		headers: {
			...(body ? { "Content-Type": "application/json" } : {}),
			...(token ? { Authorization: `Bearer ${token}` } : {}),
			...headers,
		},
		body: body ? JSON.stringify(body) : undefined,
	});
	const text = await res.text();
	return { status: res.status, body: text ? JSON.parse(text) : null };
};

interface Run {
	label: string;
	ok: number;
	failed: number;
	seconds: number;
	latencies: number[];
}

/** Runs `total` requests with `CONCURRENCY` in flight, recording each latency. */
const drive = async (
	label: string,
	total: number,
	request: (i: number) => Promise<number>,
): Promise<Run> => {
	const latencies: number[] = [];
	let next = 0;
	let ok = 0;
	let failed = 0;
	const started = performance.now();
	await Promise.all(
		Array.from({ length: CONCURRENCY }, async () => {
			for (let i = next++; i < total; i = next++) {
				const t0 = performance.now();
				const status = await request(i);
				latencies.push(performance.now() - t0);
				if (status >= 200 && status < 300) ok++;
				else failed++;
			}
		}),
	);
	return { label, ok, failed, seconds: (performance.now() - started) / 1000, latencies };
};

const ROUNDS = 3;

const rate = (r: Run) => r.ok / r.seconds;

const merge = (label: string, rounds: Run[]): Run => ({
	label,
	ok: rounds.reduce((n, r) => n + r.ok, 0),
	failed: rounds.reduce((n, r) => n + r.failed, 0),
	seconds: rounds.reduce((n, r) => n + r.seconds, 0),
	latencies: rounds.flatMap((r) => r.latencies),
});

const pct = (xs: number[], p: number) => {
	const s = [...xs].sort((a, b) => a - b);
	return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};

const flushedRows = () => {
	let read = 0;
	let written = 0;
	let entries = 0;
	for (const line of logs) {
		const at = line.indexOf('{"level":"debug","msg":"outbox flushed"');
		if (at < 0) continue;
		const rec = JSON.parse(line.slice(at));
		read += rec.d1_rows_read;
		written += rec.d1_rows_written;
		entries += rec.entries;
	}
	return { read, written, entries };
};

const main = async () => {
	rmSync(STATE, { recursive: true, force: true });
	wrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", STATE]);
	const now = new Date().toISOString();
	const adminHash = await hashPassword("bench-admin-pass");
	d1(
		`INSERT INTO users (id, nombre, email, hashed_password, rol, is_active, creado_en, actualizado_en) VALUES ('${crypto.randomUUID()}', 'Bench', 'bench@rifa1122.local', '${adminHash}', 'admin', 1, '${now}', '${now}')`,
	);
	let server = await startServer();
	try {
		const admin = (
			await api("POST", "/auth/login", {
				email: "bench@rifa1122.local",
				password: "bench-admin-pass",
			})
		).body.access_token as string;
		// Buyers go straight into D1 with tokens signed here: registering them through the API would
		// run into the per-address limit on sign-ups, which is there to stop exactly that.
		const buyers: { id: string; token: string }[] = [];
		const buyerRows: string[] = [];
		for (let i = 0; i < BUYERS; i++) {
			const id = crypto.randomUUID();
			buyerRows.push(
				`('${id}', 'Buyer ${i}', 'buyer${i}@bench.rifa1122.local', NULL, 'jugador', 1, '${now}', '${now}')`,
			);
			const { token } = await signAccessToken(id, {
				JWT_SECRET,
				JWT_ISSUER: "https://api.rifa1122.co",
				JWT_AUDIENCE: "rifa1122-api",
				JWT_TTL_SECONDS: "3600",
			});
			buyers.push({ id, token });
		}
		d1(
			`INSERT INTO users (id, nombre, email, hashed_password, rol, is_active, creado_en, actualizado_en) VALUES ${buyerRows.join(", ")}`,
		);
		const cat = (
			await api(
				"POST",
				"/categorias",
				{
					nombre: `Bench ${now}`,
					valor_boleta: 100_000,
					rake: 0.25,
					premio_por_ganador: 5_000_000,
				},
				admin,
			)
		).body;
		// A daily draw, and sources that are allowed outside development.
		const lot = (
			await api(
				"POST",
				"/loterias",
				{
					nombre: `Bench ${now}`,
					frecuencia: "diaria",
					hora_sorteo: "23:00",
					fuentes: ["webhook", "admin"],
					fuentes_requeridas: 2,
				},
				admin,
			)
		).body;
		const newRifa = async (total: number) => {
			const created = await api(
				"POST",
				"/rifas",
				{
					nombre: `Bench ${total}`,
					categoria_id: cat.id,
					loteria_id: lot.id,
					fecha_inicio: new Date(Date.now() - 3600_000).toISOString(),
					fecha_fin: new Date(Date.now() + 7 * 86400_000).toISOString(),
					total_boletas: total,
					reglas: { asignacion: "aleatoria" },
				},
				admin,
			);
			// A setup that fails would time only error responses: stop instead.
			if (created.status !== 201)
				throw new Error(`rifa not created: ${JSON.stringify(created.body)}`);
			const opened = await api("PATCH", `/rifas/${created.body.id}`, { estado: "activa" }, admin);
			if (opened.status !== 200) throw new Error(`rifa not opened: ${JSON.stringify(opened.body)}`);
			return created.body.id as string;
		};
		const big = await newRifa(10_000);
		const small = await newRifa(100);
		const many = await Promise.all(Array.from({ length: 20 }, () => newRifa(1000)));

		const buy = (rifaId: string, i: number) => {
			const b = buyers[i % buyers.length] as { id: string; token: string };
			return api(
				"POST",
				`/rifas/${rifaId}/tickets`,
				{ user_id: b.id, quantity: 1, payment_method: "sandbox" },
				b.token,
				{ "Idempotency-Key": `bench-${rifaId}-${i}` },
			).then((r) => r.status);
		};

		// Warm-up: every object and isolate is live before anything is timed.
		const warm = await drive("warm-up", 64, (i) =>
			buy(many[i % many.length] as string, 100_000 + i),
		);
		await drive("warm-up", 64, () => api("GET", `/rifas/${big}`).then((r) => r.status));

		// The headline ratio alternates baseline and purchase rounds, so drift on a shared machine
		// (other processes, thermal, GC) hits both sides alike.
		const readRounds: Run[] = [];
		const buyRounds: Run[] = [];
		const perRound = Math.ceil(REQUESTS / ROUNDS);
		for (let round = 0; round < ROUNDS; round++) {
			readRounds.push(
				await drive("plain read", perRound, () =>
					api("GET", `/rifas/${big}`).then((r) => r.status),
				),
			);
			buyRounds.push(await drive("purchase", perRound, (i) => buy(big, round * perRound + i)));
		}
		const read = merge("plain read: GET /rifas/{id} (D1)", readRounds);
		const oneBig = merge("purchase, one rifa of 10,000", buyRounds);
		const roundRatios = buyRounds.map((b, i) => rate(b) / rate(readRounds[i] as Run));
		const availability = await drive(
			"availability: GET /rifas/{id}/disponibilidad (object)",
			REQUESTS,
			// Many watchers, as in production: one address alone would meet the per-address read limit.
			(i) =>
				api("GET", `/rifas/${big}/disponibilidad`, undefined, undefined, {
					"CF-Connecting-IP": `198.51.100.${i % 250}`,
				}).then((r) => r.status),
		);
		const me = await drive("authenticated read: GET /users/me (JWT + D1)", REQUESTS, (i) =>
			api("GET", "/users/me", undefined, buyers[i % buyers.length]?.token).then((r) => r.status),
		);
		const oneSmall = await drive("purchase, one rifa of 100", 100, (i) => buy(small, i));
		const spread = await drive("purchase, 20 rifas of 1,000", REQUESTS, (i) =>
			buy(many[i % many.length] as string, i),
		);
		const runs = [read, availability, me, oneBig, oneSmall, spread];

		// The seal of the big rifa's ledger: from the close to a signed seal.
		const entries = (await api("GET", `/rifas/${big}/registro?per_page=1`)).body.total as number;
		const sealStart = performance.now();
		await api("PATCH", `/rifas/${big}`, { estado: "cerrada" }, admin);
		let sealed = await api("GET", `/rifas/${big}/sello`);
		while (sealed.status !== 200 && performance.now() - sealStart < 60_000) {
			sealed = await api("GET", `/rifas/${big}/sello`);
		}
		const sealMs = performance.now() - sealStart;

		// A sold-out 10,000-number rifa, 100 numbers a purchase, and the seal of its 10,000 entries.
		const full = await api(
			"POST",
			"/rifas",
			{
				nombre: "Bench sold out",
				categoria_id: cat.id,
				loteria_id: lot.id,
				fecha_inicio: new Date(Date.now() - 3600_000).toISOString(),
				fecha_fin: new Date(Date.now() + 7 * 86400_000).toISOString(),
				total_boletas: 10_000,
				reglas: { asignacion: "aleatoria", max_boletas_por_compra: 100 },
			},
			admin,
		);
		await api("PATCH", `/rifas/${full.body.id}`, { estado: "activa" }, admin);
		const soldOut = await drive("sell out 10,000", 100, (i) => {
			const b = buyers[i % buyers.length] as { id: string; token: string };
			return api(
				"POST",
				`/rifas/${full.body.id}/tickets`,
				{ user_id: b.id, quantity: 100, payment_method: "sandbox" },
				b.token,
				{ "Idempotency-Key": `bench-full-${i}` },
			).then((r) => r.status);
		});
		const fullStart = performance.now();
		await api("PATCH", `/rifas/${full.body.id}`, { estado: "cerrada" }, admin);
		let fullSeal = await api("GET", `/rifas/${full.body.id}/sello`);
		while (fullSeal.status !== 200 && performance.now() - fullStart < 120_000) {
			fullSeal = await api("GET", `/rifas/${full.body.id}/sello`);
		}
		const fullSealMs = performance.now() - fullStart;

		// Receipts off (no signing key): the same alternated rounds, for the cost of receipts and ledger.
		server.kill("SIGTERM");
		await new Promise((r) => server.once("exit", r));
		server = await startServer(["RECIBOS_CLAVE_PRIVADA:"]);
		const plain = await newRifa(10_000);
		const offRatios: number[] = [];
		const offRuns: Run[] = [await drive("warm-up", 64, (i) => buy(plain, 300_000 + i))];
		for (let round = 0; round < ROUNDS; round++) {
			const r = await drive("plain read", perRound, () =>
				api("GET", `/rifas/${plain}`).then((x) => x.status),
			);
			const b = await drive("purchase", perRound, (i) =>
				buy(plain, 400_000 + round * perRound + i),
			);
			offRatios.push(rate(b) / rate(r));
			offRuns.push(b);
		}
		const withVsWithout = pct(roundRatios, 50) / pct(offRatios, 50);

		// Second pass, untimed: the outbox logs each D1 batch's rows read and written at debug level.
		server.kill("SIGTERM");
		await new Promise((r) => server.once("exit", r));
		logs.length = 0;
		server = await startServer(["LOG_LEVEL:debug"]);
		const rowsPer = async (label: string, n: number, rifaOf: (i: number) => string) => {
			const before = flushedRows();
			const run = await drive(label, n, (i) => buy(rifaOf(i), 200_000 + i));
			const after = flushedRows();
			return {
				label,
				run,
				read: (after.read - before.read) / run.ok,
				written: (after.written - before.written) / run.ok,
			};
		};
		const small2 = await newRifa(100);
		const big2 = await newRifa(10_000);
		const rows = [
			await rowsPer("10,000", 200, () => big2),
			await rowsPer("100", 100, () => small2),
			await rowsPer("1,000 ×20", 200, (i) => many[i % many.length] as string),
		];
		const purchases = [warm, oneBig, oneSmall, spread, ...offRuns, ...rows.map((r) => r.run)];

		// A settled 10,000-buyer rifa: its result fans out from one cron run to 10,000 notifications.
		const fan = await newRifa(10_000);
		server.kill("SIGTERM");
		await new Promise((r) => server.once("exit", r));
		const series = "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 9999)";
		d1(
			`${series} INSERT INTO users (id, nombre, email, rol, is_active, creado_en, actualizado_en) SELECT printf('fa000000-0000-4000-8000-%012d', i), 'Comprador ' || i, printf('fan%d@bench.rifa1122.local', i), 'jugador', 1, '${now}', '${now}' FROM n`,
		);
		d1(
			`${series} INSERT INTO tickets (id, rifa_id, usuario_id, numero, comprado_en, estado, precio, creado_en, actualizado_en) SELECT printf('fb000000-0000-4000-8000-%012d', i), '${fan}', printf('fa000000-0000-4000-8000-%012d', i), i, '${now}', CASE WHEN i = 4801 THEN 'ganador' ELSE 'vendido' END, 100000, '${now}', '${now}' FROM n`,
		);
		d1(
			`INSERT INTO ganadores (id, rifa_id, ticket_id, posicion, monto_ganado, estado_pago, creado_en) VALUES ('${crypto.randomUUID()}', '${fan}', 'fb000000-0000-4000-8000-000000004801', 1, 5000000, 'pendiente', '${now}')`,
		);
		d1(
			`UPDATE rifas SET estado = 'resuelta' WHERE id = '${fan}'; INSERT INTO avisos (id, tipo, rifa_id, datos, creado_en) VALUES ('resultado:${fan}', 'resultado', '${fan}', '{"loteria_numero":"4801","pago":"manual"}', '${now}')`,
		);
		logs.length = 0;
		server = await startServer();
		const fanStart = performance.now();
		await fetch(`${BASE}/__scheduled?cron=${encodeURIComponent("*/5 * * * *")}`);
		const jobLine = () =>
			logs.find((l) => l.includes('"job":"scheduled"') && l.includes('"notificaciones_encoladas"'));
		while (!jobLine() && performance.now() - fanStart < 120_000)
			await new Promise((r) => setTimeout(r, 20));
		const enqueuedMs = performance.now() - fanStart;
		const job = JSON.parse(jobLine()?.slice(jobLine()?.indexOf("{")) ?? "{}");
		const enviadas = async () =>
			(
				await api(
					"GET",
					`/admin/notificaciones?rifa_id=${fan}&estado=enviada&per_page=1`,
					undefined,
					admin,
				)
			).body?.total as number;
		let sent = 0;
		while (sent < 10_000 && performance.now() - fanStart < 600_000) {
			await new Promise((r) => setTimeout(r, 250));
			sent = await enviadas();
		}
		const sentMs = performance.now() - fanStart;
		const consumerBatches = logs.filter(
			(l) => l.includes('"msg":"job"') && l.includes('"queue":"rifa1122-notificaciones"'),
		).length;

		server.kill("SIGTERM");
		await new Promise((r) => server.once("exit", r));
		const dupes = d1(
			`SELECT rifa_id, numero, count(*) AS c FROM tickets WHERE rifa_id <> '${fan}' GROUP BY rifa_id, numero HAVING c > 1`,
		);
		const sold = d1(
			`SELECT count(*) AS n FROM tickets WHERE estado = 'vendido' AND rifa_id <> '${fan}'`,
		)[0]?.n;
		const notified = d1(
			`SELECT count(*) AS n, count(DISTINCT usuario_id) AS u FROM notificaciones WHERE evento = 'resultado:${fan}'`,
		)[0];
		const succeeded = purchases.reduce((n, r) => n + r.ok, 0) + soldOut.ok * 100;

		const lines = [
			`Concurrency ${CONCURRENCY}, ${REQUESTS} requests per run, ${BUYERS} buyers, quantity 1, sandbox payments, wrangler dev on ${PORT}.`,
			"",
			"| run | ok | failed | req/s | p50 ms | p99 ms | vs plain read |",
			"| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
			...runs.map(
				(r) =>
					`| ${r.label} | ${r.ok} | ${r.failed} | ${rate(r).toFixed(0)} | ${pct(r.latencies, 50).toFixed(1)} | ${pct(r.latencies, 99).toFixed(1)} | ${(rate(r) / rate(read)).toFixed(2)} |`,
			),
			"",
			`Purchases on one rifa / plain read, per alternated round: ${roundRatios.map((r) => r.toFixed(2)).join(", ")}; median ${pct(roundRatios, 50).toFixed(2)}.`,
			"",
			`Receipts and ledger: the same ratio with receipts off (no signing key): ${offRatios.map((r) => r.toFixed(2)).join(", ")}; median ${pct(offRatios, 50).toFixed(2)}. Purchase throughput with receipts / without: ${withVsWithout.toFixed(2)}.`,
			"",
			`Seal of the 10,000-number rifa's ledger (${entries} entries), from the close to the signed seal: ${sealMs.toFixed(0)} ms${sealed.status === 200 ? "" : " (NOT SEALED)"}.`,
			`Seal of a sold-out 10,000-number rifa (${soldOut.ok} purchases of 100; ${fullSeal.body?.tamano ?? "?"} entries): ${fullSealMs.toFixed(0)} ms from the close to the signed seal${fullSeal.status === 200 ? "" : " (NOT SEALED)"}.`,
			"",
			"D1 work per purchase, from the outbox's debug log of each batch (`meta.rows_read` / `rows_written`, indexes included):",
			"",
			"| rifa size | purchases | D1 rows read / purchase | D1 rows written / purchase |",
			"| --- | ---: | ---: | ---: |",
			...rows.map(
				(r) => `| ${r.label} | ${r.run.ok} | ${r.read.toFixed(2)} | ${r.written.toFixed(2)} |`,
			),
			"",
			`Fan-out of a 10,000-buyer result (local provider): the cron run that dispatched it logged ${job.notificaciones_encoladas ?? "?"} messages queued in ${job.duration_ms ?? "?"} ms (seen after ${enqueuedMs.toFixed(0)} ms); all ${sent} sent ${(sentMs / 1000).toFixed(1)} s after the cron started, in ${consumerBatches} consumer batches: ${(sent / (sentMs / 1000)).toFixed(0)} notifications/s, ${(sent / (sentMs / 1000) / rate(oneBig)).toFixed(1)}× this run's purchase rate on one rifa; ${notified?.n} notifications recorded for ${notified?.u} users.`,
			"",
			`Integrity: ${dupes.length === 0 ? "no number sold twice" : `DUPLICATES: ${JSON.stringify(dupes)}`}; ${sold} tickets vendido in D1 for ${succeeded} successful purchases.`,
		];
		console.log(lines.join("\n"));
		if (
			dupes.length ||
			Number(sold) !== succeeded ||
			sealed.status !== 200 ||
			fullSeal.status !== 200 ||
			sent !== 10_000 ||
			Number(notified?.n) !== 10_000
		)
			process.exitCode = 1;
	} finally {
		server.kill("SIGTERM");
	}
};

await main();
