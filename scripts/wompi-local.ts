// A Wompi of this machine's own for `wrangler dev` and the browser tests: the stand-in of
// test/fixtures/wompi-standin.ts served over HTTP. Transactions stay PENDING like the sandbox's,
// then resolve after WOMPI_LOCAL_SEGUNDOS (PSE and Bancolombia transfers on the bank page the
// customer is sent to), and each final status is POSTed, signed, to WOMPI_LOCAL_WEBHOOK.
//   node scripts/wompi-local.ts
// Env: WOMPI_LOCAL_PORT (8790), WOMPI_LOCAL_SEGUNDOS (5), WOMPI_LOCAL_WEBHOOK
// (http://localhost:8787/api/v1/webhooks/wompi), WOMPI_LOCAL_SIN_EVENTOS=1 (no events: the Worker
// must poll), WOMPI_LOCAL_WEBHOOK_PAGOS (where payouts events go; none unless set).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { WOMPI_CLAVES, WOMPI_PAGOS_CLAVES } from "../test/fixtures/wompi.ts";
import {
	type OpcionesStandIn,
	type WompiStandIn,
	wompiStandIn,
} from "../test/fixtures/wompi-standin.ts";

export interface OpcionesWompiLocal {
	/** 0 picks a free port. */
	port?: number;
	/** Where `transaction.updated` events go. */
	webhook?: string;
	/** Where payouts events go; none are sent without it. */
	webhookPagos?: string;
	/** Seconds before a pending transaction or payout resolves on its own. */
	segundos?: number;
	/** false: no events at all, so the Worker has to poll. */
	eventos?: boolean;
	/** One line per request on the console (default true). */
	registrar?: boolean;
	/** Keys and the like for the stand-in; its defaults are WOMPI_CLAVES and WOMPI_PAGOS_CLAVES. */
	standIn?: OpcionesStandIn;
}

export interface WompiLocal {
	/** `http://127.0.0.1:<port>`; the payments API is at `${url}/v1`, payouts at `${url}/terceros`. */
	url: string;
	standIn: WompiStandIn;
	close(): Promise<void>;
}

// Both resolve through the bank page (or `sandbox_status`), not on a timer.
const POR_PAGINA = new Set(["PSE", "BANCOLOMBIA_TRANSFER"]);

const hora = () => new Date().toISOString().slice(11, 23);

const aRequest = async (req: IncomingMessage, porDefecto: string): Promise<Request> => {
	const partes: Buffer[] = [];
	for await (const parte of req) partes.push(parte as Buffer);
	const headers = new Headers();
	for (const [nombre, valor] of Object.entries(req.headers)) {
		if (typeof valor === "string") headers.set(nombre, valor);
		else if (Array.isArray(valor)) headers.set(nombre, valor.join(", "));
	}
	const metodo = req.method ?? "GET";
	return new Request(`http://${req.headers.host ?? porDefecto}${req.url ?? "/"}`, {
		method: metodo,
		headers,
		body: metodo === "GET" || metodo === "HEAD" ? undefined : Buffer.concat(partes),
	});
};

/** Wompi's public-key endpoints are called from browsers (card tokens), so it answers any origin. */
const CORS = {
	"Access-Control-Allow-Origin": "*",
	"Access-Control-Allow-Methods": "GET, POST",
	"Access-Control-Allow-Headers": "Authorization, Content-Type",
};

const responder = async (res: ServerResponse, response: Response) => {
	const headers: Record<string, string> = { ...CORS };
	response.headers.forEach((v, k) => {
		headers[k] = v;
	});
	res.writeHead(response.status, headers);
	res.end(Buffer.from(await response.arrayBuffer()));
};

