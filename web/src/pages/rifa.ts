import { api, el, faltan, fechaColombia, formatCop, formularioSesion, numeroDe, yo } from "../api";
import { graficaVentas } from "../grafica";
import { pagarConStripe } from "../pago-stripe";

interface Rifa {
	id: string;
	nombre: string;
	categoria_id: string;
	estado: string;
	fecha_fin: string;
	fecha_sorteo: string;
	total_boletas: number;
}
interface Compra {
	tickets: { id: string; numero: number; estado: string; recibo?: string }[];
	transaccion_id: string;
	payment: { status: string; amount: number; client_secret?: string; expires_at?: string };
}
type Metodo = "sandbox" | "stripe";
interface Pagos {
	metodos: Metodo[];
	stripe: { publishable_key: string } | null;
}
type Evento =
	| { type: "snapshot"; availability: { mapa: string } }
	| { type: "reservados" | "vendidos" | "liberados"; numeros: number[] }
	| { type: "estado"; estado: string }
	| { type: "resultado"; ganadores: { numero: number }[] };

const ESTADOS = ["libre", "reservado", "vendido", "ganador"] as const;
type EstadoCelda = (typeof ESTADOS)[number];
const DE_MAPA: Record<string, number> = { L: 0, R: 1, V: 2 };
const POR_PAGINA = 1000;

/**
 * `/rifas/{id}`: the number grid, live from the rifa's WebSocket. Each state change repaints only
 * its cells; a 10,000-number rifa shows one thousand at a time, with a search by number.
 */
