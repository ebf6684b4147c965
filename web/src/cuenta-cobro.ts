import { ApiError, api, el, formatCop } from "./api";
import {
	type BancoPremios,
	DatoInvalido,
	formularioDestino,
	TIPOS_CUENTA,
} from "./cuenta-cobro-form";

/** Where the user's prizes are paid, as `GET /users/{id}/cuenta-cobro` answers it. */
interface CuentaCobro {
	tipo: "breb" | "banco";
	estado: "por_confirmar" | "confirmada";
	titular: string;
	llave: string | null;
	entidad: string | null;
	banco: string | null;
	tipo_cuenta: keyof typeof TIPOS_CUENTA | null;
	numero: string | null;
}

/** One of the user's prizes, from its rifa's results. */
export interface Premio {
	monto: number;
	estado_pago: "pendiente" | "pagado" | "fallido";
}

// The page speaks Spanish whatever the browser prefers, and so do the API's messages on it.
const ES = { headers: { "Accept-Language": "es" } };

/** The API's own reason (its problem's `detail`), after what could not be done. */
const fallo = (accion: string, err: unknown) =>
	`No se pudo ${accion}: ${err instanceof Error ? err.message : String(err)}`;

const dondeSePaga = (c: CuentaCobro) =>
	c.tipo === "breb"
		? `Llave Bre-B ${c.llave ?? ""}`
		: `${c.banco ?? "Banco"}, cuenta ${c.tipo_cuenta ? TIPOS_CUENTA[c.tipo_cuenta] : ""} terminada en ${(c.numero ?? "").slice(-4)}`;

/** What to tell a winner whose prizes are not paid yet, or null when there are none. */
const avisoPremios = (premios: Premio[], cuenta: CuentaCobro | null) => {
	const pendientes = premios.filter((p) => p.estado_pago !== "pagado");
	if (!pendientes.length) return null;
	const total = formatCop(pendientes.reduce((s, p) => s + p.monto, 0));
	const uno = pendientes.length === 1;
	if (cuenta?.estado === "confirmada")
		return uno
			? `Su premio de ${total} se está pagando a este destino.`
			: `Sus ${pendientes.length} premios (${total} en total) se están pagando a este destino.`;
	const premio = uno ? `un premio de ${total}` : `${pendientes.length} premios (${total} en total)`;
	const paso = cuenta
		? "confirme abajo el destino que registró"
		: "registre abajo dónde recibirlo y confírmelo";
	return `Tiene ${premio} por cobrar. Para que se le pague, ${paso}.`;
};

/**
 * "Dónde recibir sus premios": the destination a winner registered (a Bre-B key or a bank
 * account) and its state, a form to register or change it, and the confirmation after seeing
 * whose account it is. Null where prizes are not paid through Wompi (`bancos-premios` is 404).
 */
