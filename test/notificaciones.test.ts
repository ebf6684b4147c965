import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { buyNumbers, setupRifa } from "./draw-helpers";
import { createUser, get, type TestUser, waitFor } from "./helpers";

let admin: TestUser;
let jugador: TestUser;

beforeAll(async () => {
	admin = await createUser({ rol: "admin" });
	jugador = await createUser({ nombre: "Ana Gómez" });
});

afterEach(() => {
	vi.restoreAllMocks();
});

const mias = async (who: TestUser) =>
	(await get("/api/v1/users/me/notificaciones", who.token)).body as {
		items: Record<string, unknown>[];
		total: number;
	};

describe("notifications", () => {
	it("a sandbox purchase leaves a compra notification in /users/me/notificaciones", async () => {
		const { rifa } = await setupRifa(admin, "bogota");
		expect((await buyNumbers(rifa.id, jugador, [7, 42])).status).toBe(201);
		await waitFor(async () => (await mias(jugador)).total > 0, {
			what: "the compra notification",
			timeoutMs: 10_000,
		});
		const { items } = await mias(jugador);
		console.warn(JSON.stringify(items, null, 1));
	});
});
