import { api, el, formularioSesion, numeroDe, yo } from "../api";

interface Ticket {
	id: string;
	rifa_id: string;
	numero: number;
	estado: string;
	comprado_en: string | null;
	recibo: string | null;
}

/** `/mis-boletas`: the signed-in user's tickets, each with its receipt and verification link. */
export const misBoletas = async (main: HTMLElement): Promise<void> => {
	const me = await yo();
	if (!me) {
		main.replaceChildren(
			el("h1", {}, "Mis boletas"),
			formularioSesion(() => void misBoletas(main)),
		);
		return;
	}
	const [tickets, rifas] = await Promise.all([
		api<{ items: Ticket[]; total: number }>(`/users/${me.id}/tickets?per_page=100`),
		api<{ items: { id: string; nombre: string; total_boletas: number }[] }>("/rifas?per_page=100"),
	]);
	const rifa = new Map(rifas.items.map((r) => [r.id, r]));
	const filas = tickets.items.map((t) => {
		const r = rifa.get(t.rifa_id);
		return el(
			"li",
			{ class: "boleta", "data-ticket": t.id, "data-estado": t.estado },
			el("a", { href: `/rifas/${t.rifa_id}` }, r?.nombre ?? "Rifa"),
			` · número ${numeroDe(t.numero, r?.total_boletas ?? 100)} · ${t.estado}`,
			t.recibo
				? el(
						"span",
						{},
						" · ",
						el(
							"a",
							{ href: `/verificar#recibo=${t.recibo}`, "data-recibo": t.recibo },
							"Verificar recibo",
						),
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
		filas.length ? el("ul", { class: "lista" }, ...filas) : el("p", {}, "Aún no tiene boletas."),
	);
};
