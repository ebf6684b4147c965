import {
	createExecutionContext,
	createScheduledController,
	runDurableObjectAlarm,
	runInDurableObject,
	waitOnExecutionContext,
} from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { signAccessToken, verifyAccessToken } from "../src/auth/jwt";
import { hashPassword } from "../src/auth/password";
import type { Rol } from "../src/db/schema";
import worker from "../src/index";
import type { ChargeResult, PaymentProvider } from "../src/payments/provider";
import type { RifaRoom } from "../src/rifa-room/rifa-room";

export const BASE = "http://rifa1122.test";

interface CallOptions {
	token?: string | undefined;
	body?: unknown;
	headers?: Record<string, string>;
	/** Sent as-is, without JSON encoding. */
	raw?: string;
	/** Runs the Worker with these bindings changed, as a deployment with other settings would. */
	env?: Partial<Env>;
}

const fetchWorker = async (request: Request, overrides: Partial<Env> | undefined) => {
	if (!overrides) return exports.default.fetch(request);
	const ctx = createExecutionContext();
	const res = await worker.fetch(request, { ...env, ...overrides } as Env, ctx);
	await waitOnExecutionContext(ctx);
	return res;
};

export const call = async (method: string, path: string, opts: CallOptions = {}) => {
	const headers = new Headers(opts.headers);
	if (opts.token) headers.set("Authorization", `Bearer ${opts.token}`);
	let body: string | undefined;
	if (opts.raw !== undefined) body = opts.raw;
	else if (opts.body !== undefined) {
		body = JSON.stringify(opts.body);
		if (!headers.has("Content-Type")) headers.set("Content-Type", "application/json");
	}
	const res = await fetchWorker(new Request(`${BASE}${path}`, { method, headers, body }), opts.env);
	const text = await res.text();
	let json: unknown;
	try {
		json = text ? JSON.parse(text) : undefined;
	} catch {
		json = undefined;
	}
	return { status: res.status, headers: res.headers, body: json as Body, text };
};

export const get = (path: string, token?: string) => call("GET", path, { token });
export const post = (path: string, body: unknown, token?: string) =>
	call("POST", path, { body, token });
export const patch = (path: string, body: unknown, token?: string) =>
	call("PATCH", path, { body, token });
export const del = (path: string, token?: string) => call("DELETE", path, { token });

export const uniqueEmail = (prefix = "user") =>
	`${prefix}-${crypto.randomUUID().slice(0, 8)}@test.rifa1122.co`;

/** Low iteration count: test users only need a valid hash, not a slow one. */
const TEST_HASH_ITERATIONS = 1000;

export interface TestUser {
	id: string;
	email: string;
	password: string;
	rol: Rol;
	token: string;
}

