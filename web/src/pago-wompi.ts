import type { MetodoWompi } from "../../src/payments/wompi/metodos";
import { api, el } from "./api";
import { type Campo, campo, DatoInvalido, DOCUMENTOS } from "./campos";

export { DatoInvalido };

/** What `GET /pagos` says of Wompi: its public key, where cards are tokenized, the terms' links. */
export interface ConfigWompi {
	public_key: string;
	api_url: string;
	metodos: MetodoWompi[];
	terminos_url: string | null;
	datos_personales_url: string | null;
	horas_efectivo: number;
}

/** What the buyer needs to finish paying: the bank's page, or what to pay at a corresponsal. */
export interface DetallePago {
	metodo?: MetodoWompi;
	redirect_url?: string;
	efectivo?: { convenio: string; referencia_pago: string };
}

export const NOMBRES: Record<MetodoWompi, string> = {
	NEQUI: "Nequi",
	PSE: "PSE (débito desde su banco)",
	BANCOLOMBIA_TRANSFER: "Botón Bancolombia (transferencia)",
	DAVIPLATA: "Daviplata",
	CARD: "Tarjeta de crédito o débito",
	BANCOLOMBIA_COLLECT: "Efectivo en un corresponsal Bancolombia",
};

const select = (name: string, opciones: [string, string][]) =>
	el(
		"select",
		{ name, required: true },
		...opciones.map(([v, t]) => el("option", { value: v }, t)),
	);
const celular = () =>
	el("input", { type: "tel", name: "celular", inputmode: "numeric", autocomplete: "tel-national" });
const documentos = () => select("tipo_documento", Object.entries(DOCUMENTOS));
const documento = () =>
	el("input", { name: "documento", inputmode: "text", autocomplete: "off", maxlength: "20" });
const sinSeparadores = (v: string) => v.replace(/[\s.-]/g, "");
/** 10 digits starting with 3, whatever spaces or +57 the buyer typed. */
const nacional = (v: string) => sinSeparadores(v).replace(/^\+?57(?=3\d{9}$)/, "");

/**
 * The fields each Wompi method asks for, and one required checkbox accepting Wompi's terms and
 * personal-data authorization. Card details are tokenized by Wompi from the browser: only the
 * token reaches this API. `efectivo` says what paying at a corresponsal holds (a purchase's
 * numbers by default).
 */
