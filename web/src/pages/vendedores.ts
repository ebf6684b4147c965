import { entrarComoOperador, menuOperador } from "../acceso";
import { api, el, type Usuario } from "../api";
import { type Aviso, aviso, limpiar, mostrarError, textoDe } from "../avisos";
import { campo } from "../campos";

export interface Vendedor {
	id: string;
	nombre: string;
	email: string;
	telefono: string | null;
	operador_id: string;
	is_active: boolean;
}

/** An operador an admin may create sellers for (or set the transfer account of). */
export interface Operador {
	id: string;
	nombre: string;
	email: string;
}

/** How many pages of 100 users an admin's page reads looking for the operadores. */
const PAGINAS_DE_USUARIOS = 10;

/**
 * The active operadores, from the admin's list of users (`GET /users`), which has no filter by
 * role: its first pages are read, and `completos` says whether they were all the users.
 */
export const leerOperadores = async (): Promise<{ operadores: Operador[]; completos: boolean }> => {
	const pagina = (n: number) =>
		api<{ items: (Usuario & { email: string; is_active: boolean })[]; total: number }>(
			`/users?per_page=100&page=${n}`,
		);
	const primera = await pagina(1);
	const paginas = Math.min(Math.ceil(primera.total / 100), PAGINAS_DE_USUARIOS);
	const resto = await Promise.all(
		Array.from({ length: Math.max(paginas - 1, 0) }, (_, i) => pagina(i + 2)),
	);
	const operadores = new Map<string, Operador>();
	for (const u of [primera, ...resto].flatMap((p) => p.items))
		if (u.rol === "operador" && u.is_active)
			operadores.set(u.id, { id: u.id, nombre: u.nombre, email: u.email });
	return {
		operadores: [...operadores.values()].sort((a, b) => a.nombre.localeCompare(b.nombre, "es")),
		completos: primera.total <= paginas * 100,
	};
};

/**
 * An admin's choice of the operador a new seller sells for: the active operadores found, and,
 * where there were too many users to read them all, a search by name or email for the others.
 */
const eleccionOperador = (o: { operadores: Operador[]; completos: boolean }) => {
	const opcion = (x: Operador) => el("option", { value: x.id }, `${x.nombre} (${x.email})`);
	const select = el(
		"select",
		{ name: "operador_id", "aria-required": "true" },
		el("option", { value: "" }, o.operadores.length ? "Elija el operador" : "No hay operadores"),
		...o.operadores.map(opcion),
	);
	const nombres = new Map(o.operadores.map((x) => [x.id, x.nombre]));
	const avisoSelect = aviso(select);
	const nodos: (HTMLElement | null)[] = [
		campo("Operador", select, "El vendedor vende solo en las rifas de este operador."),
		avisoSelect.nodo,
	];
	if (!o.completos) {
		const buscar = el("input", { name: "buscar-operador", type: "search", autocomplete: "off" });
		const boton = el("button", { type: "button" }, "Buscar operador");
		const encontrados = el("p", { role: "status" });
		const hacer = async () => {
			const q = buscar.value.trim();
			if (!q) return buscar.focus();
			boton.disabled = true;
			try {
				const r = await api<{ items: (Usuario & { email: string; is_active: boolean })[] }>(
					`/users?per_page=100&q=${encodeURIComponent(q)}`,
				);
				const nuevos = r.items.filter((u) => u.rol === "operador" && u.is_active);
				for (const u of nuevos) {
					if (nombres.has(u.id)) continue;
					nombres.set(u.id, u.nombre);
					select.append(opcion({ id: u.id, nombre: u.nombre, email: u.email }));
				}
				if (nuevos[0]) select.value = nuevos[0].id;
				encontrados.textContent = nuevos.length
					? `${nuevos.length === 1 ? "Un operador encontrado" : `${nuevos.length} operadores encontrados`}: elegido ${nuevos[0]?.nombre}.`
					: `Ningún operador activo con «${q}».`;
			} catch (err) {
				encontrados.textContent = `No se pudo buscar: ${textoDe(err)}`;
			} finally {
				boton.disabled = false;
			}
		};
		boton.addEventListener("click", () => void hacer());
		buscar.addEventListener("keydown", (e) => {
			if (e.key !== "Enter") return;
			e.preventDefault();
			void hacer();
		});
		nodos.push(
			campo(
				"Buscar otro operador",
				buscar,
				"Hay muchos usuarios: si su operador no está en la lista, búsquelo por nombre o correo.",
			),
			boton,
			encontrados,
		);
	}
	return { select, aviso: avisoSelect, nodos, nombre: (id: string) => nombres.get(id) };
};

/** One seller with its state, and a deactivation asked once more before it is done. */
const filaVendedor = (
	v: Vendedor,
	alCambiar: (v: Vendedor) => void,
	operador?: (id: string) => string | undefined,
) => {
	const error = aviso();
	const acciones = el("p", { class: "botones" });
	const fila = el(
		"li",
		{ class: "tarjeta", "data-vendedor": v.id, "data-activo": String(v.is_active) },
		el("h3", {}, v.nombre),
		el("p", {}, v.email, v.telefono ? ` · ${v.telefono}` : ""),
		operador
			? el(
					"p",
					{ "data-operador": v.operador_id },
					`Vende para ${operador(v.operador_id) ?? "otro operador"}.`,
				)
			: null,
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

/**
 * The new seller's data; each of the API's refusals shows under its field. An admin also chooses
 * the operador it sells for (`eleccion`); an operador's sellers are its own.
 */
const formularioVendedor = (
	alCrear: (v: Vendedor) => void,
	eleccion: ReturnType<typeof eleccionOperador> | null,
) => {
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
		...(eleccion ? { operador_id: eleccion.aviso } : {}),
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
		...(eleccion?.nodos ?? []),
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
		if (eleccion && !eleccion.select.value) {
			eleccion.aviso.mostrar("Elija el operador para el que vende.");
			eleccion.select.focus();
			return;
		}
		crear.disabled = true;
		try {
			const v = await api<Vendedor>("/vendedores", {
				method: "POST",
				body: {
					nombre: nombre.value.trim(),
					email: email.value.trim(),
					telefono: telefono.value.trim(),
					password: password.value,
					...(eleccion ? { operador_id: eleccion.select.value } : {}),
				},
			});
			form.reset();
			const de = eleccion ? `, de ${eleccion.nombre(v.operador_id) ?? "su operador"}` : "";
			hecho.textContent = `Vendedor creado: ${v.nombre}${de}. Inicia sesión con ${v.email} y la contraseña que usted le dio.`;
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
 * `/operador/vendedores`: the operador's sellers. It creates them (name, email, phone, password;
 * an admin also chooses the operador), lists them and deactivates one.
 */
export const vendedoresPagina = async (main: HTMLElement): Promise<void> => {
	const volver = () => void vendedoresPagina(main);
	const me = await entrarComoOperador(main, "Vendedores", volver);
	if (!me) return;
	const eleccion = me.rol === "admin" ? eleccionOperador(await leerOperadores()) : null;
	const lista = el("ul", { class: "tarjetas", "aria-labelledby": "sus-vendedores" });
	const vacia = el("p", {}, "Aún no tiene vendedores.");
	const poner = (v: Vendedor) => {
		const fila = filaVendedor(v, poner, eleccion?.nombre);
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
		menuOperador(me, volver),
		formularioVendedor(poner, eleccion),
		el(
			"section",
			{ "aria-labelledby": "sus-vendedores" },
			el("h2", { id: "sus-vendedores" }, "Sus vendedores"),
			vacia,
			lista,
		),
	);
};
