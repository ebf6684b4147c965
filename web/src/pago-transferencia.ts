import { api, el, fechaLarga, formatCop, numeroDe } from "./api";
import { type Aviso, aviso, limpiar, mostrarError } from "./avisos";
import { conRecibos, titular, vistaBoletas } from "./boletas";
import { campo } from "./campos";
import { centavosDe } from "./cuadre";
import { type CuentaTransferencia, datosCuenta } from "./cuenta-transferencia";
import { type EstadoCompra, porQueTermino } from "./pago-wompi-seguimiento";

/** The API's cap on a proof's file (COMPROBANTE_MAX_BYTES). */
const MAX_BYTES = 5 * 1024 * 1024;
const TIPOS = "image/jpeg,image/png,image/webp,application/pdf";
/** How long after the hold's end the page still waits for the review before giving up. */
const GRACIA_MS = 3 * 60_000;

interface Comprobante {
	id: string;
	estado: "pendiente" | "aprobado" | "rechazado";
	motivo: string | null;
	monto_coincide: boolean;
	expires_at?: string;
}
type Transaccion = EstadoCompra & { amount: number; tickets: { id: string; numero: number }[] };

/** The proof this tab sent for a purchase, so a reload shows it in review instead of asking again. */
const clave = (transaccionId: string) => `rifa1122.comprobante.${transaccionId}`;
const subido = (transaccionId: string): { id: string } | null => {
	try {
		return JSON.parse(sessionStorage.getItem(clave(transaccionId)) ?? "null");
	} catch {
		return null;
	}
};

/** The form for the proof: the screenshot or PDF, the bank's reference, the amount and the bank. */
const formularioComprobante = (
	ruta: string,
	monto: number,
	alSubir: (c: Comprobante) => void,
): HTMLFormElement => {
	const archivo = el("input", { type: "file", name: "archivo", accept: TIPOS });
	const referencia = el("input", { name: "referencia", autocomplete: "off", maxlength: "64" });
	const valor = el("input", {
		name: "monto",
		inputmode: "decimal",
		autocomplete: "off",
		value: formatCop(monto),
	});
	const banco = el("input", { name: "banco", autocomplete: "off", maxlength: "60" });
	for (const c of [archivo, referencia, valor, banco]) c.setAttribute("aria-required", "true");
	const enviar = el("button", { type: "submit", class: "comprar" }, "Enviar comprobante");
	const avisos: Record<"archivo" | "referencia" | "monto" | "banco" | "general", Aviso> = {
		archivo: aviso(archivo),
		referencia: aviso(referencia),
		monto: aviso(valor),
		banco: aviso(banco),
		general: aviso(enviar),
	};
	const form = el(
		"form",
		{ class: "comprobante formulario", "aria-label": "Subir el comprobante", novalidate: true },
		el("h3", {}, "Suba el comprobante"),
		campo("Captura o PDF del comprobante", archivo, "JPEG, PNG, WebP o PDF, hasta 5 MB."),
		avisos.archivo.nodo,
		campo(
			"Referencia de la transferencia",
			referencia,
			"El número de aprobación o referencia que muestra Nequi o su banco.",
		),
		avisos.referencia.nodo,
		campo("Valor transferido (pesos)", valor),
		avisos.monto.nodo,
		campo("Banco o billetera de origen", banco, "Por ejemplo Nequi, Bancolombia, Daviplata."),
		avisos.banco.nodo,
		enviar,
		avisos.general.nodo,
	);
	let ocupado = false;
	form.addEventListener("submit", async (e) => {
		e.preventDefault();
		if (ocupado) return;
		limpiar(...Object.values(avisos));
		const file = archivo.files?.[0];
		const centavos = centavosDe(valor.value);
		const faltan: [HTMLElement, Aviso, string][] = [];
		if (!file) faltan.push([archivo, avisos.archivo, "Adjunte la captura o el PDF."]);
		else if (file.size > MAX_BYTES)
			faltan.push([archivo, avisos.archivo, "El archivo supera 5 MB: adjunte uno más liviano."]);
		if (referencia.value.trim().length < 4)
			faltan.push([
				referencia,
				avisos.referencia,
				"Escriba la referencia (al menos 4 caracteres).",
			]);
		if (!centavos)
			faltan.push([valor, avisos.monto, "Escriba el valor transferido, por ejemplo 10.000."]);
		if (banco.value.trim().length < 2)
			faltan.push([banco, avisos.banco, "Escriba el banco o la billetera."]);
		for (const [, a, texto] of faltan) a.mostrar(texto);
		if (faltan.length || !file || !centavos) return faltan[0]?.[0].focus();
		const datos = new FormData();
		datos.append("archivo", file);
		datos.append("referencia", referencia.value.trim());
		datos.append("monto", String(centavos));
		datos.append("banco", banco.value.trim());
		ocupado = true;
		enviar.disabled = true;
		try {
			alSubir(await api<Comprobante>(ruta, { method: "POST", form: datos }));
		} catch (err) {
			mostrarError(err, {
				general: avisos.general,
				campos: {
					archivo: avisos.archivo,
					referencia: avisos.referencia,
					monto: avisos.monto,
					banco: avisos.banco,
				},
			});
		} finally {
			ocupado = false;
			enviar.disabled = false;
		}
	});
	return form;
};

