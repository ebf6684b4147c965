import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { signAccessToken } from "../src/auth/jwt";
import { COMPROBANTE_MAX_BYTES } from "../src/db/schema";
import { readProofFile } from "../src/services/comprobantes.service";
import {
	BASE,
	call,
	createActiveRifa,
	createUser,
	expectProblem,
	expireHolds,
	get,
	post,
	type TestUser,
} from "./helpers";
import { esperar } from "./notificaciones-helpers";

// createCategoria: boletas of $10.000 (1,000,000 centavos).
const PRECIO = 1_000_000;

let admin: TestUser;
let operador: TestUser;
let otroOperador: TestUser;
let jugador: TestUser;
let otroJugador: TestUser;
let vendedor: { id: string; token: string };

beforeAll(async () => {
	admin = await createUser({ rol: "admin" });
	operador = await createUser({ rol: "operador" });
	otroOperador = await createUser({ rol: "operador" });
	jugador = await createUser({ nombre: "Luz Marina Ospina" });
	otroJugador = await createUser();
	const res = await post(
		"/api/v1/vendedores",
		{
			nombre: "Vendedor de transferencias",
			email: `transfer-${crypto.randomUUID().slice(0, 8)}@pos.rifa1122.co`,
			telefono: "3001234567",
			password: "Vende1122!segura",
		},
		operador.token,
	);
	vendedor = { id: res.body.id, token: (await signAccessToken(res.body.id, env)).token };
	// Its rifas take transfers only with an account to transfer to.
	const cuenta = await call("PUT", `/api/v1/operadores/${operador.id}/cuenta-transferencia`, {
		token: operador.token,
		body: {
			banco: "Nequi",
			tipo_cuenta: "deposito_electronico",
			numero: "3001234567",
			titular: "Rifas Nequi",
		},
	});
	expect(cuenta.status).toBe(200);
});

// --- Files: tiny but valid, each one different (its own bytes, its own SHA-256) -----------------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
	let c = n;
	for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
	return c >>> 0;
});

const crc32 = (bytes: Uint8Array) => {
	let c = 0xffffffff;
	for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
	return (c ^ 0xffffffff) >>> 0;
};

const chunk = (type: string, data: Uint8Array) => {
	const out = new Uint8Array(12 + data.length);
	const view = new DataView(out.buffer);
	view.setUint32(0, data.length);
	const body = new Uint8Array([...new TextEncoder().encode(type), ...data]);
	out.set(body, 4);
	view.setUint32(8 + data.length, crc32(body));
	return out;
};

const concat = (...parts: Uint8Array[]) => {
	const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
	let at = 0;
	for (const p of parts) {
		out.set(p, at);
		at += p.length;
	}
	return out;
};

/** A 1×1 grey PNG with a comment that makes it unique. */
const pngBytes = () => {
	const ihdr = new Uint8Array(13);
	new DataView(ihdr.buffer).setUint32(0, 1);
	new DataView(ihdr.buffer).setUint32(4, 1);
	ihdr.set([8, 0, 0, 0, 0], 8);
	// zlib of one scanline: filter 0, pixel 0.
	const idat = new Uint8Array([0x78, 0x9c, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01]);
	return concat(
		new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk("IHDR", ihdr),
		chunk("tEXt", new TextEncoder().encode(`Comment\0${crypto.randomUUID()}`)),
		chunk("IDAT", idat),
		chunk("IEND", new Uint8Array()),
	);
};

const png = (name = "nequi.png") => new File([pngBytes()], name, { type: "image/png" });

const pdf = () =>
	new File(
		[
			`%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n% ${crypto.randomUUID()}\ntrailer<</Root 1 0 R>>\n%%EOF\n`,
		],
		"comprobante.pdf",
		{ type: "application/pdf" },
	);

const referencia = () => `M${Math.floor(10_000_000 + Math.random() * 89_999_999)}`;

// --- Calls ---------------------------------------------------------------------------------------

interface Subida {
	archivo?: File;
	referencia?: string;
	monto?: number | string;
	banco?: string;
}

const subir = async (rifaId: string, transaccionId: string, token: string, datos: Subida = {}) => {
	const form = new FormData();
	form.set("archivo", datos.archivo ?? png());
	form.set("referencia", datos.referencia ?? referencia());
	form.set("monto", String(datos.monto ?? PRECIO));
	form.set("banco", datos.banco ?? "Nequi");
	const res = await exports.default.fetch(
		new Request(`${BASE}/api/v1/rifas/${rifaId}/transacciones/${transaccionId}/comprobante`, {
			method: "POST",
			headers: { Authorization: `Bearer ${token}` },
			body: form,
		}),
	);
	const text = await res.text();
	return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
};

