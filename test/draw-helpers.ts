import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { mockAdapter } from "../src/integrations/loterias/mock";
import { cerrarRegistro } from "../src/rifa-room/cierre";
import { readConfig, writeConfig } from "../src/rifa-room/config";
import { definicionSha256 } from "../src/verificacion/definicion";
import { call, createActiveRifa, createCategoria, createLoteria, type TestUser } from "./helpers";

/** The draw of Thursday 2026-01-15, 22:30 in Colombia. */
export const DRAW = { fecha: "2026-01-15", instant: "2026-01-16T03:30:00.000Z" };

/** What the mock adapter publishes for that draw (see src/integrations/loterias/mock.ts). */
export const mockWinner = async (slug: string) => {
	const r = await mockAdapter(() => new Date()).getResult(
		{ id: "x", nombre: slug, horaSorteo: "22:30", meta: { adapter: "mock", slug } },
		DRAW.fecha,
	);
	if (!r) throw new Error("mock result missing");
	return r;
};

export const buyNumbers = (rifaId: string, who: TestUser, numeros: number[]) =>
	call("POST", `/api/v1/rifas/${rifaId}/tickets`, {
		token: who.token,
		body: { user_id: who.id, quantity: numeros.length, payment_method: "sandbox", numeros },
		headers: { "Idempotency-Key": crypto.randomUUID() },
	});

/**
 * Sets the draw the room's definition names to `fechaSorteo`, as if the rifa had been made for it
 * (receipts sold before keep the draw they were sold for: a test that checks them against the seal
 * sets the draw before selling, as `setupRifa` does).
 */
const definirSorteo = (rifaId: string, fechaSorteo: string) =>
	runInDurableObject(env.RIFA_ROOM.getByName(rifaId), async (instance, state) => {
		const sql = state.storage.sql;
		const config = readConfig(sql);
		if (!config?.definicion || config.definicion.fecha_sorteo === fechaSorteo) return;
		const definicion = { ...config.definicion, fecha_sorteo: fechaSorteo };
		writeConfig(sql, {
			...config,
			fechaSorteo,
			definicion,
			definicionSha256: await definicionSha256(definicion),
		});
		// The room keeps its definition in memory too.
		Object.assign(instance, { config: readConfig(sql) });
	});

/**
 * What the rifa's room does when its sales end at `at` (the alarm at `fecha_fin`): the ledger's
 * size then is what the seal covers, and the seal is dated `at`, under the draw D1 now gives the
 * rifa. For tests that move a rifa's calendar into the past.
 */
export const sealAt = async (rifaId: string, at: string) => {
	const row = await env.DB.prepare("SELECT fecha_sorteo FROM rifas WHERE id = ?")
		.bind(rifaId)
		.first<{ fecha_sorteo: string }>();
	if (row) await definirSorteo(rifaId, row.fecha_sorteo);
	await runInDurableObject(env.RIFA_ROOM.getByName(rifaId), (_instance, state) => {
		cerrarRegistro(state.storage.sql, at);
	});
};

/**
 * The definition the rifa's room will fix at its first sale names the 2026-01-15 draw, which D1
 * takes when `moveToDraw` moves the rest of the calendar (D1 keeps the draw after the end of sales).
 */
export const apuntarAlSorteo = (rifaId: string) => definirSorteo(rifaId, DRAW.instant);

/** Moves a rifa's calendar so its sales ended (and its ledger was sealed) before the 2026-01-15 draw. */
export const moveToDraw = async (rifaId: string) => {
	await env.DB.prepare(
		"UPDATE rifas SET fecha_inicio = ?, fecha_fin = ?, fecha_sorteo = ? WHERE id = ?",
	)
		.bind("2026-01-08T05:00:00.000Z", "2026-01-16T03:00:00.000Z", DRAW.instant, rifaId)
		.run();
	await sealAt(rifaId, "2026-01-16T03:00:00.000Z");
};

/** An active rifa on a mock lottery, in a new category unless one is given. */
export const setupRifa = async (
	admin: TestUser,
	slug: string,
	overrides: { reglas?: Record<string, unknown>; numero_ganadores?: number } = {},
	categoriaId?: string,
) => {
	const cat = categoriaId ?? (await createCategoria(admin.token)).id;
	const lot = await createLoteria(admin.token, { meta: { adapter: "mock", slug } });
	const rifa = await createActiveRifa(admin.token, {
		categoria_id: cat,
		loteria_id: lot.id,
		reglas: overrides.reglas ?? {},
		...(overrides.numero_ganadores ? { numero_ganadores: overrides.numero_ganadores } : {}),
	});
	await apuntarAlSorteo(rifa.id);
	return { rifa, categoriaId: cat };
};
