import { CAMBIO_DE_SESION, el, token, type Usuario, yo } from "./api";

/** The pages each role works in, after the links everyone has. */
const ENLACES_VENDEDOR: [string, string][] = [
	["/vender", "Vender"],
	["/vender/caja", "Mi caja"],
];
const ENLACES_OPERADOR: [string, string][] = [
	["/operador/vendedores", "Vendedores"],
	["/operador/cajas", "Cajas"],
	["/operador/comprobantes", "Comprobantes"],
];
export const enlacesDe = (rol: Usuario["rol"] | undefined): [string, string][] =>
	rol === "vendedor"
		? ENLACES_VENDEDOR
		: rol === "operador" || rol === "admin"
			? ENLACES_OPERADOR
			: [];

/**
 * The header's links: Rifas, Mis boletas and Verificar for everyone, then the pages of the role
 * of whoever is signed in on this tab (`/users/me` says it: a seller reads as `vendedor`), kept
 * up to date as the tab signs in and out. The link of the page shown carries `aria-current`.
 */
export const cabecera = (path: string) => {
	const nav = document.querySelector<HTMLElement>('header nav[aria-label="Principal"]');
	if (!nav) return;
	const marcar = () => {
		for (const a of nav.querySelectorAll("a")) {
			if (a.getAttribute("href") === path) a.setAttribute("aria-current", "page");
			else a.removeAttribute("aria-current");
		}
	};
	let turno = 0;
	const pintar = async () => {
		const este = ++turno;
		const me = token() ? await yo() : null;
		if (este !== turno) return;
		for (const viejo of nav.querySelectorAll("[data-rol]")) viejo.remove();
		for (const [href, texto] of enlacesDe(me?.rol))
			nav.append(el("a", { href, "data-rol": me?.rol }, texto));
		marcar();
	};
	marcar();
	window.addEventListener(CAMBIO_DE_SESION, () => void pintar());
	void pintar();
};