export const rifa = async (main: HTMLElement, id: string) => {
	const r = await api<Rifa>(`/rifas/${id}`);
	const [cat, disp, pagos] = await Promise.all([
		api<{ valor_boleta: number }>(`/categorias/${r.categoria_id}`),
		api<{ mapa: string }>(`/rifas/${id}/disponibilidad`),
		api<Pagos>("/pagos"),
	]);
	const estados = Uint8Array.from(disp.mapa, (c) => DE_MAPA[c] ?? 0);
	const elegidos = new Set<number>();
	const celdas = new Map<number, HTMLButtonElement>();
	let pagina = 0;
	let estadoRifa = r.estado;

	const pintar = (n: number) => {
		const b = celdas.get(n);
		if (!b) return;
		const e: EstadoCelda = ESTADOS[estados[n] ?? 0] ?? "libre";
		b.dataset.estado = e;
		const elegido = elegidos.has(n) && e === "libre";
		b.setAttribute("aria-pressed", String(elegido));
		b.setAttribute(
			"aria-label",
			`${numeroDe(n, r.total_boletas)}: ${e}${elegido ? ", elegido" : ""}`,
		);
		b.disabled = e !== "libre" || estadoRifa !== "activa";
	};
	const marcar = (numeros: number[], valor: number) => {
		for (const n of numeros) {
			if (n < 0 || n >= estados.length || estados[n] === 3) continue;
			estados[n] = valor;
			if (valor !== 0) elegidos.delete(n);
			pintar(n);
		}
		resumen();
	};

	const grid = el("div", { class: "grilla", role: "group", "aria-label": "Números de la rifa" });
	const mostrar = (p: number) => {
		pagina = p;
		celdas.clear();
		const desde = p * POR_PAGINA;
		const hasta = Math.min(desde + POR_PAGINA, r.total_boletas);
		const frag = document.createDocumentFragment();
		for (let n = desde; n < hasta; n++) {
			const b = el(
				"button",
				{ type: "button", class: "celda", "data-numero": String(n) },
				numeroDe(n, r.total_boletas),
			);
			celdas.set(n, b);
			frag.append(b);
		}
		grid.replaceChildren(frag);
		for (let n = desde; n < hasta; n++) pintar(n);
		for (const b of paginas.querySelectorAll("button"))
			b.setAttribute("aria-current", String(Number(b.dataset.pagina) === p));
	};
	grid.addEventListener("click", (e) => {
		const b = (e.target as HTMLElement).closest<HTMLButtonElement>("button.celda");
		if (!b || b.disabled) return;
		const n = Number(b.dataset.numero);
		if (elegidos.has(n)) elegidos.delete(n);
		else elegidos.add(n);
		pintar(n);
		resumen();
	});

	const paginas = el("nav", { class: "paginas", "aria-label": "Grupos de mil números" });
	if (r.total_boletas > POR_PAGINA) {
		for (let p = 0; p * POR_PAGINA < r.total_boletas; p++) {
			const b = el(
				"button",
				{ type: "button", "data-pagina": String(p) },
				`${numeroDe(p * POR_PAGINA, r.total_boletas)}–${numeroDe(Math.min((p + 1) * POR_PAGINA, r.total_boletas) - 1, r.total_boletas)}`,
			);
			b.addEventListener("click", () => mostrar(p));
			paginas.append(b);
		}
	}
	const buscar = el("input", {
		type: "search",
		inputmode: "numeric",
		name: "buscar",
		"aria-label": "Buscar un número",
		placeholder: "Buscar número",
	});
	const buscador = el(
		"form",
		{ class: "buscar", role: "search" },
		buscar,
		el("button", { type: "submit" }, "Ir"),
	);
	buscador.addEventListener("submit", (e) => {
		e.preventDefault();
		const n = Number(buscar.value);
		if (!Number.isInteger(n) || n < 0 || n >= r.total_boletas) return;
		if (Math.floor(n / POR_PAGINA) !== pagina) mostrar(Math.floor(n / POR_PAGINA));
		celdas.get(n)?.focus();
	});

	const reloj = el("p", { class: "reloj", role: "timer" });
	const tic = () => {
		const f = faltan(r.fecha_fin);
		reloj.textContent =
			f && estadoRifa === "activa" ? `La venta cierra en ${f}` : "La venta está cerrada";
	};
	tic();
	const intervalo = setInterval(tic, 1000);

	const cuenta = el("p", { class: "resumen", "aria-live": "polite" });
	const cantidad = el("input", {
		type: "number",
		name: "cantidad",
		min: "1",
		max: "100",
		value: "1",
		"aria-label": "Cantidad al azar",
	});
	const comprar = el("button", { type: "button", class: "comprar" }, "Comprar");
	const compra = el("section", { class: "compra", "aria-label": "Comprar" });
	const resultadoCompra = el("div", { class: "boletas", "aria-live": "polite" });
	const resumen = () => {
		const libres = estados.reduce((s, e) => s + (e === 0 ? 1 : 0), 0);
		if (estadoRifa !== "activa") {
			cuenta.textContent = `${r.total_boletas - libres} de ${r.total_boletas} números vendidos.`;
			return;
		}
		cuenta.textContent = `${libres} libres de ${r.total_boletas}. ${
			elegidos.size
				? `Elegidos: ${[...elegidos]
						.sort((a, b) => a - b)
						.map((n) => numeroDe(n, r.total_boletas))
						.join(", ")}`
				: "Elija números o una cantidad al azar."
		}`;
	};

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
		resultadoCompra.replaceChildren(
			el("h2", {}, titulo),
			el("p", {}, `Total: ${formatCop(monto)}`),
			el(
				"ul",
				{ class: "recibos" },
				...boletas.map((t) =>
					el(
						"li",
						{ "data-ticket": t.id },
						`Número ${numeroDe(t.numero, r.total_boletas)} `,
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

	/** Waits for the rifa to sell a paid hold (Stripe's webhook), then fetches the receipts. */
	const esperarVenta = async (boletas: Compra["tickets"], hasta: number) => {
		const vendidas = () => boletas.every((t) => estados[t.numero] === 2 || estados[t.numero] === 3);
		while (!vendidas()) {
			if (Date.now() > hasta)
				throw new Error(
					"El pago no se confirmó antes de que venciera la reserva. Si se cobró, se reembolsa.",
				);
			await new Promise((ok) => setTimeout(ok, 1000));
			// The live socket usually tells first; the map also covers a socket that dropped.
			if (!vendidas()) {
				const d = await api<{ mapa: string }>(`/rifas/${id}/disponibilidad`);
				marcar(
					boletas.filter((t) => d.mapa[t.numero] === "V").map((t) => t.numero),
					2,
				);
			}
		}
		return Promise.all(
			boletas.map(async (t) => ({
				...t,
				recibo: await api<{ recibo: string }>(`/tickets/${t.id}/recibo`)
					.then((x) => x.recibo)
					.catch(() => undefined),
			})),
		);
	};

	comprar.addEventListener("click", async () => {
		const me = await yo();
		if (!me) {
			compra.replaceChildren(formularioSesion(() => compra.replaceChildren(...formulario)));
			return;
		}
		comprar.disabled = true;
		resultadoCompra.replaceChildren(el("p", {}, "Procesando…"));
		try {
			const numeros = [...elegidos];
			const payment_method = metodo();
			const body = numeros.length
				? { user_id: me.id, quantity: numeros.length, payment_method, numeros }
				: { user_id: me.id, quantity: Number(cantidad.value) || 1, payment_method };
			const res = await api<Compra>(`/rifas/${id}/tickets`, {
				method: "POST",
				body,
				headers: { "Idempotency-Key": crypto.randomUUID() },
			});
			elegidos.clear();
			const { status, amount, client_secret, expires_at } = res.payment;
			if (status === "failed") throw new Error("El pago fue rechazado; sus números quedan libres.");
			marcar(
				res.tickets.map((t) => t.numero),
				status === "succeeded" ? 2 : 1,
			);
			if (status === "succeeded") {
				mostrarBoletas("Compra confirmada", res.tickets, amount);
				return;
			}
			if (!client_secret || !pagos.stripe) throw new Error("Falta el pago de la reserva.");
			const hasta = expires_at ? Date.parse(expires_at) : Date.now() + 15 * 60_000;
			const pago = el("div");
			resultadoCompra.replaceChildren(
				el("h2", {}, "Reserva pendiente de pago"),
				el(
					"p",
					{},
					`${res.tickets.map((t) => numeroDe(t.numero, r.total_boletas)).join(", ")} quedan reservados para usted hasta ${fechaColombia(new Date(hasta).toISOString())}.`,
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
			mostrarBoletas("Compra confirmada", await esperarVenta(res.tickets, hasta + 60_000), amount);
		} catch (err) {
			resultadoCompra.replaceChildren(
				el(
					"p",
					{ role: "alert", class: "error" },
					err instanceof Error ? err.message : String(err),
				),
			);
		} finally {
			comprar.disabled = false;
		}
	});
	const cantidadLabel = el("label", {}, "Cantidad al azar ", cantidad);
	const formulario = metodos.length
		? [cantidadLabel, ...(metodos.length > 1 ? [selector] : []), comprar, resultadoCompra]
		: [el("p", {}, "La compra en línea no está habilitada en este servidor.")];
	compra.append(...formulario);

	const resultado = el("section", { class: "resultado", "aria-live": "polite" });
	const mostrarResultado = async () => {
		const res = await api<{
			resultado: { numero: string; serie: string } | null;
			ganadores: { numero: number }[];
		}>(`/rifas/${id}/resultados`);
		marcar(
			res.ganadores.map((g) => g.numero),
			3,
		);
		resultado.replaceChildren(
			el("h2", {}, "Resultado"),
			res.resultado
				? el("p", {}, `La lotería jugó el ${res.resultado.numero} (serie ${res.resultado.serie}).`)
				: "",
			el(
				"p",
				{},
				`Ganadores: ${res.ganadores.map((g) => numeroDe(g.numero, r.total_boletas)).join(", ") || "ninguno"}`,
			),
			el(
				"p",
				{},
				el("a", { href: `/api/v1/rifas/${id}/sello` }, "Sello del registro"),
				" · ",
				el("a", { href: `/api/v1/rifas/${id}/acta` }, "Acta firmada"),
				" · ",
				el("a", { href: `/api/v1/rifas/${id}/acta.pdf` }, "Acta en PDF"),
			),
		);
	};

	main.replaceChildren(
		...[
			el("h1", {}, r.nombre),
			el(
				"p",
				{},
				`Boleta ${formatCop(cat.valor_boleta)} · sorteo ${fechaColombia(r.fecha_sorteo)}`,
			),
			reloj,
			resultado,
			cuenta,
			r.estado === "activa" ? compra : null,
			r.total_boletas > POR_PAGINA ? buscador : null,
			paginas,
			grid,
			el(
				"p",
				{ class: "leyenda" },
				...ESTADOS.map((e) => el("span", { class: "clave", "data-estado": e }, e)),
			),
		].filter((x): x is HTMLElement => x !== null),
	);
	mostrar(0);
	resumen();
	// When the grid can be used: the browser tests read it (docs/benchmarks.md).
	performance.mark("rifa-interactiva");
	if (r.estado === "resuelta") await mostrarResultado();
	const quien = await yo();
	if (quien && quien.rol !== "jugador") {
		// Staff see the sales over time; an operador only of its own rifas (the report says 403).
		api<{ ventas_por_dia: Parameters<typeof graficaVentas>[0] }>(
			`/admin/reportes/participacion?rifa_id=${id}`,
		)
			.then((rep) => main.append(graficaVentas(rep.ventas_por_dia)))
			.catch(() => undefined);
	}

	// Live: every change of a number repaints its cell only.
	let espera = 500;
	const conectar = () => {
		const ws = new WebSocket(
			`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/v1/rifas/${id}/ws`,
		);
		ws.addEventListener("open", () => {
			espera = 500;
		});
		ws.addEventListener("message", (m) => {
			const e = JSON.parse(String(m.data)) as Evento;
			if (e.type === "snapshot") {
				const mapa = e.availability.mapa;
				for (let n = 0; n < mapa.length; n++) {
					const v = DE_MAPA[mapa[n] ?? "L"] ?? 0;
					if (estados[n] !== 3 && estados[n] !== v) {
						estados[n] = v;
						pintar(n);
					}
				}
				resumen();
			} else if (e.type === "vendidos") marcar(e.numeros, 2);
			else if (e.type === "reservados") marcar(e.numeros, 1);
			else if (e.type === "liberados") marcar(e.numeros, 0);
			else if (e.type === "estado") {
				estadoRifa = e.estado;
				tic();
				resumen();
				for (const n of celdas.keys()) pintar(n);
				if (e.estado !== "activa") compra.remove();
			} else if (e.type === "resultado") void mostrarResultado();
		});
		ws.addEventListener("close", () => {
			if (!main.isConnected) return clearInterval(intervalo);
			setTimeout(conectar, espera);
			espera = Math.min(espera * 2, 15_000);
		});
	};
	conectar();
};