export const createUser = async (
	opts: { rol?: Rol; isActive?: boolean; nombre?: string; email?: string } = {},
): Promise<TestUser> => {
	const id = crypto.randomUUID();
	const email = opts.email ?? uniqueEmail(opts.rol ?? "jugador");
	const password = "Password123!";
	const rol = opts.rol ?? "jugador";
	const now = new Date().toISOString();
	await env.DB.prepare(
		"INSERT INTO users (id, nombre, email, hashed_password, rol, is_active, creado_en, actualizado_en) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	)
		.bind(
			id,
			opts.nombre ?? `Usuario ${rol}`,
			email,
			await hashPassword(password, TEST_HASH_ITERATIONS),
			rol,
			opts.isActive === false ? 0 : 1,
			now,
			now,
		)
		.run();
	const { token } = await signAccessToken(id, env);
	return { id, email, password, rol, token };
};

export const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

/** Categorias are admin-only to write: a rifa made by another role takes its category from an admin. */
export const createCategoria = async (token: string, overrides: Record<string, unknown> = {}) => {
	const res = await post(
		"/api/v1/categorias",
		{
			nombre: `Categoria ${crypto.randomUUID().slice(0, 8)}`,
			color: "#C0C0C0",
			valor_boleta: 1_000_000,
			total_recaudo: 100_000_000,
			rake: 0.25,
			fondo_premios: 75_000_000,
			premio_por_ganador: 75_000_000,
			...overrides,
		},
		await catalogWriter(token),
	);
	if (res.status !== 201) throw new Error(`createCategoria: ${res.status} ${res.text}`);
	return res.body as { id: string; nombre: string };
};

export const createLoteria = async (token: string, overrides: Record<string, unknown> = {}) => {
	const res = await post(
		"/api/v1/loterias",
		{
			nombre: `Lotería ${crypto.randomUUID().slice(0, 8)}`,
			dia_sorteo: "jueves",
			hora_sorteo: "22:30",
			meta: { adapter: "mock", slug: "bogota" },
			...overrides,
		},
		await catalogWriter(token),
	);
	if (res.status !== 201) throw new Error(`createLoteria: ${res.status} ${res.text}`);
	return res.body as { id: string; nombre: string };
};

export const rifaBody = (
	categoriaId: string,
	loteriaId: string,
	overrides: Record<string, unknown> = {},
) => ({
	nombre: `Rifa ${crypto.randomUUID().slice(0, 8)}`,
	categoria_id: categoriaId,
	loteria_id: loteriaId,
	fecha_inicio: inDays(1),
	// The draw is the loteria's first one after the margin (createLoteria: Thursdays 22:30).
	fecha_fin: inDays(5),
	numero_ganadores: 1,
	reglas: {},
	total_boletas: 100,
	...overrides,
});

let catalogAdmin: Promise<TestUser> | undefined;

/** The catalog is admin-only to write: a test acting as another role writes it as an admin. */
const catalogWriter = async (token: string) => {
	const id = await verifyAccessToken(token, env);
	const user = id
		? await env.DB.prepare("SELECT rol FROM users WHERE id = ?").bind(id).first<{ rol: Rol }>()
		: null;
	if (user?.rol === "admin") return token;
	catalogAdmin ??= createUser({ rol: "admin" });
	return (await catalogAdmin).token;
};

export const createRifa = async (token: string, overrides: Record<string, unknown> = {}) => {
	const cat = await createCategoria(token);
	const lot = await createLoteria(token);
	const res = await post("/api/v1/rifas", rifaBody(cat.id, lot.id, overrides), token);
	if (res.status !== 201) throw new Error(`createRifa: ${res.status} ${res.text}`);
	return res.body as { id: string; estado: string; categoria_id: string; loteria_id: string };
};

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary response shapes
type Body = any;

/** Asserts the status and the problem+json envelope, and returns the problem body. */
export const expectProblem = (
	res: { status: number; headers: Headers; body: Body },
	status: number,
): Body => {
	if (res.status !== status) {
		throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
	}
	if (!res.headers.get("Content-Type")?.startsWith("application/problem+json")) {
		throw new Error(`expected problem+json, got ${res.headers.get("Content-Type")}`);
	}
	for (const key of ["type", "title", "status", "detail", "request_id"] as const) {
		if (res.body?.[key] === undefined)
			throw new Error(`problem lacks ${key}: ${JSON.stringify(res.body)}`);
	}
	if (res.body.status !== status) throw new Error("problem status differs from HTTP status");
	if (res.body.request_id !== res.headers.get("X-Request-Id")) {
		throw new Error("problem request_id differs from X-Request-Id header");
	}
	return res.body;
};

/** A rifa open for sale now (its sale window started yesterday). */
export const createActiveRifa = async (token: string, overrides: Record<string, unknown> = {}) => {
	const rifa = await createRifa(token, { fecha_inicio: inDays(-1), ...overrides });
	const opened = await patch(`/api/v1/rifas/${rifa.id}`, { estado: "activa" }, token);
	if (opened.status !== 200) throw new Error(`open: ${opened.text}`);
	return rifa;
};

/** Makes every pending hold of the rifa due and runs its room's alarm, as time passing would. */
export const expireHolds = async (rifaId: string) => {
	const room = env.RIFA_ROOM.getByName(rifaId);
	await runInDurableObject(room, (_instance, state) => {
		state.storage.sql.exec(
			"UPDATE transacciones SET expires_at = ? WHERE status = 'pending'",
			Date.now() - 1,
		);
	});
	return runDurableObjectAlarm(room);
};

/** One user of each role, for tests that play the authorization matrix. */
export const createCast = async () => ({
	admin: await createUser({ rol: "admin" }),
	operador: await createUser({ rol: "operador" }),
	jugador: await createUser({ rol: "jugador" }),
});

/** Runs the Worker's scheduled handler as a Cron Trigger would at `at`. */
export const runCron = async (at = new Date()) => {
	const ctx = createExecutionContext();
	await worker.scheduled(
		createScheduledController({ scheduledTime: at, cron: "*/5 * * * *" }),
		env,
		ctx,
	);
	await waitOnExecutionContext(ctx);
};

/** Stands in for the payment provider's servers inside a rifa's object (the rest stays real). */
export const usePaymentProvider = async (
	rifaId: string,
	charge: (transaccionId: string) => ChargeResult | Promise<ChargeResult>,
) => {
	await runInDurableObject(env.RIFA_ROOM.getByName(rifaId), (instance: RifaRoom) => {
		const provider: PaymentProvider = {
			name: "sandbox",
			charge: async (req) => charge(req.transaccionId),
			refund: async (req) => ({ providerRef: `refund_${req.transaccionId}` }),
		};
		Object.assign(instance, { payments: () => provider });
	});
};

/**
 * Resolves once `predicate` holds, checking it between turns of the event loop; fails after
 * `timeoutMs`. For events the test cannot await directly (socket messages, background work).
 */
export const waitFor = async (
	predicate: () => boolean | Promise<boolean>,
	{ timeoutMs = 5_000, what = "the condition" }: { timeoutMs?: number; what?: string } = {},
) => {
	const deadline = Date.now() + timeoutMs;
	while (!(await predicate())) {
		if (Date.now() > deadline)
			throw new Error(`waitFor: ${what} did not hold within ${timeoutMs} ms`);
		await new Promise((resolve) => setTimeout(resolve, 5));
	}
};

/** Opens the rifa's live-updates socket and collects every message it receives. */
export const openRoomSocket = async (rifaId: string) => {
	const upgrade = await exports.default.fetch(
		new Request(`${BASE}/api/v1/rifas/${rifaId}/ws`, { headers: { Upgrade: "websocket" } }),
	);
	const ws = upgrade.webSocket;
	if (!ws) throw new Error(`no websocket: ${upgrade.status}`);
	const messages: Body[] = [];
	ws.addEventListener("message", (e) => messages.push(JSON.parse(e.data as string)));
	ws.accept();
	return {
		status: upgrade.status,
		messages,
		/** Waits until at least `count` messages have arrived. */
		received: (count: number) =>
			waitFor(() => messages.length >= count, { what: `message ${count} on the socket` }),
		close: () => ws.close(1000, "done"),
	};
};