export const iniciarWompiLocal = async (o: OpcionesWompiLocal = {}): Promise<WompiLocal> => {
	const segundos = o.segundos ?? 5;
	const eventos = o.eventos ?? true;
	const registrar = o.registrar ?? true;
	const log = (linea: string) => {
		if (registrar) console.log(`${hora()} ${linea}`);
	};
	const standIn = wompiStandIn({ ...o.standIn, autoFinal: false });
	const relojes = new Set<ReturnType<typeof setTimeout>>();
	const vistas = new Set<string>();
	const avisadas = new Map<string, string>();
	const lotesVistos = new Set<string>();
	const lotesAvisados = new Map<string, string>();

	const despues = (accion: () => void) => {
		const reloj = setTimeout(() => {
			relojes.delete(reloj);
			accion();
		}, segundos * 1000);
		relojes.add(reloj);
	};

	const enviar = async (
		destino: string,
		evento: { body: string; checksum: string },
		que: string,
	) => {
		try {
			const r = await fetch(destino, {
				method: "POST",
				headers: { "Content-Type": "application/json", "X-Event-Checksum": evento.checksum },
				body: evento.body,
			});
			log(`evento ${que} → ${destino} ${r.status}`);
		} catch (e) {
			log(`evento ${que} → ${destino} falló: ${e instanceof Error ? e.message : String(e)}`);
		}
	};

	/** Schedules what the sandbox would resolve alone, and announces every new final status. */
	const revisar = async () => {
		for (const tx of standIn.transactions.values()) {
			if (!vistas.has(tx.id)) {
				vistas.add(tx.id);
				if (!POR_PAGINA.has(tx.payment_method_type)) {
					despues(() => {
						if (standIn.transactions.get(tx.id)?.status === "PENDING") standIn.finalizar(tx.id);
						void revisar();
					});
				}
			}
			if (tx.status === "PENDING" || avisadas.get(tx.id) === tx.status) continue;
			avisadas.set(tx.id, tx.status);
			log(`transacción ${tx.id} ${tx.reference} → ${tx.status}`);
			if (eventos && o.webhook) {
				await enviar(o.webhook, await standIn.evento(tx.id), `transaction.updated ${tx.id}`);
			}
		}
		for (const [id, lote] of standIn.payouts) {
			if (!lotesVistos.has(id)) {
				lotesVistos.add(id);
				despues(() => {
					if (standIn.payouts.get(id)?.payout.status === "PENDING") standIn.finalizarPayout(id);
					void revisar();
				});
			}
			const estado = lote.payout.status;
			if (estado === "PENDING" || lotesAvisados.get(id) === estado) continue;
			lotesAvisados.set(id, estado);
			log(`lote ${id} ${lote.payout.reference} → ${estado}`);
			if (eventos && o.webhookPagos) {
				for (const d of lote.transacciones) {
					await enviar(
						o.webhookPagos,
						await standIn.payoutTransaccionEvento(d.id),
						`pagos transaction.updated ${d.id}`,
					);
				}
				await enviar(o.webhookPagos, await standIn.payoutEvento(id), `payout.updated ${id}`);
			}
		}
	};

	const server = createServer(async (req, res) => {
		if (req.method === "OPTIONS") {
			res.writeHead(204, CORS);
			res.end();
			return;
		}
		try {
			const request = await aRequest(req, `127.0.0.1:${o.port ?? 0}`);
			const response = await standIn.handle(request);
			log(`${request.method} ${req.url ?? "/"} ${response.status}`);
			await responder(res, response);
			await revisar();
		} catch (e) {
			log(`${req.method} ${req.url ?? "/"} falló: ${e instanceof Error ? e.message : String(e)}`);
			if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain" });
			res.end("stand-in error");
		}
	});
	await new Promise<void>((ok) => server.listen(o.port ?? 0, "127.0.0.1", ok));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		standIn,
		close: () => {
			for (const reloj of relojes) clearTimeout(reloj);
			relojes.clear();
			return new Promise((ok) => server.close(() => ok()));
		},
	};
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
	const env = process.env;
	const local = await iniciarWompiLocal({
		port: Number(env.WOMPI_LOCAL_PORT ?? 8790),
		webhook: env.WOMPI_LOCAL_WEBHOOK ?? "http://localhost:8787/api/v1/webhooks/wompi",
		...(env.WOMPI_LOCAL_WEBHOOK_PAGOS ? { webhookPagos: env.WOMPI_LOCAL_WEBHOOK_PAGOS } : {}),
		segundos: Number(env.WOMPI_LOCAL_SEGUNDOS ?? 5),
		eventos: env.WOMPI_LOCAL_SIN_EVENTOS !== "1",
	});
	console.log(
		`Wompi local en ${local.url}: pagos ${local.url}/v1, pagos a terceros ${local.url}/terceros`,
	);
	console.log("Llaves de prueba (para .dev.vars):");
	for (const [k, v] of Object.entries({ ...WOMPI_CLAVES, ...WOMPI_PAGOS_CLAVES })) {
		console.log(`  ${k}=${v}`);
	}
	const salir = () => {
		void local.close().then(() => process.exit(0));
	};
	process.on("SIGINT", salir);
	process.on("SIGTERM", salir);
}
