import { ApiError, api, el, fechaColombia, formatCop, formularioSesion, numeroDe, yo } from "./api";
import { pagarConStripe } from "./pago-stripe";

export interface Compra {
	tickets: { id: string; numero: number; estado: string; recibo?: string }[];
	transaccion_id: string;
	payment: { status: string; amount: number; client_secret?: string; expires_at?: string };
}
type Metodo = "sandbox" | "stripe";
export interface Pagos {
	metodos: Metodo[];
	stripe: { publishable_key: string } | null;
}

/** The rifa page's grid, as the purchase reads and marks it. */
export interface Grilla {
	rifaId: string;
	total: number;
	/** 0 libre, 1 reservado, 2 vendido, 3 ganador, per number. */
	estados: Uint8Array;
	elegidos: Set<number>;
	marcar(numeros: number[], valor: number): void;
}

/**
 * A purchase in progress, kept in the tab: its Idempotency-Key and body, and until when a Stripe
 * hold waits for payment. Retrying after a lost answer, or reloading during a hold, sends the same
 * key with the same body, so the rifa answers with the first purchase instead of making another.
 */
interface EnCurso {
	key: string;
	body: string;
	hasta?: number;
}
const guardadaDe = (rifaId: string) => `rifa1122.compra.${rifaId}`;

/**
 * The purchase box of `/rifas/{id}`: numbers chosen on the grid or a quantity, sign-in when
 * needed, then the sandbox or Stripe's Payment Element, and the receipts.
 */
