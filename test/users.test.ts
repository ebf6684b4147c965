import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import {
	createCast,
	createUser,
	del,
	expectProblem,
	get,
	patch,
	runCron,
	type TestUser,
	waitFor,
} from "./helpers";

let admin: TestUser;
let operador: TestUser;
let jugador: TestUser;

beforeAll(async () => {
	({ admin, operador, jugador } = await createCast());
});

describe("authorization matrix", () => {
	it("lets only admins list, patch and deactivate users", async () => {
		const target = await createUser();
		const cases: [TestUser | undefined, number][] = [
			[undefined, 401],
			[jugador, 403],
			[operador, 403],
			[admin, 200],
		];
		for (const [who, status] of cases) {
			expect((await get("/api/v1/users", who?.token)).status).toBe(status);
			const patched = await patch(`/api/v1/users/${target.id}`, { nombre: "Nuevo" }, who?.token);
			expect(patched.status).toBe(status);
		}
		for (const [who, status] of cases) {
			const res = await del(`/api/v1/users/${target.id}`, who?.token);
			expect(res.status).toBe(status === 200 ? 204 : status);
		}
	});

	it("lets a user read itself but not another user", async () => {
		expect((await get(`/api/v1/users/${jugador.id}`, jugador.token)).status).toBe(200);
		expectProblem(await get(`/api/v1/users/${operador.id}`, jugador.token), 403);
		expect((await get(`/api/v1/users/${jugador.id}`, admin.token)).status).toBe(200);
		expectProblem(await get(`/api/v1/users/${crypto.randomUUID()}`, admin.token), 404);
		expectProblem(await get("/api/v1/users/not-a-uuid", admin.token), 422);
	});
});

describe("listing", () => {
	it("paginates with {items,total,page,per_page} and searches by name or email", async () => {
		const tag = crypto.randomUUID().slice(0, 6);
		for (let i = 0; i < 5; i++) await createUser({ nombre: `Buscable ${tag} ${i}` });
		const page1 = await get(`/api/v1/users?q=${tag}&per_page=2&page=1`, admin.token);
		expect(page1.status).toBe(200);
		expect(page1.body).toMatchObject({ total: 5, page: 1, per_page: 2 });
		expect(page1.body.items).toHaveLength(2);
		const page3 = await get(`/api/v1/users?q=${tag}&per_page=2&page=3`, admin.token);
		expect(page3.body.items).toHaveLength(1);
		const all = [
			...page1.body.items,
			...(await get(`/api/v1/users?q=${tag}&per_page=2&page=2`, admin.token)).body.items,
			...page3.body.items,
		].map((u: { id: string }) => u.id);
		expect(new Set(all).size).toBe(5);
		const byEmail = await get(
			`/api/v1/users?q=${encodeURIComponent(jugador.email.toUpperCase())}`,
			admin.token,
		);
		expect(byEmail.body.items.map((u: { id: string }) => u.id)).toEqual([jugador.id]);
		const wildcard = await get("/api/v1/users?q=%25", admin.token);
		expect(wildcard.body.total).toBe(0);
		const underscore = await createUser({ nombre: `con_guion_${tag}` });
		const literal = await get(`/api/v1/users?q=n_guion_${tag}`, admin.token);
		expect(literal.body.items.map((u: { id: string }) => u.id)).toEqual([underscore.id]);
		expect((await get(`/api/v1/users?q=n_gui%25n_${tag}`, admin.token)).body.total).toBe(0);
		expect(page1.text).not.toMatch(/hashed_password|pbkdf2/);
	});

	it("caps per_page at 100 and rejects impossible pages", async () => {
		expectProblem(await get("/api/v1/users?per_page=101", admin.token), 422);
		expectProblem(await get("/api/v1/users?per_page=0", admin.token), 422);
		expectProblem(await get("/api/v1/users?page=-1", admin.token), 422);
		expectProblem(await get("/api/v1/users?page=abc", admin.token), 422);
		expect((await get("/api/v1/users?per_page=100", admin.token)).status).toBe(200);
	});
});

