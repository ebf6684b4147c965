import { api, el, formatCop, numeroDe } from "./api";

export interface Boleta {
	id: string;
	numero: number;
	recibo?: string | undefined;
}

/** Where a receipt is checked: the receipt travels in the fragment, which the browser never sends. */
export const enlaceRecibo = (recibo: string) => `/verificar#recibo=${recibo}`;

/** A heading that takes the focus, so keyboard and screen reader users land on what changed. */
export const titular = (texto: string) => {
	const h = el("h2", { tabindex: "-1" }, texto);
	queueMicrotask(() => h.focus());
	return h;
};

/** The tickets of a purchase, each with its receipt's link to `/verificar`. */
export const vistaBoletas = (titulo: string, boletas: Boleta[], monto: number, total: number) => [
	titular(titulo),
	el("p", {}, `Total: ${formatCop(monto)}`),
	el(
		"ul",
		{ class: "recibos" },
		...boletas.map((t) =>
			el(
				"li",
				{ "data-ticket": t.id },
				`Número ${numeroDe(t.numero, total)} `,
				t.recibo
					? el(
							"a",
							{ href: enlaceRecibo(t.recibo), "data-recibo": t.recibo },
							"Ver y verificar su recibo",
						)
					: null,
			),
		),
	),
];

/** Each ticket with its signed receipt, where the API has one. */
export const conRecibos = <T extends Boleta>(boletas: T[]) =>
	Promise.all(
		boletas.map(async (t) => ({
			...t,
			recibo: await api<{ recibo: string }>(`/tickets/${t.id}/recibo`)
				.then((x) => x.recibo)
				.catch(() => undefined),
		})),
	);
