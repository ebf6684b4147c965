import {
	api,
	el,
	enviarCompra,
	fechaColombia,
	fechaLarga,
	formularioSesion,
	numeroDe,
	yo,
} from "./api";
import { type Boleta, conRecibos, titular, vistaBoletas } from "./boletas";
import type { CuentaTransferencia } from "./cuenta-transferencia";
import { eleccionDePago, type Pagos } from "./metodos-pago";
import { PagoRechazado, pagarConStripe } from "./pago-stripe";
import { porTransferencia } from "./pago-transferencia";
import type { DetallePago } from "./pago-wompi";
import { type EstadoCompra, porQueTermino, seguirPagoWompi } from "./pago-wompi-seguimiento";

export interface Compra {
	tickets: { id: string; numero: number; estado: string; recibo?: string }[];
	transaccion_id: string;
	payment: {
		provider?: string;
		status: string;
		amount: number;
		client_secret?: string;
		expires_at?: string;
	} & DetallePago;
}
type Transaccion = EstadoCompra & {
	amount: number;
	tickets: Boleta[];
};

export type { Pagos };

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
	transaccionId?: string;
	/** Sent to the bank already (PSE, Bancolombia, Daviplata): coming back never sends it again. */
	alBanco?: boolean;
}
const guardadaDe = (rifaId: string) => `rifa1122.compra.${rifaId}`;

/**
 * The purchase box of `/rifas/{id}`: numbers chosen on the grid or a quantity, sign-in when
 * needed, then Wompi's Colombian methods, Stripe's Payment Element or the sandbox, and the receipts.
 */
