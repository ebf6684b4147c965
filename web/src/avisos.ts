import { ApiError, el } from "./api";

/** Where one error shows: under its field (or part of a form), read out when it appears. */
export interface Aviso {
	nodo: HTMLElement;
	mostrar(texto: string): void;
}

let ids = 0;

/**
 * An error's place next to `control`, which it describes (`aria-describedby`) and marks invalid
 * while it says something.
 */
export const aviso = (control?: HTMLElement): Aviso => {
	const nodo = el("p", { class: "error", role: "alert", id: `aviso-${++ids}` });
	if (control)
		control.setAttribute(
			"aria-describedby",
			[control.getAttribute("aria-describedby"), nodo.id].filter(Boolean).join(" "),
		);
	return {
		nodo,
		mostrar: (texto) => {
			nodo.textContent = texto;
			if (!control) return;
			if (texto) control.setAttribute("aria-invalid", "true");
			else control.removeAttribute("aria-invalid");
		},
	};
};

/** What went wrong, as a sentence: the API's `detail`, or why there was no answer. */
export const textoDe = (err: unknown) => {
	const t = err instanceof Error ? err.message : String(err);
	return t.charAt(0).toUpperCase() + t.slice(1);
};

/**
 * An error shown where it belongs: each of the API's `errors[]` under the field its `path` names
 * (`campos`, by path or a prefix of it), and the `detail` at the place `lugar` picks for the
 * status, else at the form's own place (which only asks to look at the fields when they say it
 * all). Every place is emptied first.
 */
export const mostrarError = (
	err: unknown,
	o: {
		general: Aviso;
		campos?: Record<string, Aviso>;
		lugar?: (err: ApiError) => Aviso | undefined;
	},
) => {
	const campos = o.campos ?? {};
	limpiar(o.general, ...Object.values(campos));
	if (!(err instanceof ApiError)) return o.general.mostrar(textoDe(err));
	const porCampo = new Map<Aviso, string[]>();
	const sueltos: string[] = [];
	for (const e of err.errores) {
		const clave = Object.keys(campos)
			.filter((k) => e.path === k || e.path.startsWith(`${k}.`))
			.sort((a, b) => b.length - a.length)[0];
		const destino = clave ? campos[clave] : undefined;
		if (destino) porCampo.set(destino, [...(porCampo.get(destino) ?? []), e.message]);
		else sueltos.push(e.message);
	}
	for (const [destino, textos] of porCampo) destino.mostrar(textos.join(". "));
	const lugar = o.lugar?.(err);
	// The detail sums up what went wrong where the status points; elsewhere the fields say it.
	if (lugar) return lugar.mostrar([textoDe(err), ...sueltos].join(" "));
	if (porCampo.size && !sueltos.length) return o.general.mostrar("Revise los datos marcados.");
	o.general.mostrar([textoDe(err), ...sueltos].join(" "));
};

export const limpiar = (...avisos: Aviso[]) => {
	for (const a of avisos) a.mostrar("");
};
