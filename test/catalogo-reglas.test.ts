import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createDb, type Database } from "../src/db/client";
import { actualizarCategoria } from "../src/services/catalogo.service";
import { actualizarLoteria } from "../src/services/loterias.service";
import {
	call,
	createCast,
	createCategoria,
	createLoteria,
	createUser,
	del,
	expectProblem,
	get,
	inDays,
	patch,
	post,
	type TestUser,
} from "./helpers";

let admin: TestUser;
let operador: TestUser;

beforeAll(async () => {
	({ admin, operador } = await createCast());
});

interface Sorteo {
	fecha: string;
	instante: string;
}

const sumarDias = (fecha: string, dias: number) =>
	new Date(Date.parse(`${fecha}T00:00:00Z`) + dias * 86_400_000).toISOString().slice(0, 10);

/** The loteria's Thursday draws (createLoteria: Thursdays 22:30) at least two days ahead. */
const jueves = async (loteriaId: string): Promise<Sorteo[]> => {
	const res = await get(`/api/v1/loterias/${loteriaId}/sorteos`);
	expect(res.status).toBe(200);
	return (res.body.items as Sorteo[]).filter(
		(s) => new Date(`${s.fecha}T00:00:00Z`).getUTCDay() === 4 && s.instante > inDays(2),
	);
};

/** A rifa drawn at `sorteo`, its sales open since yesterday and closing two hours before. */
const rifaEn = async (categoriaId: string, loteriaId: string, sorteo: Sorteo, activa = false) => {
	const res = await post(
		"/api/v1/rifas",
		{
			nombre: `Rifa ${crypto.randomUUID().slice(0, 8)}`,
			categoria_id: categoriaId,
			loteria_id: loteriaId,
			fecha_inicio: inDays(-1),
			fecha_fin: new Date(Date.parse(sorteo.instante) - 2 * 3_600_000).toISOString(),
			fecha_sorteo: sorteo.instante,
			numero_ganadores: 1,
			reglas: {},
			total_boletas: 100,
		},
		operador.token,
	);
	if (res.status !== 201) throw new Error(`rifa: ${res.status} ${res.text}`);
	const id: string = res.body.id;
	if (activa) {
		const opened = await patch(`/api/v1/rifas/${id}`, { estado: "activa" }, operador.token);
		if (opened.status !== 200) throw new Error(`open: ${opened.text}`);
	}
	return id;
};

/** Terminal states are reached by settlement or cancellation; the rules only read the estado. */
const terminar = (rifaId: string, estado: "resuelta" | "cancelada") =>
	env.DB.prepare("UPDATE rifas SET estado = ? WHERE id = ?").bind(estado, rifaId).run();

const auditoria = async (entity: string, entityId: string) => {
	const res = await get(
		`/api/v1/admin/auditoria?entity=${entity}&entity_id=${entityId}&per_page=100`,
		admin.token,
	);
	expect(res.status).toBe(200);
	return (res.body.items as { action: string; actor_id: string; before: unknown; after: unknown }[])
		.slice()
		.reverse();
};

