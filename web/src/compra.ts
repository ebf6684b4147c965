import { ApiError, api, el, fechaColombia, formatCop, formularioSesion, numeroDe, yo } from "./api";
import { PagoRechazado, pagarConStripe } from "./pago-stripe";

export interface Compra {
	tickets: { id: string; numero: number; estado: string; recibo?: string }[];
	transaccion_id: string;
	payment: { status: string; amount: number; client_secret?: string; expires_at?: string };
}
type Metodo = "sandbox" | "stripe";
interface Transaccion {
	status: "pending" | "succeeded" | "failed" | "refunded";
	expires_at: string | null;
}
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
	/** Whose purchase it is: another user signed in on this tab never sees or resends it. */
	userId: string;
	key: string;
	body: string;
	hasta?: number;
	/** Stripe accepted the payment: a reload only waits for the rifa to sell it. */
	pagado?: boolean;
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

	/** A heading that takes the focus, so keyboard and screen reader users land on what changed. */
	const titular = (texto: string) => {
		const h = el("h2", { tabindex: "-1" }, texto);
		queueMicrotask(() => h.focus());
		return h;
	};
	const mostrarBoletas = (titulo: string, boletas: Compra["tickets"], monto: number) =>
		resultado.replaceChildren(
			titular(titulo),
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

	const recibos = (boletas: Compra["tickets"]) =>
		Promise.all(
			boletas.map(async (t) => ({
				...t,
				recibo: await api<{ recibo: string }>(`/tickets/${t.id}/recibo`)
					.then((x) => x.recibo)
					.catch(() => undefined),
			})),
		);
	/** The purchase as the rifa holds it: only its own state says whether it was sold to this user. */
	const transaccion = (id: string) => api<Transaccion>(`/rifas/${g.rifaId}/transacciones/${id}`);
	const terminada = (t: Transaccion) => {
		if (t.status === "refunded")
			return new Error("El pago llegó después de que venciera la reserva y se le devolvió.");
		return new Error(
			"El pago no se completó (rechazado, o la reserva venció): sus números quedaron libres.",
		);
	};
	/** Waits for Stripe's webhook to sell the paid hold, then fetches the receipts. */
	const esperarVenta = async (id: string, boletas: Compra["tickets"], hasta: number) => {
		for (;;) {
			// A check that fails (the network, a rate limit) is only a check: the next one decides.
			const t = await transaccion(id).catch(() => null);
			if (t?.status === "succeeded") return recibos(boletas);
			if (t && t.status !== "pending") throw terminada(t);
			if (Date.now() > hasta)
				throw new Error(
					"Stripe aún no confirma el pago. Sus boletas aparecerán en Mis boletas en cuanto lo haga.",
				);
			await new Promise((ok) => setTimeout(ok, 1000));
		}
	};
	// One purchase at a time: a double click must not send it twice.
	let ocupado = false;
	/** Sends (or sends again) one purchase, and follows it to its receipts. */
	const enviar = async (c: EnCurso) => {
		if (ocupado) return;
		ocupado = true;
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
				// A refusal (numbers taken, sold out, closed, a cap) is final and the next try is a new
				// purchase. A lost answer, a server error, or an answer asking to retry later (the same
				// key still in flight, a rate limit: Retry-After) is not: the same key is sent again.
				if (err instanceof ApiError && err.status < 500 && !err.retryAfter) guardar(null);
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
				const conRecibo = res.tickets.every((t) => t.recibo);
				mostrarBoletas(
					"Compra confirmada",
					conRecibo ? res.tickets : await recibos(res.tickets),
					amount,
				);
				return;
			}
			if (status !== "requires_payment" || !client_secret || !pagos.stripe) {
				guardar(null);
				throw new Error("La compra no quedó pagada; sus números quedaron libres.");
			}
			// A replayed answer is as old as the purchase: the rifa says where it stands now.
			const ahora = await transaccion(res.transaccion_id);
			if (ahora.status === "succeeded") {
				guardar(null);
				mostrarBoletas("Compra confirmada", await recibos(res.tickets), amount);
				return;
			}
			const hasta = ahora.expires_at
				? Date.parse(ahora.expires_at)
				: (c.hasta ?? Date.parse(expires_at ?? ""));
			if (ahora.status !== "pending" || (!c.pagado && !(hasta > Date.now()))) {
				guardar(null);
				throw terminada(ahora);
			}
			if (c.pagado) {
				// Paid before a reload: only the rifa's confirmation is missing.
				resultado.replaceChildren(el("p", {}, "Pago recibido. Confirmando sus boletas…"));
				const boletas = await esperarVenta(
					res.transaccion_id,
					res.tickets,
					Date.now() + 10 * 60_000,
				).finally(() => guardar(null));
				mostrarBoletas("Compra confirmada", boletas, amount);
				return;
			}
			guardar({ ...c, hasta });
			g.marcar(
				res.tickets.map((t) => t.numero),
				1,
			);
			const pago = el("div");
			const aviso = el("p", { role: "status" });
			resultado.replaceChildren(
				titular("Reserva pendiente de pago"),
				el(
					"p",
					{},
					`${res.tickets.map((t) => numeroDe(t.numero, g.total)).join(", ")} quedan reservados para usted hasta ${fechaColombia(new Date(hasta).toISOString())}.`,
				),
				aviso,
				pago,
			);
			// The hold's end takes the form away, and so does the rifa ending it sooner (a close).
			const fin = new AbortController();
			const vencida = new Error("La reserva venció antes del pago; sus números quedaron libres.");
			const relojes = [
				setTimeout(
					() => {
						aviso.textContent = "Quedan 2 minutos para pagar antes de que venza la reserva.";
					},
					hasta - 120_000 - Date.now(),
				),
				setTimeout(() => fin.abort(vencida), hasta - Date.now()),
				setInterval(async () => {
					const t = await transaccion(res.transaccion_id).catch(() => null);
					if (t && t.status !== "pending")
						fin.abort(t.status === "succeeded" ? null : terminada(t));
				}, 5_000),
			];
			let pagado: "succeeded" | "processing" | null = null;
			try {
				pagado = await pagarConStripe(pago, {
					publishableKey: pagos.stripe.publishable_key,
					clientSecret: client_secret,
					monto: amount,
					returnUrl: `${location.origin}/mis-boletas`,
					fin: fin.signal,
				});
			} catch (err) {
				// Sold meanwhile (paid from another tab or device): nothing more to pay.
				if (err !== null) {
					guardar(null);
					throw err instanceof PagoRechazado
						? new Error(
								`${err.message} Sus números quedan libres: puede elegirlos y comprar de nuevo.`,
							)
						: err;
				}
			} finally {
				for (const r of relojes) clearTimeout(r);
			}
			guardar({ ...c, hasta, pagado: true });
			aviso.textContent = "";
			pago.replaceChildren(
				el(
					"p",
					{},
					pagado === "processing"
						? "Su pago está en proceso. Confirmando sus boletas…"
						: "Pago recibido. Confirmando sus boletas…",
				),
			);
			const boletas = await esperarVenta(
				res.transaccion_id,
				res.tickets,
				Date.now() + (pagado === "processing" ? 10 : 2) * 60_000,
			).finally(() => guardar(null));
			resultado.replaceChildren();
			mostrarBoletas("Compra confirmada", boletas, amount);
		} catch (err) {
			const pendiente = enCurso();
			if (pendiente && !pendiente.hasta) sinRespuesta(pendiente, err);
			else error(err);
		} finally {
			ocupado = false;
			comprar.disabled = false;
		}
	};
	/** The outcome is unknown: the purchase may have been made. Only the same key finds out. */
	const sinRespuesta = (c: EnCurso, err: unknown) => {
		const reintentar = el("button", { type: "button" }, "Reintentar la misma compra");
		reintentar.addEventListener("click", () => {
			reintentar.disabled = true;
			void enviar(c);
		});
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
		if (ocupado) return;
		comprar.disabled = true;
		const me = await yo();
		comprar.disabled = false;
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
		const misma = previa?.userId === me.id && previa.body === body;
		await enviar({ userId: me.id, key: misma ? previa.key : crypto.randomUUID(), body });
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
		/** Sales closed: no more buying, but what a purchase in progress says stays on the page. */
		cerrar: () => {
			seccion.replaceChildren(resultado);
			seccion.classList.add("cerrada");
		},
		/**
		 * What this tab left unfinished comes back: a Stripe hold not paid yet, with its payment box
		 * (the same key answers with the same hold), or a purchase whose answer never came.
		 */
		reanudar: async () => {
			const c = enCurso();
			const me = await yo();
			if (!c || c.userId !== me?.id) return;
			if (!c.hasta) return sinRespuesta(c, new Error("la página se cerró antes de la respuesta"));
			if (c.hasta < Date.now() && !c.pagado) return guardar(null);
			await enviar(c);
		},
	};
};
