import {
	type AbonoEnLinea,
	type AbonoGuardado,
	abonoGuardado,
	abonosGuardados,
	enEspera,
	enviarAbono,
	esFinal,
	guardarAbono,
	libreDe,
	type Plan,
	rutaPlan,
	seguirAbono,
} from "./abono-en-linea";
import { formularioAbono } from "./abono-formulario";
import { api, el, fechaLarga, formatCop, numeroDe, type Usuario } from "./api";
import { mostrarError, textoDe } from "./avisos";
import { conRecibos, enlaceRecibo } from "./boletas";
import type { seccionCredito } from "./mi-credito";
import type { ConfigWompi } from "./pago-wompi";

/** What a plan's card needs of its rifa. */
export interface RifaDePlan {
	id: string;
	nombre: string;
	total_boletas: number;
	/** Its operador: the buyer's credit with it pays abonos here. */
	creado_por: string | null;
}

interface Contexto {
	me: Usuario;
	wompi: ConfigWompi | null;
	credito: ReturnType<typeof seccionCredito>;
	/** The online abono a bank sent the buyer back for (`?abono=`), to show first. */
	vuelta: string | null;
}

const cuerpoDe = (g: AbonoGuardado) => JSON.parse(g.body) as { monto: number; medio: string };

let tarjetas = 0;

/**
 * One plan: what is paid and left and until when, the online payments Wompi has not decided yet,
 * and **Abonar**: an amount paid online through Wompi or with credit. An online abono shows what
 * to do next and is followed until Wompi decides; an abono left unanswered in this tab comes back
 * with its key, to send again; an online one already answered is followed again.
 */
