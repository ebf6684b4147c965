import type { TIPOS_CUENTA_BANCO, TIPOS_DOCUMENTO_COBRO } from "../../src/db/schema/cuentas-cobro";
import { el } from "./api";
import { type Campo, campo, DatoInvalido, DOCUMENTOS } from "./campos";

export { DatoInvalido };

type TipoCuenta = (typeof TIPOS_CUENTA_BANCO)[number];
type TipoDocumento = (typeof TIPOS_DOCUMENTO_COBRO)[number];

/** A bank a prize can be paid to (`GET /pagos/bancos-premios`). */
export interface BancoPremios {
	id: string;
	nombre: string;
	deposito_electronico: boolean;
}

/** The body of `PUT /users/{id}/cuenta-cobro`. */
export type DestinoNuevo =
	| { tipo: "breb"; llave: string }
	| {
			tipo: "banco";
			banco_id: string;
			tipo_cuenta: TipoCuenta;
			numero: string;
			tipo_documento: TipoDocumento;
			documento: string;
			titular: string;
	  };

export const TIPOS_CUENTA: Record<TipoCuenta, string> = {
	AHORROS: "de ahorros",
	CORRIENTE: "corriente",
	DEPOSITO_ELECTRONICO: "de depósito electrónico",
};

/** Wompi pays to holders of these documents only. */
const DOCUMENTOS_COBRO = (
	["CC", "CE", "NIT", "PP", "TI", "DNI"] as const satisfies readonly TipoDocumento[]
).map((k): [string, string] => [k, DOCUMENTOS[k]]);

const opciones = (pares: [string, string][]) =>
	pares.map(([v, t]) => el("option", { value: v }, t));
const sinSeparadores = (v: string) => v.replace(/[\s.-]/g, "");

/** A key as Wompi resolves it: no spaces; a phone or cédula without dots, dashes or +57. */
const llaveLimpia = (v: string) => {
	const llave = v.replace(/\s+/g, "");
	if (!/^\+?[\d.-]+$/.test(llave)) return llave;
	return sinSeparadores(llave).replace(/^\+?57(?=3\d{9}$)/, "");
};

/**
 * The choice of a Bre-B key or a bank account, with the fields of each. `bancos` is null when the
 * list of banks did not load: then only a key can be registered.
 */
export const formularioDestino = (bancos: BancoPremios[] | null) => {
	const llave = el("input", {
		name: "llave",
		autocomplete: "off",
		autocapitalize: "none",
		spellcheck: "false",
		maxlength: "100",
	});
	const banco = el(
		"select",
		{ name: "banco_id" },
		...opciones([
			["", "Elija su banco"],
			...(bancos ?? []).map((b): [string, string] => [b.id, b.nombre]),
		]),
	);
	const tipoCuenta = el("select", { name: "tipo_cuenta" });
	const numero = el("input", {
		name: "numero",
		inputmode: "numeric",
		autocomplete: "off",
		maxlength: "30",
	});
	const tipoDocumento = el("select", { name: "tipo_documento" }, ...opciones(DOCUMENTOS_COBRO));
	const documento = el("input", { name: "documento", autocomplete: "off", maxlength: "25" });
	const titular = el("input", { name: "titular", autocomplete: "name", maxlength: "100" });

	// A bank of electronic deposits (Nequi, Daviplata…) holds no savings or checking accounts.
	const tiposDe = () => {
		const b = bancos?.find((x) => x.id === banco.value);
		const tipos: TipoCuenta[] = b?.deposito_electronico
			? ["DEPOSITO_ELECTRONICO"]
			: ["AHORROS", "CORRIENTE"];
		tipoCuenta.replaceChildren(...opciones(tipos.map((t) => [t, `Cuenta ${TIPOS_CUENTA[t]}`])));
	};
	tiposDe();
	banco.addEventListener("change", tiposDe);

	const grupos = {
		breb: el(
			"div",
			{ class: "grupo" },
			campo(
				"Su llave Bre-B",
				llave,
				"Su cédula, celular, correo o alias (por ejemplo @maria123), tal como la registró en su banco.",
			),
		),
		banco: el(
			"div",
			{ class: "grupo", hidden: true },
			campo("Banco", banco),
			campo("Tipo de cuenta", tipoCuenta),
			campo("Número de cuenta", numero),
			campo("Nombre del titular", titular, "Como aparece en el banco. La cuenta debe ser suya."),
			campo("Tipo de documento del titular", tipoDocumento),
			campo("Número de documento", documento),
		),
	};
	const radio = (valor: keyof typeof grupos, texto: string, disabled = false) =>
		el(
			"label",
			{},
			el("input", {
				type: "radio",
				name: "tipo",
				value: valor,
				checked: valor === "breb",
				disabled,
			}),
			` ${texto}`,
		);
	const selector = el(
		"fieldset",
		{ class: "metodo" },
		el("legend", {}, "¿Dónde quiere recibirlos?"),
		radio("breb", "Llave Bre-B"),
		radio("banco", "Cuenta bancaria", bancos === null),
		bancos === null
			? el("small", {}, "La lista de bancos no respondió; por ahora registre una llave Bre-B.")
			: null,
	);
	const elegido = () =>
		selector.querySelector<HTMLInputElement>("input:checked")?.value === "banco" ? "banco" : "breb";
	selector.addEventListener("change", () => {
		grupos.breb.hidden = elegido() !== "breb";
		grupos.banco.hidden = elegido() !== "banco";
	});

	/** Fails on the first field to fix, focused, with a message saying which and why. */
	const exigir = (c: Campo, ok: boolean, mensaje: string) => {
		if (ok) return;
		c.focus();
		throw new DatoInvalido(`${c.labels?.[0]?.textContent ?? ""}: ${mensaje}`);
	};

	return {
		campos: [selector, grupos.breb, grupos.banco],
		/** Focuses the first thing to choose. */
		enfocar: () => selector.querySelector<HTMLInputElement>("input:checked")?.focus(),
		/** The destination typed, checked as the API checks it. */
		datos: (): DestinoNuevo => {
			if (elegido() === "breb") {
				const v = llaveLimpia(llave.value);
				exigir(llave, v !== "", "escriba su llave.");
				return { tipo: "breb", llave: v };
			}
			exigir(banco, banco.value !== "", "elija su banco.");
			const n = sinSeparadores(numero.value);
			exigir(numero, /^\d{6,20}$/.test(n), "de 6 a 20 dígitos.");
			const t = titular.value.trim().replace(/\s+/g, " ");
			exigir(titular, t.length >= 3, "el nombre completo del titular.");
			const d = sinSeparadores(documento.value);
			exigir(documento, /^[A-Za-z0-9]{3,20}$/.test(d), "de 3 a 20 letras o dígitos.");
			return {
				tipo: "banco",
				banco_id: banco.value,
				tipo_cuenta: tipoCuenta.value as TipoCuenta,
				numero: n,
				tipo_documento: tipoDocumento.value as TipoDocumento,
				documento: d,
				titular: t,
			};
		},
	};
};