export const seccionCompra = (g: Grilla, pagos: Pagos, cuenta: CuentaTransferencia | null) => {
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

	const { vacia, nodos, metodo, elegir, datosDeWompi } = eleccionDePago(pagos, cuenta !== null);
	/** Fires when the rifa's WebSocket sees numbers sold or freed: a Wompi wait checks at once. */
	const despertar = new EventTarget();
	const transferencia = porTransferencia(resultado, g, despertar, cuenta);

	const mostrarBoletas = (titulo: string, boletas: Boleta[], monto: number) =>
		resultado.replaceChildren(...vistaBoletas(titulo, boletas, monto, g.total));
	const error = (err: unknown) =>
		resultado.replaceChildren(
			el("p", { role: "alert", class: "error" }, err instanceof Error ? err.message : String(err)),
		);
	const recibos = conRecibos;
	/** The purchase as the rifa holds it: only its own state says whether it was sold to this user. */
	const transaccion = (id: string) => api<Transaccion>(`/rifas/${g.rifaId}/transacciones/${id}`);
	const lista = (boletas: { numero: number }[]) =>
		boletas.map((t) => numeroDe(t.numero, g.total)).join(", ");
	const terminada = porQueTermino;
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
	/**
	 * A Wompi purchase held for payment, followed until the rifa sells it or frees its numbers.
	 * `c` is this tab's record of it, if it has one: without it (back from the bank in another
	 * tab) the page only shows how the purchase stands.
	 */
	const seguirWompi = async (
		c: EnCurso | null,
		id: string,
		boletas: Boleta[],
		monto: number,
		pago: DetallePago,
	) => {
		const ahora = await transaccion(id);
		if (ahora.status !== "pending") {
			if (c) guardar(null);
			if (ahora.status !== "succeeded") throw terminada(ahora);
			mostrarBoletas("Compra confirmada", await recibos(boletas), monto);
			return;
		}
		const hasta = Date.parse(ahora.expires_at ?? "") || (c?.hasta ?? Date.now());
		const propia = c ? { ...c, hasta, transaccionId: id } : null;
		if (propia) guardar(propia);
		g.marcar(
			boletas.map((t) => t.numero),
			1,
		);
		const caja = el("div", { class: "pago" });
		resultado.replaceChildren(
			titular("Reserva pendiente de pago"),
			el(
				"p",
				{},
				`${boletas.length === 1 ? `El número ${lista(boletas)} queda reservado` : `Los números ${lista(boletas)} quedan reservados`} para usted hasta el ${fechaLarga(new Date(hasta).toISOString())} (hora de Colombia).`,
			),
			caja,
		);
		const final = await seguirPagoWompi(caja, {
			pago: { ...pago, ...ahora.pago },
			monto,
			hasta,
			numeros: lista(boletas),
			alBanco: propia !== null && !propia.alBanco,
			alSalir: () => propia && guardar({ ...propia, alBanco: true }),
			estado: () => transaccion(id).catch(() => null),
			despertar,
		});
		if (c) guardar(null);
		if (!final)
			throw new Error(
				"Wompi aún no confirma el pago. Sus boletas aparecerán en Mis boletas en cuanto lo haga.",
			);
		if (final.status !== "succeeded") throw terminada(final);
		resultado.replaceChildren();
		mostrarBoletas("Compra confirmada", await recibos(boletas), monto);
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
			const res = await enviarCompra<Compra>(g.rifaId, c, () => guardar(null));
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
			if (res.payment.provider === "wompi" && status === "requires_payment")
				return await seguirWompi(c, res.transaccion_id, res.tickets, amount, res.payment);
			if (res.payment.provider === "transferencia")
				return await transferencia(res.transaccion_id, (x) => guardar(x && { ...c, ...x }));
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
		let datosWompi: Record<string, unknown> | undefined;
		comprar.disabled = true;
		try {
			datosWompi = await datosDeWompi(me.telefono);
		} catch (err) {
			return error(err);
		} finally {
			comprar.disabled = false;
		}
		const body = JSON.stringify({
			user_id: me.id,
			quantity: numeros.length || Number(cantidad.value) || 1,
			payment_method,
			...(numeros.length ? { numeros } : {}),
			...(datosWompi ? { wompi: datosWompi } : {}),
		});
		const previa = enCurso();
		const misma = previa?.userId === me.id && previa.body === body;
		await enviar({ userId: me.id, key: misma ? previa.key : crypto.randomUUID(), body });
	});

	const formulario = vacia
		? [el("p", {}, "La compra en línea no está habilitada en este servidor.")]
		: [el("label", {}, "Cantidad al azar ", cantidad), ...nodos, comprar, resultado];
	seccion.append(...formulario);

	let cerrada = false;
	/** Back from the bank (`?transaccion=`): the purchase as the rifa holds it, never the address. */
	const volver = async (id: string): Promise<void> => {
		const me = await yo();
		if (!me)
			return void seccion.replaceChildren(
				formularioSesion(() => {
					seccion.replaceChildren(...(cerrada ? [resultado] : formulario));
					void volver(id);
				}),
			);
		const c = enCurso();
		ocupado = true;
		comprar.disabled = true;
		resultado.replaceChildren(el("p", {}, "Consultando su pago…"));
		try {
			const t = await transaccion(id);
			const propia = c?.userId === me.id && c.transaccionId === id ? c : null;
			await seguirWompi(propia, id, t.tickets, t.amount, t.pago ?? {});
		} catch (err) {
			error(err);
		} finally {
			ocupado = false;
			comprar.disabled = false;
		}
	};

	return {
		seccion,
		/** Sales closed: no more buying, but what a purchase in progress says stays on the page. */
		cerrar: () => {
			cerrada = true;
			seccion.replaceChildren(resultado);
			seccion.classList.add("cerrada");
		},
		/** Numbers were sold or freed on the rifa: a purchase waiting for Wompi checks at once. */
		avisar: () => despertar.dispatchEvent(new Event("cambio")),
		/**
		 * What this tab left unfinished comes back: a Stripe hold not paid yet, with its payment box
		 * (the same key answers with the same hold), or a purchase whose answer never came. Back
		 * from a bank, the purchase it names is followed instead.
		 */
		reanudar: async (transaccionId?: string) => {
			if (transaccionId) return volver(transaccionId);
			const c = enCurso();
			const me = await yo();
			if (!c || c.userId !== me?.id) return;
			if (!c.hasta) return sinRespuesta(c, new Error("la página se cerró antes de la respuesta"));
			if (c.hasta < Date.now() && !c.pagado) return guardar(null);
			const cuerpo = JSON.parse(c.body) as { payment_method: string; wompi?: { metodo: string } };
			elegir(cuerpo.payment_method, cuerpo.wompi?.metodo);
			await enviar(c);
		},
	};
};
