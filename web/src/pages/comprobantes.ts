import { entrarComoOperador, menuOperador } from "../acceso";
import { ApiError, api, el, fechaColombia, formatCop, token } from "../api";
import { aviso, textoDe } from "../avisos";
import { campo } from "../campos";
import { seccionCuentaTransferencia } from "../cuenta-transferencia-form";
import { leerOperadores } from "./vendedores";

interface Comprobante {
	id: string;
	rifa_id: string;
	transaccion_id: string;
	estado: "pendiente" | "aprobado" | "rechazado";
	motivo: string | null;
	referencia: string;
	banco: string;
	monto: number;
	monto_transaccion: number;
	monto_coincide: boolean;
	comprador: { id: string; nombre: string };
	tipo: string;
	archivo_url: string;
	creado_en: string;
}
type Revisado = Comprobante & {
	transaccion_status: "pending" | "succeeded" | "failed" | "refunded" | null;
};

/** What a decision did to the purchase, in the reviewer's words. */
const RESULTADO: Record<string, string> = {
	succeeded: "Aprobado: los números quedaron vendidos al comprador, con su recibo.",
	refunded:
		"Aprobado, pero la reserva ya había terminado y los números no se pudieron vender: el dinero queda por devolver al comprador.",
	failed: "Rechazado: los números volvieron a la venta y se avisó al comprador.",
};
const textoResultado = (c: Revisado) =>
	c.estado === "rechazado"
		? `${RESULTADO.failed} Motivo: ${c.motivo ?? ""}`
		: (RESULTADO[c.transaccion_status ?? ""] ?? "Aprobado.");

/**
 * The proof's file, read with the reviewer's token (a plain link would carry none) and shown from
 * memory: an image in the page, a PDF as a link that opens it.
 */
const archivo = (c: Comprobante) => {
	const lugar = el("div", { class: "archivo", "aria-live": "polite" }, el("p", {}, "Cargando…"));
	void (async () => {
		try {
			const res = await fetch(c.archivo_url, {
				headers: { Authorization: `Bearer ${token() ?? ""}` },
			}).catch(() => {
				throw new Error("no hubo respuesta del servidor; revise su conexión");
			});
			if (!res.ok) throw new Error(`Error ${res.status}`);
			const url = URL.createObjectURL(await res.blob());
			lugar.replaceChildren(
				c.tipo === "application/pdf"
					? el(
							"a",
							{ href: url, target: "_blank", rel: "noopener", "data-archivo": "pdf" },
							`Abrir el comprobante (PDF) de ${c.comprador.nombre}`,
						)
					: el("img", {
							src: url,
							alt: `Comprobante de ${c.comprador.nombre}, referencia ${c.referencia}`,
							"data-archivo": "imagen",
						}),
			);
		} catch (err) {
			lugar.replaceChildren(
				el("p", { role: "alert", class: "error" }, `No se pudo abrir el archivo: ${textoDe(err)}`),
			);
		}
	})();
	return lugar;
};

