import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { signResults } from "../src/integrations/loterias/signature";
import { buyNumbers, sealAt } from "./draw-helpers";
import {
	call,
	createActiveRifa,
	createCategoria,
	createLoteria,
	get,
	patch,
	post,
	type TestUser,
} from "./helpers";

const COLOMBIA_MS = 5 * 3_600_000;

/** The UTC instant of a draw at `hora` (Colombia) on `fecha`. */
export const instante = (fecha: string, hora = "22:30") =>
	new Date(Date.parse(`${fecha}T${hora}:00Z`) + COLOMBIA_MS).toISOString();

/** A loteria that takes results from the webhook and from admins, two sources agreeing. */
export const loteriaWebhookAdmin = (
	admin: TestUser,
	dia: string,
	extra: Record<string, unknown> = {},
) =>
	createLoteria(admin.token, {
		dia_sorteo: dia,
		hora_sorteo: "22:30",
		fuentes: ["webhook", "admin"],
		fuentes_requeridas: 2,
		...extra,
	});

/** A closed rifa on the loteria's draw of `fecha`, with `numero` sold to `buyer`. */
export const rifaOnDraw = async (
	admin: TestUser,
	buyer: TestUser,
	loteriaId: string,
	fecha: string,
	numero: number,
) => {
	const cat = await createCategoria(admin.token);
	const rifa = await createActiveRifa(admin.token, { categoria_id: cat.id, loteria_id: loteriaId });
	expect((await buyNumbers(rifa.id, buyer, [numero])).status).toBe(201);
	const draw = instante(fecha);
	await env.DB.prepare(
		"UPDATE rifas SET fecha_inicio = ?, fecha_fin = ?, fecha_sorteo = ? WHERE id = ?",
	)
		.bind(
			new Date(Date.parse(draw) - 7 * 86_400_000).toISOString(),
			new Date(Date.parse(draw) - 30 * 60_000).toISOString(),
			draw,
			rifa.id,
		)
		.run();
	await sealAt(rifa.id, new Date(Date.parse(draw) - 30 * 60_000).toISOString());
	expect((await patch(`/api/v1/rifas/${rifa.id}`, { estado: "cerrada" }, admin.token)).status).toBe(
		200,
	);
	return rifa;
};

/** An admin's observation of a draw. */
export const observe = (
	who: TestUser,
	loteriaId: string,
	fecha: string,
	body: Record<string, unknown>,
) => post(`/api/v1/loterias/${loteriaId}/resultados/${fecha}`, body, who.token);

/** The results webhook's signed push. */
export const push = async (body: Record<string, unknown>) => {
	const raw = JSON.stringify(body);
	return call("POST", "/api/v1/webhooks/loteria", {
		raw,
		headers: {
			"Content-Type": "application/json",
			"X-Signature": await signResults(raw, env.LOTERIA_WEBHOOK_SECRET ?? ""),
		},
	});
};

export const estadoRifa = async (id: string) => (await get(`/api/v1/rifas/${id}`)).body.estado;