const enRevision = (hasta: number, coincide: boolean) =>
	el(
		"p",
		{ role: "status", "data-comprobante": "pendiente" },
		`Comprobante en revisión. Sus números quedan reservados hasta el ${fechaLarga(new Date(hasta).toISOString())} (hora de Colombia), mientras el operador confirma la transferencia en su cuenta.${coincide ? "" : " El valor que escribió no es el de la compra: el operador lo revisará."} Esta página se actualiza sola.`,
	);

/**
 * A purchase paid by transfer: the numbers are held while the buyer transfers the exact amount
 * and uploads the proof; the proof extends the hold while the rifa's operador checks the bank.
 * Followed until the rifa sells the numbers (approved) or frees them (rejected, or the hold
 * ended), and woken whenever `despertar` fires. `recordar` keeps the hold's end in the tab's
 * record of the purchase (null once it is over). `cuenta` is where to transfer: the rifa's
 * operador's account, shown in the step.
 */
export const porTransferencia =
	(
		resultado: HTMLElement,
		o: {
			rifaId: string;
			total: number;
			marcar: (numeros: number[], valor: number) => void;
		},
		despertar: EventTarget,
		cuenta: CuentaTransferencia | null,
	) =>
	async (
		transaccionId: string,
		recordar: (hold: { hasta: number } | null) => void,
	): Promise<void> =>
		seguir(resultado, { ...o, despertar, transaccionId, recordar, cuenta });

const seguir = async (
	resultado: HTMLElement,
	o: {
		rifaId: string;
		total: number;
		transaccionId: string;
		marcar: (numeros: number[], valor: number) => void;
		despertar: EventTarget;
		recordar: (hold: { hasta: number } | null) => void;
		cuenta: CuentaTransferencia | null;
	},
): Promise<void> => {
	const ruta = `/rifas/${o.rifaId}/transacciones/${o.transaccionId}`;
	const estado = () => api<Transaccion>(ruta);
	let t = await estado();
	const numeros = t.tickets.map((x) => x.numero);
	const lista = numeros.map((n) => numeroDe(n, o.total)).join(", ");
	let propio = subido(o.transaccionId);
	let hasta = Date.parse(t.expires_at ?? "") || Date.now();
	if (t.status === "pending") {
		o.recordar({ hasta });
		o.marcar(numeros, 1);
		const plazo = el("strong", { "data-plazo": "" });
		const pintarPlazo = () => {
			const destino = o.cuenta
				? "a esta cuenta del operador de la rifa"
				: "a la cuenta Nequi o bancaria que anuncia el operador de la rifa";
			plazo.textContent = `Transfiera el valor exacto, ${formatCop(t.amount)}, ${destino}, y suba el comprobante antes del ${fechaLarga(new Date(hasta).toISOString())} (hora de Colombia).`;
		};
		pintarPlazo();
		const paso = el("div", { "aria-live": "polite" });
		const alSubir = (c: Comprobante) => {
			sessionStorage.setItem(clave(o.transaccionId), JSON.stringify({ id: c.id }));
			propio = { id: c.id };
			hasta = Date.parse(c.expires_at ?? "") || hasta;
			o.recordar({ hasta });
			paso.replaceChildren(enRevision(hasta, c.monto_coincide));
		};
		paso.replaceChildren(
			propio
				? enRevision(hasta, true)
				: formularioComprobante(`${ruta}/comprobante`, t.amount, alSubir),
		);
		resultado.replaceChildren(
			titular("Reserva pendiente de transferencia"),
			el(
				"p",
				{},
				`${numeros.length === 1 ? `El número ${lista} queda reservado` : `Los números ${lista} quedan reservados`} para usted.`,
			),
			el("p", { class: "aviso" }, plazo),
			...(o.cuenta ? [datosCuenta(o.cuenta)] : []),
			el(
				"p",
				{},
				"El comprobante no es el pago: el operador revisa que la transferencia esté en su cuenta y entonces le vende los números, con su recibo.",
			),
			paso,
		);
		// The rifa's word only, every few seconds and whenever its numbers change.
		for (;;) {
			await new Promise<void>((ok) => {
				const fin = new AbortController();
				const listo = () => {
					fin.abort();
					clearTimeout(reloj);
					ok();
				};
				const reloj = setTimeout(listo, 5_000);
				o.despertar.addEventListener("cambio", listo, { signal: fin.signal });
			});
			const ahora = await estado().catch(() => null);
			if (ahora && ahora.status !== "pending") {
				t = ahora;
				break;
			}
			if (ahora?.expires_at && Date.parse(ahora.expires_at) !== hasta) {
				hasta = Date.parse(ahora.expires_at);
				pintarPlazo();
			}
			if (Date.now() > hasta + GRACIA_MS) {
				o.recordar(null);
				throw new Error(
					"El operador aún no revisa su comprobante. Sus boletas aparecerán en Mis boletas en cuanto lo apruebe.",
				);
			}
		}
	}
	o.recordar(null);
	if (t.status === "succeeded") {
		o.marcar(numeros, 2);
		resultado.replaceChildren(
			...vistaBoletas("Compra confirmada", await conRecibos(t.tickets), t.amount, o.total),
		);
		return;
	}
	o.marcar(numeros, 0);
	const c = propio ? await api<Comprobante>(`/comprobantes/${propio.id}`).catch(() => null) : null;
	if (c?.estado === "rechazado")
		throw new Error(
			`El operador rechazó su comprobante: ${c.motivo ?? "sin motivo"}. Sus números quedaron libres. Si transfirió, comuníquese con el operador de la rifa.`,
		);
	throw porQueTermino(t);
};
