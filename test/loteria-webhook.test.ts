import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { signResults } from "../src/integrations/loterias/signature";
import { sealAt } from "./draw-helpers";
import {
	call,
	createActiveRifa,
	createCast,
	createCategoria,
	createLoteria,
	expectProblem,
	get,
	type TestUser,
} from "./helpers";

let admin: TestUser;
let jugador: TestUser;

beforeAll(async () => {
	({ admin, jugador } = await createCast());
});

const secret = () => env.LOTERIA_WEBHOOK_SECRET ?? "";

const push = async (body: unknown, signature?: string | null) => {
	const raw = JSON.stringify(body);
	const header = signature === undefined ? await signResults(raw, secret()) : signature;
	return call("POST", "/api/v1/webhooks/loteria", {
		raw,
		headers: { "Content-Type": "application/json", ...(header ? { "X-Signature": header } : {}) },
	});
};

const stored = (loteriaId: string) =>
	env.DB.prepare("SELECT numero, serie FROM resultados WHERE loteria_id = ?").bind(loteriaId).all();

describe("POST /webhooks/loteria", () => {
	it("accepts a signed result once and never overwrites it with another", async () => {
		const lot = await createLoteria(admin.token, { fuentes: ["webhook"] });
		// Lotería de Bogotá, 2026-01-15: 3649 serie 188.
		const result = {
			loteria_id: lot.id,
			fecha: "2026-01-15",
			numero: "3649",
			serie: "188",
			fuente: "acta 2826",
		};
		const first = await push(result);
		expect(first.status).toBe(200);
		expect(first.body).toMatchObject({ recibido: true, nuevo: true });
		expect((await push(result)).body.nuevo).toBe(false);
		expectProblem(await push({ ...result, numero: "3650" }), 409);
		expect((await stored(lot.id)).results).toEqual([{ numero: "3649", serie: "188" }]);
	});

	it("refuses missing, forged and stale signatures with 401, changing nothing", async () => {
		const lot = await createLoteria(admin.token);
		const result = {
			loteria_id: lot.id,
			fecha: "2025-11-29",
			numero: "0017",
			serie: "271",
			fuente: "acta",
		};
		const raw = JSON.stringify(result);
		expectProblem(await push(result, null), 401);
		expectProblem(await push(result, await signResults(raw, "not-the-secret")), 401);
		expectProblem(
			await push(result, await signResults(raw, secret(), Math.floor(Date.now() / 1000) - 3600)),
			401,
		);
		expectProblem(await push(result, "t=1,v1=zz"), 401);
		const tampered = await signResults(JSON.stringify({ ...result, numero: "9999" }), secret());
		expectProblem(await push(result, tampered), 401);
		expect((await stored(lot.id)).results).toEqual([]);
	});

	it("validates what it stores", async () => {
		const lot = await createLoteria(admin.token);
		expectProblem(
			await push({
				loteria_id: lot.id,
				fecha: "2026-10-05",
				numero: "41715",
				serie: null,
				fuente: "x",
			}),
			422,
		);
		expectProblem(
			await push({
				loteria_id: lot.id,
				fecha: "2026-02-30",
				numero: "4171",
				serie: "005",
				fuente: "x",
			}),
			422,
		);
		expectProblem(
			await push({
				loteria_id: crypto.randomUUID(),
				fecha: "2026-10-05",
				numero: "4171",
				serie: "005",
				fuente: "x",
			}),
			422,
		);
	});

	it("settles the closed rifas waiting for that draw at once", async () => {
		const cat = await createCategoria(admin.token);
		const lot = await createLoteria(admin.token, {
			meta: { slug: "bogota" },
			fuentes: ["resultadosloterias", "webhook"],
			fuentes_requeridas: 1,
		});
		const rifa = await createActiveRifa(admin.token, { categoria_id: cat.id, loteria_id: lot.id });
		const sale = await call("POST", `/api/v1/rifas/${rifa.id}/tickets`, {
			token: jugador.token,
			body: { user_id: jugador.id, quantity: 1, payment_method: "sandbox", numeros: [49] },
			headers: { "Idempotency-Key": crypto.randomUUID() },
		});
		expect(sale.status).toBe(201);
		await env.DB.prepare(
			"UPDATE rifas SET estado = 'cerrada', fecha_inicio = ?, fecha_fin = ?, fecha_sorteo = ? WHERE id = ?",
		)
			.bind(
				"2026-01-08T05:00:00.000Z",
				"2026-01-16T03:00:00.000Z",
				"2026-01-16T03:30:00.000Z",
				rifa.id,
			)
			.run();
		await sealAt(rifa.id, "2026-01-16T03:00:00.000Z");
		const res = await push({
			loteria_id: lot.id,
			fecha: "2026-01-15",
			numero: "3649",
			serie: "188",
			fuente: "acta 2826",
		});
		expect(res.body.rifas_resueltas).toEqual([rifa.id]);
		const out = (await get(`/api/v1/rifas/${rifa.id}/resultados`)).body;
		expect(out.resultado).toMatchObject({ numero: "3649", serie: "188", fuente: "quorum:webhook" });
		expect(out.ganadores[0]).toMatchObject({ numero: 49, monto_ganado: 75_000_000 });
	});
});