export const camposWompi = (w: ConfigWompi, o: { efectivo?: string } = {}) => {
	const telNequi = celular();
	const banco = el(
		"select",
		{ name: "banco", required: true },
		el("option", { value: "" }, "Cargando bancos…"),
	);
	const persona = select("tipo_persona", [
		["natural", "Persona natural"],
		["juridica", "Persona jurídica (empresa)"],
	]);
	const docPse = documentos();
	const numPse = documento();
	const telPse = celular();
	const docDavi = documentos();
	const numDavi = documento();
	const tarjeta = el("input", {
		name: "numero_tarjeta",
		inputmode: "numeric",
		autocomplete: "cc-number",
		maxlength: "23",
	});
	const mes = el("input", {
		name: "mes",
		inputmode: "numeric",
		autocomplete: "cc-exp-month",
		placeholder: "MM",
		maxlength: "2",
	});
	const anio = el("input", {
		name: "anio",
		inputmode: "numeric",
		autocomplete: "cc-exp-year",
		placeholder: "AA",
		maxlength: "4",
	});
	const cvc = el("input", {
		name: "cvc",
		inputmode: "numeric",
		autocomplete: "cc-csc",
		maxlength: "4",
	});
	const titular = el("input", { name: "titular", autocomplete: "cc-name" });
	const cuotas = select(
		"cuotas",
		Array.from({ length: 36 }, (_, i) => [String(i + 1), i ? `${i + 1} cuotas` : "1 cuota"]),
	);

	const enlace = (url: string | null, texto: string) =>
		url ? el("a", { href: url, target: "_blank", rel: "noopener" }, texto) : texto;
	const acepta = el("input", { type: "checkbox", name: "acepta_terminos", required: true });
	const secciones: Record<MetodoWompi, HTMLElement> = {
		NEQUI: el(
			"div",
			{},
			campo("Celular Nequi", telNequi, "10 dígitos; el pago llega a su app Nequi."),
		),
		PSE: el(
			"div",
			{},
			campo("Banco", banco),
			campo("Tipo de persona", persona),
			campo("Tipo de documento", docPse),
			campo("Número de documento", numPse),
			campo("Celular", telPse, "PSE lo pide para el pago."),
		),
		BANCOLOMBIA_TRANSFER: el(
			"p",
			{},
			"Lo llevamos a Bancolombia para aprobar la transferencia desde su cuenta.",
		),
		DAVIPLATA: el(
			"div",
			{},
			campo("Tipo de documento", docDavi),
			campo("Número de documento", numDavi),
			el("p", {}, "Lo llevamos a Daviplata para confirmar el pago con un código."),
		),
		CARD: el(
			"div",
			{},
			campo("Número de la tarjeta", tarjeta),
			campo("Mes de vencimiento", mes),
			campo("Año de vencimiento", anio),
			campo("Código de seguridad (CVC)", cvc, "3 o 4 dígitos al respaldo de la tarjeta."),
			campo("Nombre en la tarjeta", titular),
			campo("Cuotas", cuotas),
			el("p", {}, "Wompi recibe los datos de su tarjeta; Rifa1122 nunca los ve."),
		),
		BANCOLOMBIA_COLLECT: el(
			"p",
			{},
			o.efectivo ??
				`Le damos un convenio y una referencia para pagar en efectivo en un corresponsal Bancolombia en las próximas ${w.horas_efectivo} horas; sus números quedan reservados hasta entonces.`,
		),
	};
	const nodo = el(
		"div",
		{ class: "wompi" },
		...Object.values(secciones),
		el(
			"label",
			{ class: "acepta" },
			acepta,
			el(
				"span",
				{},
				"Acepto los ",
				enlace(w.terminos_url, "términos y condiciones de Wompi"),
				" y autorizo el ",
				enlace(w.datos_personales_url, "tratamiento de mis datos personales"),
				".",
			),
		),
		el("p", { class: "pie" }, "Pago procesado por Wompi (Bancolombia)."),
	);

	let bancos: "sin" | "cargando" | "listos" = "sin";
	const cargarBancos = () => {
		if (bancos !== "sin") return;
		bancos = "cargando";
		api<{ bancos: { codigo: string; nombre: string }[] }>("/pagos/wompi/bancos")
			.then((r) => {
				bancos = "listos";
				banco.replaceChildren(
					el("option", { value: "" }, "Elija su banco"),
					...r.bancos.map((b) => el("option", { value: b.codigo }, b.nombre)),
				);
			})
			.catch(() => {
				bancos = "sin";
				banco.replaceChildren(
					el("option", { value: "" }, "No se pudo cargar la lista de bancos; elija PSE de nuevo"),
				);
			});
	};

	/** Fails on the first field to fix, focused, with a message saying which and why. */
	const exigir = (c: Campo, ok: boolean, mensaje: string) => {
		if (ok) return;
		c.focus();
		const nombre = c.type === "checkbox" ? null : c.labels?.[0]?.textContent;
		throw new DatoInvalido(nombre ? `${nombre}: ${mensaje}` : mensaje);
	};
	const ACEPTAR =
		"Para pagar con Wompi, acepte sus términos y autorice el tratamiento de sus datos personales.";
	const tipoDocumento = (s: HTMLSelectElement) => s.value as keyof typeof DOCUMENTOS;

	const tokenizar = async (): Promise<string> => {
		const numero = sinSeparadores(tarjeta.value);
		exigir(tarjeta, /^\d{13,19}$/.test(numero), "escriba los 13 a 19 dígitos de la tarjeta.");
		const m = mes.value.trim().padStart(2, "0");
		exigir(mes, /^(0[1-9]|1[0-2])$/.test(m), "un mes de 01 a 12.");
		const a = anio.value.trim().slice(-2);
		exigir(anio, /^\d{2}$/.test(a), "los dos últimos dígitos del año.");
		exigir(cvc, /^\d{3,4}$/.test(cvc.value.trim()), "3 o 4 dígitos al respaldo de la tarjeta.");
		exigir(titular, titular.value.trim().length >= 5, "el nombre como aparece en la tarjeta.");
		const res = await fetch(`${w.api_url}/tokens/cards`, {
			method: "POST",
			headers: { Authorization: `Bearer ${w.public_key}`, "Content-Type": "application/json" },
			body: JSON.stringify({
				number: numero,
				cvc: cvc.value.trim(),
				exp_month: m,
				exp_year: a,
				card_holder: titular.value.trim(),
			}),
		}).catch(() => {
			throw new Error("No se pudo contactar a Wompi para verificar la tarjeta; intente de nuevo.");
		});
		const json = (await res.json().catch(() => null)) as {
			data?: { id?: string };
			error?: { messages?: Record<string, string[]> };
		} | null;
		if (!res.ok || !json?.data?.id) {
			const mensajes = Object.values(json?.error?.messages ?? {}).flat();
			throw new DatoInvalido(
				`Wompi no aceptó los datos de la tarjeta${mensajes.length ? `: ${mensajes.join("; ")}` : ""}.`,
			);
		}
		// The card's details stay on the page no longer than needed.
		tarjeta.value = "";
		cvc.value = "";
		return json.data.id;
	};

	return {
		nodo,
		/** Shows the fields of one method (null: none, the buyer pays otherwise). */
		mostrar: (metodo: MetodoWompi | null) => {
			nodo.hidden = metodo === null;
			for (const [m, s] of Object.entries(secciones)) s.hidden = m !== metodo;
			if (metodo === "PSE") cargarBancos();
		},
		/** Fills empty phone fields with the account's phone. */
		prellenar: (telefono: string | null | undefined) => {
			for (const t of [telNequi, telPse]) if (!t.value && telefono) t.value = nacional(telefono);
		},
		/** The `wompi` object of the purchase, checked; a card is tokenized here. */
		datos: async (metodo: MetodoWompi): Promise<Record<string, unknown>> => {
			const base = { metodo, acepta_terminos: true };
			const tel = (t: HTMLInputElement) => {
				exigir(
					t,
					/^3\d{9}$/.test(nacional(t.value)),
					"un celular colombiano de 10 dígitos (3XX…).",
				);
				return nacional(t.value);
			};
			const doc = (t: HTMLInputElement) => {
				exigir(
					t,
					/^[0-9A-Za-z]{3,20}$/.test(sinSeparadores(t.value)),
					"de 3 a 20 letras o dígitos.",
				);
				return sinSeparadores(t.value);
			};
			let datos: Record<string, unknown>;
			switch (metodo) {
				case "NEQUI":
					datos = { ...base, telefono: tel(telNequi) };
					break;
				case "PSE":
					exigir(banco, banco.value !== "", "elija su banco.");
					datos = {
						...base,
						banco: banco.value,
						tipo_persona: persona.value,
						tipo_documento: tipoDocumento(docPse),
						documento: doc(numPse),
						telefono: tel(telPse),
					};
					break;
				case "DAVIPLATA":
					datos = { ...base, tipo_documento: tipoDocumento(docDavi), documento: doc(numDavi) };
					break;
				case "CARD":
					exigir(acepta, acepta.checked, ACEPTAR);
					datos = { ...base, token: await tokenizar(), cuotas: Number(cuotas.value) };
					break;
				default:
					datos = base;
			}
			exigir(acepta, acepta.checked, ACEPTAR);
			return datos;
		},
	};
};
