import type { TIPOS_DOCUMENTO } from "../../src/payments/wompi/metodos";
import { el } from "./api";

/** The identity documents Colombian payment forms ask for, as their holders know them. */
export const DOCUMENTOS: Record<(typeof TIPOS_DOCUMENTO)[number], string> = {
	CC: "Cédula de ciudadanía",
	CE: "Cédula de extranjería",
	NIT: "NIT",
	PP: "Pasaporte",
	TI: "Tarjeta de identidad",
	DNI: "Documento nacional de identidad (DNI)",
	RG: "Registro general (RG)",
	OTHER: "Otro",
};

/** A field the user must fix: its message says which and why. */
export class DatoInvalido extends Error {}

export type Campo = HTMLInputElement | HTMLSelectElement;

let ids = 0;
/**
 * A labelled field with its help text; the label is not around the control, so a select's value
 * is not in its name.
 */
export const campo = (texto: string, control: Campo, ayuda?: string) => {
	control.id = `campo-${++ids}`;
	const nota = ayuda ? el("small", { id: `${control.id}-ayuda` }, ayuda) : null;
	if (nota)
		control.setAttribute(
			"aria-describedby",
			[nota.id, control.getAttribute("aria-describedby")].filter(Boolean).join(" "),
		);
	return el("div", { class: "campo" }, el("label", { for: control.id }, texto), control, nota);
};
