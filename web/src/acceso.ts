import { ApiError, api, cerrarSesion, el, formularioSesion, type Usuario, yo } from "./api";
import { enlacesDe } from "./cabecera";
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

/**
 * The bar under a page's title: who is signed in, and **Cerrar sesión**. The header links each
 * role's pages; `enlaces` are those it does not (staff selling in person), in their own nav.
 */
const barraSesion = (
	me: Usuario,
	volver: () => void,
	enlaces: { etiqueta: string; actual: string; lista: [string, string][] } | null = null,
) =>
	el(
		"div",
		{ class: "submenu" },
		enlaces?.lista.length
			? el(
					"nav",
					{ "aria-label": enlaces.etiqueta },
					...enlaces.lista.map(([href, texto]) =>
						el("a", { href, "aria-current": href === enlaces.actual ? "page" : undefined }, texto),
					),
				)
			: null,
		el("span", { class: "quien" }, `Sesión de ${me.nombre}`),
		botonSalir(volver),
	);

/**
 * A seller's pages. The header links them for a vendedor; staff who sell too (the header links
 * their own pages) get them here.
 */
export const menuVendedor = (me: Usuario, actual: string, volver: () => void) =>
	barraSesion(me, volver, {
		etiqueta: "Punto de venta",
		actual,
		lista: me.rol === "vendedor" ? [] : enlacesDe("vendedor"),
	});

/** The operador's pages: the header links them (its sellers, their boxes, the transfers). */
export const menuOperador = (me: Usuario, volver: () => void) => barraSesion(me, volver);

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
