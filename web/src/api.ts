import { formatCop, numeroDeRifa } from "../../src/lib/format";

export { formatCop };
export const numeroDe = numeroDeRifa;

const TOKEN = "rifa1122.token";

/** One field the API refused (problem+json `errors[]`): `path` as in the body, e.g. `cliente.telefono`. */
export interface ErrorDeCampo {
	path: string;
	message: string;
}

export class ApiError extends Error {
	constructor(
		readonly status: number,
		message: string,
		/** Set when the API asks to try the same request again later (in flight, rate limited). */
		readonly retryAfter: string | null = null,
		readonly errores: ErrorDeCampo[] = [],
	) {
		super(message);
	}

	/**
	 * A refusal (a 4xx without Retry-After): the request was not carried out and sending it again
	 * changes nothing. Anything else (a 5xx, a retry asked for) may be sent again with the same key.
	 */
	get definitiva() {
		return this.status < 500 && !this.retryAfter;
	}
}

/** Fired on `window` whenever this tab signs in or out: the header shows the links of who is in. */
export const CAMBIO_DE_SESION = "rifa1122:sesion";
const avisarSesion = () => window.dispatchEvent(new Event(CAMBIO_DE_SESION));

export const token = () => sessionStorage.getItem(TOKEN);
export const cerrarSesion = () => {
	sessionStorage.removeItem(TOKEN);
	avisarSesion();
};

/** The API under /api/v1 with the session's token; a problem+json answer becomes an ApiError. */
export const api = async <T>(
	path: string,
	opts: {
		method?: string;
		body?: unknown;
		/** A multipart body (a file upload): the browser sets its Content-Type and boundary. */
		form?: FormData;
		headers?: Record<string, string>;
	} = {},
): Promise<T> => {
	const t = token();
	const res = await fetch(`/api/v1${path}`, {
		method: opts.method ?? "GET",
		headers: {
			Accept: "application/json",
			...(opts.body ? { "Content-Type": "application/json" } : {}),
			...(t ? { Authorization: `Bearer ${t}` } : {}),
			...opts.headers,
		},
		...(opts.form ? { body: opts.form } : opts.body ? { body: JSON.stringify(opts.body) } : {}),
	}).catch(() => {
		throw new Error("no hubo respuesta del servidor; revise su conexión");
	});
	const text = await res.text();
	const json = text ? JSON.parse(text) : null;
	if (!res.ok)
		throw new ApiError(
			res.status,
			json?.detail ?? `Error ${res.status}`,
			res.headers.get("Retry-After"),
			Array.isArray(json?.errors) ? json.errors : [],
		);
	return json as T;
};

/** A purchase being sent: its body (JSON) and the Idempotency-Key every retry reuses. */
export interface EnvioCompra {
	body: string;
	key: string;
}

/**
 * Sends (or sends again) one purchase with its key. A refusal is final and the next try is a new
 * purchase (`olvidar`); a lost answer, a server error or a "retry later" is not: only the same key
 * can tell whether it was made, so it is kept.
 */
export const enviarCompra = async <T>(
	rifaId: string,
	envio: EnvioCompra,
	olvidar: () => void,
): Promise<T> => {
	try {
		return await api<T>(`/rifas/${rifaId}/tickets`, {
			method: "POST",
			body: JSON.parse(envio.body),
			headers: { "Idempotency-Key": envio.key },
		});
	} catch (err) {
		if (err instanceof ApiError && err.definitiva) olvidar();
		throw err;
	}
};

export interface Usuario {
	id: string;
	nombre: string;
	/** A seller may still read as "jugador": whether it sells is its cash box's to say. */
	rol: "jugador" | "vendedor" | "operador" | "admin";
	/** E.164, e.g. +573001234567; null when the account has none. */
	telefono?: string | null;
}

/** The question in flight, per token: the header and the page asking at once make one request. */
let preguntando: { token: string; respuesta: Promise<Usuario | null> } | null = null;

export const yo = (): Promise<Usuario | null> => {
	const t = token();
	if (!t) return Promise.resolve(null);
	if (preguntando?.token === t) return preguntando.respuesta;
	const respuesta = (async () => {
		try {
			return await api<Usuario>("/users/me");
		} catch (err) {
			if (err instanceof ApiError && err.status === 401 && token() === t) cerrarSesion();
			return null;
		} finally {
			if (preguntando?.token === t) preguntando = null;
		}
	})();
	preguntando = { token: t, respuesta };
	return respuesta;
};

