import { ApiError, api } from "./api";
import type { DetallePago } from "./pago-wompi";
import { seguirPagoWompi } from "./pago-wompi-seguimiento";

export type EstadoEnLinea = "iniciando" | "pendiente" | "aprobado" | "fallido" | "tarde";

/** One abono paid online: Wompi's reference, its amount, its state and what the buyer must do. */
export interface AbonoEnLinea {
	referencia: string;
	monto: number;
	estado: EstadoEnLinea;
	detalle: DetallePago | null;
}

/** A purchase paid in instalments, as the rifa holds it (`GET /rifas/{id}/transacciones/{id}`). */
export interface Plan {
	transaccion_id: string;
	rifa_id: string;
	status: "pending" | "succeeded" | "failed" | "refunded";
	amount: number;
	expires_at: string | null;
	tickets: { id: string; numero: number }[];
	abonos: { pagado: number; pendiente: number; en_linea: AbonoEnLinea[] } | null;
}

/** `POST /tickets/{id}/abonos`: 201 for credit, 202 with `pago` for an online abono. */
export interface AbonoRegistrado {
	transaccion_id: string;
	estado: "abonado" | "vendido";
	pagado: number;
	pendiente: number;
	total: number;
	pago?: AbonoEnLinea;
}

/** Wompi's word is final: approved (it is an abono), declined, or late (it became credit). */
export const esFinal = (e: EstadoEnLinea) => e === "aprobado" || e === "fallido" || e === "tarde";

/** Online abonos Wompi has not decided yet: their amounts are set aside from what is left. */
export const enEspera = (p: Plan) =>
	p.abonos?.en_linea.filter((a) => a.estado === "iniciando" || a.estado === "pendiente") ?? [];

/** What a new abono may pay: what is left, less the online payments still waiting. */
export const libreDe = (p: Plan) =>
	Math.max((p.abonos?.pendiente ?? 0) - enEspera(p).reduce((s, a) => s + a.monto, 0), 0);

export const rutaPlan = (p: { rifa_id: string; transaccion_id: string }) =>
	`/rifas/${p.rifa_id}/transacciones/${p.transaccion_id}`;

/**
 * An abono this tab sent whose outcome is not known yet, kept with its Idempotency-Key and body
 * (like a purchase's, `rifa1122.compra.<rifa>`): sent again after a lost answer or a reload, it
 * carries the same key, so the rifa answers with the first abono and Wompi never charges twice.
 * Once answered, it keeps Wompi's reference until Wompi's word is final. Only its user sees it.
 */
export interface AbonoGuardado {
	userId: string;
	rifaId: string;
	transaccionId: string;
	ticketId: string;
	key: string;
	body: string;
	/** The online payment it started, once the API answered: the page follows it. */
	referencia?: string;
	/** Sent to the bank already (PSE, Bancolombia, Daviplata): coming back never sends it again. */
	alBanco?: boolean;
}
const PREFIJO = "rifa1122.abono-comprador.";

const leer = (clave: string): AbonoGuardado | null => {
	try {
		return JSON.parse(sessionStorage.getItem(clave) ?? "null") as AbonoGuardado | null;
	} catch {
		return null;
	}
};

/** This user's abono left unfinished in a purchase, if any. */
export const abonoGuardado = (transaccionId: string, userId: string) => {
	const a = leer(`${PREFIJO}${transaccionId}`);
	return a?.userId === userId ? a : null;
};

export const guardarAbono = (transaccionId: string, a: AbonoGuardado | null) =>
	a
		? sessionStorage.setItem(`${PREFIJO}${transaccionId}`, JSON.stringify(a))
		: sessionStorage.removeItem(`${PREFIJO}${transaccionId}`);

/** Every abono this user left unfinished in the tab, whatever plan it belongs to. */
export const abonosGuardados = (userId: string): AbonoGuardado[] => {
	const todos: AbonoGuardado[] = [];
	for (let i = 0; i < sessionStorage.length; i++) {
		const k = sessionStorage.key(i);
		const a = k?.startsWith(PREFIJO) ? leer(k) : null;
		if (a?.userId === userId) todos.push(a);
	}
	return todos;
};

/**
 * Sends (or sends again) one abono with its key. A refusal (a 4xx without Retry-After) is final:
 * the record goes, and the next abono is a new one. Anything else keeps it: only the same key can
 * tell whether it was taken.
 */
export const enviarAbono = async (g: AbonoGuardado): Promise<AbonoRegistrado> => {
	try {
		return await api<AbonoRegistrado>(`/tickets/${g.ticketId}/abonos`, {
			method: "POST",
			body: JSON.parse(g.body),
			headers: { "Idempotency-Key": g.key },
		});
	} catch (err) {
		if (err instanceof ApiError && err.definitiva) guardarAbono(g.transaccionId, null);
		throw err;
	}
};

/**
 * Follows one online abono with the rifa page's Wompi steps (`seguirPagoWompi`: Nequi's approval,
 * the bank's page, the corresponsal's slip), reading the purchase until its `en_linea` entry is
 * final. Answers that state (null: Wompi still had not decided long after the plan's deadline)
 * and the purchase as last read.
 */
export const seguirAbono = async (
	caja: HTMLElement,
	o: {
		plan: Plan;
		referencia: string;
		monto: number;
		pago: DetallePago | null;
		numeros: string;
		alBanco: boolean;
		alSalir: () => void;
	},
): Promise<{ estado: EstadoEnLinea | null; plan: Plan }> => {
	let plan = o.plan;
	const de = (p: Plan) => p.abonos?.en_linea.find((a) => a.referencia === o.referencia);
	let abono = de(plan);
	const final = await seguirPagoWompi(caja, {
		pago: { ...o.pago, ...abono?.detalle },
		monto: o.monto,
		hasta: Date.parse(plan.expires_at ?? "") || Date.now(),
		numeros: o.numeros,
		alBanco: o.alBanco,
		alSalir: o.alSalir,
		estado: async () => {
			const t = await api<Plan>(rutaPlan(plan)).catch(() => null);
			if (!t) return null;
			plan = t;
			abono = de(t) ?? abono;
			const e = abono?.estado;
			return {
				status: e === "aprobado" ? "succeeded" : e && esFinal(e) ? "failed" : "pending",
				expires_at: t.expires_at,
				pago: abono?.detalle ?? null,
			};
		},
		// Nothing on this page hears the rifa live: the purchase is read every few seconds.
		despertar: new EventTarget(),
	});
	return { estado: final && abono ? abono.estado : null, plan };
};
