import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, vi } from "vitest";
import { interceptHost } from "./fixtures/intercept-fetch";
import { SANDBOX } from "./fixtures/wompi";
import { type WompiStandIn, wompiStandIn } from "./fixtures/wompi-standin";
import { call, get, type TestUser } from "./helpers";

/** The Wompi the Worker talks to in this test file: a fresh stand-in per test. */
export const usarWompi = () => {
	const ref: { wompi: WompiStandIn } = { wompi: wompiStandIn() };
	beforeEach(() => {
		ref.wompi = wompiStandIn();
		interceptHost("sandbox.wompi.co", ref.wompi.handle);
	});
	afterEach(() => {
		vi.restoreAllMocks();
	});
	return ref;
};

export const nequi = (telefono: string = SANDBOX.nequiAprobado) => ({
	metodo: "NEQUI",
	acepta_terminos: true,
	telefono,
});

export const comprarWompi = (
	rifaId: string,
	who: TestUser,
	pago: Record<string, unknown>,
	opts: { key?: string; quantity?: number; numeros?: number[] } = {},
) =>
	call("POST", `/api/v1/rifas/${rifaId}/tickets`, {
		token: who.token,
		body: {
			user_id: who.id,
			quantity: opts.quantity ?? opts.numeros?.length ?? 1,
			payment_method: "wompi",
			wompi: pago,
			...(opts.numeros ? { numeros: opts.numeros } : {}),
		},
		headers: { "Idempotency-Key": opts.key ?? crypto.randomUUID() },
	});

/** Posts a signed Wompi event to the webhook, with its checksum header unless `header` is null. */
export const entregar = (
	evento: { body: string; checksum: string },
	header: string | null = evento.checksum,
) =>
	call("POST", "/api/v1/webhooks/wompi", {
		raw: evento.body,
		headers: {
			"Content-Type": "application/json",
			...(header ? { "X-Event-Checksum": header } : {}),
		},
	});

export const transaccionDe = (wompi: WompiStandIn, referencia: string) => {
	const tx = [...wompi.transactions.values()].find((t) => t.reference === referencia);
	if (!tx) throw new Error(`no Wompi transaction for ${referencia}`);
	return tx;
};

export const mapa = async (rifaId: string, n = 4) =>
	(await get(`/api/v1/rifas/${rifaId}/disponibilidad`)).body.mapa.slice(0, n) as string;

/** Makes the room's next question to Wompi due now and runs its alarm, as time passing would. */
export const consultarAhora = async (rifaId: string) => {
	const room = env.RIFA_ROOM.getByName(rifaId);
	await runInDurableObject(room, (_i, state) => {
		state.storage.sql.exec(
			"UPDATE pagos SET proxima_consulta = ? WHERE proxima_consulta IS NOT NULL",
			Date.now() - 1,
		);
	});
	await runDurableObjectAlarm(room);
};
