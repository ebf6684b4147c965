// `npm run verificar -- --rifa <url>` as a journalist runs it: against the real API of `wrangler
// dev`, and against a copy of it that lies in one way (a forged document re-signed with the
// platform's own key, or a key published with a window that ends before what it signed).
import { spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import { base64url, CompactSign, importJWK } from "jose";
import type { ParClaves } from "../../scripts/clave-recibos.ts";

/** The CLI's last line names the first check that failed: «name» (id). */
const FALLO = /falló «.*» \(([a-z_.]+)\)/;

export interface Resultado {
	status: number | null;
	salida: string;
	/** The id of the first failed check, from the CLI's last line. */
	fallo: string | null;
}

/** Runs the CLI without blocking this process, which may be serving the copy it audits. */
export const verificarRifa = (url: string): Promise<Resultado> =>
	new Promise((resolve, reject) => {
		const child = spawn(process.execPath, ["scripts/verificar.ts", "--rifa", url]);
		let salida = "";
		const leer = (c: Buffer) => {
			salida += c.toString();
		};
		child.stdout.on("data", leer);
		child.stderr.on("data", leer);
		child.on("error", reject);
		child.on("close", (status) =>
			resolve({ status, salida, fallo: salida.match(FALLO)?.[1] ?? null }),
		);
	});

const decodificar = (jws: string) =>
	JSON.parse(new TextDecoder().decode(base64url.decode(jws.split(".")[1] ?? "")));

const firmar = async (clave: ParClaves["privada"], typ: string, payload: unknown) =>
	new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
		.setProtectedHeader({ alg: "EdDSA", kid: clave.kid, typ })
		.sign(await importJWK({ ...clave }, "EdDSA"));

/** How the copy lies: it rewrites one JSON answer of the API before passing it on. */
export type Mentira = (path: string, body: unknown) => Promise<unknown>;

/** A copy of the API at `base` whose JSON answers go through `mentira`; closed by `close()`. */
export const copiaMentirosa = async (base: string, mentira: Mentira) => {
	const server: Server = createServer(async (req, res) => {
		const upstream = await fetch(`${base}${req.url}`);
		const text = await upstream.text();
		let body: string = text;
		if (upstream.headers.get("content-type")?.includes("json")) {
			body = JSON.stringify(
				await mentira(new URL(req.url ?? "/", base).pathname, JSON.parse(text)),
			);
		}
		res.writeHead(upstream.status, { "content-type": upstream.headers.get("content-type") ?? "" });
		res.end(body);
	});
	await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
	const address = server.address();
	const port = typeof address === "object" && address ? address.port : 0;
	return {
		url: `http://127.0.0.1:${port}`,
		close: () => new Promise((r) => server.close(r)),
	};
};

/** The lies a full audit must catch, each with the check it should fail. */
export const mentiras = (rifaId: string, clave: ParClaves["privada"]) => ({
	/** A sale appended to the ledger after the seal, properly signed. */
	"registro.despues_del_sello": (async (path, body) => {
		if (!path.endsWith(`/rifas/${rifaId}/registro`)) return body;
		const page = body as { items: string[]; total: number };
		const ultima = decodificar(page.items.find((e) => decodificar(e).numero !== undefined) ?? "");
		const tardia = await firmar(clave, "rifa1122-recibo", {
			...ultima,
			ticket_id: crypto.randomUUID(),
			numero: 99,
			seq: page.total,
		});
		return { ...page, items: [...page.items, tardia], total: page.total + 1 };
	}) as Mentira,
	/** The acta's prize moved to another sold ticket, re-signed. */
	"acta.ganadores": (async (path, body) => {
		if (!path.endsWith(`/rifas/${rifaId}/acta`)) return body;
		const acta = decodificar((body as { acta: string }).acta);
		acta.ganadores[0].numero = (acta.ganadores[0].numero + 35) % 100;
		return { acta: await firmar(clave, "rifa1122-acta", acta) };
	}) as Mentira,
	/** The platform's key published as retired before it signed the seal. */
	"sello.firma": (async (path, body) => {
		if (path !== "/.well-known/jwks.json") return body;
		const jwks = body as { keys: { kid: string; desde: string }[] };
		return {
			keys: jwks.keys.map((k) =>
				k.kid === clave.kid
					? { ...k, desde: "2020-01-01T00:00:00.000Z", hasta: "2021-01-01T00:00:00.000Z" }
					: k,
			),
		};
	}) as Mentira,
});
