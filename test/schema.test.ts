import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createCategoria, createLoteria, createUser } from "./helpers";

const now = new Date().toISOString();
const run = (sql: string, ...params: unknown[]) =>
	env.DB.prepare(sql)
		.bind(...params)
		.run();

const insertRifa = async (overrides: Record<string, unknown> = {}) => {
	const admin = await createUser({ rol: "admin" });
	const cat = await createCategoria(admin.token);
	const lot = await createLoteria(admin.token);
	const row = {
		id: crypto.randomUUID(),
		nombre: "R",
		categoria_id: cat.id,
		loteria_id: lot.id,
		fecha_inicio: "2030-01-01T00:00:00.000Z",
		fecha_fin: "2030-01-02T00:00:00.000Z",
		fecha_sorteo: "2030-01-02T00:00:00.000Z",
		estado: "pendiente",
		reglas: "{}",
		total_boletas: 100,
		creado_en: now,
		actualizado_en: now,
		...overrides,
	};
	const cols = Object.keys(row);
	await run(
		`INSERT INTO rifas (${cols.join(", ")}) VALUES (${cols.map(() => "?").join(", ")})`,
		...Object.values(row),
	);
	return row.id;
};

const insertTicket = (rifaId: string, numero: number, estado = "vendido") =>
	run(
		"INSERT INTO tickets (id, rifa_id, numero, estado, precio, creado_en, actualizado_en) VALUES (?, ?, ?, ?, ?, ?, ?)",
		crypto.randomUUID(),
		rifaId,
		numero,
		estado,
		100,
		now,
		now,
	);

describe("database constraints (the backstop behind the API)", () => {
	it("keeps emails unique regardless of case", async () => {
		const user = await createUser();
		await expect(
			run(
				"INSERT INTO users (id, nombre, email, rol, creado_en, actualizado_en) VALUES (?, 'x', ?, 'jugador', ?, ?)",
				crypto.randomUUID(),
				user.email,
				now,
				now,
			),
		).rejects.toThrow(/UNIQUE/);
	});

	it("never stores one number of a rifa twice", async () => {
		const rifaId = await insertRifa();
		await insertTicket(rifaId, 42);
		await expect(insertTicket(rifaId, 42, "reservado")).rejects.toThrow(/UNIQUE/);
	});

	it("checks every enum and range", async () => {
		await expect(insertRifa({ estado: "abierta" })).rejects.toThrow(/CHECK/);
		await expect(insertRifa({ total_boletas: 50 })).rejects.toThrow(/CHECK/);
		await expect(insertRifa({ fecha_fin: "2029-01-01T00:00:00.000Z" })).rejects.toThrow(/CHECK/);
		await expect(insertRifa({ reglas: "[]" })).rejects.toThrow(/CHECK/);
		const rifaId = await insertRifa();
		await expect(insertTicket(rifaId, 1, "regalado")).rejects.toThrow(/CHECK/);
		await expect(insertTicket(rifaId, -1)).rejects.toThrow(/CHECK/);
		await expect(
			run(
				"INSERT INTO users (id, nombre, email, rol, creado_en, actualizado_en) VALUES (?, 'x', ?, 'root', ?, ?)",
				crypto.randomUUID(),
				`root-${crypto.randomUUID()}@x.co`,
				now,
				now,
			),
		).rejects.toThrow(/CHECK/);
		await expect(
			run(
				"INSERT INTO categoria_rifa (id, nombre, valor_boleta, rake_bps, creado_en, actualizado_en) VALUES (?, ?, 1000, 10000, ?, ?)",
				crypto.randomUUID(),
				`cat-${crypto.randomUUID()}`,
				now,
				now,
			),
		).rejects.toThrow(/CHECK/);
	});

	it("enforces foreign keys", async () => {
		await expect(insertRifa({ categoria_id: crypto.randomUUID() })).rejects.toThrow(/FOREIGN KEY/);
		await expect(insertTicket(crypto.randomUUID(), 1)).rejects.toThrow(/FOREIGN KEY/);
	});

	it("has an index behind every list filter", async () => {
		const plans: [string, string][] = [
			["SELECT * FROM rifas WHERE estado = 'activa' ORDER BY fecha_fin", "rifas_estado"],
			["SELECT * FROM rifas WHERE categoria_id = 'x'", "rifas_categoria_idx"],
			["SELECT * FROM rifas WHERE loteria_id = 'x'", "rifas_loteria_idx"],
			["SELECT * FROM rifas WHERE fecha_inicio >= '2026'", "rifas_fecha_inicio_idx"],
			["SELECT * FROM tickets WHERE rifa_id = 'x' AND estado = 'vendido'", "tickets_rifa"],
			["SELECT * FROM tickets WHERE usuario_id = 'x'", "tickets_usuario_idx"],
			["SELECT * FROM users WHERE lower(email) = 'x'", "users_email_lower_unique"],
			["SELECT * FROM audit_log WHERE entity = 'rifa' AND entity_id = 'x'", "audit_log_entity_idx"],
		];
		for (const [query, index] of plans) {
			const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${query}`).all<{ detail: string }>();
			expect(plan.results.map((r) => r.detail).join(" | "), query).toContain(index);
		}
	});
});