describe("who writes the catalog", () => {
	it("loterias are admin-only to write: an operador gets 403; anyone reads", async () => {
		const lot = await createLoteria(admin.token);
		const create = expectProblem(
			await post("/api/v1/loterias", { nombre: `Op ${crypto.randomUUID()}` }, operador.token),
			403,
		);
		expect(create.detail).toContain("admin");
		expectProblem(
			await patch(`/api/v1/loterias/${lot.id}`, { hora_sorteo: "21:00" }, operador.token),
			403,
		);
		const gone = expectProblem(await del(`/api/v1/loterias/${lot.id}`, operador.token), 403);
		expect(gone.type).toMatch(/forbidden$/);
		const en = await call("PATCH", `/api/v1/loterias/${lot.id}`, {
			token: operador.token,
			body: { hora_sorteo: "21:00" },
			headers: { "Accept-Language": "en" },
		});
		expect(expectProblem(en, 403).detail).toBe("This operation needs the role admin.");
		expect((await get(`/api/v1/loterias/${lot.id}`)).body.hora_sorteo).toBe("22:30");
		// So are categorias: their money is what every rifa of them promises.
		const cat = await createCategoria(admin.token);
		expectProblem(
			await patch(`/api/v1/categorias/${cat.id}`, { color: "red" }, operador.token),
			403,
		);
	});

	it("the OpenAPI document says who may write each", async () => {
		const doc = (await get("/openapi.json")).body;
		expect(doc.paths["/api/v1/loterias"].post.summary).toBe("Crear loteria (admin)");
		expect(doc.paths["/api/v1/loterias/{id}"].patch.summary).toBe("Modificar loteria (admin)");
		expect(doc.paths["/api/v1/loterias/{id}"].patch.description).toContain("409");
		expect(doc.paths["/api/v1/loterias/{id}"].delete.summary).toMatch(/^Eliminar loteria \(admin;/);
		expect(doc.paths["/api/v1/categorias"].post.summary).toBe("Crear categoria (admin)");
		expect(doc.paths["/api/v1/categorias/{id}"].patch.description).toContain("valor_boleta");
	});
});

describe("a categoría's money is frozen while its rifas are not over", () => {
	it("409 while a rifa is pendiente or activa; other fields change; 200 once it is over", async () => {
		const cat = await createCategoria(admin.token);
		const lot = await createLoteria(admin.token);
		const [sorteo] = await jueves(lot.id);
		if (!sorteo) throw new Error("no draw");
		const rifa = await rifaEn(cat.id, lot.id, sorteo);

		const pendiente = expectProblem(
			await patch(`/api/v1/categorias/${cat.id}`, { valor_boleta: 2_000_000 }, admin.token),
			409,
		);
		expect(pendiente.detail).toContain("Regla:");
		expect(pendiente.detail).toContain("valor_boleta");
		expect(pendiente.detail).toContain(`1 rifa(s)`);
		expect(pendiente.detail).toContain(rifa);
		expect(pendiente.errors).toEqual([
			{ path: "valor_boleta", message: pendiente.detail, code: "categoria_en_uso" },
		]);

		await patch(`/api/v1/rifas/${rifa}`, { estado: "activa" }, operador.token);
		for (const body of [
			{ rake: 0.3 },
			{ total_recaudo: 200_000_000 },
			{ fondo_premios: 80_000_000 },
			{ premio_por_ganador: 1 },
		]) {
			expectProblem(await patch(`/api/v1/categorias/${cat.id}`, body, admin.token), 409);
		}
		const en = await call("PATCH", `/api/v1/categorias/${cat.id}`, {
			token: admin.token,
			body: { rake: 0.3 },
			headers: { "Accept-Language": "en" },
		});
		expect(expectProblem(en, 409).detail).toMatch(/^Rule: a category's money does not change/);

		const otros = await patch(
			`/api/v1/categorias/${cat.id}`,
			{ nombre: `Renombrada ${crypto.randomUUID()}`, color: "#111111", comentario: "nuevo" },
			admin.token,
		);
		expect(otros.status).toBe(200);
		// The same amounts are no change: nothing to refuse.
		const igual = await patch(
			`/api/v1/categorias/${cat.id}`,
			{ valor_boleta: 1_000_000, rake: 0.25 },
			admin.token,
		);
		expect(igual.status).toBe(200);

		await terminar(rifa, "cancelada");
		const ok = await patch(
			`/api/v1/categorias/${cat.id}`,
			{ valor_boleta: 2_000_000, rake: 0.3 },
			admin.token,
		);
		expect(ok.status).toBe(200);
		expect(ok.body).toMatchObject({ valor_boleta: 2_000_000, rake: 0.3 });
	});

	it("a resolved rifa no longer blocks; the refusal counts the blockers and names five", async () => {
		const cat = await createCategoria(admin.token);
		const lot = await createLoteria(admin.token);
		const sorteos = await jueves(lot.id);
		const ids: string[] = [];
		for (let i = 0; i < 6; i++) {
			const sorteo = sorteos[i % sorteos.length];
			if (!sorteo) throw new Error("no draw");
			ids.push(await rifaEn(cat.id, lot.id, sorteo, i === 0));
		}
		const refused = expectProblem(
			await patch(`/api/v1/categorias/${cat.id}`, { fondo_premios: 80_000_000 }, admin.token),
			409,
		);
		expect(refused.detail).toContain("6 rifa(s)");
		expect(refused.detail).toContain("…");
		expect(ids.filter((id) => refused.detail.includes(id))).toHaveLength(5);

		for (const id of ids) await terminar(id, "resuelta");
		const ok = await patch(
			`/api/v1/categorias/${cat.id}`,
			{ fondo_premios: 80_000_000 },
			admin.token,
		);
		expect(ok.status).toBe(200);
	});
});

describe("a loteria's sources and calendar while rifas use it", () => {
	it("409 on a change of meta while a rifa uses it; other fields change; 200 once it is over", async () => {
		const cat = await createCategoria(admin.token);
		const lot = await createLoteria(admin.token, { meta: { adapter: "mock", slug: "bogota" } });
		const [sorteo] = await jueves(lot.id);
		if (!sorteo) throw new Error("no draw");
		const rifa = await rifaEn(cat.id, lot.id, sorteo, true);

		const refused = expectProblem(
			await patch(
				`/api/v1/loterias/${lot.id}`,
				{ meta: { adapter: "resultadosloterias", slug: "otra" } },
				admin.token,
			),
			409,
		);
		expect(refused.detail).toMatch(/^Regla: las fuentes de resultados/);
		expect(refused.detail).toContain(rifa);
		// A legacy meta.adapter names the loteria's only source, so fuentes changes too.
		expect(refused.errors).toEqual([
			{ path: "meta", message: refused.detail, code: "loteria_en_uso" },
			{ path: "fuentes", message: refused.detail, code: "loteria_en_uso" },
		]);
		expect((await get(`/api/v1/loterias/${lot.id}`)).body.meta).toEqual({
			adapter: "mock",
			slug: "bogota",
		});
		// Sending the same sources changes nothing; the descriptive fields change freely.
		const same = await patch(
			`/api/v1/loterias/${lot.id}`,
			{
				meta: { slug: "bogota", adapter: "mock" },
				descripcion: "Jueves",
				url_resultados: "https://example.com/r",
			},
			admin.token,
		);
		expect(same.status).toBe(200);

		await terminar(rifa, "resuelta");
		const ok = await patch(
			`/api/v1/loterias/${lot.id}`,
			{ meta: { adapter: "mock", slug: "otra" } },
			admin.token,
		);
		expect(ok.status).toBe(200);
		expect(ok.body.meta).toEqual({ adapter: "mock", slug: "otra" });
	});

	it("refuses to move a draw the lottery has already drawn", async () => {
		const cat = await createCategoria(admin.token);
		const lot = await createLoteria(admin.token);
		const id = await rifaEn(cat.id, lot.id, (await jueves(lot.id))[0] as Sorteo, true);
		// Its sales ended before the Thursday 2026-01-15 draw, which has taken place.
		await env.DB.prepare(
			"UPDATE rifas SET estado = 'cerrada', fecha_inicio = ?, fecha_fin = ?, fecha_sorteo = ? WHERE id = ?",
		)
			.bind("2026-01-08T05:00:00.000Z", "2026-01-16T03:00:00.000Z", "2026-01-16T03:30:00.000Z", id)
			.run();
		const refused = expectProblem(
			await patch(
				`/api/v1/loterias/${lot.id}`,
				{ movimientos: [{ fecha_nominal: "2026-01-15", fecha_real: "2026-01-16" }] },
				admin.token,
			),
			409,
		);
		expect(refused.errors).toEqual([
			expect.objectContaining({ path: "movimientos", code: "sorteo_realizado" }),
		]);
		expect((await get(`/api/v1/rifas/${id}`)).body.fecha_sorteo).toBe("2026-01-16T03:30:00.000Z");
	});

	it("accepts a published move for a date no rifa uses while rifas sell; refuses one that moves a draw", async () => {
		const cat = await createCategoria(admin.token);
		const lot = await createLoteria(admin.token);
		const [d1, d2] = await jueves(lot.id);
		if (!d1 || !d2) throw new Error("no draws");
		const r1 = await rifaEn(cat.id, lot.id, d1, true);
		const r2 = await rifaEn(cat.id, lot.id, d2);
		const comprador = await createUser();
		const compra = await call("POST", `/api/v1/rifas/${r1}/tickets`, {
			token: comprador.token,
			body: { user_id: comprador.id, quantity: 1, payment_method: "sandbox" },
			headers: { "Idempotency-Key": crypto.randomUUID() },
		});
		expect(compra.status).toBe(201);

		const libre = sumarDias(d2.fecha, 14);
		const move = { fecha_nominal: libre, fecha_real: sumarDias(libre, 1), hora: "21:00" };
		const accepted = await patch(
			`/api/v1/loterias/${lot.id}`,
			{ movimientos: [move] },
			admin.token,
		);
		expect(accepted.status).toBe(200);
		const cal = await get(
			`/api/v1/loterias/${lot.id}/sorteos?desde=${libre}&hasta=${sumarDias(libre, 1)}`,
		);
		expect(cal.body.items.map((s: Sorteo) => s.fecha)).toEqual([sumarDias(libre, 1)]);

		// A move that would put the draw before the rifa's sales end (plus the margin) is refused.
		const antes = { fecha_nominal: d1.fecha, fecha_real: sumarDias(d1.fecha, -1) };
		const refused = expectProblem(
			await patch(`/api/v1/loterias/${lot.id}`, { movimientos: [move, antes] }, admin.token),
			409,
		);
		expect(refused.detail).toMatch(/^Regla: un cambio de movimientos solo puede mover/);
		expect(refused.detail).toContain(`1 rifa(s): ${r1} (${d1.instante})`);
		expect(refused.detail).not.toContain(r2);
		expect(refused.errors).toEqual([
			expect.objectContaining({ path: "movimientos", code: "cierre_tardio" }),
		]);
		expectProblem(
			await patch(`/api/v1/loterias/${lot.id}`, { dia_sorteo: "viernes" }, admin.token),
			409,
		);
		expect((await get(`/api/v1/rifas/${r1}`)).body.fecha_sorteo).toBe(d1.instante);

		// The lottery moved its draw (a day later): the rifa follows it, audited, before it draws.
		const moving = { fecha_nominal: d1.fecha, fecha_real: sumarDias(d1.fecha, 1) };
		const followed = await patch(
			`/api/v1/loterias/${lot.id}`,
			{ movimientos: [move, moving] },
			admin.token,
		);
		expect(followed.status).toBe(200);
		const nuevo = new Date(Date.parse(d1.instante) + 86_400_000).toISOString();
		expect((await get(`/api/v1/rifas/${r1}`)).body.fecha_sorteo).toBe(nuevo);
		expect((await get(`/api/v1/rifas/${r2}`)).body.fecha_sorteo).toBe(d2.instante);
		const trail = await auditoria("rifa", r1);
		expect(trail.at(-1)).toMatchObject({
			action: "rifa.sorteo_movido",
			before: { fecha_sorteo: d1.instante },
			after: { fecha_sorteo: nuevo },
		});
		// Its tickets were sold for the draw it had: sales still end before that one, not the new.
		const tarde = new Date(Date.parse(d1.instante) + 3_600_000).toISOString();
		const cierre = expectProblem(
			await patch(`/api/v1/rifas/${r1}`, { fecha_fin: tarde }, operador.token),
			422,
		);
		expect(cierre.errors[0]).toMatchObject({ path: "fecha_sorteo", code: "cierre_tardio" });
		// A new hour moves both draws by half an hour: both rifas still close in time, so they follow.
		const hora = await patch(`/api/v1/loterias/${lot.id}`, { hora_sorteo: "22:00" }, admin.token);
		expect(hora.status).toBe(200);
		expect((await get(`/api/v1/rifas/${r2}`)).body.fecha_sorteo).toBe(
			new Date(Date.parse(d2.instante) - 30 * 60_000).toISOString(),
		);
		expectProblem(
			await patch(`/api/v1/loterias/${lot.id}`, { frecuencia: "mensual" }, admin.token),
			409,
		);
		// The same hour, sent again, moves nothing.
		expect(
			(await patch(`/api/v1/loterias/${lot.id}`, { hora_sorteo: "22:00" }, admin.token)).status,
		).toBe(200);
		expect((await get(`/api/v1/loterias/${lot.id}`)).body.movimientos).toEqual([move, moving]);

		await terminar(r1, "cancelada");
		await terminar(r2, "cancelada");
		const free = await patch(`/api/v1/loterias/${lot.id}`, { dia_sorteo: "viernes" }, admin.token);
		expect(free.status).toBe(200);
	});
});
describe("a rifa created between the check and the write", () => {
	/** A database whose first batch (the check's read) is followed by `meanwhile`. */
	const racing = (meanwhile: () => Promise<unknown>): Database => {
		const db = createDb(env.DB);
		let first = true;
		return new Proxy(db, {
			get(target, prop, receiver) {
				if (prop === "batch") {
					return async (...args: Parameters<Database["batch"]>) => {
						const out = await target.batch(...args);
						if (first) {
							first = false;
							await meanwhile();
						}
						return out;
					};
				}
				const value = Reflect.get(target, prop, receiver);
				return typeof value === "function" ? value.bind(target) : value;
			},
		});
	};

	const insertRifa = (categoriaId: string, loteriaId: string, sorteo: Sorteo) => {
		const now = new Date().toISOString();
		return env.DB.prepare(
			"INSERT INTO rifas (id, nombre, categoria_id, loteria_id, fecha_inicio, fecha_fin, fecha_sorteo, estado, reglas, total_boletas, creado_en, actualizado_en) VALUES (?, 'Carrera', ?, ?, ?, ?, ?, 'pendiente', '{}', 100, ?, ?)",
		)
			.bind(
				crypto.randomUUID(),
				categoriaId,
				loteriaId,
				inDays(-1),
				new Date(Date.parse(sorteo.instante) - 3_600_000).toISOString(),
				sorteo.instante,
				now,
				now,
			)
			.run();
	};

	const actor = () => ({ userId: admin.id, requestId: null });

	it("stops a category's money change", async () => {
		const cat = await createCategoria(admin.token);
		const lot = await createLoteria(admin.token);
		const [sorteo] = await jueves(lot.id);
		if (!sorteo) throw new Error("no draw");
		const db = racing(() => insertRifa(cat.id, lot.id, sorteo));
		await expect(
			actualizarCategoria(db, actor(), cat.id, { valor_boleta: 5_000_000 }),
		).rejects.toMatchObject({ status: 409 });
		expect((await get(`/api/v1/categorias/${cat.id}`)).body.valor_boleta).toBe(1_000_000);
		expect((await auditoria("categoria", cat.id)).map((e) => e.action)).toEqual([
			"categoria.created",
		]);
	});

	it("stops a loteria's schedule change and its sources change", async () => {
		const cat = await createCategoria(admin.token);
		const lot = await createLoteria(admin.token);
		const [sorteo] = await jueves(lot.id);
		if (!sorteo) throw new Error("no draw");
		await expect(
			actualizarLoteria(
				racing(() => insertRifa(cat.id, lot.id, sorteo)),
				actor(),
				lot.id,
				{ hora_sorteo: "20:00" },
				30,
			),
		).rejects.toMatchObject({ status: 409 });
		expect((await get(`/api/v1/loterias/${lot.id}`)).body.hora_sorteo).toBe("22:30");

		const lot2 = await createLoteria(admin.token);
		await expect(
			actualizarLoteria(
				racing(() => insertRifa(cat.id, lot2.id, sorteo)),
				actor(),
				lot2.id,
				{ meta: { adapter: "mock", slug: "carrera" } },
				30,
			),
		).rejects.toMatchObject({ status: 409 });
		expect((await get(`/api/v1/loterias/${lot2.id}`)).body.meta).toEqual({
			adapter: "mock",
			slug: "bogota",
		});
		expect((await auditoria("loteria", lot.id)).map((e) => e.action)).toEqual(["loteria.created"]);
	});
});

describe("audit of the catalog", () => {
	it("records every create, update and delete of a loteria with actor, before and after", async () => {
		const lot = await createLoteria(admin.token, { hora_sorteo: "22:30" });
		const changed = await patch(
			`/api/v1/loterias/${lot.id}`,
			{ hora_sorteo: "21:15" },
			admin.token,
		);
		expect(changed.status).toBe(200);
		expect((await del(`/api/v1/loterias/${lot.id}`, admin.token)).status).toBe(204);

		const trail = await auditoria("loteria", lot.id);
		expect(trail.map((e) => e.action)).toEqual([
			"loteria.created",
			"loteria.updated",
			"loteria.deleted",
		]);
		expect(trail.every((e) => e.actor_id === admin.id)).toBe(true);
		const [created, updated, deleted] = trail;
		expect(created?.before).toBeNull();
		expect(created?.after).toEqual({ ...changed.body, hora_sorteo: "22:30" });
		expect(updated?.before).toEqual(created?.after);
		expect(updated?.after).toEqual(changed.body);
		expect(deleted?.before).toEqual(changed.body);
		expect(deleted?.after).toBeNull();
	});

	it("records every create, update and delete of a categoría; a refusal records nothing", async () => {
		const other = await createUser({ rol: "admin" });
		const cat = await createCategoria(other.token);
		const changed = await patch(
			`/api/v1/categorias/${cat.id}`,
			{ rake: 0.1, color: "#222222" },
			other.token,
		);
		expect(changed.status).toBe(200);
		expectProblem(
			await patch(`/api/v1/categorias/${cat.id}`, { fondo_premios: 999_000_000 }, admin.token),
			422,
		);
		expect((await del(`/api/v1/categorias/${cat.id}`, admin.token)).status).toBe(204);

		const trail = await auditoria("categoria", cat.id);
		expect(trail.map((e) => [e.action, e.actor_id])).toEqual([
			["categoria.created", other.id],
			["categoria.updated", other.id],
			["categoria.deleted", admin.id],
		]);
		const [created, updated, deleted] = trail;
		expect(created?.after).toMatchObject({ id: cat.id, rake: 0.25, color: "#C0C0C0" });
		expect(updated?.before).toEqual(created?.after);
		expect(updated?.after).toEqual(changed.body);
		expect(deleted?.before).toEqual(changed.body);
		expect(deleted?.after).toBeNull();
	});

	it("a refused delete (rifas reference it) leaves no entry", async () => {
		const cat = await createCategoria(admin.token);
		const lot = await createLoteria(admin.token);
		const [sorteo] = await jueves(lot.id);
		if (!sorteo) throw new Error("no draw");
		const rifa = await rifaEn(cat.id, lot.id, sorteo);
		await terminar(rifa, "cancelada");
		expectProblem(await del(`/api/v1/loterias/${lot.id}`, admin.token), 409);
		expectProblem(await del(`/api/v1/categorias/${cat.id}`, admin.token), 409);
		expect((await auditoria("loteria", lot.id)).map((e) => e.action)).toEqual(["loteria.created"]);
		expect((await auditoria("categoria", cat.id)).map((e) => e.action)).toEqual([
			"categoria.created",
		]);
	});
});
