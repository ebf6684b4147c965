import "./styles.css";

/** Which page a path is; everything else gets the not-found page. Pages load on demand. */
const rutas: [RegExp, (m: RegExpMatchArray) => Promise<(main: HTMLElement) => Promise<void>>][] = [
	[/^\/$/, async () => (await import("./pages/inicio")).inicio],
];

const main = document.getElementById("contenido") as HTMLElement;
const path = location.pathname.replace(/\/+$/, "") || "/";
const ruta = rutas.find(([re]) => re.test(path));
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