const descargar = async (id: string, token: string) => {
	const res = await exports.default.fetch(
		new Request(`${BASE}/api/v1/comprobantes/${id}/archivo`, {
			headers: { Authorization: `Bearer ${token}` },
		}),
	);
	return {
		status: res.status,
		headers: res.headers,
		bytes: new Uint8Array(await res.arrayBuffer()),
	};
};

const comprar = async (rifaId: string, who: TestUser = jugador) => {
	const res = await call("POST", `/api/v1/rifas/${rifaId}/tickets`, {
		token: who.token,
		body: { user_id: who.id, quantity: 1, payment_method: "transferencia" },
		headers: { "Idempotency-Key": crypto.randomUUID() },
	});
	expect(res.status).toBe(201);
	expect(res.body.payment.status).toBe("requires_payment");
	return res.body as {
		transaccion_id: string;
		tickets: { id: string; numero: number }[];
		payment: { expires_at: string };
	};
};

const compraEnSala = async (rifaId: string, transaccionId: string) =>
	(await get(`/api/v1/rifas/${rifaId}/transacciones/${transaccionId}`, admin.token)).body;

const aprobar = (id: string, token = operador.token) =>
	post(`/api/v1/comprobantes/${id}/aprobacion`, {}, token);
const rechazar = (id: string, motivo: string, token = operador.token) =>
	post(`/api/v1/comprobantes/${id}/rechazo`, { motivo }, token);

const objetos = async (rifaId: string) =>
	(await env.COMPROBANTES.list({ prefix: `comprobantes/${rifaId}/` })).objects.map((o) => o.key);

const filas = async (rifaId: string) =>
	(
		await env.DB.prepare("SELECT id, sha256 FROM comprobantes WHERE rifa_id = ?")
			.bind(rifaId)
			.all<{ id: string; sha256: string }>()
	).results;

const fechaFin = async (rifaId: string) =>
	new Date(
		(
			await env.DB.prepare("SELECT fecha_fin FROM rifas WHERE id = ?")
				.bind(rifaId)
				.first<{ fecha_fin: string }>()
		)?.fecha_fin ?? "",
	).toISOString();

const auditoria = async (id: string) =>
	(
		await env.DB.prepare(
			"SELECT action, actor_id, after FROM audit_log WHERE entity = 'comprobante' AND entity_id = ?",
		)
			.bind(id)
			.all<{ action: string; actor_id: string; after: string }>()
	).results;