/** One proof to review: amounts (flagged when they differ), reference, bank, buyer, file, decision. */
const tarjeta = (c: Comprobante, rifa: string, alDecidir: () => void) => {
	const error = aviso();
	const estado = el("p", { "data-resultado": "", "aria-live": "polite" });
	const acciones = el("div", { class: "acciones" });
	const nodo = el(
		"li",
		{ class: "tarjeta comprobante-revision", "data-comprobante": c.id, "data-estado": c.estado },
		el("h3", {}, `${c.comprador.nombre} · ${rifa}`),
		el(
			"dl",
			{},
			el("dt", {}, "Valor de la compra"),
			el("dd", { "data-monto-compra": "" }, formatCop(c.monto_transaccion)),
			el("dt", {}, "Valor del comprobante"),
			el(
				"dd",
				{
					"data-monto": "",
					"data-monto-coincide": String(c.monto_coincide),
					class: c.monto_coincide ? undefined : "no-coincide",
				},
				formatCop(c.monto),
				c.monto_coincide ? "" : " · no coincide con la compra",
			),
			el("dt", {}, "Referencia"),
			el("dd", { "data-referencia": "" }, c.referencia),
			el("dt", {}, "Banco"),
			el("dd", {}, c.banco),
			el("dt", {}, "Recibido"),
			el("dd", {}, fechaColombia(c.creado_en)),
		),
		archivo(c),
		estado,
		acciones,
		error.nodo,
	);
	const decidida = (r: Revisado) => {
		nodo.dataset.estado = r.estado;
		estado.textContent = textoResultado(r);
		acciones.replaceChildren();
		alDecidir();
		estado.setAttribute("tabindex", "-1");
		estado.focus();
	};
	let ocupado = false;
	const decidir = async (ruta: string, body: unknown, boton: HTMLButtonElement) => {
		if (ocupado) return;
		ocupado = true;
		boton.disabled = true;
		error.mostrar("");
		try {
			decidida(await api<Revisado>(`/comprobantes/${c.id}/${ruta}`, { method: "POST", body }));
		} catch (err) {
			// Decided meanwhile by someone else: the proof says how.
			if (err instanceof ApiError && err.status === 409) {
				const ahora = await api<Comprobante>(`/comprobantes/${c.id}`).catch(() => null);
				if (ahora && ahora.estado !== "pendiente")
					return decidida({ ...ahora, transaccion_status: null });
			}
			error.mostrar(`No se pudo registrar la decisión: ${textoDe(err)}`);
		} finally {
			ocupado = false;
			boton.disabled = false;
		}
	};
	const aprobar = el("button", { type: "button", class: "comprar" }, "Aprobar");
	aprobar.addEventListener("click", () => void decidir("aprobacion", {}, aprobar));
	const rechazar = el("button", { type: "button" }, "Rechazar");
	const motivo = el("input", { name: "motivo", autocomplete: "off", maxlength: "500" });
	motivo.setAttribute("aria-required", "true");
	const avisoMotivo = aviso(motivo);
	const confirmar = el("button", { type: "submit" }, "Rechazar el comprobante");
	const form = el(
		"form",
		{ class: "formulario", "aria-label": `Rechazar el comprobante de ${c.comprador.nombre}` },
		campo("Motivo del rechazo", motivo, "El comprador lo verá."),
		avisoMotivo.nodo,
		confirmar,
	);
	form.hidden = true;
	form.noValidate = true;
	rechazar.addEventListener("click", () => {
		form.hidden = false;
		motivo.focus();
	});
	form.addEventListener("submit", (e) => {
		e.preventDefault();
		avisoMotivo.mostrar("");
		if (motivo.value.trim().length < 3) {
			avisoMotivo.mostrar("Escriba el motivo del rechazo (al menos 3 caracteres).");
			motivo.focus();
			return;
		}
		void decidir("rechazo", { motivo: motivo.value.trim() }, confirmar);
	});
	acciones.append(
		el(
			"p",
			{ class: "nota" },
			"Apruebe solo después de ver la transferencia en la cuenta de la rifa: esa referencia, ese valor.",
		),
		el("p", { class: "botones" }, aprobar, rechazar),
		form,
	);
	return nodo;
};

/**
 * `/operador/comprobantes`: the transfers waiting for review, oldest first, each with what the
 * purchase costs and what the proof declares, its reference, bank, buyer and file; approving
 * sells the numbers, rejecting (with a reason the buyer reads) frees them. Below (first, while
 * there is none), the account its buyers transfer to; an admin chooses whose.
 */
export const comprobantesPagina = async (main: HTMLElement): Promise<void> => {
	const volver = () => void comprobantesPagina(main);
	const me = await entrarComoOperador(main, "Comprobantes por revisar", volver);
	if (!me) return;
	const cuenta = seccionCuentaTransferencia(
		me,
		me.rol === "admin" ? (await leerOperadores()).operadores : null,
	);
	const [cola, conCuenta] = await Promise.all([
		api<{ items: Comprobante[]; total: number }>("/comprobantes?estado=pendiente&per_page=100"),
		cuenta.cargar(),
	]);
	const ids = [...new Set(cola.items.map((c) => c.rifa_id))];
	const nombres = new Map(
		await Promise.all(
			ids.map(async (id) => {
				const r = await api<{ nombre: string }>(`/rifas/${id}`).catch(() => null);
				return [id, r?.nombre ?? "Rifa"] as const;
			}),
		),
	);
	let pendientes = cola.total;
	const contador = el("p", { "aria-live": "polite" });
	const contar = () => {
		contador.textContent = pendientes
			? `${pendientes === 1 ? "Un comprobante espera" : `${pendientes} comprobantes esperan`} su revisión.`
			: "No hay comprobantes por revisar.";
	};
	contar();
	main.replaceChildren(
		el("h1", {}, "Comprobantes por revisar"),
		menuOperador(me, volver),
		...(conCuenta || me.rol === "admin" ? [] : [cuenta.seccion]),
		contador,
		el(
			"ul",
			{ class: "tarjetas" },
			...cola.items.map((c) =>
				tarjeta(c, nombres.get(c.rifa_id) ?? "Rifa", () => {
					pendientes -= 1;
					contar();
				}),
			),
		),
		...(conCuenta || me.rol === "admin" ? [cuenta.seccion] : []),
	);
};
