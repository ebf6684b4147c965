import { ApiError, api, cerrarSesion, el, formularioSesion, type Usuario, yo } from "./api";
import type { Caja } from "./cuadre";

/** Whether this user sells in person: its open cash box answers (a jugador gets a 403). */
const cajaDeHoy = async (): Promise<Caja | null> => {
	try {
		return await api<Caja>("/cajas/actual");
	} catch (err) {
		if (err instanceof ApiError && err.status === 403) return null;
		throw err;
	}
};

/** Signs out and shows the page again, for the next person at a shared phone. */
const botonSalir = (volver: () => void) => {
	const b = el("button", { type: "button", class: "salir" }, "Cerrar sesión");
	b.addEventListener("click", () => {
		cerrarSesion();
		volver();
	});
	return b;
};

const menu = (etiqueta: string, enlaces: [string, string][], actual: string, volver: () => void) =>
	el(
		"nav",
		{ class: "submenu", "aria-label": etiqueta },
		...enlaces.map(([href, texto]) =>
			el("a", { href, "aria-current": href === actual ? "page" : undefined }, texto),
		),
		botonSalir(volver),
	);

/** The links between the seller's pages. */
export const menuVendedor = (actual: string, volver: () => void) =>
	menu(
		"Punto de venta",
		[
			["/vender", "Vender"],
			["/vender/caja", "Mi caja"],
		],
		actual,
		volver,
	);

/** The links between the operador's pages: its sellers, their boxes, the transfers to review. */
export const menuOperador = (actual: string, volver: () => void) =>
	menu(
		"Páginas del operador",
		[
			["/operador/vendedores", "Vendedores"],
			["/operador/cajas", "Cajas por confirmar"],
			["/operador/comprobantes", "Comprobantes"],
		],
		actual,
		volver,
	);

/**
 * A seller's page: signed in, and selling (its cash box answers), whatever users/me calls its
 * role. Otherwise the page says what to do, and this answers null.
 */
export const entrarComoVendedor = async (
	main: HTMLElement,
	titulo: string,
	volver: () => void,
): Promise<{ me: Usuario; caja: Caja } | null> => {
	const me = await yo();
	if (!me) {
		main.replaceChildren(
			el("h1", {}, titulo),
			formularioSesion(volver, "Inicie sesión para vender"),
		);
		return null;
	}
	const caja = await cajaDeHoy();
	if (caja) return { me, caja };
	main.replaceChildren(
		el("h1", {}, titulo),
		el(
			"p",
			{ role: "status" },
			`${me.nombre}: esta cuenta no vende en persona. Los vendedores los crea su operador.`,
		),
		botonSalir(volver),
	);
	return null;
};

/** An operador's (or an admin's) page; anyone else is told so, and this answers null. */
export const entrarComoOperador = async (
	main: HTMLElement,
	titulo: string,
	volver: () => void,
): Promise<Usuario | null> => {
	const me = await yo();
	if (!me) {
		main.replaceChildren(
			el("h1", {}, titulo),
			formularioSesion(volver, "Inicie sesión como operador"),
		);
		return null;
	}
	if (me.rol === "operador" || me.rol === "admin") return me;
	main.replaceChildren(
		el("h1", {}, titulo),
		el("p", { role: "status" }, `${me.nombre}: esta página es para operadores.`),
		botonSalir(volver),
	);
	return null;
};
