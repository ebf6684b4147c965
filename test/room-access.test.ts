import { env, exports } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { RifaRoom } from "../src/rifa-room/rifa-room";
import { rateLimiters } from "./fixtures/rate-limiters";
import { BASE, call, createActiveRifa, createUser, expectProblem, type TestUser } from "./helpers";

let admin: TestUser;
let jugador: TestUser;

beforeAll(async () => {
	admin = await createUser({ rol: "admin" });
	jugador = await createUser();
});

afterEach(() => {
	vi.restoreAllMocks();
});

const randomIp = () => `10.${Array.from(crypto.getRandomValues(new Uint8Array(3))).join(".")}`;

const openSocket = (rifaId: string, ip?: string) =>
	exports.default.fetch(
		new Request(`${BASE}/api/v1/rifas/${rifaId}/ws`, {
			headers: { Upgrade: "websocket", ...(ip ? { "CF-Connecting-IP": ip } : {}) },
		}),
	);

const problemOf = async (res: Response) => ({
	status: res.status,
	headers: res.headers,
	body: await res.json(),
});

describe("ids that are no rifa never reach a Durable Object", () => {
	it("answers 404 for availability, sockets and purchases without creating an object", async () => {
		const touched = [
			vi.spyOn(RifaRoom.prototype, "availability"),
			vi.spyOn(RifaRoom.prototype, "fetch"),
			vi.spyOn(RifaRoom.prototype, "purchase"),
		];
		const id = crypto.randomUUID();
		expectProblem(await call("GET", `/api/v1/rifas/${id}/disponibilidad`), 404);
		expectProblem(await problemOf(await openSocket(id)), 404);
		const buy = await call("POST", `/api/v1/rifas/${id}/tickets`, {
			token: jugador.token,
			body: { user_id: jugador.id, quantity: 1, payment_method: "sandbox" },
			headers: { "Idempotency-Key": crypto.randomUUID() },
		});
		expectProblem(buy, 404);
		for (const spy of touched) expect(spy).not.toHaveBeenCalled();
	});
});

describe("live sockets are capped", () => {
	it("per client address (20 by default) and per rifa, with 429 before the upgrade", async () => {
		const rifa = await createActiveRifa(admin.token);
		const ip = randomIp();
		const sockets: WebSocket[] = [];
		for (let i = 0; i < 20; i++) {
			const res = await openSocket(rifa.id, ip);
			expect(res.status).toBe(101);
			if (res.webSocket) sockets.push(res.webSocket);
		}
		const over = await problemOf(await openSocket(rifa.id, ip));
		expectProblem(over, 429);
		expect(over.headers.get("Retry-After")).toBe("30");
		// A client cannot pose as another address to the room.
		const spoofed = await exports.default.fetch(
			new Request(`${BASE}/api/v1/rifas/${rifa.id}/ws`, {
				headers: { Upgrade: "websocket", "CF-Connecting-IP": ip, "X-Cliente": randomIp() },
			}),
		);
		expect(spoofed.status).toBe(429);
		// 20 open; the rifa takes 25 in all (WS_MAX_POR_RIFA in the test configuration).
		for (let i = 0; i < 5; i++) {
			const res = await openSocket(rifa.id, randomIp());
			expect(res.status).toBe(101);
			if (res.webSocket) sockets.push(res.webSocket);
		}
		expectProblem(await problemOf(await openSocket(rifa.id, randomIp())), 429);
		for (const ws of sockets) {
			ws.accept();
			ws.close(1000, "done");
		}
	});
});

describe("anonymous reads are rate-limited per client address", { timeout: 60_000 }, () => {
	it("answers 429 with Retry-After once an address reads too much, and not another", async () => {
		const rifa = await createActiveRifa(admin.token);
		const now = Date.now();
		const limiters = rateLimiters(() => now);
		const read = (ip: string) =>
			call("GET", `/api/v1/rifas/${rifa.id}/disponibilidad`, {
				headers: { "CF-Connecting-IP": ip },
				env: limiters,
			});
		const ip = randomIp();
		const limit = env.TEST_RATE_LIMITS.PUBLIC_READ_LIMITER?.limit ?? 600;
		for (let i = 0; i < limit; i++) expect((await read(ip)).status).toBe(200);
		const limited = await read(ip);
		expectProblem(limited, 429);
		expect(limited.headers.get("Retry-After")).toBe("60");
		expect((await read(randomIp())).status).toBe(200);
	});
});