describe("transfer with a proof", () => {
	it("holds the numbers until review, queues the proof for the operador, and an approval sells them with a receipt", async () => {
		const rifa = await createActiveRifa(operador.token);
		const compra = await comprar(rifa.id);
		expect(Date.parse(compra.payment.expires_at)).toBeLessThan(Date.now() + 60 * 60_000);

		const subida = await subir(rifa.id, compra.transaccion_id, jugador.token, {
			referencia: "M 4512-7789",
			banco: "Nequi",
		});
		expect(subida.status).toBe(201);
		const fin = await fechaFin(rifa.id);
		expect(subida.body).toMatchObject({
			estado: "pendiente",
			transaccion_id: compra.transaccion_id,
			referencia: "M 4512-7789",
			banco: "Nequi",
			monto: PRECIO,
			monto_transaccion: PRECIO,
			monto_coincide: true,
			comprador: { id: jugador.id, nombre: "Luz Marina Ospina" },
			subido_por: jugador.id,
			tipo: "image/png",
			expires_at: fin,
		});
		expect((await compraEnSala(rifa.id, compra.transaccion_id)).expires_at).toBe(fin);

		// Kept private, under a key that does not name the buyer, with the type read from its bytes.
		const key = `comprobantes/${rifa.id}/${subida.body.id}`;
		expect(await objetos(rifa.id)).toEqual([key]);
		const objeto = await env.COMPROBANTES.head(key);
		expect(objeto?.httpMetadata?.contentType).toBe("image/png");
		expect(key).not.toContain(jugador.id);

		const cola = await get(
			`/api/v1/comprobantes?estado=pendiente&rifa_id=${rifa.id}`,
			operador.token,
		);
		expect(cola.status).toBe(200);
		expect(cola.body.total).toBe(1);
		expect(cola.body.items[0]).toMatchObject({
			id: subida.body.id,
			monto_transaccion: PRECIO,
			monto: PRECIO,
			monto_coincide: true,
			referencia: "M 4512-7789",
			banco: "Nequi",
			comprador: { nombre: "Luz Marina Ospina" },
			creado_en: expect.any(String),
		});

		const aprobado = await aprobar(subida.body.id);
		expect(aprobado.status).toBe(200);
		expect(aprobado.body).toMatchObject({
			estado: "aprobado",
			revisado_por: operador.id,
			transaccion_status: "succeeded",
		});
		expect(await compraEnSala(rifa.id, compra.transaccion_id)).toMatchObject({
			status: "succeeded",
			expires_at: null,
		});
		const boletas = await get(`/api/v1/rifas/${rifa.id}/tickets`, jugador.token);
		expect(boletas.body.items).toEqual([
			expect.objectContaining({
				numero: compra.tickets[0]?.numero,
				estado: "vendido",
				transaccion_id: compra.transaccion_id,
				recibo: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
			}),
		]);
		expect(await auditoria(subida.body.id)).toEqual([
			expect.objectContaining({ action: "comprobante.aprobado", actor_id: operador.id }),
		]);
		expect(
			(await get(`/api/v1/comprobantes?estado=pendiente&rifa_id=${rifa.id}`, operador.token)).body
				.total,
		).toBe(0);

		// Approving again changes nothing; rejecting it now, or a new proof for it, is a conflict.
		const otraVez = await aprobar(subida.body.id, admin.token);
		expect(otraVez.status).toBe(200);
		expect(otraVez.body).toMatchObject({
			estado: "aprobado",
			revisado_por: operador.id,
			revisado_en: aprobado.body.revisado_en,
			transaccion_status: "succeeded",
		});
		expect(await auditoria(subida.body.id)).toHaveLength(1);
		expectProblem(await rechazar(subida.body.id, "No está en el banco"), 409);
		expectProblem(await subir(rifa.id, compra.transaccion_id, jugador.token), 409);
	});

	it("accepts another amount than the purchase's, flagged for the reviewer", async () => {
		const rifa = await createActiveRifa(operador.token);
		const compra = await comprar(rifa.id);
		const subida = await subir(rifa.id, compra.transaccion_id, jugador.token, {
			monto: PRECIO - 100_000,
		});
		expect(subida.status).toBe(201);
		expect(subida.body).toMatchObject({ monto: PRECIO - 100_000, monto_coincide: false });
		const cola = await get(`/api/v1/comprobantes?rifa_id=${rifa.id}`, operador.token);
		expect(cola.body.items[0]).toMatchObject({ monto_transaccion: PRECIO, monto_coincide: false });
	});

	it("takes one proof per file and per bank reference, whatever the purchase", async () => {
		const rifa = await createActiveRifa(operador.token);
		const [a, b, c] = [await comprar(rifa.id), await comprar(rifa.id), await comprar(rifa.id)];
		const archivo = png();
		const ref = referencia();
		const primera = await subir(rifa.id, a.transaccion_id, jugador.token, {
			archivo,
			referencia: `${ref.slice(0, 5)} ${ref.slice(5)}`,
			banco: "Nequi",
		});
		expect(primera.status).toBe(201);

		// The same screenshot for another purchase, under another reference.
		const mismoArchivo = expectProblem(
			await subir(rifa.id, b.transaccion_id, jugador.token, { archivo }),
			409,
		);
		expect(mismoArchivo.detail).toContain("archivo");
		// The same reference, spaced and cased otherwise, in another file.
		const variantes = [
			ref.toLowerCase(),
			`${ref.slice(0, 3)}-${ref.slice(3, 6)} ${ref.slice(6)}`,
			` m ${ref.slice(1, 5)}–${ref.slice(5)} `,
		];
		for (const variante of variantes) {
			const problema = expectProblem(
				await subir(rifa.id, b.transaccion_id, jugador.token, {
					referencia: variante,
					banco: " NEQUI",
				}),
				409,
			);
			expect(problema.detail).toContain("referencia");
		}
		// The same number at another bank is another transfer.
		expect(
			(
				await subir(rifa.id, b.transaccion_id, jugador.token, {
					referencia: ref,
					banco: "Bancolombia",
				})
			).status,
		).toBe(201);
		// A second proof for a purchase that has one.
		expectProblem(await subir(rifa.id, b.transaccion_id, jugador.token), 409);

		// Nothing refused was kept: one object per proof.
		expect((await objetos(rifa.id)).sort()).toEqual(
			(await filas(rifa.id)).map((f) => `comprobantes/${rifa.id}/${f.id}`).sort(),
		);
		expect(await objetos(rifa.id)).toHaveLength(2);
		expect((await compraEnSala(rifa.id, c.transaccion_id)).status).toBe("pending");
	});

	it("of two uploads of one file at once, one is taken and the other is a 409, with one stored object", async () => {
		const rifa = await createActiveRifa(operador.token);
		const [a, b] = [await comprar(rifa.id), await comprar(rifa.id, otroJugador)];
		const bytes = pngBytes();
		const results = await Promise.all([
			subir(rifa.id, a.transaccion_id, jugador.token, { archivo: new File([bytes], "a.png") }),
			subir(rifa.id, b.transaccion_id, otroJugador.token, { archivo: new File([bytes], "b.png") }),
		]);
		expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
		expect(results.find((r) => r.status === 409)?.body.detail).toContain("archivo");
		expect(await filas(rifa.id)).toHaveLength(1);
		expect(await objetos(rifa.id)).toHaveLength(1);
		// The purchase left without a proof still runs on its own short hold.
		const perdedora = results[0]?.status === 409 ? a : b;
		expect((await compraEnSala(rifa.id, perdedora.transaccion_id)).expires_at).toBe(
			perdedora.payment.expires_at,
		);
	});

	it("reads the file's type from its bytes: HTML named .png is refused; a PDF is taken", async () => {
		const rifa = await createActiveRifa(operador.token);
		const compra = await comprar(rifa.id);
		const html = new File(
			["<!doctype html><html><script>alert(document.cookie)</script></html>"],
			"nequi.png",
			{ type: "image/png" },
		);
		const problema = expectProblem(
			await subir(rifa.id, compra.transaccion_id, jugador.token, { archivo: html }),
			422,
		);
		expect(problema.errors).toEqual([expect.objectContaining({ path: "archivo" })]);
		const texto = new File(["%PD no es un PDF"], "recibo.pdf", { type: "application/pdf" });
		expectProblem(
			await subir(rifa.id, compra.transaccion_id, jugador.token, { archivo: texto }),
			422,
		);
		expectProblem(
			await subir(rifa.id, compra.transaccion_id, jugador.token, {
				archivo: new File([], "x.png"),
			}),
			422,
		);
		expect(await objetos(rifa.id)).toEqual([]);

		expectProblem(
			await subir(rifa.id, compra.transaccion_id, jugador.token, { monto: "diez mil" }),
			422,
		);
		expectProblem(
			await subir(rifa.id, compra.transaccion_id, jugador.token, { referencia: "  " }),
			422,
		);
		const json = await call(
			"POST",
			`/api/v1/rifas/${rifa.id}/transacciones/${compra.transaccion_id}/comprobante`,
			{ token: jugador.token, body: { referencia: "M1", monto: PRECIO, banco: "Nequi" } },
		);
		expectProblem(json, 415);

		const enPdf = await subir(rifa.id, compra.transaccion_id, jugador.token, { archivo: pdf() });
		expect(enPdf.status).toBe(201);
		expect(enPdf.body.tipo).toBe("application/pdf");
	});

	it("refuses a file over 5 MB with 413, before reading it", async () => {
		// 413 (Content Too Large), not 422: the request is refused for its size alone, as every
		// body over a limit is in this API, and a client can tell it apart from a wrong file.
		const rifa = await createActiveRifa(operador.token);
		const compra = await comprar(rifa.id);
		const grande = new Uint8Array(COMPROBANTE_MAX_BYTES + 1);
		grande.set(pngBytes());
		expectProblem(
			await subir(rifa.id, compra.transaccion_id, jugador.token, {
				archivo: new File([grande], "grande.png", { type: "image/png" }),
			}),
			413,
		);
		expect(await objetos(rifa.id)).toEqual([]);
		// The file's own check, whatever limit the request passed.
		await expect(readProofFile(new File([grande], "grande.png"))).rejects.toMatchObject({
			status: 413,
		});
		await expect(
			readProofFile(new File([grande.subarray(0, COMPROBANTE_MAX_BYTES)], "justo.png")),
		).resolves.toMatchObject({ tipo: "image/png" });
	});

	it("takes a phone screenshot's size through the whole API (the JSON routes' 64 KiB limit does not apply)", async () => {
		const rifa = await createActiveRifa(operador.token);
		const compra = await comprar(rifa.id);
		const captura = new Uint8Array(COMPROBANTE_MAX_BYTES);
		captura.set(pngBytes());
		captura.set(crypto.getRandomValues(new Uint8Array(1024)), 4096);
		const subida = await subir(rifa.id, compra.transaccion_id, jugador.token, {
			archivo: new File([captura], "captura.png", { type: "image/png" }),
		});
		expect(subida.status).toBe(201);
		expect(subida.body.tamano).toBe(COMPROBANTE_MAX_BYTES);
	});

	it("a rejection releases the numbers, keeps the motivo, and tells the buyer", async () => {
		const rifa = await createActiveRifa(operador.token);
		const compra = await comprar(rifa.id);
		const numero = compra.tickets[0]?.numero ?? -1;
		const subida = await subir(rifa.id, compra.transaccion_id, jugador.token);
		expect(subida.status).toBe(201);
		const mapa = async () => (await get(`/api/v1/rifas/${rifa.id}/disponibilidad`)).body.mapa;
		expect((await mapa())[numero]).toBe("R");

		const motivo = "La transferencia no aparece en la cuenta Nequi de la rifa.";
		const rechazado = await rechazar(subida.body.id, motivo);
		expect(rechazado.status).toBe(200);
		expect(rechazado.body).toMatchObject({
			estado: "rechazado",
			motivo,
			revisado_por: operador.id,
			transaccion_status: "failed",
		});
		expect((await mapa())[numero]).toBe("L");
		expect((await compraEnSala(rifa.id, compra.transaccion_id)).status).toBe("failed");
		const visto = await get(`/api/v1/comprobantes/${subida.body.id}`, jugador.token);
		expect(visto.body).toMatchObject({ estado: "rechazado", motivo });
		expect(await auditoria(subida.body.id)).toEqual([
			expect.objectContaining({ action: "comprobante.rechazado", actor_id: operador.id }),
		]);
		const [aviso] = await esperar(
			jugador,
			(i) => i.tipo === "reserva_expirada" && i.rifa_id === rifa.id,
		);
		expect(aviso?.cuerpo_texto).toContain("volvi");
		expect(aviso?.cuerpo_texto).toContain(motivo);

		// Rejecting again answers the first decision; approving it now is a conflict.
		const otraVez = await rechazar(subida.body.id, "Otro motivo");
		expect(otraVez.status).toBe(200);
		expect(otraVez.body).toMatchObject({ estado: "rechazado", motivo });
		expectProblem(await aprobar(subida.body.id), 409);
		expectProblem(await subir(rifa.id, compra.transaccion_id, jugador.token), 409);
		expect((await mapa())[numero]).toBe("L");
	});

	it("two reviewers at once: one decision, audited once", async () => {
		const rifa = await createActiveRifa(operador.token);
		const [a, b] = [await comprar(rifa.id), await comprar(rifa.id)];
		const [pa, pb] = [
			(await subir(rifa.id, a.transaccion_id, jugador.token)).body.id as string,
			(await subir(rifa.id, b.transaccion_id, jugador.token)).body.id as string,
		];
		const dos = await Promise.all([aprobar(pa), aprobar(pa, admin.token)]);
		expect(dos.map((r) => r.status)).toEqual([200, 200]);
		expect(dos.map((r) => r.body.revisado_por)).toEqual([
			dos[0]?.body.revisado_por,
			dos[0]?.body.revisado_por,
		]);
		expect(await auditoria(pa)).toHaveLength(1);
		expect((await compraEnSala(rifa.id, a.transaccion_id)).status).toBe("succeeded");

		const opuestas = await Promise.all([aprobar(pb), rechazar(pb, "No aparece", admin.token)]);
		expect(opuestas.map((r) => r.status).sort()).toEqual([200, 409]);
		const ganadora = opuestas.find((r) => r.status === 200)?.body;
		expect(await auditoria(pb)).toHaveLength(1);
		expect((await compraEnSala(rifa.id, b.transaccion_id)).status).toBe(
			ganadora.estado === "aprobado" ? "succeeded" : "failed",
		);
	});

	it("an approval after the hold ended anyway takes the numbers back while they are free", async () => {
		const rifa = await createActiveRifa(operador.token);
		const compra = await comprar(rifa.id);
		const subida = await subir(rifa.id, compra.transaccion_id, jugador.token);
		expect(subida.status).toBe(201);
		await expireHolds(rifa.id);
		expect((await compraEnSala(rifa.id, compra.transaccion_id)).status).toBe("failed");
		const aprobado = await aprobar(subida.body.id);
		expect(aprobado.body).toMatchObject({ estado: "aprobado", transaccion_status: "succeeded" });
	});

	it("takes no proof for a purchase that no longer waits, nor for one paid otherwise", async () => {
		const rifa = await createActiveRifa(operador.token);
		const vencida = await comprar(rifa.id);
		await expireHolds(rifa.id);
		expectProblem(await subir(rifa.id, vencida.transaccion_id, jugador.token), 409);

		const sandbox = await call("POST", `/api/v1/rifas/${rifa.id}/tickets`, {
			token: jugador.token,
			body: { user_id: jugador.id, quantity: 1, payment_method: "sandbox" },
			headers: { "Idempotency-Key": crypto.randomUUID() },
		});
		expect(sandbox.status).toBe(201);
		expectProblem(await subir(rifa.id, sandbox.body.transaccion_id, jugador.token), 409);
		expectProblem(await subir(rifa.id, crypto.randomUUID(), jugador.token), 404);
		expect(await objetos(rifa.id)).toEqual([]);
	});

	it("lets the buyer, its uploader, the rifa's operador and admins read a proof; only the operador or an admin review it", async () => {
		const rifa = await createActiveRifa(operador.token);
		const compra = await comprar(rifa.id);
		expectProblem(await subir(rifa.id, compra.transaccion_id, otroJugador.token), 403);
		expectProblem(await subir(rifa.id, compra.transaccion_id, otroOperador.token), 403);
		// A seller of the rifa uploads it on the buyer's behalf.
		const archivo = png();
		const subida = await subir(rifa.id, compra.transaccion_id, vendedor.token, { archivo });
		expect(subida.status).toBe(201);
		expect(subida.body).toMatchObject({ subido_por: vendedor.id, comprador: { id: jugador.id } });
		const id = subida.body.id as string;

		const descarga = await descargar(id, jugador.token);
		expect(descarga.status).toBe(200);
		expect(descarga.headers.get("Content-Type")).toBe("image/png");
		expect(descarga.headers.get("Cache-Control")).toBe("private, no-store");
		expect(descarga.headers.get("X-Content-Type-Options")).toBe("nosniff");
		expect(descarga.headers.get("Content-Disposition")).toMatch(/^inline/);
		expect(descarga.bytes).toEqual(new Uint8Array(await archivo.arrayBuffer()));

		for (const who of [jugador, operador, admin, vendedor]) {
			expect((await get(`/api/v1/comprobantes/${id}`, who.token)).status).toBe(200);
			expect((await descargar(id, who.token)).status).toBe(200);
		}
		for (const who of [otroOperador, otroJugador]) {
			expectProblem(await get(`/api/v1/comprobantes/${id}`, who.token), 403);
			expectProblem(await get(`/api/v1/comprobantes/${id}/archivo`, who.token), 403);
		}
		expectProblem(await get(`/api/v1/comprobantes/${id}`), 401);
		expectProblem(await get(`/api/v1/comprobantes/${crypto.randomUUID()}`, admin.token), 404);

		// The queue: the rifa's operador and admins, not another operador, a seller or a buyer.
		const ids = async (token: string) =>
			(await get("/api/v1/comprobantes?estado=pendiente&per_page=100", token)).body.items.map(
				(i: { id: string }) => i.id,
			);
		expect(await ids(operador.token)).toContain(id);
		expect(await ids(admin.token)).toContain(id);
		expect(await ids(otroOperador.token)).not.toContain(id);
		expectProblem(await get(`/api/v1/comprobantes?rifa_id=${rifa.id}`, otroOperador.token), 403);
		expectProblem(await get("/api/v1/comprobantes", vendedor.token), 403);
		expectProblem(await get("/api/v1/comprobantes", jugador.token), 403);

		for (const who of [vendedor, jugador, otroOperador]) {
			expectProblem(await aprobar(id, who.token), 403);
			expectProblem(await rechazar(id, "No vale", who.token), 403);
		}
		expect((await get(`/api/v1/comprobantes/${id}`, admin.token)).body.estado).toBe("pendiente");
		expect((await aprobar(id, admin.token)).body.transaccion_status).toBe("succeeded");
	});
});