export const seccionCompra = (g: Grilla, pagos: Pagos) => {
	const clave = guardadaDe(g.rifaId);
	const enCurso = (): EnCurso | null => {
		try {
			return JSON.parse(sessionStorage.getItem(clave) ?? "null") as EnCurso | null;
		} catch {
			return null;
		}
	};
	const guardar = (c: EnCurso | null) =>
		c ? sessionStorage.setItem(clave, JSON.stringify(c)) : sessionStorage.removeItem(clave);

	const cantidad = el("input", {
		type: "number",
		name: "cantidad",
		min: "1",
		max: "100",
		value: "1",
		"aria-label": "Cantidad al azar",
	});
	const comprar = el("button", { type: "button", class: "comprar" }, "Comprar");
	const seccion = el("section", { class: "compra", "aria-label": "Comprar" });
	const resultado = el("div", { class: "boletas", "aria-live": "polite" });

	// Stripe's Payment Element wherever Stripe is configured; the sandbox where it is enabled.
	const metodos: Metodo[] = [
		...(pagos.stripe && pagos.metodos.includes("stripe") ? (["stripe"] as const) : []),
		...(pagos.metodos.includes("sandbox") ? (["sandbox"] as const) : []),
	];
	const selector = el(
		"fieldset",
		{ class: "metodo" },
		el("legend", {}, "Pagar con"),
		...metodos.map((m, i) =>
			el(
				"label",
				{},
				el("input", { type: "radio", name: "metodo", value: m, checked: i === 0 }),
				m === "stripe" ? " Tarjeta u otro medio (Stripe)" : " Sandbox (pruebas, sin dinero)",
			),
		),
	);
	const metodo = (): Metodo =>
		(selector.querySelector<HTMLInputElement>("input:checked")?.value as Metodo | undefined) ??
		metodos[0] ??
		"sandbox";

	const mostrarBoletas = (titulo: string, boletas: Compra["tickets"], monto: number) =>
		resultado.replaceChildren(
			el("h2", {}, titulo),
			el("p", {}, `Total: ${formatCop(monto)}`),
			el(
				"ul",
				{ class: "recibos" },
				...boletas.map((t) =>
					el(
						"li",
						{ "data-ticket": t.id },
						`Número ${numeroDe(t.numero, g.total)} `,
						t.recibo
							? el(
									"a",
									{ href: `/verificar#recibo=${t.recibo}`, "data-recibo": t.recibo },
									"Ver y verificar su recibo",
								)
							: null,
					),
				),
			),
		);
	const error = (err: unknown) =>
		resultado.replaceChildren(
			el("p", { role: "alert", class: "error" }, err instanceof Error ? err.message : String(err)),
		);

	const vendidas = (boletas: Compra["tickets"]) =>
		boletas.every((t) => (g.estados[t.numero] ?? 0) >= 2);
	const recibos = (boletas: Compra["tickets"]) =>
		Promise.all(
			boletas.map(async (t) => ({
				...t,
				recibo: await api<{ recibo: string }>(`/tickets/${t.id}/recibo`)
					.then((x) => x.recibo)
					.catch(() => undefined),
			})),
		);
	/** Waits for the rifa to sell a paid hold (Stripe's webhook), then fetches the receipts. */
	const esperarVenta = async (boletas: Compra["tickets"], hasta: number) => {
		while (!vendidas(boletas)) {
			if (Date.now() > hasta)
				throw new Error(
					"El pago no se confirmó antes de que venciera la reserva. Si se cobró, se reembolsa.",
				);
			await new Promise((ok) => setTimeout(ok, 1000));
			// The live socket usually tells first; the map also covers a socket that dropped.
			if (!vendidas(boletas)) {
				const d = await api<{ mapa: string }>(`/rifas/${g.rifaId}/disponibilidad`);
				g.marcar(
					boletas.filter((t) => d.mapa[t.numero] === "V").map((t) => t.numero),
					2,
				);
			}
		}
		return recibos(boletas);
	};

	/** Sends (or sends again) one purchase, and follows it to its receipts. */
	const enviar = async (c: EnCurso) => {
		guardar(c);
		comprar.disabled = true;
		resultado.replaceChildren(el("p", {}, "Procesando…"));
		try {
			let res: Compra;
			try {
				res = await api<Compra>(`/rifas/${g.rifaId}/tickets`, {
					method: "POST",
					body: JSON.parse(c.body),
					headers: { "Idempotency-Key": c.key },
				});
			} catch (err) {
				// A refusal is final and the next try is a new purchase. A lost answer, a server error,
				// a purchase still in flight (409) or a rate limit is not: the same key is sent again.
				if (err instanceof ApiError && err.status < 500 && err.status !== 409 && err.status !== 429)
					guardar(null);
				throw err;
			}
			g.elegidos.clear();
			const { status, amount, client_secret, expires_at } = res.payment;
			if (status === "succeeded") {
				guardar(null);
				g.marcar(
					res.tickets.map((t) => t.numero),
					2,
				);
				mostrarBoletas("Compra confirmada", await recibos(res.tickets), amount);
				return;
			}
			const hasta = expires_at ? Date.parse(expires_at) : Date.now() + 15 * 60_000;
			if (vendidas(res.tickets)) {
				// Paid while this tab was away: the replayed answer is older than the rifa's state.
				guardar(null);
				mostrarBoletas("Compra confirmada", await recibos(res.tickets), amount);
				return;
			}
			if (status !== "requires_payment" || !client_secret || !pagos.stripe || hasta < Date.now()) {
				guardar(null);
				throw new Error("La reserva ya no está vigente; sus números quedaron libres.");
			}
			guardar({ ...c, hasta });
			g.marcar(
				res.tickets.map((t) => t.numero),
				1,
			);
			const pago = el("div");
			resultado.replaceChildren(
				el("h2", {}, "Reserva pendiente de pago"),
				el(
					"p",
					{},
					`${res.tickets.map((t) => numeroDe(t.numero, g.total)).join(", ")} quedan reservados para usted hasta ${fechaColombia(new Date(hasta).toISOString())}.`,
				),
				pago,
			);
			await pagarConStripe(pago, {
				publishableKey: pagos.stripe.publishable_key,
				clientSecret: client_secret,
				monto: amount,
				returnUrl: `${location.origin}/mis-boletas`,
			});
			pago.replaceChildren(el("p", {}, "Pago recibido. Confirmando sus boletas…"));
			const boletas = await esperarVenta(res.tickets, hasta + 60_000).finally(() => guardar(null));
			mostrarBoletas("Compra confirmada", boletas, amount);
		} catch (err) {
			const pendiente = enCurso();
			if (pendiente && !pendiente.hasta) sinRespuesta(pendiente, err);
			else error(err);
		} finally {
			comprar.disabled = false;
		}
	};
	/** The outcome is unknown: the purchase may have been made. Only the same key finds out. */
	const sinRespuesta = (c: EnCurso, err: unknown) => {
		const reintentar = el("button", { type: "button" }, "Reintentar la misma compra");
		reintentar.addEventListener("click", () => void enviar(c));
		resultado.replaceChildren(
			el(
				"p",
				{ role: "alert", class: "error" },
				`No se supo si la compra se hizo (${err instanceof Error ? err.message : String(err)}). Reintentar envía la misma compra: nunca se cobra dos veces.`,
			),
			reintentar,
		);
	};

	comprar.addEventListener("click", async () => {
		const me = await yo();
		if (!me) {
			seccion.replaceChildren(formularioSesion(() => seccion.replaceChildren(...formulario)));
			return;
		}
		const numeros = [...g.elegidos].sort((a, b) => a - b);
		const payment_method = metodo();
		const body = JSON.stringify(
			numeros.length
				? { user_id: me.id, quantity: numeros.length, payment_method, numeros }
				: { user_id: me.id, quantity: Number(cantidad.value) || 1, payment_method },
		);
		const previa = enCurso();
		await enviar({ key: previa?.body === body ? previa.key : crypto.randomUUID(), body });
	});

	const formulario = metodos.length
		? [
				el("label", {}, "Cantidad al azar ", cantidad),
				...(metodos.length > 1 ? [selector] : []),
				comprar,
				resultado,
			]
		: [el("p", {}, "La compra en línea no está habilitada en este servidor.")];
	seccion.append(...formulario);

	return {
		seccion,
		/**
		 * What this tab left unfinished comes back: a Stripe hold not paid yet, with its payment box
		 * (the same key answers with the same hold), or a purchase whose answer never came.
		 */
		reanudar: async () => {
			const c = enCurso();
			if (!c || !(await yo())) return;
			if (!c.hasta) return sinRespuesta(c, new Error("la página se cerró antes de la respuesta"));
			if (c.hasta < Date.now()) return guardar(null);
			await enviar(c);
		},
	};
};
