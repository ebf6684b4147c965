import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { runScheduled } from "../src/jobs/scheduler";
import { auditar } from "../src/verificacion/auditoria";
import { descargarRifa } from "../src/verificacion/descarga";
import { fromHex, leafHash, rootFromAuditPath, toHex, treeHead } from "../src/verificacion/merkle";
import { verificar } from "../src/verificacion/verificar";
import { buyNumbers, DRAW, mockWinner, moveToDraw, sealAt, setupRifa } from "./draw-helpers";
import {
	BASE,
	call,
	createActiveRifa,
	createCast,
	createUser,
	expectProblem,
	get,
	patch,
	post,
	runCron,
	type TestUser,
} from "./helpers";

let admin: TestUser;
let operador: TestUser;
let jugador: TestUser;

beforeAll(async () => {
	({ admin, operador, jugador } = await createCast());
});

const registro = async (rifaId: string): Promise<string[]> =>
	(await get(`/api/v1/rifas/${rifaId}/registro?per_page=100`)).body.items;

describe("receipts and the ledger", () => {
	it("gives every sold ticket a signed receipt, in the purchase answer and the ledger", async () => {
		const rifa = await createActiveRifa(admin.token);
		const sale = await buyNumbers(rifa.id, jugador, [7, 3]);
		expect(sale.status).toBe(201);
		const tickets = sale.body.tickets as { id: string; numero: number; recibo: string }[];
		for (const [i, tk] of tickets.entries()) {
			expect(decodeProtectedHeader(tk.recibo)).toMatchObject({
				alg: "EdDSA",
				typ: "rifa1122-recibo",
				kid: expect.any(String),
			});
			const payload = decodeJwt(tk.recibo);
			expect(payload).toMatchObject({
				v: 2,
				rifa_id: rifa.id,
				ticket_id: tk.id,
				numero: tk.numero,
				precio: 1_000_000,
				comprador: expect.stringMatching(/^[0-9a-f]{64}$/),
				seq: i,
				definicion_sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
			});
			// A pseudonym, not the buyer's id.
			expect(JSON.stringify(payload)).not.toContain(jugador.id);
		}
		expect(await registro(rifa.id)).toEqual(tickets.map((tk) => tk.recibo));

		// The same buyer has the same pseudonym within the rifa.
		const again = await buyNumbers(rifa.id, jugador, [9]);
		const [third] = again.body.tickets as { recibo: string }[];
		expect(decodeJwt(third?.recibo ?? "").comprador).toBe(
			decodeJwt(tickets[0]?.recibo ?? "").comprador,
		);
		expect(decodeJwt(third?.recibo ?? "").seq).toBe(2);

		// The owner's listing and the receipt endpoint carry the same receipt.
		const mine = await get(`/api/v1/users/${jugador.id}/tickets`, jugador.token);
		const listed = mine.body.items.find((x: { id: string }) => x.id === tickets[0]?.id);
		expect(listed?.recibo).toBe(tickets[0]?.recibo);
		const own = await get(`/api/v1/tickets/${tickets[0]?.id}/recibo`, jugador.token);
		expect(own.body).toEqual({ recibo: tickets[0]?.recibo });
	});

	it("shows a receipt to the owner and staff only, and its proof to anyone (the ledger is public)", async () => {
		const rifa = await createActiveRifa(admin.token);
		const sale = await buyNumbers(rifa.id, jugador, [1]);
		const ticketId = sale.body.tickets[0].id;
		const other = await createUser();
		expectProblem(await get(`/api/v1/tickets/${ticketId}/recibo`, other.token), 403);
		expect((await get(`/api/v1/tickets/${ticketId}/prueba`)).status).toBe(200);
		expectProblem(await get(`/api/v1/tickets/${crypto.randomUUID()}/prueba`), 404);
		expectProblem(await get(`/api/v1/tickets/${ticketId}/recibo`, operador.token), 403);
		expectProblem(await get(`/api/v1/tickets/${ticketId}/recibo`), 401);
		expectProblem(await get(`/api/v1/tickets/${crypto.randomUUID()}/recibo`, admin.token), 404);
		expect((await get(`/api/v1/tickets/${ticketId}/recibo`, admin.token)).status).toBe(200);
	});

	it("proves inclusion against the current tree, then seals it when sales end", async () => {
		const rifa = await createActiveRifa(admin.token);
		const sale = await buyNumbers(rifa.id, jugador, [10, 11, 12, 13, 14]);
		const tk = sale.body.tickets[3] as { id: string; recibo: string };
		const before = await get(`/api/v1/tickets/${tk.id}/prueba`, jugador.token);
		expect(before.body).toMatchObject({ seq: 3, tamano: 5, sellada: false });
		const root = await rootFromAuditPath(
			await leafHash(tk.recibo),
			3,
			5,
			before.body.ruta.map(fromHex),
		);
		expect(root && toHex(root)).toBe(before.body.raiz);
		expectProblem(await get(`/api/v1/rifas/${rifa.id}/sello`), 404);

		expect(
			(await patch(`/api/v1/rifas/${rifa.id}`, { estado: "cerrada" }, admin.token)).status,
		).toBe(200);
		const sello = await get(`/api/v1/rifas/${rifa.id}/sello`);
		expect(sello.status).toBe(200);
		const entries = await registro(rifa.id);
		const head = toHex(await treeHead(await Promise.all(entries.map(leafHash))));
		expect(sello.body).toMatchObject({ tamano: 5, vendidos: 5, raiz: head });
		expect(decodeProtectedHeader(sello.body.sello).typ).toBe("rifa1122-sello");
		const payload = decodeJwt(sello.body.sello);
		expect(payload).toMatchObject({ v: 2, rifa_id: rifa.id, tamano: 5, raiz: head, vendidos: 5 });
		const rifaRow = (await get(`/api/v1/rifas/${rifa.id}`)).body;
		expect(payload.fecha_sorteo).toBe(rifaRow.fecha_sorteo);
		// The seal carries the rifa's whole definition, and every receipt names its hash.
		expect(payload.definicion).toMatchObject({
			rifa_id: rifa.id,
			loteria: { id: rifaRow.loteria_id },
			fecha_sorteo: rifaRow.fecha_sorteo,
			total_boletas: 100,
			valor_boleta: 1_000_000,
			numero_ganadores: 1,
			reglas: { base_premio: "fijo", numero_no_vendido: "casa" },
			promesa: { rake_bps: 2500, fondo_premios: 75_000_000 },
			premio_garantizado: false,
		});
		expect(sello.body.definicion).toEqual(payload.definicion);
		expect(decodeJwt(tk.recibo).definicion_sha256).toBe(payload.definicion_sha256);
		expect(String(payload.sellado_en) < rifaRow.fecha_sorteo).toBe(true);
		const after = await get(`/api/v1/tickets/${tk.id}/prueba`, jugador.token);
		expect(after.body).toMatchObject({ sellada: true, tamano: 5, raiz: head });
	});

	it("appends annulments after the seal without changing the sealed tree", async () => {
		const rifa = await createActiveRifa(admin.token);
		const sale = await buyNumbers(rifa.id, jugador, [20, 21]);
		expect(
			(await patch(`/api/v1/rifas/${rifa.id}`, { estado: "cerrada" }, admin.token)).status,
		).toBe(200);
		const sealed = (await get(`/api/v1/rifas/${rifa.id}/sello`)).body;
		const cancel = await post(
			`/api/v1/rifas/${rifa.id}/cancelar`,
			{ motivo: "La lotería suspendió el sorteo." },
			admin.token,
		);
		expect(cancel.status).toBe(200);
		const entries = await registro(rifa.id);
		expect(entries).toHaveLength(4);
		const annulments = entries
			.slice(2)
			.map((e) => ({ header: decodeProtectedHeader(e), payload: decodeJwt(e) }));
		expect(annulments.map((a) => a.header.typ)).toEqual([
			"rifa1122-anulacion",
			"rifa1122-anulacion",
		]);
		expect(annulments.map((a) => a.payload.anula).sort()).toEqual([0, 1]);
		expect(annulments[0]?.payload).toMatchObject({
			motivo: "rifa_cancelada",
			seq: 2,
			rifa_id: rifa.id,
		});
		expect(new Set(annulments.map((a) => a.payload.ticket_id))).toEqual(
			new Set(sale.body.tickets.map((t: { id: string }) => t.id)),
		);
		expect((await get(`/api/v1/rifas/${rifa.id}/sello`)).body).toEqual(sealed);
	});

	it("cannot rewrite or remove a ledger entry, even from inside the room", async () => {
		const rifa = await createActiveRifa(admin.token);
		await buyNumbers(rifa.id, jugador, [5]);
		await runInDurableObject(env.RIFA_ROOM.getByName(rifa.id), (_i, state) => {
			const sql = state.storage.sql;
			expect(() => sql.exec("DELETE FROM registro")).toThrow(/append-only/);
			expect(() => sql.exec("UPDATE registro SET datos = '{}'")).toThrow(/append-only/);
			expect(() => sql.exec("UPDATE registro SET jws = 'x'")).toThrow(/append-only/);
		});
		expect(await registro(rifa.id)).toHaveLength(1);
	});

	it("refuses to settle a rifa whose ledger was sealed at or after its draw", async () => {
		const { rifa } = await setupRifa(admin, "bogota");
		const winner = await mockWinner("bogota");
		expect((await buyNumbers(rifa.id, jugador, [Number(winner.numero.slice(-2))])).status).toBe(
			201,
		);
		await env.DB.prepare(
			"UPDATE rifas SET fecha_inicio = ?, fecha_fin = ?, fecha_sorteo = ? WHERE id = ?",
		)
			.bind("2026-01-08T05:00:00.000Z", "2026-01-16T03:00:00.000Z", DRAW.instant, rifa.id)
			.run();
		// The room only heard that sales had ended after the lottery drew.
		await sealAt(rifa.id, "2026-01-16T03:30:00.000Z");
		expect(
			(await patch(`/api/v1/rifas/${rifa.id}`, { estado: "cerrada" }, admin.token)).status,
		).toBe(200);
		const report = await runScheduled(env, new Date());
		expect(report.errores).toContainEqual({
			rifa_id: rifa.id,
			detail: expect.stringContaining("not before the draw"),
		});
		expect((await get(`/api/v1/rifas/${rifa.id}`)).body.estado).toBe("cerrada");
		const sello = decodeJwt((await get(`/api/v1/rifas/${rifa.id}/sello`)).body.sello);
		expect(sello).toMatchObject({
			sellado_en: "2026-01-16T03:30:00.000Z",
			fecha_sorteo: DRAW.instant,
		});
	});

	it("issues a signed acta after settlement that verifies with the receipt, proof and seal", async () => {
		const { rifa } = await setupRifa(admin, "medellin");
		const winner = await mockWinner("medellin");
		const numero = Number(winner.numero.slice(-2));
		const sale = await buyNumbers(rifa.id, jugador, [numero, (numero + 1) % 100]);
		const ticket = sale.body.tickets.find((t: { numero: number }) => t.numero === numero);
		expectProblem(await get(`/api/v1/rifas/${rifa.id}/acta`), 404);
		await moveToDraw(rifa.id);
		await runCron();
		expect((await get(`/api/v1/rifas/${rifa.id}`)).body.estado).toBe("resuelta");

		const acta = await get(`/api/v1/rifas/${rifa.id}/acta`);
		expect(acta.status).toBe(200);
		expect(decodeProtectedHeader(acta.body.acta).typ).toBe("rifa1122-acta");
		const payload = decodeJwt(acta.body.acta);
		expect(payload).toMatchObject({
			rifa_id: rifa.id,
			resultado: { numero: winner.numero, serie: winner.serie, fecha: DRAW.fecha },
			ganadores: [{ posicion: 1, numero, ticket_id: ticket.id }],
		});
		// The same rifa always gets the same acta.
		expect((await get(`/api/v1/rifas/${rifa.id}/acta`)).body.acta).toBe(acta.body.acta);

		const verdict = await verificar({
			recibo: ticket.recibo,
			jwks: (await get("/.well-known/jwks.json")).body,
			prueba: (await get(`/api/v1/tickets/${ticket.id}/prueba`, jugador.token)).body,
			sello: (await get(`/api/v1/rifas/${rifa.id}/sello`)).body,
			acta: acta.body.acta,
		});
		expect(verdict.checks.filter((c) => c.estado !== "ok")).toEqual([]);
		expect(verdict.valido).toBe(true);

		// The served acta with its winner moved to the other ticket no longer verifies.
		const [h, body, sig] = acta.body.acta.split(".");
		const forged = JSON.parse(atob((body ?? "").replaceAll("-", "+").replaceAll("_", "/")));
		forged.ganadores[0].numero = (numero + 1) % 100;
		const b64 = btoa(JSON.stringify(forged))
			.replaceAll("+", "-")
			.replaceAll("/", "_")
			.replace(/=+$/, "");
		const tampered = await verificar({
			recibo: ticket.recibo,
			jwks: (await get("/.well-known/jwks.json")).body,
			acta: `${h}.${b64}.${sig}`,
		});
		expect(tampered.valido).toBe(false);
		expect(tampered.checks.find((c) => c.id === "acta.firma")?.estado).toBe("falla");

		const pdf = await call("GET", `/api/v1/rifas/${rifa.id}/acta.pdf`);
		expect(pdf.status).toBe(200);
		expect(pdf.headers.get("Content-Type")).toBe("application/pdf");
		expect(pdf.text.startsWith("%PDF-")).toBe(true);
	});
});

