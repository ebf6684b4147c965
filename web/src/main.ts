import "./styles.css";

/** Which page a path is; everything else gets the not-found page. Pages load on demand. */
type Pagina = (main: HTMLElement) => Promise<void>;
const rutas: [RegExp, (m: RegExpMatchArray) => Promise<Pagina>][] = [
	[/^\/$/, async () => (await import("./pages/inicio")).inicio],
	[
		/^\/rifas\/([0-9a-f-]{36})$/,
		async (m) => {
			const { rifa } = await import("./pages/rifa");
			return (main) => rifa(main, m[1] ?? "");
		},
	],
	[/^\/mis-boletas$/, async () => (await import("./pages/mis-boletas")).misBoletas],
	[/^\/verificar$/, async () => (await import("./pages/verificar")).verificarPagina],
];

const main = document.getElementById("contenido") as HTMLElement;
const path = location.pathname.replace(/\/+$/, "") || "/";
// The Worker answers 404 with the shell marked (a rifa that does not exist, an unknown path).
const ruta = main.hasAttribute("data-no-encontrada")
	? undefined
	: rutas.find(([re]) => re.test(path));
if (ruta) {
	const m = path.match(ruta[0]) as RegExpMatchArray;
	(await ruta[1](m))(main).catch((err: unknown) => {
		main.innerHTML = "";
		const p = document.createElement("p");
		p.setAttribute("role", "alert");
		p.textContent = `No se pudo cargar la página: ${err instanceof Error ? err.message : String(err)}`;
		main.append(p);
	});
} else {
	main.innerHTML = '<h1>Página no encontrada</h1><p><a href="/">Ver las rifas</a></p>';
}
