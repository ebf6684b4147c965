// The seeded rifa drawn on a real past result, through the API: its sales (signed by a retired
// key, dated that week, sealed before the draw), then the result as an admin enters it, which the
// API confirms and settles. Used by seeds/historia-local.ts (npm run dev) and by the tests.
import type { CompraPasada } from "../src/rifa-room/historia.types.ts";

export type Api = (path: string, init?: RequestInit) => Promise<Response>;

const MINUTO = 60_000;

/**
 * Who bought which numbers and when, the same on every run: every number sold, in purchases of
 * one to ten, spread over the week of sales and in order; the winning number is the first buyer's.
 */
export const comprasDeHistoria = (
	ventas: { fecha_inicio: string; fecha_fin: string },
	total: number,
	compradores: readonly string[],
	ganador: number,
): CompraPasada[] => {
	let semilla = 1122;
	const azar = () => {
		semilla = (semilla * 1103515245 + 12345) % 2 ** 31;
		return semilla / 2 ** 31;
	};
	const numeros = Array.from({ length: total }, (_, i) => i);
	for (let i = numeros.length - 1; i > 0; i--) {
		const j = Math.floor(azar() * (i + 1));
		[numeros[i], numeros[j]] = [numeros[j] as number, numeros[i] as number];
	}
	const grupos: number[][] = [];
	for (let i = 0; i < numeros.length; ) {
		const n = [1, 2, 3, 2, 5, 1, 4, 10, 2, 3, 6, 1][grupos.length % 12] as number;
		grupos.push(numeros.slice(i, i + n).sort((a, b) => a - b));
		i += n;
	}
	const inicio = Date.parse(ventas.fecha_inicio) + 60 * MINUTO;
	const tramo = (Date.parse(ventas.fecha_fin) - 15 * MINUTO - inicio) / grupos.length;
	return grupos.map((g, i) => ({
		usuario_id: g.includes(ganador)
			? (compradores[0] as string)
			: (compradores[Math.floor(azar() * compradores.length)] as string),
		numeros: g,
		vendido_en: new Date(Math.floor(inicio + tramo * (i + azar() * 0.8))).toISOString(),
	}));
};

export interface Siembra {
	admin: { email: string; password: string };
	rifaId: string;
	loteriaId: string;
	/** The retired key's private JWK (JSON) that signs the sales and the seal. */
	clave: string;
	compras: CompraPasada[];
	sellado_en: string;
	resultado: { fecha: string; numero: string; serie: string; fuente: string };
	/** How long to wait for the prize to be paid; 10 s unless set. */
	esperaPagoMs?: number;
}

const json = async (r: Response, paso: string, esperados: number[]) => {
	const body = (await r.json().catch(() => null)) as Record<string, unknown> | null;
	if (!esperados.includes(r.status)) {
		throw new Error(`${paso}: ${r.status} ${JSON.stringify(body)}`);
	}
	return body ?? {};
};

/**
 * Imports the sales, enters the result, waits for the API to settle the rifa and (a while) for its
 * prize to be paid; returns its results. Idempotent.
 */
export const sembrarHistoria = async (api: Api, s: Siembra): Promise<Record<string, unknown>> => {
	const post = (path: string, body: unknown, token?: string) =>
		api(path, {
			method: "POST",
			headers: {
				"Content-Type": "application/json",
				...(token ? { Authorization: `Bearer ${token}` } : {}),
			},
			body: JSON.stringify(body),
		});
	const sesion = await json(await post("/api/v1/auth/login", s.admin), "login", [200]);
	const token = sesion.access_token as string;
	await json(
		await post(
			`/api/v1/desarrollo/rifas/${s.rifaId}/historia`,
			{ clave: s.clave, compras: s.compras, sellado_en: s.sellado_en },
			token,
		),
		"historia",
		[200, 201],
	);
	const { fecha, numero, serie, fuente } = s.resultado;
	await json(
		await post(
			`/api/v1/loterias/${s.loteriaId}/resultados/${fecha}`,
			{ numero, serie, evidencia: { url: fuente } },
			token,
		),
		"resultado",
		[201],
	);
	const espera = () => new Promise((r) => setTimeout(r, 500));
	for (let intento = 0; ; intento++) {
		const rifa = await json(await api(`/api/v1/rifas/${s.rifaId}`), "rifa", [200]);
		if (rifa.estado === "resuelta") break;
		if (intento >= 60) throw new Error(`the rifa was not settled: estado ${rifa.estado}`);
		await espera();
	}
	// The payouts queue pays the winner in a moment (with the sandbox); a provider that needs the
	// winner's account first leaves the prize pending, as it would for any winner.
	for (let intento = 0; ; intento++) {
		const r = await json(await api(`/api/v1/rifas/${s.rifaId}/resultados`), "resultados", [200]);
		const ganadores = r.ganadores as { estado_pago: string }[];
		const pagado = ganadores.every((g) => g.estado_pago !== "pendiente");
		if (pagado || intento * 500 >= (s.esperaPagoMs ?? 10_000)) return r;
		await espera();
	}
};
