import { ApiError, api, el, fechaLarga, formatCop, numeroDe } from "./api";
import { aviso, limpiar, mostrarError, textoDe } from "./avisos";
import { titular } from "./boletas";
import { campo } from "./campos";
import { centavosDe } from "./cuadre";
import { enlacePdf } from "./venta-recibo";

/** A rifa's rule for instalments (`reglas.abonos`): the first abono's share of the price. */
export interface ReglaAbonos {
	minimo_bps: number;
}

interface Transaccion {
	transaccion_id: string;
	status: "pending" | "succeeded" | "failed" | "refunded";
	amount: number;
	expires_at: string | null;
	tickets: { id: string; numero: number }[];
	abonos: { pagado: number; pendiente: number } | null;
}
interface AbonoRegistrado {
	estado: "abonado" | "vendido";
	pagado: number;
	pendiente: number;
}

/**
 * An abono sent and not answered yet, kept in the tab (like a sale's, `rifa1122.venta`) with its
 * Idempotency-Key and body until a final answer: after a lost answer or a reload, sending it
 * again sends the same key, so the rifa answers with the first abono and never takes a second.
 * Only the seller who sent it sees it.
 */
interface AbonoEnCurso {
	userId: string;
	rifaId: string;
	transaccionId: string;
	key: string;
	body: string;
}
const PREFIJO = "rifa1122.abono.";

const abonoGuardado = (transaccionId: string): AbonoEnCurso | null => {
	try {
		return JSON.parse(
			sessionStorage.getItem(`${PREFIJO}${transaccionId}`) ?? "null",
		) as AbonoEnCurso | null;
	} catch {
		return null;
	}
};
const guardarAbono = (transaccionId: string, a: AbonoEnCurso | null) =>
	a
		? sessionStorage.setItem(`${PREFIJO}${transaccionId}`, JSON.stringify(a))
		: sessionStorage.removeItem(`${PREFIJO}${transaccionId}`);

/** This seller's abonos left unanswered in the rifa, whatever page of the list they are on. */
const abonosGuardados = (userId: string, rifaId: string): AbonoEnCurso[] => {
	const todos: AbonoEnCurso[] = [];
	for (let i = 0; i < sessionStorage.length; i++) {
		const k = sessionStorage.key(i);
		if (!k?.startsWith(PREFIJO)) continue;
		const a = abonoGuardado(k.slice(PREFIJO.length));
		if (a?.userId === userId && a.rifaId === rifaId) todos.push(a);
	}
	return todos;
};

const minimoDe = (regla: ReglaAbonos, precio: number) =>
	Math.ceil((precio * regla.minimo_bps) / 10_000);

let ids = 0;

/**
 * How the walk-in buyer pays, where the rifa takes abonos: all in cash, or a first abono (at least
 * the rule's share of the total) that holds the numbers as abonado.
 */
export const medioDePago = (regla: ReglaAbonos) => {
	const grupo = `medio-${++ids}`;
	const radio = (valor: string, texto: string, marcado: boolean) =>
		el(
			"label",
			{},
			el("input", { type: "radio", name: grupo, value: valor, checked: marcado }),
			texto,
		);
	const monto = el("input", { name: "abono", inputmode: "decimal", autocomplete: "off" });
	const avisoMonto = aviso(monto);
	const campoMonto = campo("Primer abono (pesos)", monto, "Una parte del total.");
	const ayuda = campoMonto.querySelector("small");
	const fieldset = el(
		"fieldset",
		{ class: "medio" },
		el("legend", {}, "Pago"),
		radio("efectivo", "Efectivo (todo)", true),
		radio("abonos", "Abono (paga una parte ahora)", false),
	);
	const esAbono = () =>
		fieldset.querySelector<HTMLInputElement>("input:checked")?.value === "abonos";
	const mostrar = () => {
		campoMonto.hidden = !esAbono();
		avisoMonto.nodo.hidden = !esAbono();
	};
	fieldset.addEventListener("change", mostrar);
	mostrar();
	return {
		nodos: [fieldset, campoMonto, avisoMonto.nodo],
		aviso: avisoMonto,
		esAbono,
		/** The minimum for a purchase of `precio`, in the field's help. */
		actualizar: (precio: number) => {
			if (ayuda)
				ayuda.textContent = `Mínimo ${formatCop(minimoDe(regla, precio))} (${regla.minimo_bps / 100} % del total). El resto se abona después.`;
		},
		/** The body's payment for a purchase of `precio`, or why the amount will not do. */
		pago: (precio: number): Record<string, unknown> | string => {
			if (!esAbono()) return { payment_method: "efectivo" };
			const centavos = centavosDe(monto.value);
			const minimo = minimoDe(regla, precio);
			if (!centavos || centavos < minimo || centavos > precio)
				return `Escriba un abono entre ${formatCop(minimo)} y ${formatCop(precio)}.`;
			return { payment_method: "abonos", abono: { monto: centavos, medio: "efectivo" } };
		},
		limpiar: () => {
			monto.value = "";
		},
		enfocar: () => monto.focus(),
	};
};