/** Keeps the token of a sign-in (a login, a claimed account) for this tab. */
export const guardarSesion = (accessToken: string) => {
	sessionStorage.setItem(TOKEN, accessToken);
	avisarSesion();
};

export const iniciarSesion = async (email: string, password: string) => {
	const r = await api<{ access_token: string }>("/auth/login", {
		method: "POST",
		body: { email, password },
	});
	guardarSesion(r.access_token);
};

/** An element with attributes and children; text children are text nodes, never parsed HTML. */
export const el = <K extends keyof HTMLElementTagNameMap>(
	tag: K,
	attrs: Record<string, string | boolean | undefined> = {},
	...children: (Node | string | null | undefined)[]
): HTMLElementTagNameMap[K] => {
	const node = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs)) {
		if (v === undefined || v === false) continue;
		node.setAttribute(k, v === true ? "" : v);
	}
	for (const c of children) if (c !== null && c !== undefined) node.append(c);
	return node;
};

/** A form asking for email and password; resolves once signed in. */
export const formularioSesion = (
	alEntrar: () => void,
	titulo = "Inicie sesión para comprar",
): HTMLFormElement => {
	const error = el("p", { role: "alert", class: "error" });
	const form = el(
		"form",
		{ class: "sesion", "aria-label": "Iniciar sesión" },
		el("h2", {}, titulo),
		el(
			"label",
			{},
			"Correo",
			el("input", { name: "email", type: "email", required: true, autocomplete: "username" }),
		),
		el(
			"label",
			{},
			"Contraseña",
			el("input", {
				name: "password",
				type: "password",
				required: true,
				autocomplete: "current-password",
			}),
		),
		el("button", { type: "submit" }, "Entrar"),
		error,
		el("p", {}, el("a", { href: "/reclamar" }, "¿Compró en un punto de venta? Reclame su cuenta")),
	);
	form.addEventListener("submit", async (e) => {
		e.preventDefault();
		const data = new FormData(form);
		error.textContent = "";
		try {
			await iniciarSesion(String(data.get("email")), String(data.get("password")));
			alEntrar();
		} catch (err) {
			error.textContent = err instanceof Error ? err.message : String(err);
		}
	});
	return form;
};

/** "2 d 3 h", "5 min 12 s": what is left until `iso`, or null once it passed. */
export const faltan = (iso: string, now = Date.now()): string | null => {
	let s = Math.floor((Date.parse(iso) - now) / 1000);
	if (s <= 0) return null;
	const d = Math.floor(s / 86_400);
	s -= d * 86_400;
	const h = Math.floor(s / 3600);
	s -= h * 3600;
	const m = Math.floor(s / 60);
	s -= m * 60;
	if (d) return `${d} d ${h} h`;
	if (h) return `${h} h ${m} min`;
	return `${m} min ${s} s`;
};

export const fechaColombia = (iso: string) =>
	`${new Intl.DateTimeFormat("es-CO", { timeZone: "America/Bogota", dateStyle: "medium", timeStyle: "short" }).format(new Date(iso))} (hora de Colombia)`;

/** "jueves 10 de diciembre a las 10:30 p. m." in Colombia, with the year when it is not this one. */
export const fechaLarga = (iso: string, ahora = new Date()) => {
	const fecha = new Date(iso);
	const partes = (d: Date, o: Intl.DateTimeFormatOptions) =>
		Object.fromEntries(
			new Intl.DateTimeFormat("es-CO", { timeZone: "America/Bogota", ...o })
				.formatToParts(d)
				.map((p) => [p.type, p.value]),
		);
	const p = partes(fecha, { weekday: "long", day: "numeric", month: "long", year: "numeric" });
	const otroAnio = partes(ahora, { year: "numeric" }).year !== p.year;
	const hora = new Intl.DateTimeFormat("es-CO", {
		timeZone: "America/Bogota",
		hour: "numeric",
		minute: "2-digit",
	}).format(fecha);
	return `${p.weekday} ${p.day} de ${p.month}${otroAnio ? ` de ${p.year}` : ""} ${hora.startsWith("1:") ? "a la" : "a las"} ${hora}`;
};
