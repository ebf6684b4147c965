import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { fetchCon, pdf, pdfBytes, png, subirPremio } from "./cumplimiento-helpers";
import { BASE, call, createRifa, createUser, del, expectProblem, type TestUser } from "./helpers";

// A prize's files (legal mode, src/cumplimiento/archivos.ts): read by their bytes, kept in R2 with
// their SHA-256, the proof of ownership private and the photos public.

const descargar = async (url: string, token?: string) => {
	const res = await fetchCon(
		new Request(`${BASE}${url}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} }),
	);
	const bytes = new Uint8Array(await res.arrayBuffer());
	const problema = res.headers.get("Content-Type")?.startsWith("application/problem+json");
	const body = problema ? JSON.parse(new TextDecoder().decode(bytes)) : undefined;
	return { status: res.status, headers: res.headers, bytes, body };
};

let admin: TestUser;
let operador: TestUser;
let otroOperador: TestUser;
let jugador: TestUser;

beforeAll(async () => {
	admin = await createUser({ rol: "admin" });
	operador = await createUser({ rol: "operador" });
	otroOperador = await createUser({ rol: "operador" });
	jugador = await createUser();
});

const objetos = async (rifaId: string) =>
	(await env.COMPROBANTES.list({ prefix: `cumplimiento/${rifaId}/` })).objects;

describe("a prize's files", () => {
	it("takes a prize's files by their bytes: the proof private, the photos public, each with its SHA-256", async () => {
		const rifa = await createRifa(operador.token, { numero_ganadores: 2 });
		const bytes = pdfBytes();
		const premio = await subirPremio(rifa.id, operador.token, {
			soporte: pdf(bytes),
			fotos: [png(), png("b.png")],
		});
		expect(premio.status).toBe(201);
		expect(premio.headers.get("Location")).toBe(
			`/api/v1/rifas/${rifa.id}/premios/${premio.body.id}`,
		);
		const esperado = Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)), (b) =>
			b.toString(16).padStart(2, "0"),
		).join("");
		expect(premio.body).toMatchObject({
			posicion: 1,
			valor_comercial: 1_450_000_000,
			soporte_propiedad: { tipo: "factura", sha256: esperado },
		});
		expect(premio.body.fotos).toHaveLength(2);
		expect(await objetos(rifa.id)).toHaveLength(3);

		const url = premio.body.soporte_propiedad.archivo;
		expectProblem(await descargar(url), 401);
		expect((await descargar(url, jugador.token)).status).toBe(403);
		expect((await descargar(url, otroOperador.token)).status).toBe(403);
		for (const quien of [operador, admin]) {
			const res = await descargar(url, quien.token);
			expect(res.status).toBe(200);
			expect(res.headers.get("Content-Type")).toBe("application/pdf");
			expect(res.headers.get("Cache-Control")).toBe("private, no-store");
			expect(res.bytes).toEqual(bytes);
		}
		const foto = await descargar(premio.body.fotos[1]);
		expect(foto.status).toBe(200);
		expect(foto.headers.get("Content-Type")).toBe("image/png");
		expect(foto.headers.get("X-Content-Type-Options")).toBe("nosniff");
		expect(
			(await descargar(`/api/v1/rifas/${rifa.id}/premios/${premio.body.id}/archivos/foto-3`))
				.status,
		).toBe(404);
		expectProblem(
			await descargar(`/api/v1/rifas/${rifa.id}/premios/${premio.body.id}/archivos/otro`),
			422,
		);

		// A page saved as factura.pdf is still HTML; a PDF is no photo; five photos at most.
		const html = new File(["<html><body>factura</body></html>"], "factura.pdf", {
			type: "application/pdf",
		});
		const camino = (res: {
			status: number;
			headers: Headers;
			body: { errors: { path: string }[] };
		}) => expectProblem(res, 422).errors.map((e: { path: string }) => e.path);
		expect(
			camino(await subirPremio(rifa.id, operador.token, { posicion: 2, soporte: html })),
		).toEqual(["soporte"]);
		expect(
			camino(await subirPremio(rifa.id, operador.token, { posicion: 2, fotos: [png(), pdf()] })),
		).toEqual(["fotos[1]"]);
		const seis = Array.from({ length: 6 }, () => png());
		expect(
			camino(await subirPremio(rifa.id, operador.token, { posicion: 2, fotos: seis })),
		).toEqual(["fotos"]);
		expect(
			camino(await subirPremio(rifa.id, operador.token, { posicion: 2, soporte_tipo: "diploma" })),
		).toEqual(["soporte_tipo"]);
		expect(
			camino(await subirPremio(rifa.id, operador.token, { posicion: 0, valor_comercial: 0 })),
		).toEqual(["posicion", "valor_comercial"]);
		expectProblem(
			await call("POST", `/api/v1/rifas/${rifa.id}/premios`, {
				token: operador.token,
				body: { posicion: 2, descripcion: "Nevera", valor_comercial: 1 },
			}),
			415,
		);
		// Over 5 MB: a 413, whatever it is.
		const grande = new Uint8Array(5 * 1024 * 1024 + 1);
		grande.set(new TextEncoder().encode("%PDF-1.4\n"));
		expectProblem(
			await subirPremio(rifa.id, operador.token, { posicion: 2, soporte: pdf(grande) }),
			413,
		);
		// The same position twice: a 409, and its files are not kept.
		expectProblem(await subirPremio(rifa.id, operador.token, { posicion: 1 }), 409);
		expect(await objetos(rifa.id)).toHaveLength(3);
		// Deleted, its files go too.
		expect(
			(await del(`/api/v1/rifas/${rifa.id}/premios/${premio.body.id}`, operador.token)).status,
		).toBe(204);
		expect(await objetos(rifa.id)).toHaveLength(0);
		expectProblem(
			await del(`/api/v1/rifas/${rifa.id}/premios/${premio.body.id}`, operador.token),
			404,
		);
	});
});