/** A sale paid in part: the numbers held as abonado, what was taken and what is left. */
export const vistaAbonada = (o: {
	numeros: string[];
	nombre: string;
	pagado: number;
	total: number;
	hasta?: string | undefined;
}) => [
	titular(o.numeros.length === 1 ? "Boleta abonada" : "Boletas abonadas"),
	el(
		"p",
		{ "data-abonados": o.numeros.join(",") },
		`${o.numeros.length === 1 ? "Número" : "Números"} ${o.numeros.join(", ")} para ${o.nombre}, abonado: cobre ${formatCop(o.pagado)} en efectivo. Falta ${formatCop(o.total - o.pagado)}${o.hasta ? `, a más tardar el ${fechaLarga(o.hasta)} (hora de Colombia)` : ""}. Pagado todo, queda vendido y se imprime la boleta.`,
	),
];

/**
 * One purchase being paid in abonos: its numbers, what is paid and left, and a new abono. An abono
 * this seller left unanswered comes back with its amount, to send again with the same key.
 */
const filaAbonada = (t: Transaccion, rifa: { id: string; total: number; userId: string }) => {
	const { total } = rifa;
	const numeros = t.tickets.map((x) => numeroDe(x.numero, total)).join(", ");
	const estado = el("p", { "data-pendiente": String(t.abonos?.pendiente ?? 0) });
	const pintar = (pagado: number, pendiente: number) => {
		estado.dataset.pendiente = String(pendiente);
		estado.textContent = `Pagado ${formatCop(pagado)} de ${formatCop(t.amount)}; falta ${formatCop(pendiente)}${t.expires_at ? `, hasta el ${fechaLarga(t.expires_at)} (hora de Colombia)` : ""}.`;
	};
	pintar(t.abonos?.pagado ?? 0, t.abonos?.pendiente ?? t.amount);
	const monto = el("input", { name: "monto", inputmode: "decimal", autocomplete: "off" });
	monto.setAttribute("aria-required", "true");
	const abonar = el("button", { type: "submit", class: "comprar" }, `Abonar a ${numeros}`);
	const avisoMonto = aviso(monto);
	const general = aviso(abonar);
	const resultado = el("div", { "aria-live": "polite" });
	const form = el(
		"form",
		{ class: "formulario", "aria-label": `Abonar a ${numeros}`, novalidate: true },
		campo(`Monto del abono a ${numeros} (pesos)`, monto),
		avisoMonto.nodo,
		abonar,
		general.nodo,
	);
	const fila = el(
		"li",
		{ class: "tarjeta", "data-transaccion": t.transaccion_id },
		el("h3", {}, `Número${t.tickets.length === 1 ? "" : "s"} ${numeros}`),
		estado,
		form,
		resultado,
	);
	/**
	 * The abono in flight, kept in the tab: a retry of the same amount, even after a reload, sends
	 * the same key, never a second abono.
	 */
	const guardado = abonoGuardado(t.transaccion_id);
	let enCurso: AbonoEnCurso | null = guardado?.userId === rifa.userId ? guardado : null;
	const fijar = (a: AbonoEnCurso | null) => {
		enCurso = a;
		guardarAbono(t.transaccion_id, a);
	};
	const sinRespuesta = (a: AbonoEnCurso, err: unknown) =>
		general.mostrar(
			`No se supo si el abono se registró (${textoDe(err)}). Envíe de nuevo los ${formatCop((JSON.parse(a.body) as { monto: number }).monto)}: nunca se abona dos veces.`,
		);
	let ocupado = false;
	form.addEventListener("submit", async (e) => {
		e.preventDefault();
		if (ocupado) return;
		limpiar(avisoMonto, general);
		const centavos = centavosDe(monto.value);
		if (!centavos) {
			avisoMonto.mostrar("Escriba el abono en pesos, por ejemplo 2.000.");
			monto.focus();
			return;
		}
		const body = JSON.stringify({ monto: centavos, medio: "efectivo" });
		// The same amount as the abono left unanswered is that abono again, with its key.
		const envio: AbonoEnCurso =
			enCurso?.body === body
				? enCurso
				: {
						userId: rifa.userId,
						rifaId: rifa.id,
						transaccionId: t.transaccion_id,
						key: crypto.randomUUID(),
						body,
					};
		fijar(envio);
		const ticket = t.tickets[0]?.id ?? "";
		ocupado = true;
		abonar.disabled = true;
		try {
			const r = await api<AbonoRegistrado>(`/tickets/${ticket}/abonos`, {
				method: "POST",
				body: JSON.parse(envio.body),
				headers: { "Idempotency-Key": envio.key },
			});
			fijar(null);
			monto.value = "";
			pintar(r.pagado, r.pendiente);
			if (r.estado === "vendido") {
				fila.dataset.estado = "vendido";
				form.remove();
				const error = aviso();
				resultado.replaceChildren(
					titular(`Pagado: ${t.tickets.length === 1 ? "vendido" : "vendidos"}`),
					el(
						"p",
						{ "data-vendidos": t.tickets.map((x) => numeroDe(x.numero, total)).join(",") },
						`Cobre ${formatCop(centavos)} en efectivo. ${numeros} quedó pagado: imprima la boleta.`,
					),
					el(
						"p",
						{ class: "botones" },
						...t.tickets.map((x) =>
							enlacePdf(
								x.id,
								"termica",
								`Imprimir boleta ${numeroDe(x.numero, total)}`,
								`boleta-${numeroDe(x.numero, total)}.pdf`,
								error,
							),
						),
					),
					error.nodo,
				);
			} else
				resultado.replaceChildren(
					el(
						"p",
						{ role: "status", "data-abonado": "" },
						`Abono registrado: cobre ${formatCop(centavos)} en efectivo. Falta ${formatCop(r.pendiente)}.`,
					),
				);
		} catch (err) {
			// A refusal is final; a lost answer is retried with the same key by sending it again.
			if (err instanceof ApiError && err.definitiva) fijar(null);
			mostrarError(err, { general, campos: { monto: avisoMonto } });
			if (enCurso) sinRespuesta(enCurso, err);
		} finally {
			ocupado = false;
			abonar.disabled = false;
		}
	});
	// Left unanswered before a reload: the same amount is ready to send again.
	if (enCurso) {
		monto.value = formatCop((JSON.parse(enCurso.body) as { monto: number }).monto);
		sinRespuesta(enCurso, new Error("la página se cerró antes de la respuesta"));
	}
	return fila;
};

