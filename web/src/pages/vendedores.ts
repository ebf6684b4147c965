import { entrarComoOperador, menuOperador } from "../acceso";
import { api, el } from "../api";
import { type Aviso, aviso, limpiar, mostrarError, textoDe } from "../avisos";
import { campo } from "../campos";

export interface Vendedor {
	id: string;
	nombre: string;
	email: string;
	telefono: string | null;
	is_active: boolean;
}

/** One seller with its state, and a deactivation asked once more before it is done. */
const filaVendedor = (v: Vendedor, alCambiar: (v: Vendedor) => void) => {
	const error = aviso();
	const acciones = el("p", { class: "botones" });
	const fila = el(
		"li",
		{ class: "tarjeta", "data-vendedor": v.id, "data-activo": String(v.is_active) },
		el("h3", {}, v.nombre),
		el("p", {}, v.email, v.telefono ? ` · ${v.telefono}` : ""),
		el("p", {}, v.is_active ? "Activo: puede iniciar sesión y vender." : "Desactivado."),
		acciones,
		error.nodo,
	);
	const preguntar = () => {
		const si = el("button", { type: "button" }, `Sí, desactivar a ${v.nombre}`);
		const no = el("button", { type: "button" }, "Cancelar");
		si.addEventListener("click", async () => {
			si.disabled = true;
			try {
				alCambiar(
					await api<Vendedor>(`/vendedores/${v.id}/desactivacion`, { method: "POST", body: {} }),
				);
			} catch (err) {
				si.disabled = false;
				error.mostrar(`No se pudo desactivar: ${textoDe(err)}`);
			}
		});
		no.addEventListener("click", mostrarBoton);
		const pregunta = el(
			"span",
			{ tabindex: "-1" },
			"Dejará de poder iniciar sesión y vender. Sus cajas quedan para cerrarlas y confirmarlas. ",
		);
		acciones.replaceChildren(pregunta, si, " ", no);
		pregunta.focus();
	};
	const mostrarBoton = () => {
		if (!v.is_active) return acciones.replaceChildren();
		const b = el("button", { type: "button" }, `Desactivar a ${v.nombre}`);
		b.addEventListener("click", preguntar);
		acciones.replaceChildren(b);
	};
	mostrarBoton();
	return fila;
};

/** The new seller's data; each of the API's refusals shows under its field. */
const formularioVendedor = (alCrear: (v: Vendedor) => void) => {
	const nombre = el("input", { name: "nombre", autocomplete: "off", maxlength: "120" });
	const email = el("input", {
		name: "email",
		type: "email",
		autocomplete: "off",
		autocapitalize: "none",
		spellcheck: "false",
	});
	const telefono = el("input", {
		name: "telefono",
		type: "tel",
		inputmode: "tel",
		maxlength: "32",
	});
	const password = el("input", {
		name: "password",
		type: "password",
		autocomplete: "new-password",
		minlength: "8",
	});
	const crear = el("button", { type: "submit", class: "comprar" }, "Crear vendedor");
	const campos: Record<string, Aviso> = {
		nombre: aviso(nombre),
		email: aviso(email),
		telefono: aviso(telefono),
		password: aviso(password),
	};
	const general = aviso(crear);
	const hecho = el("p", { role: "status", class: "aviso" });
	const form = el(
		"form",
		{ class: "alta formulario", "aria-labelledby": "nuevo-vendedor", novalidate: true },
		el("h2", { id: "nuevo-vendedor" }, "Nuevo vendedor"),
		campo("Nombre", nombre),
		campos.nombre?.nodo,
		campo("Correo", email, "Con él inicia sesión."),
		campos.email?.nodo,
		campo("Celular", telefono, "Celular colombiano de 10 dígitos (300 123 4567) o con +57."),
		campos.telefono?.nodo,
		campo("Contraseña", password, "Al menos 8 caracteres. Entréguesela al vendedor."),
		campos.password?.nodo,
		crear,
		general.nodo,
		hecho,
	);
	form.addEventListener("submit", async (e) => {
		e.preventDefault();
		limpiar(general, ...Object.values(campos));
		hecho.textContent = "";
		crear.disabled = true;
		try {
			const v = await api<Vendedor>("/vendedores", {
				method: "POST",
				body: {
					nombre: nombre.value.trim(),
					email: email.value.trim(),
					telefono: telefono.value.trim(),
					password: password.value,
				},
			});
			form.reset();
			hecho.textContent = `Vendedor creado: ${v.nombre}. Inicia sesión con ${v.email} y la contraseña que usted le dio.`;
			alCrear(v);
		} catch (err) {
			// A taken email is a 409 without a field: it is the email's.
			mostrarError(err, {
				general,
				campos,
				lugar: (x) => (x.status === 409 ? campos.email : undefined),
			});
		} finally {
			crear.disabled = false;
		}
	});
	return form;
};

/**
 * `/operador/vendedores`: the operador's sellers. It creates them (name, email, phone, password),
 * lists them and deactivates one.
 */
export const vendedoresPagina = async (main: HTMLElement): Promise<void> => {
	const volver = () => void vendedoresPagina(main);
	if (!(await entrarComoOperador(main, "Vendedores", volver))) return;
	const lista = el("ul", { class: "tarjetas", "aria-labelledby": "sus-vendedores" });
	const vacia = el("p", {}, "Aún no tiene vendedores.");
	const poner = (v: Vendedor) => {
		const fila = filaVendedor(v, poner);
		const antes = lista.querySelector(`[data-vendedor="${v.id}"]`);
		if (antes) antes.replaceWith(fila);
		else lista.prepend(fila);
		vacia.hidden = true;
	};
	const { items } = await api<{ items: Vendedor[] }>("/vendedores?per_page=100");
	for (const v of [...items].reverse()) poner(v);
	vacia.hidden = items.length > 0;
	main.replaceChildren(
		el("h1", {}, "Vendedores"),
		menuOperador("/operador/vendedores", volver),
		formularioVendedor(poner),
		el(
			"section",
			{ "aria-labelledby": "sus-vendedores" },
			el("h2", { id: "sus-vendedores" }, "Sus vendedores"),
			vacia,
			lista,
		),
	);
};