const tarjetaPlan = (inicial: Plan, rifa: RifaDePlan, c: Contexto) => {
	let plan = inicial;
	const tx = plan.transaccion_id;
	const numeros = plan.tickets.map((t) => numeroDe(t.numero, rifa.total_boletas)).join(", ");
	const ticketId = plan.tickets[0]?.id ?? "";
	const estado = el("p", { "data-plan-estado": "" });
	const espera = el("p", { class: "nota", "data-en-espera": "" });
	let siguiendo: string | null = null;
	const pintar = () => {
		const a = plan.abonos ?? { pagado: 0, pendiente: plan.amount, en_linea: [] };
		estado.dataset.pagado = String(a.pagado);
		estado.dataset.pendiente = String(a.pendiente);
		estado.textContent =
			plan.status === "succeeded"
				? `Pagado todo: ${formatCop(plan.amount)}.`
				: plan.status === "pending"
					? `Pagado ${formatCop(a.pagado)} de ${formatCop(plan.amount)}; falta ${formatCop(a.pendiente)}${plan.expires_at ? `, a más tardar el ${fechaLarga(plan.expires_at)} (hora de Colombia)` : ""}.`
					: `Este plan venció con ${formatCop(a.pagado)} pagados: sus números quedaron libres.`;
		const otros = enEspera(plan).filter((x) => x.referencia !== siguiendo);
		espera.hidden = !otros.length;
		espera.textContent = `Esperando a Wompi: ${otros.map((x) => formatCop(x.monto)).join(", ")}. Cuenta cuando Wompi lo apruebe.`;
	};
	const f = formularioAbono({
		numeros,
		wompi: c.wompi,
		libre: () => libreDe(plan),
		credito: () => {
			const s = c.credito.saldo(rifa.creado_por);
			return s && s.saldo > 0 ? { operador: s.operador, saldo: s.saldo } : null;
		},
		telefono: c.me.telefono,
	});
	f.form.id = `abono-${++tarjetas}`;
	f.form.hidden = true;
	const abrir = el(
		"button",
		{ type: "button", class: "comprar", "aria-expanded": "false", "aria-controls": f.form.id },
		`Abonar a ${numeros}`,
	);
	const mostrarForm = (si: boolean) => {
		f.form.hidden = !si;
		abrir.setAttribute("aria-expanded", String(si));
		if (si) f.refrescar();
	};
	abrir.addEventListener("click", () => {
		const abrirlo = abrir.getAttribute("aria-expanded") !== "true";
		mostrarForm(abrirlo);
		if (abrirlo) f.monto.focus();
	});
	const resultado = el("div", { class: "pago", "aria-live": "polite" });
	const nodo = el(
		"li",
		{ class: "tarjeta plan", "data-plan": tx, "data-estado": "abonado" },
		el("h3", {}, `${rifa.nombre} · ${plan.tickets.length === 1 ? "número" : "números"} ${numeros}`),
		estado,
		espera,
		abrir,
		f.form,
		resultado,
	);
	const abierto = () => plan.status === "pending";
	const cerrarAcciones = (ocultar: boolean) => {
		abrir.hidden = ocultar || !abierto();
		if (ocultar || !abierto()) mostrarForm(false);
	};

	/** Paid in full: the numbers are sold, each with its receipt. */
	const vendido = async () => {
		nodo.dataset.estado = "vendido";
		cerrarAcciones(true);
		const boletas = await conRecibos(plan.tickets);
		resultado.append(
			el(
				"p",
				{ role: "status", "data-vendido": "" },
				`Pagado todo: ${plan.tickets.length === 1 ? `el número ${numeros} quedó vendido` : `los números ${numeros} quedaron vendidos`} a su nombre.`,
			),
			el(
				"ul",
				{ class: "recibos" },
				...boletas.map((b) =>
					el(
						"li",
						{},
						b.recibo
							? el(
									"a",
									{ href: enlaceRecibo(b.recibo), "data-recibo": b.recibo },
									`Verificar el recibo del ${numeroDe(b.numero, rifa.total_boletas)}`,
								)
							: `Número ${numeroDe(b.numero, rifa.total_boletas)}`,
					),
				),
			),
		);
	};

	/** What an online abono came to, once Wompi's word is final (or Wompi never answered). */
	const alTerminar = async (e: string | null, monto: number) => {
		pintar();
		cerrarAcciones(false);
		const dice = (rol: "status" | "alert", texto: string) =>
			resultado.replaceChildren(
				el(
					"p",
					{
						role: rol,
						"data-abono": e ?? "sin-respuesta",
						class: rol === "alert" ? "error" : "aviso",
					},
					texto,
				),
			);
		if (e === "aprobado") {
			dice("status", `Wompi aprobó su abono de ${formatCop(monto)}.`);
			if (plan.status === "succeeded") await vendido();
		} else if (e === "fallido")
			dice(
				"alert",
				`Wompi no aprobó el pago de ${formatCop(monto)}: no se abonó nada. Puede intentarlo de nuevo.`,
			);
		else if (e === "tarde") {
			dice(
				"status",
				`El pago de ${formatCop(monto)} llegó cuando este plan ya no recibía abonos: quedó como crédito suyo con el operador de la rifa (vea Mi crédito).`,
			);
			await c.credito.cargar();
		} else
			dice(
				"alert",
				`Wompi aún no confirma el pago de ${formatCop(monto)}. Cuenta en cuanto Wompi lo apruebe: vuelva más tarde a Mis boletas.`,
			);
	};

	/** Follows one online abono: this tab's own (`propio`), or one started elsewhere. */
	const seguir = async (
		a: Pick<AbonoEnLinea, "referencia" | "monto" | "detalle">,
		propio: AbonoGuardado | null,
	) => {
		siguiendo = a.referencia;
		cerrarAcciones(true);
		pintar();
		const caja = el("div", { class: "pago" });
		resultado.replaceChildren(
			el(
				"p",
				{ "data-abono-en-linea": a.referencia },
				el("strong", {}, `Abono en línea de ${formatCop(a.monto)}`),
			),
			caja,
		);
		const r = await seguirAbono(caja, {
			plan,
			referencia: a.referencia,
			monto: a.monto,
			pago: a.detalle,
			numeros,
			alBanco: propio !== null && !propio.alBanco,
			alSalir: () => propio && guardarAbono(tx, { ...propio, alBanco: true }),
		});
		plan = r.plan;
		siguiendo = null;
		// A final word ends it; without one, a reload follows it again.
		if (propio && r.estado) guardarAbono(tx, null);
		await alTerminar(r.estado, a.monto);
	};

	/** The outcome is unknown: the abono may have been taken. Only the same key finds out. */
	const sinRespuesta = (g: AbonoGuardado, err: unknown) => {
		const reintentar = el("button", { type: "button" }, "Reintentar el mismo abono");
		reintentar.addEventListener("click", () => {
			reintentar.disabled = true;
			void enviar(g);
		});
		resultado.replaceChildren(
			el(
				"p",
				{ role: "alert", class: "error" },
				`No se supo si el abono de ${formatCop(cuerpoDe(g).monto)} se registró (${textoDe(err)}). Reintentar envía el mismo abono: nunca se cobra dos veces.`,
			),
			reintentar,
		);
	};

	let ocupado = false;
	const enviar = async (g: AbonoGuardado) => {
		if (ocupado) return;
		ocupado = true;
		f.enviar.disabled = true;
		resultado.replaceChildren(el("p", {}, "Enviando el abono…"));
		try {
			const r = await enviarAbono(g);
			f.monto.value = "";
			if (r.pago && !esFinal(r.pago.estado)) {
				const propio = { ...g, referencia: r.pago.referencia };
				guardarAbono(tx, propio);
				return await seguir(r.pago, propio);
			}
			guardarAbono(tx, null);
			plan = await api<Plan>(rutaPlan(plan)).catch(() => plan);
			if (r.pago) return await alTerminar(r.pago.estado, r.pago.monto);
			// Paid with credit: counted at once.
			await c.credito.cargar();
			pintar();
			mostrarForm(false);
			cerrarAcciones(false);
			resultado.replaceChildren(
				el(
					"p",
					{ role: "status", "data-abono": "credito", class: "aviso" },
					`Abono de ${formatCop(cuerpoDe(g).monto)} pagado con su crédito.`,
				),
			);
			if (r.estado === "vendido") await vendido();
		} catch (err) {
			const sigue = abonoGuardado(tx, c.me.id);
			if (sigue) return sinRespuesta(sigue, err);
			resultado.replaceChildren();
			mostrarForm(true);
			mostrarError(err, {
				general: f.avisos.general,
				campos: { monto: f.avisos.monto, medio: f.avisos.medio },
			});
		} finally {
			ocupado = false;
			f.enviar.disabled = false;
		}
	};

	f.form.addEventListener("submit", async (e) => {
		e.preventDefault();
		if (ocupado) return;
		let cuerpo: Awaited<ReturnType<typeof f.datos>>;
		try {
			cuerpo = await f.datos();
		} catch {
			return;
		}
		const body = JSON.stringify(cuerpo);
		// The same abono as one left unanswered is that abono again, with its key.
		const previo = abonoGuardado(tx, c.me.id);
		const g: AbonoGuardado =
			previo && !previo.referencia && previo.body === body
				? previo
				: {
						userId: c.me.id,
						rifaId: plan.rifa_id,
						transaccionId: tx,
						ticketId,
						key: crypto.randomUUID(),
						body,
					};
		guardarAbono(tx, g);
		await enviar(g);
	});

	pintar();
	cerrarAcciones(false);
	const propio = abonoGuardado(tx, c.me.id);
	const vuelta = plan.abonos?.en_linea.find((a) => a.referencia === c.vuelta);
	if (propio?.referencia) {
		const a = plan.abonos?.en_linea.find((x) => x.referencia === propio.referencia);
		void seguir(
			a ?? { referencia: propio.referencia, monto: cuerpoDe(propio).monto, detalle: null },
			propio,
		);
	} else if (propio) {
		mostrarForm(true);
		f.restaurar(JSON.parse(propio.body));
		sinRespuesta(propio, new Error("la página se cerró antes de la respuesta"));
	} else if (vuelta ?? enEspera(plan)[0])
		void seguir((vuelta ?? enEspera(plan)[0]) as AbonoEnLinea, null);
	else if (plan.status === "succeeded") void vendido();
	return nodo;
};