export const seccionCobro = async (
	usuarioId: string,
	premios: Premio[],
): Promise<HTMLElement | null> => {
	const ruta = `/users/${usuarioId}/cuenta-cobro`;
	const [bancos, leida] = await Promise.all([
		api<{ bancos: BancoPremios[] }>("/pagos/bancos-premios", ES).then(
			(r) => r.bancos,
			(err: unknown) => (err instanceof ApiError && err.status === 404 ? undefined : null),
		),
		api<CuentaCobro>(ruta, ES).then(
			(cuenta) => ({ cuenta, err: null }),
			(err: unknown) => ({
				cuenta: null,
				err: err instanceof ApiError && err.status === 404 ? null : err,
			}),
		),
	]);
	if (bancos === undefined) return null;

	const error = el("p", { role: "alert", class: "error" });
	const mensaje = el("p", { role: "status", class: "aviso" });
	if (leida.err) error.textContent = fallo("leer dónde se le pagan los premios", leida.err);
	let cuenta = leida.cuenta;
	let cambiando = false;

	const campos = formularioDestino(bancos);
	const registrar = el("button", { type: "submit", class: "comprar" }, "Registrar");
	const cancelar = el("button", { type: "button" }, "Cancelar");
	const form = el(
		"form",
		{ class: "destino-nuevo", "aria-label": "Registrar dónde recibir sus premios" },
		...campos.campos,
		el("div", { class: "acciones" }, registrar, cancelar),
	);
	const aviso = el("p", { class: "premio-pendiente", "data-premio-pendiente": "" });
	const destino = el("div", { class: "destino" });
	const seccion = el(
		"section",
		{ class: "cobro", "aria-labelledby": "cobro-titulo", "data-cobro": "" },
		el("h2", { id: "cobro-titulo" }, "Dónde recibir sus premios"),
		aviso,
		el(
			"p",
			{},
			"Sus premios se pagan por Wompi a una llave Bre-B o a una cuenta bancaria suya. Regístrela y confirme que el titular es usted: sin esa confirmación no se le paga.",
		),
		destino,
		form,
		mensaje,
		error,
	);

	const boton = (texto: string, accion: (b: HTMLButtonElement) => void, clase?: string) => {
		const b = el("button", { type: "button", class: clase }, texto);
		b.addEventListener("click", () => accion(b));
		return b;
	};
	const cambiar = () => {
		cambiando = true;
		mensaje.textContent = "";
		error.textContent = "";
		pintar();
		campos.enfocar();
	};

	/** The destination as it stands; `enfocar` moves the focus to it (after a change). */
	const pintar = (enfocar = false) => {
		seccion.dataset.estado = cuenta?.estado ?? "ninguna";
		const texto = avisoPremios(premios, cuenta);
		aviso.hidden = texto === null;
		aviso.textContent = texto ?? "";
		form.hidden = cuenta !== null && !cambiando;
		cancelar.hidden = cuenta === null;
		if (!cuenta) {
			destino.replaceChildren(el("p", {}, "Aún no ha registrado dónde recibir sus premios."));
			return;
		}
		const porConfirmar = cuenta.estado === "por_confirmar";
		const entidad = cuenta.tipo === "breb" ? cuenta.entidad : cuenta.banco;
		const titular = el(
			"p",
			{ class: "titular", tabindex: "-1" },
			`Titular: ${cuenta.titular}${entidad ? ` · ${entidad}` : ""}`,
			porConfirmar
				? ` — ${cuenta.tipo === "breb" ? "¿Es usted?" : "¿Son correctos estos datos?"}`
				: "",
		);
		destino.replaceChildren(
			titular,
			el(
				"p",
				{},
				`${dondeSePaga(cuenta)} · Estado: `,
				el(
					"strong",
					{ "data-estado-cuenta": cuenta.estado },
					porConfirmar ? "por confirmar" : "confirmada",
				),
				porConfirmar ? ". No se le paga hasta que la confirme." : "",
			),
		);
		if (!cambiando)
			destino.append(
				el(
					"div",
					{ class: "acciones" },
					porConfirmar ? boton("Confirmar", confirmar, "comprar") : null,
					boton(porConfirmar ? "Cambiar" : "Cambiar destino", cambiar),
				),
			);
		if (enfocar) titular.focus();
	};

	const confirmar = async (b: HTMLButtonElement) => {
		b.disabled = true;
		error.textContent = "";
		mensaje.textContent = "";
		try {
			const r = await api<CuentaCobro & { premios_en_cola: number }>(`${ruta}/confirmar`, {
				method: "POST",
				...ES,
			});
			cuenta = r;
			mensaje.textContent = r.premios_en_cola
				? `Confirmado. ${r.premios_en_cola === 1 ? "Su premio va" : `Sus ${r.premios_en_cola} premios van`} en camino a este destino.`
				: "Confirmado: sus premios se pagarán a este destino.";
			pintar(true);
		} catch (err) {
			error.textContent = fallo("confirmar", err);
			b.disabled = false;
			// The destination changed elsewhere, or a payout is under way: show it as it is now.
			if (err instanceof ApiError && err.status === 409) {
				cuenta = await api<CuentaCobro>(ruta, ES).catch(() => cuenta);
				pintar();
			}
		}
	};

	cancelar.addEventListener("click", () => {
		cambiando = false;
		error.textContent = "";
		pintar(true);
	});
	let enviando = false;
	form.addEventListener("submit", async (e) => {
		e.preventDefault();
		if (enviando) return;
		error.textContent = "";
		mensaje.textContent = "";
		let body: ReturnType<typeof campos.datos>;
		try {
			body = campos.datos();
		} catch (err) {
			if (!(err instanceof DatoInvalido)) throw err;
			error.textContent = err.message;
			return;
		}
		enviando = true;
		registrar.disabled = true;
		registrar.textContent = body.tipo === "breb" ? "Consultando la llave…" : "Registrando…";
		try {
			cuenta = await api<CuentaCobro>(ruta, { method: "PUT", body, ...ES });
			cambiando = false;
			pintar(true);
		} catch (err) {
			error.textContent = fallo("registrar el destino", err);
		} finally {
			enviando = false;
			registrar.disabled = false;
			registrar.textContent = "Registrar";
		}
	});

	pintar();
	return seccion;
};
