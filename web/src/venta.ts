import { medioDePago, type ReglaAbonos, vistaAbonada } from "./abonos";
import { ApiError, api, el, enviarCompra, formatCop, numeroDe } from "./api";
import { type Aviso, aviso, limpiar, mostrarError } from "./avisos";
import { conRecibos } from "./boletas";
import { campo } from "./campos";
import type { GrillaNumeros } from "./grilla";
import { vistaVenta } from "./venta-recibo";

interface Venta {
	tickets: { id: string; numero: number; estado: string; recibo?: string }[];
	payment: { status: string; amount: number; expires_at?: string };
}
interface Cliente {
	nombre: string;
	telefono: string;
	acepta_whatsapp: boolean;
	acepta_sms: boolean;
}

/**
 * A sale sent and not answered yet, kept in the tab with its Idempotency-Key and body. Sending it
 * again (after a lost answer or a reload) makes the rifa answer with the first sale, never a
 * second one. Only the seller who sent it sees it.
 */
interface VentaEnCurso {
	userId: string;
	rifaId: string;
	key: string;
	body: string;
}
const GUARDADA = "rifa1122.venta";

export const ventaEnCurso = (): VentaEnCurso | null => {
	try {
		return JSON.parse(sessionStorage.getItem(GUARDADA) ?? "null") as VentaEnCurso | null;
	} catch {
		return null;
	}
};
const guardar = (v: VentaEnCurso | null) =>
	v ? sessionStorage.setItem(GUARDADA, JSON.stringify(v)) : sessionStorage.removeItem(GUARDADA);

/**
 * The sale of `/vender`: numbers chosen on the grid (or a quantity the rifa assigns at random),
 * the walk-in buyer's name, phone and consent to WhatsApp and SMS, cash. Each refusal shows under
 * what caused it: a field, the numbers, the rifa (`avisoRifa`) or the sale as a whole.
 */
