import "./styles.css";
import "./styles-tramites.css";
import "./styles-cuentas.css";
import { cabecera } from "./cabecera";

/** Which page a path is; everything else gets the not-found page. Pages load on demand. */
type Pagina = (main: HTMLElement) => Promise<void>;
const rutas: [RegExp, string, (m: RegExpMatchArray) => Promise<Pagina>][] = [
	[/^\/$/, "Rifas en venta", async () => (await import("./pages/inicio")).inicio],
	[
		/^\/rifas\/([0-9a-f-]{36})$/,
		"Rifa",
		async (m) => {
			const { rifa } = await import("./pages/rifa");
			return (main) => rifa(main, m[1] ?? "");
		},
	],
	[/^\/mis-boletas$/, "Mis boletas", async () => (await import("./pages/mis-boletas")).misBoletas],
	[
		/^\/verificar$/,
		"Verificar un recibo",
		async () => (await import("./pages/verificar")).verificarPagina,
	],
	[/^\/vender$/, "Vender", async () => (await import("./pages/vender")).venderPagina],
	[/^\/vender\/caja$/, "Mi caja", async () => (await import("./pages/mi-caja")).miCaja],
	[
		/^\/operador\/vendedores$/,
		"Vendedores",
		async () => (await import("./pages/vendedores")).vendedoresPagina,
	],
	[
		/^\/operador\/cajas$/,
		"Cajas de sus vendedores",
		async () => (await import("./pages/cajas-vendedores")).cajasVendedores,
	],
	[
		/^\/operador\/comprobantes$/,
		"Comprobantes por revisar",
		async () => (await import("./pages/comprobantes")).comprobantesPagina,
	],
	[/^\/reclamar$/, "Reclamar su cuenta", async () => (await import("./pages/reclamar")).reclamar],
];

const main = document.getElementById("contenido") as HTMLElement;
const path = location.pathname.replace(/\/+$/, "") || "/";
cabecera(path);
// The Worker answers 404 with the shell marked (a rifa that does not exist, an unknown path).
const ruta = main.hasAttribute("data-no-encontrada")
	? undefined
	: rutas.find(([re]) => re.test(path));
if (ruta) {
	const m = path.match(ruta[0]) as RegExpMatchArray;
	document.title = `${ruta[1]} — Rifa1122`;
	(await ruta[2](m))(main).catch((err: unknown) => {
		main.innerHTML = "";
		const p = document.createElement("p");
		p.setAttribute("role", "alert");
		p.textContent = `No se pudo cargar la página: ${err instanceof Error ? err.message : String(err)}`;
		main.append(p);
	});
} else {
	document.title = "Página no encontrada — Rifa1122";
	main.innerHTML = '<h1>Página no encontrada</h1><p><a href="/">Ver las rifas</a></p>';
}
