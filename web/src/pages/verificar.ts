import { decodeJwt } from "jose";
import { auditar } from "../../../src/verificacion/auditoria";
import { descargarRifa } from "../../../src/verificacion/descarga";
import type { ActaRespuesta, Jwks, Prueba, SelloRespuesta } from "../../../src/verificacion/tipos";
import { type Verificacion, verificar } from "../../../src/verificacion/verificar";
import { el } from "../api";

const ESTADO: Record<string, string> = {
	ok: "✔ correcto",
	falla: "✘ falla",
	pendiente: "… pendiente",
};

/** A public JSON document, or undefined when it does not exist (yet). */
const documento = async <T>(url: string): Promise<T | undefined> => {
	const res = await fetch(url);
	return res.ok ? ((await res.json()) as T) : undefined;
};

/**
 * Checks a receipt in this browser with WebCrypto, through the same module as `npm run verificar`:
 * its signature against the published keys, its inclusion proof, the seal with the rules it fixed,
 * and the acta, recomputed. What is not published yet shows as pending.
 */
export const comprobar = async (recibo: string): Promise<Verificacion> => {
	let rifaId: string | undefined;
	let ticketId: string | undefined;
	try {
		const p = decodeJwt(recibo) as { rifa_id?: unknown; ticket_id?: unknown };
		rifaId = typeof p.rifa_id === "string" ? p.rifa_id : undefined;
		ticketId = typeof p.ticket_id === "string" ? p.ticket_id : undefined;
	} catch {
		// Not a JWS at all: the signature check below says so.
	}
	const seguro = (s: string | undefined) => (s && /^[0-9a-f-]{36}$/.test(s) ? s : undefined);
	const [jwks, sello, acta, prueba] = await Promise.all([
		documento<Jwks>("/.well-known/jwks.json"),
		seguro(rifaId) ? documento<SelloRespuesta>(`/api/v1/rifas/${rifaId}/sello`) : undefined,
		seguro(rifaId) ? documento<ActaRespuesta>(`/api/v1/rifas/${rifaId}/acta`) : undefined,
		seguro(ticketId) ? documento<Prueba>(`/api/v1/tickets/${ticketId}/prueba`) : undefined,
	]);
	return verificar({
		recibo,
		jwks: jwks ?? { keys: [] },
		...(prueba ? { prueba } : {}),
		...(sello ? { sello } : {}),
		...(acta ? { acta: acta.acta } : {}),
	});
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The full audit of a rifa, in this browser: every ledger entry, the sealed root, the acta. */
export const auditarRifa = async (rifaId: string): Promise<Verificacion> =>
	auditar(await descargarRifa(location.origin, rifaId));

const informe = (v: Verificacion, que: string) => [
	el(
		"p",
		{ class: "veredicto", "data-verificacion": v.valido ? "valido" : "invalido" },
		v.valido ? `${que} válido` : `${que} NO válido`,
	),
	el(
		"ul",
		{ class: "checks" },
		...v.checks.map((c) =>
			el(
				"li",
				{ "data-check": c.id, "data-estado": c.estado },
				el("strong", {}, `${c.nombre}: `),
				`${ESTADO[c.estado] ?? c.estado}. ${c.detalle}`,
			),
		),
	),
];

/**
 * `/verificar`: a receipt from the URL fragment (never sent to the server) or pasted, checked
 * against its rifa; or, with `#rifa=<id>`, the whole rifa audited: what `npm run verificar --
 * --rifa` does, here.
 */
export const verificarPagina = async (main: HTMLElement) => {
	const campo = el("textarea", {
		name: "recibo",
		rows: "5",
		"aria-label": "Recibo (JWS)",
		spellcheck: "false",
	});
	const salida = el("section", { class: "verificacion", "aria-live": "polite" });
	const form = el(
		"form",
		{ class: "verificar" },
		el("label", { for: "recibo" }, "Pegue el recibo de su boleta"),
		campo,
		el("button", { type: "submit" }, "Verificar"),
	);
	campo.id = "recibo";
	const correr = async (recibo: string) => {
		salida.replaceChildren(el("p", {}, "Verificando…"));
		salida.replaceChildren(...informe(await comprobar(recibo.trim()), "Recibo"));
	};
	const auditarYMostrar = async (rifaId: string) => {
		salida.replaceChildren(el("p", {}, "Descargando el registro de la rifa y auditándolo…"));
		try {
			salida.replaceChildren(...informe(await auditarRifa(rifaId), "Sorteo"));
		} catch (e) {
			salida.replaceChildren(
				el("p", { class: "veredicto" }, `No se pudo auditar: ${(e as Error).message}`),
			);
		}
	};
	form.addEventListener("submit", (e) => {
		e.preventDefault();
		void correr(campo.value);
	});
	main.replaceChildren(el("h1", {}, "Verificar un recibo o un sorteo"), form, salida);
	const desdeUrl = async () => {
		const params = new URLSearchParams(location.hash.slice(1));
		const rifa = params.get("rifa");
		if (rifa && UUID.test(rifa)) {
			campo.value = "";
			return auditarYMostrar(rifa);
		}
		const recibo = params.get("recibo");
		if (!recibo) return;
		campo.value = recibo;
		await correr(recibo);
	};
	// Another receipt or rifa in the fragment (a link followed from this page) is checked too.
	window.addEventListener("hashchange", () => void desdeUrl());
	await desdeUrl();
};