describe("changes", () => {
	it("changes a role, audits it and the new role applies to the existing token", async () => {
		const user = await createUser();
		expectProblem(await get("/api/v1/users", user.token), 403);
		const res = await patch(`/api/v1/users/${user.id}`, { rol: "admin" }, admin.token);
		expect(res.status).toBe(200);
		expect(res.body.rol).toBe("admin");
		expect((await get("/api/v1/users", user.token)).status).toBe(200);
		const audit = await env.DB.prepare(
			"SELECT actor_id, action, before, after FROM audit_log WHERE entity = 'user' AND entity_id = ?",
		)
			.bind(user.id)
			.all<{ actor_id: string; action: string; before: string; after: string }>();
		expect(audit.results).toHaveLength(1);
		expect(audit.results[0]).toMatchObject({ actor_id: admin.id, action: "user.role_changed" });
		expect(JSON.parse(audit.results[0]?.before ?? "{}").rol).toBe("jugador");
		expect(JSON.parse(audit.results[0]?.after ?? "{}").rol).toBe("admin");
	});

	it("alerts every admin when an account gets admin powers, once however often it is sent", async () => {
		const otroAdmin = await createUser({ rol: "admin" });
		const user = await createUser();
		const alertas = async (de = user.id) =>
			(
				await env.DB.prepare(
					"SELECT evento, cuerpo_texto FROM notificaciones WHERE usuario_id = ? AND evento LIKE 'alerta:rol_admin_otorgado:%'",
				)
					.bind(otroAdmin.id)
					.all<{ evento: string; cuerpo_texto: string }>()
			).results.filter((a) => a.evento.includes(de));
		// Sent twice at once, then retried.
		const promoted = await Promise.all([
			patch(`/api/v1/users/${user.id}`, { rol: "admin" }, admin.token),
			patch(`/api/v1/users/${user.id}`, { rol: "admin" }, admin.token),
		]);
		expect(promoted.map((r) => r.status)).toEqual([200, 200]);
		expect((await patch(`/api/v1/users/${user.id}`, { rol: "admin" }, admin.token)).status).toBe(
			200,
		);
		await waitFor(async () => (await alertas()).length === 1, {
			what: "the promotion's alert",
			timeoutMs: 15_000,
		});
		const [alerta] = await alertas();
		expect(alerta?.cuerpo_texto).toContain("rol de administrador");
		expect(alerta?.cuerpo_texto).toContain(`email: ${user.email}`);
		expect(alerta?.cuerpo_texto).toContain(`otorgado_por: ${admin.id}`);

		// An admin deactivated and reactivated gets its powers back: alerted again.
		await patch(`/api/v1/users/${user.id}`, { is_active: false }, admin.token);
		await patch(`/api/v1/users/${user.id}`, { is_active: true }, admin.token);
		await waitFor(async () => (await alertas()).length === 2, {
			what: "the reactivation's alert",
			timeoutMs: 15_000,
		});
		// Other changes alert nothing.
		await patch(`/api/v1/users/${user.id}`, { nombre: "Otro nombre" }, admin.token);
		const operadorNuevo = await createUser();
		await patch(`/api/v1/users/${operadorNuevo.id}`, { rol: "operador" }, admin.token);
		await runCron();
		expect(await alertas()).toHaveLength(2);
		expect(await alertas(operadorNuevo.id)).toHaveLength(0);
	}, 40_000);

	it("rejects unknown fields, bad roles and empty patches", async () => {
		const user = await createUser();
		const unknown = expectProblem(
			await patch(`/api/v1/users/${user.id}`, { email: "x@y.co", password: "x" }, admin.token),
			422,
		);
		expect(unknown.errors.map((e: { path: string }) => e.path)).toEqual(
			expect.arrayContaining(["email", "password"]),
		);
		expectProblem(await patch(`/api/v1/users/${user.id}`, { rol: "superadmin" }, admin.token), 422);
		expectProblem(await patch(`/api/v1/users/${user.id}`, {}, admin.token), 422);
		expectProblem(
			await patch(`/api/v1/users/${crypto.randomUUID()}`, { nombre: "x" }, admin.token),
			404,
		);
	});

	it("keeps an admin from locking itself out", async () => {
		const me = await createUser({ rol: "admin" });
		expectProblem(await patch(`/api/v1/users/${me.id}`, { rol: "jugador" }, me.token), 409);
		expectProblem(await patch(`/api/v1/users/${me.id}`, { is_active: false }, me.token), 409);
		expectProblem(await del(`/api/v1/users/${me.id}`, me.token), 409);
	});

	it("deactivates on DELETE, idempotently, and audits once", async () => {
		const user = await createUser();
		expect((await del(`/api/v1/users/${user.id}`, admin.token)).status).toBe(204);
		expect((await del(`/api/v1/users/${user.id}`, admin.token)).status).toBe(204);
		const row = await get(`/api/v1/users/${user.id}`, admin.token);
		expect(row.body.is_active).toBe(false);
		const audits = await env.DB.prepare(
			"SELECT count(*) AS n FROM audit_log WHERE entity_id = ? AND action = 'user.deactivated'",
		)
			.bind(user.id)
			.first<{ n: number }>();
		expect(audits?.n).toBe(1);
		expectProblem(await del(`/api/v1/users/${crypto.randomUUID()}`, admin.token), 404);
	});
});

describe("audit log endpoint", () => {
	it("lists audit entries for admins only, newest first, filtered by entity", async () => {
		const user = await createUser();
		await patch(`/api/v1/users/${user.id}`, { rol: "operador" }, admin.token);
		await patch(`/api/v1/users/${user.id}`, { rol: "jugador" }, admin.token);
		expectProblem(await get("/api/v1/admin/auditoria", jugador.token), 403);
		expectProblem(await get("/api/v1/admin/auditoria", operador.token), 403);
		expectProblem(await get("/api/v1/admin/auditoria"), 401);
		const res = await get(`/api/v1/admin/auditoria?entity=user&entity_id=${user.id}`, admin.token);
		expect(res.status).toBe(200);
		expect(res.body.total).toBe(2);
		const items = res.body.items as { after: { rol: string }; created_at: string }[];
		expect(items.map((e) => e.after.rol).sort()).toEqual(["jugador", "operador"]);
		expect((items[0]?.created_at ?? "") >= (items[1]?.created_at ?? "")).toBe(true);
		expect(res.body.items[0]).toMatchObject({
			actor_id: admin.id,
			action: "user.role_changed",
			entity: "user",
		});
		expectProblem(await get("/api/v1/admin/auditoria?entity=nada", admin.token), 422);
	});
});