/**
 * "Boletas por abonos" on `/mis-boletas`: the user's purchases still being paid in instalments
 * (its `reservado` tickets whose purchase has `abonos`), and any this tab left an abono unfinished
 * in or a bank sent it back for, even one that abono may have paid in full or that lapsed. Null
 * when there are none. `tickets` answers the plans' tickets, which the list calls abonado. The
 * credit offered is what `credito` read last.
 */
export const seccionPlanes = async (o: {
	me: Usuario;
	tickets: { id: string; rifa_id: string; estado: string; transaccion_id?: string | null }[];
	rifas: Map<string, RifaDePlan>;
	credito: ReturnType<typeof seccionCredito>;
	/** Back from a bank: the rifa and the online abono's reference. */
	vuelta: { rifaId: string; referencia: string } | null;
}): Promise<{ seccion: HTMLElement; tickets: Set<string> } | null> => {
	const compras = new Map<string, string>();
	for (const t of o.tickets)
		if (t.estado === "reservado" && t.transaccion_id) compras.set(t.transaccion_id, t.rifa_id);
	const guardados = new Set<string>();
	for (const g of abonosGuardados(o.me.id)) {
		compras.set(g.transaccionId, g.rifaId);
		guardados.add(g.transaccionId);
	}
	if (o.vuelta) {
		const tx = o.vuelta.referencia.split(".")[0] ?? "";
		compras.set(tx, o.vuelta.rifaId);
		guardados.add(tx);
	}
	const leidas = await Promise.all(
		[...compras].map(([tx, rifa]) =>
			api<Plan>(rutaPlan({ rifa_id: rifa, transaccion_id: tx })).catch(() => null),
		),
	);
	const planes = leidas.filter(
		(p): p is Plan =>
			p !== null &&
			p.abonos !== null &&
			(p.status === "pending" || guardados.has(p.transaccion_id)),
	);
	// A plan that ended with nothing left to follow keeps nothing in the tab.
	for (const p of leidas)
		if (p && !planes.includes(p) && guardados.has(p.transaccion_id))
			guardarAbono(p.transaccion_id, null);
	if (!planes.length) return null;
	const pagos = await api<{ metodos: string[]; wompi?: ConfigWompi | null }>("/pagos").catch(
		() => null,
	);
	const wompi = pagos?.wompi && pagos.metodos.includes("wompi") ? pagos.wompi : null;
	const rifas = await Promise.all(
		planes.map(
			async (p) =>
				o.rifas.get(p.rifa_id) ??
				(await api<RifaDePlan>(`/rifas/${p.rifa_id}`).catch(() => ({
					id: p.rifa_id,
					nombre: "Rifa",
					total_boletas: 100,
					creado_por: null,
				}))),
		),
	);
	const contexto: Contexto = {
		me: o.me,
		wompi,
		credito: o.credito,
		vuelta: o.vuelta?.referencia ?? null,
	};
	const seccion = el(
		"section",
		{ class: "planes", "aria-labelledby": "planes-titulo" },
		el("h2", { id: "planes-titulo" }, "Boletas por abonos"),
		el(
			"p",
			{ class: "nota" },
			"Abone en línea o con su crédito. Un pago en línea cuenta cuando Wompi lo aprueba; pagado todo, sus números quedan vendidos.",
		),
		el(
			"ul",
			{ class: "tarjetas" },
			...planes.map((p, i) => tarjetaPlan(p, rifas[i] as RifaDePlan, contexto)),
		),
	);
	const abonados = planes.filter((p) => p.status === "pending");
	return { seccion, tickets: new Set(abonados.flatMap((p) => p.tickets.map((t) => t.id))) };
};