/**
 * "Abonar a una boleta": the purchases this seller left abonado in the rifa (its tickets still
 * held whose purchase has abonos), each with what is left and a form for the next abono; and any
 * purchase whose last abono was left unanswered in this tab, even one that abono may have paid.
 */
export const seccionAbonar = (rifa: { id: string; total: number; userId: string }) => {
	const lista = el("div", { "aria-live": "polite" });
	const seccion = el(
		"section",
		{ class: "abonar", "aria-labelledby": `abonar-${rifa.id}` },
		el("h2", { id: `abonar-${rifa.id}` }, "Abonar a una boleta"),
		lista,
	);
	const cargar = async () => {
		try {
			const propias = await api<{ items: { estado: string; transaccion_id: string | null }[] }>(
				`/rifas/${rifa.id}/tickets?estado=reservado&per_page=100`,
			);
			const pendientes = new Set(abonosGuardados(rifa.userId, rifa.id).map((a) => a.transaccionId));
			const ids = [
				...new Set([
					...propias.items.map((x) => x.transaccion_id).filter((x): x is string => !!x),
					...pendientes,
				]),
			];
			const compras = await Promise.all(
				ids.map((id) =>
					api<Transaccion>(`/rifas/${rifa.id}/transacciones/${id}`).catch(() => null),
				),
			);
			// A plan that ended (expired, refunded) takes no abono: nothing is left to retry in it.
			for (const x of compras)
				if (
					x &&
					pendientes.has(x.transaccion_id) &&
					x.status !== "pending" &&
					x.status !== "succeeded"
				)
					guardarAbono(x.transaccion_id, null);
			const abonadas = compras.filter(
				(x): x is Transaccion =>
					x !== null &&
					x.abonos !== null &&
					(x.status === "pending" ||
						(x.status === "succeeded" && pendientes.has(x.transaccion_id))),
			);
			lista.replaceChildren(
				abonadas.length
					? el("ul", { class: "tarjetas abonadas" }, ...abonadas.map((x) => filaAbonada(x, rifa)))
					: el("p", {}, "No tiene boletas abonadas en esta rifa."),
			);
		} catch (err) {
			lista.replaceChildren(
				el("p", { role: "alert", class: "error" }, `No se pudieron leer: ${textoDe(err)}`),
			);
		}
	};
	return { seccion, cargar };
};
