import { api, el, fechaColombia, formatCop } from "./api";
import { textoDe } from "./avisos";

type Origen = "abonos_vencidos" | "abono_tarde" | "uso" | "devolucion";

/** `GET /users/me/creditos`: the balance with each operador and the latest movements. */
export interface Creditos {
	saldos: { operador_id: string; operador: string; saldo: number }[];
	movimientos: {
		id: string;
		operador_id: string;
		operador: string;
		monto: number;
		origen: Origen;
		rifa_id: string | null;
		transaccion_id: string | null;
		creado_en: string;
	}[];
}

/** Where each movement came from, in the buyer's words. */
export const ORIGENES: Record<Origen, string> = {
	abonos_vencidos: "Lo abonado a un plan que venció",
	abono_tarde: "Un pago en línea que llegó cuando el plan ya no esperaba abonos",
	uso: "Usado en un abono",
	devolucion: "Devuelto: el abono no se registró",
};

const conSigno = (monto: number) => `${monto < 0 ? "−" : "+"}${formatCop(Math.abs(monto))}`;

/**
 * "Mi crédito": the buyer's balance with each operador and its movements, shown only when there
 * is any. `cargar` reads it again (after an abono paid with credit, or one that became credit) and
 * answers it, for the abono forms to offer what is available.
 */
export const seccionCredito = () => {
	const cuerpo = el("div", { "aria-live": "polite" });
	const seccion = el(
		"section",
		{ class: "credito", "aria-labelledby": "mi-credito" },
		el("h2", { id: "mi-credito" }, "Mi crédito"),
		el(
			"p",
			{ class: "nota" },
			"Con el crédito que tiene con un operador paga abonos de sus boletas por abonos en las rifas de ese operador. No se reembolsa en dinero.",
		),
		cuerpo,
	);
	seccion.hidden = true;
	let actual: Creditos = { saldos: [], movimientos: [] };
	const pintar = (c: Creditos) => {
		seccion.hidden = !c.saldos.length && !c.movimientos.length;
		cuerpo.replaceChildren(
			el(
				"ul",
				{ class: "saldos" },
				...c.saldos.map((s) =>
					el(
						"li",
						{ "data-saldo": s.operador_id },
						`Con ${s.operador}: `,
						el("strong", { "data-monto": String(s.saldo) }, formatCop(s.saldo)),
					),
				),
			),
			...(c.movimientos.length
				? [
						el("h3", {}, "Movimientos"),
						el(
							"ul",
							{ class: "movimientos" },
							...c.movimientos.map((m) =>
								el(
									"li",
									{ "data-movimiento": m.origen },
									el("span", { class: "monto" }, conSigno(m.monto)),
									` ${ORIGENES[m.origen] ?? m.origen} · ${m.operador} · ${fechaColombia(m.creado_en)}`,
								),
							),
						),
					]
				: []),
		);
	};
	const cargar = async (): Promise<Creditos> => {
		try {
			actual = await api<Creditos>("/users/me/creditos");
			pintar(actual);
		} catch (err) {
			// Only a notice: the page works without it, and abonos are then offered without credit.
			if (!actual.saldos.length && !actual.movimientos.length) return actual;
			cuerpo.replaceChildren(
				el("p", { role: "alert", class: "error" }, `No se pudo leer su crédito: ${textoDe(err)}`),
			);
		}
		return actual;
	};
	return {
		seccion,
		cargar,
		/** The balance with one operador, as last read (0 without any). */
		saldo: (operadorId: string | null) =>
			actual.saldos.find((s) => s.operador_id === operadorId) ?? null,
	};
};