export const seccionVenta = (o: {
	userId: string;
	/** `abonos`: the rifa's rule for instalments, where it takes them. */
	rifa: { id: string; nombre: string; total: number; valor: number; abonos?: ReglaAbonos | null };
	g: GrillaNumeros;
	avisoRifa: Aviso;
	/** A sale left abonado: the list of boletas to pay in abonos is read again. */
	alAbonar?: () => void;
}) => {
	const { g, rifa } = o;
	const cantidad = el("input", {
		type: "number",
		name: "cantidad",
		min: "1",
		max: "100",
		value: "1",
		inputmode: "numeric",
	});
	const nombre = el("input", {
		name: "nombre",
		autocomplete: "off",
		maxlength: "120",
		"aria-required": "true",
	});
	const telefono = el("input", {
		name: "telefono",
		type: "tel",
		inputmode: "tel",
		autocomplete: "off",
		maxlength: "32",
		"aria-required": "true",
	});
	const whatsapp = el("input", {
		type: "checkbox",
		name: "acepta_whatsapp",
		id: "acepta-whatsapp",
	});
	const sms = el("input", { type: "checkbox", name: "acepta_sms", id: "acepta-sms" });
	const vender = el("button", { type: "submit", class: "comprar" }, "Vender");
	const resumen = el("p", { class: "resumen", "aria-live": "polite" });
	const avisos = {
		numeros: aviso(),
		cantidad: aviso(cantidad),
		nombre: aviso(nombre),
		telefono: aviso(telefono),
		general: aviso(vender),
	};
	const resultado = el("div", { class: "boletas", "aria-live": "polite" });
	const medio = rifa.abonos ? medioDePago(rifa.abonos) : null;
	let cerrada = false;

	const actualizar = () => {
		const numeros = [...g.elegidos].sort((a, b) => a - b);
		cantidad.disabled = numeros.length > 0 || cerrada;
		const n = numeros.length || Number(cantidad.value) || 0;
		resumen.textContent = `${
			numeros.length
				? `Elegidos: ${numeros.map((x) => numeroDe(x, rifa.total)).join(", ")}.`
				: `Ningún número elegido: la rifa asigna ${n === 1 ? "1 número" : `${n} números`} al azar.`
		} Total en efectivo: ${formatCop(n * rifa.valor)}.`;
		medio?.actualizar(n * rifa.valor);
	};
	cantidad.addEventListener("input", actualizar);

	/** The grid as the rifa has it now: numbers taken meanwhile leave the choice. */
	const refrescar = async () => {
		const d = await api<{ mapa: string }>(`/rifas/${rifa.id}/disponibilidad`).catch(() => null);
		if (!d) return;
		g.aplicarMapa(d.mapa);
		for (const n of g.elegidos) if (g.estados[n] !== 0) g.elegidos.delete(n);
		g.repintar();
		actualizar();
	};

	const sinRespuesta = (v: VentaEnCurso, err: unknown) => {
		const reintentar = el("button", { type: "button" }, "Reintentar la misma venta");
		reintentar.addEventListener("click", () => {
			reintentar.disabled = true;
			void enviar(v);
		});
		resultado.replaceChildren(
			el(
				"p",
				{ role: "alert", class: "error" },
				`No se supo si la venta se hizo (${err instanceof Error ? err.message : String(err)}). Reintentar envía la misma venta: nunca se vende dos veces.`,
			),
			reintentar,
		);
	};

	// One sale at a time: a double tap must not send it twice.
	let ocupado = false;
	const enviar = async (v: VentaEnCurso) => {
		if (ocupado) return;
		ocupado = true;
		guardar(v);
		vender.disabled = true;
		resultado.replaceChildren(el("p", {}, "Registrando la venta…"));
		try {
			const res = await enviarCompra<Venta>(v.rifaId, v, () => guardar(null));
			guardar(null);
			const abonada = res.tickets.length > 0 && res.tickets.every((t) => t.estado === "abonado");
			if (res.payment.status !== "succeeded" && !abonada)
				throw new Error("La venta no quedó registrada; los números siguen libres.");
			const enviada = JSON.parse(v.body) as { cliente: Cliente; abono?: { monto: number } };
			const { cliente } = enviada;
			g.elegidos.clear();
			g.marcar(
				res.tickets.map((t) => t.numero),
				abonada ? 1 : 2,
			);
			g.repintar();
			for (const c of [nombre, telefono]) c.value = "";
			whatsapp.checked = false;
			sms.checked = false;
			cantidad.value = "1";
			medio?.limpiar();
			actualizar();
			if (abonada) {
				resultado.replaceChildren(
					...vistaAbonada({
						numeros: res.tickets.map((t) => numeroDe(t.numero, rifa.total)),
						nombre: cliente.nombre,
						pagado: enviada.abono?.monto ?? 0,
						total: res.payment.amount,
						hasta: res.payment.expires_at,
					}),
				);
				o.alAbonar?.();
				return;
			}
			const boletas = res.tickets.every((t) => t.recibo)
				? res.tickets
				: await conRecibos(res.tickets);
			resultado.replaceChildren(
				...vistaVenta({
					rifa: rifa.nombre,
					total: rifa.total,
					monto: res.payment.amount,
					boletas,
					cliente,
				}),
			);
		} catch (err) {
			if (ventaEnCurso()?.key === v.key) return sinRespuesta(v, err);
			resultado.replaceChildren();
			mostrarError(err, {
				general: avisos.general,
				campos: {
					...(medio ? { abono: medio.aviso } : {}),
					"cliente.nombre": avisos.nombre,
					"cliente.telefono": avisos.telefono,
					numeros: avisos.numeros,
					quantity: avisos.cantidad,
				},
				// Numbers taken or too few left: the numbers. Not this seller's rifa: the rifa.
				lugar: (e) =>
					e.status === 409 ? avisos.numeros : e.status === 403 ? o.avisoRifa : undefined,
			});
			if (err instanceof ApiError && err.status === 409) await refrescar();
		} finally {
			ocupado = false;
			vender.disabled = cerrada;
		}
	};

	const form = el(
		"form",
		{ class: "venta formulario", "aria-label": "Datos de la venta", novalidate: true },
		campo("Cantidad al azar (si no elige números)", cantidad),
		avisos.cantidad.nodo,
		el("h3", {}, "Comprador"),
		campo("Nombre", nombre),
		avisos.nombre.nodo,
		campo("Celular", telefono, "Celular colombiano de 10 dígitos (300 123 4567) o con +57."),
		avisos.telefono.nodo,
		el(
			"div",
			{ class: "consiente" },
			whatsapp,
			el("label", { for: whatsapp.id }, "Acepta recibir por WhatsApp el enlace de su boleta"),
		),
		el(
			"div",
			{ class: "consiente" },
			sms,
			el("label", { for: sms.id }, "Acepta recibir por SMS el enlace de su boleta"),
		),
		...(medio ? medio.nodos : [el("p", {}, "Pago en efectivo.")]),
		vender,
		avisos.general.nodo,
	);
	form.addEventListener("submit", async (e) => {
		e.preventDefault();
		if (ocupado || cerrada) return;
		limpiar(...Object.values(avisos), o.avisoRifa, ...(medio ? [medio.aviso] : []));
		const numeros = [...g.elegidos].sort((a, b) => a - b);
		const quantity = numeros.length || Number(cantidad.value);
		const faltan: [HTMLElement, Aviso, string][] = [];
		if (!numeros.length && !(Number.isInteger(quantity) && quantity >= 1 && quantity <= 100))
			faltan.push([
				cantidad,
				avisos.cantidad,
				"Elija números en la grilla o escriba cuántos asignar al azar (de 1 a 100).",
			]);
		if (!nombre.value.trim())
			faltan.push([nombre, avisos.nombre, "Escriba el nombre del comprador."]);
		if (!telefono.value.trim())
			faltan.push([telefono, avisos.telefono, "Escriba el celular del comprador."]);
		for (const [, a, texto] of faltan) a.mostrar(texto);
		const pago = medio ? medio.pago(quantity * rifa.valor) : { payment_method: "efectivo" };
		if (typeof pago === "string") medio?.aviso.mostrar(pago);
		if (faltan.length) return faltan[0]?.[0].focus();
		if (typeof pago === "string") return medio?.enfocar();
		const cliente: Cliente = {
			nombre: nombre.value.trim(),
			telefono: telefono.value.trim(),
			acepta_whatsapp: whatsapp.checked,
			acepta_sms: sms.checked,
		};
		const body = JSON.stringify({
			quantity,
			...(numeros.length ? { numeros } : {}),
			...pago,
			cliente,
		});
		const previa = ventaEnCurso();
		const misma = previa?.userId === o.userId && previa.rifaId === rifa.id && previa.body === body;
		await enviar({
			userId: o.userId,
			rifaId: rifa.id,
			key: misma && previa ? previa.key : crypto.randomUUID(),
			body,
		});
	});
	actualizar();

	return {
		/** The summary of the choice and its error, for under the grid. */
		eleccion: [resumen, avisos.numeros.nodo],
		form,
		resultado,
		actualizar,
		/** The rifa stopped selling: nothing more is sent, what was sold stays on the page. */
		cerrar: () => {
			cerrada = true;
			vender.disabled = true;
			actualizar();
			avisos.general.mostrar("La venta de esta rifa está cerrada.");
		},
		/** A sale this seller left without an answer in this rifa comes back, to retry. */
		reanudar: () => {
			const v = ventaEnCurso();
			if (v?.userId === o.userId && v.rifaId === rifa.id)
				sinRespuesta(v, new Error("la página se cerró antes de la respuesta"));
		},
	};
};