describe("the public record of a settled rifa", () => {
	/** A settled rifa with its winning number and one more sold, the draw's seal before the draw. */
	const settled = async (slug: string) => {
		const { rifa } = await setupRifa(admin, slug);
		const winner = await mockWinner(slug);
		const numero = Number(winner.numero.slice(-2));
		const sale = await buyNumbers(rifa.id, jugador, [numero, (numero + 7) % 100]);
		expect(sale.status).toBe(201);
		await moveToDraw(rifa.id);
		await runCron();
		expect((await get(`/api/v1/rifas/${rifa.id}`)).body.estado).toBe("resuelta");
		return { rifa, sale, numero };
	};

	it("passes the full audit: every entry, the sealed root and the acta recomputed", async () => {
		const { rifa } = await settled("santander");
		const documentos = await descargarRifa(BASE, rifa.id, (input, init) =>
			exports.default.fetch(new Request(input as string, init)),
		);
		expect(documentos.registro).toHaveLength(2);
		const audit = await auditar(documentos);
		expect(audit.checks.filter((c) => c.estado !== "ok")).toEqual([]);
		expect(audit.checks.map((c) => c.id)).toEqual(
			expect.arrayContaining([
				"registro.firmas",
				"registro.raiz",
				"registro.despues_del_sello",
				"acta.resultado",
				"acta.ganadores",
			]),
		);
	});

	it("makes the acta and its PDF once, keeps them, and serves them with an ETag", async () => {
		const { rifa } = await settled("tolima");
		// Settlement already stored both.
		const liquidacion = (
			await env.DB.prepare("SELECT liquidacion_id FROM rifas WHERE id = ?")
				.bind(rifa.id)
				.first<{ liquidacion_id: string }>()
		)?.liquidacion_id;
		const guardados = await env.ARCHIVOS.list({ prefix: `actas/${rifa.id}/` });
		expect(guardados.objects.map((o) => o.key).sort()).toEqual([
			`actas/${rifa.id}/${liquidacion}.jws`,
			`actas/${rifa.id}/${liquidacion}.pdf`,
		]);
		for (const path of ["acta", "acta.pdf"]) {
			const first = await call("GET", `/api/v1/rifas/${rifa.id}/${path}`);
			expect(first.status).toBe(200);
			const etag = first.headers.get("ETag");
			expect(etag).toBeTruthy();
			expect(first.headers.get("Cache-Control")).toBe("public, no-cache");
			const again = await call("GET", `/api/v1/rifas/${rifa.id}/${path}`, {
				headers: { "If-None-Match": etag ?? "" },
			});
			expect(again.status).toBe(304);
			expect(again.text).toBe("");
			expect(again.headers.get("ETag")).toBe(etag);
		}
	});

	it("rate-limits every read that reaches the room, per client address", async () => {
		const { rifa, sale } = await settled("huila");
		const limit = 5;
		const counts = new Map<string, number>();
		const limiter: RateLimit = {
			limit: async ({ key }) => {
				const n = (counts.get(key) ?? 0) + 1;
				counts.set(key, n);
				return { success: n <= limit };
			},
		};
		const paths = [
			`/api/v1/rifas/${rifa.id}/registro`,
			`/api/v1/rifas/${rifa.id}/sello`,
			`/api/v1/rifas/${rifa.id}/acta`,
			`/api/v1/rifas/${rifa.id}/acta.pdf`,
			`/api/v1/tickets/${sale.body.tickets[0].id}/prueba`,
		];
		const read = (path: string, ip: string) =>
			call("GET", path, {
				headers: { "CF-Connecting-IP": ip },
				env: { PUBLIC_READ_LIMITER: limiter },
			});
		for (const path of paths) expect((await read(path, "203.0.113.9")).status).toBe(200);
		for (const path of paths) {
			const limited = await read(path, "203.0.113.9");
			expectProblem(limited, 429);
			expect(limited.headers.get("Retry-After")).toBe("60");
		}
		expect((await read(paths[1] ?? "", "203.0.113.10")).status).toBe(200);
	});
});
