import { type RifaDePlan, seccionPlanes } from "../abonos-comprador";
import { api, el, formatCop, formularioSesion, numeroDe, yo } from "../api";
import { enlaceRecibo } from "../boletas";
import { type Premio, seccionCobro } from "../cuenta-cobro";
import { seccionCredito } from "../mi-credito";

interface Ticket {
	id: string;
	rifa_id: string;
	numero: number;
	estado: string;
	comprado_en: string | null;
	recibo: string | null;
	transaccion_id: string | null;
}

/**
 * A bank sends a buyer who paid an abono back through the rifa's page, which brings it here with
 * the rifa and the payment's reference: that plan is shown, and its abono followed.
 */
const vueltaDelBanco = () => {
	const q = new URLSearchParams(location.search);
	const rifaId = q.get("rifa") ?? "";
	const referencia = q.get("abono") ?? "";
	if (!/^[0-9a-f-]{36}$/.test(rifaId) || !/^[0-9a-f-]{36}\.[0-9a-f]{16}$/.test(referencia))
		return null;
	return { rifaId, referencia };
};

/** Each winning ticket's prize and whether it was paid, from its rifa's results. */
const premiosDe = async (tickets: Ticket[]): Promise<Map<string, Premio>> => {
	const rifas = [...new Set(tickets.filter((t) => t.estado === "ganador").map((t) => t.rifa_id))];
	const resultados = await Promise.all(
		rifas.map((id) =>
			api<{ ganadores: ({ ticket_id: string; monto_ganado: number } & Premio)[] }>(
				`/rifas/${id}/resultados`,
			).catch(() => ({ ganadores: [] })),
		),
	);
	const mios = new Set(tickets.map((t) => t.id));
	return new Map(
		resultados.flatMap((r) =>
			r.ganadores
				.filter((g) => mios.has(g.ticket_id))
				.map((g): [string, Premio] => [
					g.ticket_id,
					{ monto: g.monto_ganado, estado_pago: g.estado_pago },
				]),
		),
	);
};

/**
 * `/mis-boletas`: the signed-in user's tickets, each with its receipt and verification link; its
 * plans in instalments, to pay an abono online or with credit; its credit with each operador; and
 * where their prizes are paid (first, when a prize waits for it).
 */
export const misBoletas = async (main: HTMLElement): Promise<void> => {
	const me = await yo();
	if (!me) {
		main.replaceChildren(
			el("h1", {}, "Mis boletas"),
			formularioSesion(() => void misBoletas(main)),
		);
		return;
	}
	const credito = seccionCredito();
	const [tickets, rifas] = await Promise.all([
		api<{ items: Ticket[]; total: number }>(`/users/${me.id}/tickets?per_page=100`),
		api<{ items: RifaDePlan[] }>("/rifas?per_page=100"),
		credito.cargar(),
	]);
	const rifa = new Map(rifas.items.map((r) => [r.id, r]));
	const vuelta = vueltaDelBanco();
	if (vuelta) history.replaceState(null, "", "/mis-boletas");
	const [premios, planes] = await Promise.all([
		premiosDe(tickets.items),
		seccionPlanes({ me, tickets: tickets.items, rifas: rifa, credito, vuelta }),
	]);
	const cobro = await seccionCobro(me.id, [...premios.values()]);
	const filas = tickets.items.map((t) => {
		const r = rifa.get(t.rifa_id);
		const premio = premios.get(t.id);
		return el(
			"li",
			{ class: "boleta", "data-ticket": t.id, "data-estado": t.estado },
			el("a", { href: `/rifas/${t.rifa_id}` }, r?.nombre ?? "Rifa"),
			` · número ${numeroDe(t.numero, r?.total_boletas ?? 100)} · ${planes?.tickets.has(t.id) ? "abonado" : t.estado}`,
			premio
				? el(
						"span",
						{ "data-pago": premio.estado_pago },
						` · premio de ${formatCop(premio.monto)}, ${premio.estado_pago === "pagado" ? "pagado" : "por cobrar"}`,
					)
				: null,
			t.recibo
				? el(
						"span",
						{},
						" · ",
						el("a", { href: enlaceRecibo(t.recibo), "data-recibo": t.recibo }, "Verificar recibo"),
					)
				: null,
		);
	});
	// Stripe sends a payment that needed a redirect (a bank's check, PSE) back here, with the
	// PaymentIntent's secret in the query: read what matters, then take it out of the address bar.
	const redireccion = new URLSearchParams(location.search).get("redirect_status");
	if (redireccion) history.replaceState(null, "", "/mis-boletas");
	const AVISOS: Record<string, string> = {
		succeeded: "Pago recibido: sus boletas pasan a vendidas en cuanto Stripe lo confirma.",
		processing:
			"Su pago está en proceso: sus boletas pasan a vendidas en cuanto Stripe lo confirma.",
	};
	const aviso = redireccion
		? (AVISOS[redireccion] ?? "El pago no se completó: sus números quedaron libres.")
		: null;
	const pendiente = [...premios.values()].some((p) => p.estado_pago !== "pagado");
	main.replaceChildren(
		el("h1", {}, "Mis boletas"),
		...(aviso
			? [
					el(
						"p",
						{ role: "status", class: redireccion && AVISOS[redireccion] ? "aviso" : "error" },
						aviso,
					),
				]
			: []),
		el("p", {}, `${me.nombre}: ${tickets.total} boletas.`),
		...(cobro && pendiente ? [cobro] : []),
		...(planes ? [planes.seccion] : []),
		filas.length ? el("ul", { class: "lista" }, ...filas) : el("p", {}, "Aún no tiene boletas."),
		credito.seccion,
		...(cobro && !pendiente ? [cobro] : []),
	);
};
