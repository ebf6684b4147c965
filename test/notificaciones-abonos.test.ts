import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { signAccessToken } from "../src/auth/jwt";
import { createDb } from "../src/db/client";
import { formatCop } from "../src/lib/format";
import { despacharAvisos } from "../src/notificaciones/avisos";
import { renderizar } from "../src/notificaciones/plantillas";
import { textoSms } from "../src/notificaciones/sms-text";
import type { NotificacionMensaje } from "../src/notificaciones/tipos";
import { avisoAbono, avisoAbonosVencidos } from "../src/rifa-room/avisos";
import { readConfig } from "../src/rifa-room/config";
import { enqueue } from "../src/rifa-room/outbox";
import type { RifaRoom } from "../src/rifa-room/rifa-room";
import type { D1Statement, RoomTx, TransaccionRow } from "../src/rifa-room/room.types";
import { call, createActiveRifa, createUser, type TestUser, waitFor } from "./helpers";
import { deliver, filasDe, nombreDe } from "./notificaciones-helpers";

// createCategoria: boletas of $10.000 (1,000,000 centavos).
const PRECIO = 1_000_000;

let operador: TestUser;
let vendedor: { id: string; token: string };

beforeAll(async () => {
	operador = await createUser({ rol: "operador" });
	const res = await call("POST", "/api/v1/vendedores", {
		token: operador.token,
		body: {
			nombre: "Vendedora de abonos",
			email: `avisa-${crypto.randomUUID().slice(0, 8)}@pos.rifa1122.co`,
			telefono: "3001234567",
			password: "Vende1122!segura",
		},
	});
	vendedor = { id: res.body.id, token: (await signAccessToken(res.body.id, env)).token };
});

const celular = () => `+57301${Math.floor(1_000_000 + Math.random() * 8_999_999)}`;

/** A first abono of 400,000 sold in person; the buyer a walk-in customer or a registered user. */
const venderConAbono = async (
	rifaId: string,
	numero: number,
	comprador: { cliente: Record<string, unknown> } | { user_id: string },
) => {
	const res = await call("POST", `/api/v1/rifas/${rifaId}/tickets`, {
		token: vendedor.token,
		body: {
			quantity: 1,
			numeros: [numero],
			payment_method: "abonos",
			abono: { monto: 400_000, medio: "efectivo" },
			...comprador,
		},
		headers: { "Idempotency-Key": crypto.randomUUID() },
	});
	expect(res.status).toBe(201);
	return res.body.transaccion_id as string;
};

/** Runs `hacer` inside the rifa's room on the purchase as the room holds it, queues its D1 rows. */
const enLaSala = (
	rifaId: string,
	transaccionId: string,
	hacer: (tx: RoomTx, row: TransaccionRow) => D1Statement[],
) =>
	runInDurableObject(env.RIFA_ROOM.getByName(rifaId), async (instance: RifaRoom, state) => {
		const sql = state.storage.sql;
		const config = readConfig(sql);
		if (!config) throw new Error("the room has no configuration");
		const tx: RoomTx = { sql, config, emit: () => {} };
		const row = sql
			.exec<TransaccionRow>("SELECT * FROM transacciones WHERE id = ?", transaccionId)
			.one();
		const d1 = hacer(tx, row);
		// The same outbox entry twice, as a retried step or a replayed alarm would write it.
		enqueue(sql, d1);
		enqueue(sql, d1);
		expect(await instance.flush()).toBe(true);
		return { fechaFin: config.fechaFin };
	});

/** Dispatches the event as the cron does, and waits for the real queue's consumer to finish it. */
const despacharYEsperar = async (evento: string, canales: number) => {
	await despacharAvisos(env, createDb(env.DB), { ids: [evento] });
	await waitFor(
		async () => {
			const filas = await filasDe(evento);
			return filas.length === canales && filas.every((f) => f.estado !== "pendiente");
		},
		{ what: `the notifications of ${evento}`, timeoutMs: 15_000 },
	);
	return filasDe(evento);
};

const porCanal = (filas: Record<string, unknown>[]) =>
	Object.fromEntries(filas.map((f) => [f.canal, { estado: f.estado, motivo: f.motivo }]));

describe("migration 0019_abonos_avisos", () => {
	it("lets avisos and notificaciones take the two new tipos, and still refuses others", async () => {
		const at = new Date().toISOString();
		const aviso = (id: string, tipo: string) =>
			env.DB.prepare(
				"INSERT INTO avisos (id, tipo, rifa_id, datos, creado_en, despachado_en) VALUES (?, ?, NULL, '{}', ?, ?)",
			)
				.bind(id, tipo, at, at)
				.run();
		await aviso(`abono:${crypto.randomUUID()}`, "abono");
		await aviso(`abonos_vencidos:${crypto.randomUUID()}`, "abonos_vencidos");
		await expect(aviso(crypto.randomUUID(), "abonos_raros")).rejects.toThrow(/CHECK/);
		const u = await createUser();
		const nota = (tipo: string) =>
			env.DB.prepare(
				"INSERT INTO notificaciones (id, evento, tipo, canal, usuario_id, idioma, asunto, cuerpo_texto, estado, creado_en, actualizado_en) VALUES (?, ?, ?, 'email', ?, 'es', 'a', 'b', 'omitida', ?, ?)",
			)
				.bind(crypto.randomUUID(), crypto.randomUUID(), tipo, u.id, at, at)
				.run();
		await nota("abono");
		await nota("abonos_vencidos");
		await expect(nota("abonos_raros")).rejects.toThrow(/CHECK/);
		const indices = await env.DB.prepare(
			"SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('avisos', 'notificaciones') AND name NOT LIKE 'sqlite_%' ORDER BY name",
		).all<{ name: string }>();
		expect(indices.results.map((r) => r.name)).toEqual([
			"avisos_pendientes_idx",
			"notificaciones_creado_idx",
			"notificaciones_evento_unique",
			"notificaciones_rifa_idx",
			"notificaciones_usuario_idx",
		]);
	});
});

describe("an abono", () => {
	it("is texted once to a walk-in buyer who consented to SMS, on the channels a purchase would use", async () => {
		const rifa = await createActiveRifa(operador.token, {
			reglas: { abonos: { minimo_bps: 2000 } },
		});
		const nombre = await nombreDe(rifa.id);
		const telefono = celular();
		const txId = await venderConAbono(rifa.id, 11, {
			cliente: { nombre: "Luz Marina Ortiz", telefono, acepta_whatsapp: false, acepta_sms: true },
		});
		const abonoId = `${txId}:segundo`;
		await enLaSala(rifa.id, txId, (tx, row) =>
			avisoAbono(tx, row, {
				abonoId,
				monto: 350_000,
				medio: "efectivo",
				pagado: 750_000,
				total: PRECIO,
				fechaLimite: Date.parse(tx.config.fechaFin),
			}),
		);
		const evento = `abono:${abonoId}`;
		const avisos = await env.DB.prepare("SELECT tipo, datos FROM avisos WHERE id = ?")
			.bind(evento)
			.all<{ tipo: string; datos: string }>();
		expect(avisos.results).toHaveLength(1);
		expect(JSON.parse(avisos.results[0]?.datos ?? "{}")).toMatchObject({
			transaccion_id: txId,
			numeros: [11],
			monto: 350_000,
			pagado: 750_000,
			pendiente: 250_000,
			total: PRECIO,
		});

		const filas = await despacharYEsperar(evento, 3);
		// The placeholder email and WhatsApp were never consented to; SMS was, at the sale.
		expect(porCanal(filas)).toEqual({
			email: { estado: "omitida", motivo: "preferencia" },
			whatsapp: { estado: "omitida", motivo: "preferencia" },
			sms: { estado: "enviada", motivo: null },
		});
		const sms = filas.find((f) => f.canal === "sms");
		expect(sms).toMatchObject({ tipo: "abono", destino: telefono, intentos: 1, idioma: "es" });
		const texto = String(sms?.cuerpo_texto);
		expect(texto).toMatch(/^Rifa1122: recibimos su abono de \$ 3\.500 en efectivo en /);
		expect(texto).toContain(`${nombre.slice(0, 29)}`);
		expect(texto).toContain("(numero 11): lleva $ 7.500 de $ 10.000; faltan $ 2.500 hasta el ");
		expect(texto).toMatch(/\/mis-boletas$/);

		// A purchase's message to the same buyer goes on exactly the same channels.
		const compra: NotificacionMensaje = {
			evento: `compra:${crypto.randomUUID()}`,
			tipo: "compra",
			usuario_id: String(sms?.usuario_id),
			rifa_id: rifa.id,
			datos: { transaccion_id: txId, numeros: [11], monto: PRECIO },
		};
		await deliver("rifa1122-notificaciones", [compra]);
		expect(porCanal(await filasDe(compra.evento))).toEqual(porCanal(filas));

		// Dispatched again (a cron run that stopped before marking it): nothing is sent twice.
		await env.DB.prepare("UPDATE avisos SET despachado_en = NULL WHERE id = ?").bind(evento).run();
		await despacharAvisos(env, createDb(env.DB), { ids: [evento] });
		const [mensaje] = (await filasDe(evento)).map((f) => ({
			evento,
			tipo: "abono" as const,
			usuario_id: String(f.usuario_id),
			rifa_id: rifa.id,
			datos: JSON.parse(avisos.results[0]?.datos ?? "{}"),
		}));
		if (!mensaje) throw new Error("no message");
		await deliver("rifa1122-notificaciones", [mensaje], {}, 2);
		const despues = await filasDe(evento);
		expect(despues).toHaveLength(3);
		expect(despues.find((f) => f.canal === "sms")).toMatchObject({
			estado: "enviada",
			intentos: 1,
			enviado_en: sms?.enviado_en,
		});
	});

	it("is emailed in Spanish to a registered buyer, and says when the price is complete", async () => {
		const rifa = await createActiveRifa(operador.token, {
			reglas: { abonos: { minimo_bps: 2000 } },
		});
		const nombre = await nombreDe(rifa.id);
		const jugador = await createUser({ nombre: "Marta Lucía" });
		const txId = await venderConAbono(rifa.id, 12, { user_id: jugador.id });
		const abonos = [
			{ abonoId: `${txId}:dos`, monto: 350_000, pagado: 750_000 },
			{ abonoId: `${txId}:tres`, monto: 250_000, pagado: PRECIO },
		];
		const { fechaFin } = await enLaSala(rifa.id, txId, (tx, row) =>
			abonos.flatMap((a) =>
				avisoAbono(tx, row, {
					...a,
					medio: "efectivo",
					total: PRECIO,
					fechaLimite: Date.parse(tx.config.fechaFin),
				}),
			),
		);
		const [parcial] = await despacharYEsperar(`abono:${txId}:dos`, 1);
		expect(parcial).toMatchObject({
			canal: "email",
			estado: "enviada",
			destino: jugador.email,
			asunto: `Abono recibido: ${nombre}`,
		});
		const limite = new Intl.DateTimeFormat("es-CO", {
			timeZone: "America/Bogota",
			dateStyle: "full",
			timeStyle: "short",
		}).format(new Date(fechaFin));
		expect(String(parcial?.cuerpo_texto).split("\n").slice(0, 4)).toEqual([
			"Hola, Marta Lucía:",
			"",
			`Recibimos su abono de ${formatCop(350_000)} en efectivo por el número 12 de ${nombre}: lleva ${formatCop(750_000)} de ${formatCop(PRECIO)}.`,
			`Le faltan ${formatCop(250_000)}: páguelos antes del ${limite} (hora de Colombia) o los números vuelven a la venta.`,
		]);
		const [completo] = await despacharYEsperar(`abono:${txId}:tres`, 1);
		expect(String(completo?.cuerpo_texto)).toContain(
			"Su compra quedó pagada: le enviaremos sus boletas con sus recibos.",
		);
	});
});

describe("a lapsed plan", () => {
	it("tells the buyer the numbers were released, and that what was paid is refunded or kept as credit", async () => {
		const rifa = await createActiveRifa(operador.token, {
			reglas: { abonos: { minimo_bps: 2000 } },
		});
		const nombre = await nombreDe(rifa.id);
		const devolver = await createUser({ nombre: "Jhon Jairo" });
		const acreditar = await createUser({ nombre: "Diana Patricia" });
		const txDevolver = await venderConAbono(rifa.id, 20, { user_id: devolver.id });
		const txAcreditar = await venderConAbono(rifa.id, 21, { user_id: acreditar.id });
		await enLaSala(rifa.id, txDevolver, (tx, row) =>
			avisoAbonosVencidos(tx, row, { monto: 400_000, destino: "reembolso" }),
		);
		await enLaSala(rifa.id, txAcreditar, (tx, row) =>
			avisoAbonosVencidos(tx, row, { monto: 400_000, destino: "credito" }),
		);
		const n = await env.DB.prepare(
			"SELECT count(*) AS n FROM avisos WHERE id IN (?, ?) AND tipo = 'abonos_vencidos'",
		)
			.bind(`abonos_vencidos:${txDevolver}`, `abonos_vencidos:${txAcreditar}`)
			.first<{ n: number }>();
		expect(n?.n).toBe(2);

		const [reembolso] = await despacharYEsperar(`abonos_vencidos:${txDevolver}`, 1);
		expect(reembolso).toMatchObject({
			estado: "enviada",
			destino: devolver.email,
			asunto: `Venció su plan de abonos en ${nombre}`,
		});
		const lineas = String(reembolso?.cuerpo_texto).split("\n");
		expect(lineas[2]).toBe(
			`El plazo para pagar el número 20 de ${nombre} terminó sin completar el pago, y volvió a la venta.`,
		);
		expect(lineas[3]).toBe(
			`Le devolveremos lo que abonó, ${formatCop(400_000)}, y le avisaremos cuando se haga.`,
		);
		const [credito] = await despacharYEsperar(`abonos_vencidos:${txAcreditar}`, 1);
		expect(String(credito?.cuerpo_texto).split("\n")[3]).toBe(
			`Lo que abonó, ${formatCop(400_000)}, queda como crédito suyo con el operador de la rifa para sus próximas compras.`,
		);
	});
});

describe("the texts", () => {
	const rifa = {
		id: crypto.randomUUID(),
		nombre: "Rifa de Navidad",
		totalBoletas: 100,
		fechaFin: "2026-12-24T03:00:00.000Z",
		fechaSorteo: "2026-12-24T03:30:00.000Z",
		loteria: "Lotería de Bogotá",
	};
	const ctx = (idioma: "es" | "en") => ({
		idioma,
		nombre: "Rosa",
		appUrl: "https://rifa1122.test",
		rifa,
		recibos: [],
	});
	const abono: NotificacionMensaje = {
		evento: "abono:x",
		tipo: "abono",
		usuario_id: crypto.randomUUID(),
		rifa_id: rifa.id,
		datos: {
			transaccion_id: crypto.randomUUID(),
			abono_id: "x",
			numeros: [7, 42],
			monto: 400_000,
			medio: "efectivo",
			pagado: 400_000,
			pendiente: 1_600_000,
			total: 2_000_000,
			fecha_limite: "2026-12-20T23:00:00.000Z",
		},
	};
	const vencido: NotificacionMensaje = {
		evento: "abonos_vencidos:x",
		tipo: "abonos_vencidos",
		usuario_id: crypto.randomUUID(),
		rifa_id: rifa.id,
		datos: { transaccion_id: "x", numeros: [7], monto: 400_000, destino: "credito" },
	};

	it("say the same in English, as plain GSM-7 texts, with their WhatsApp templates", () => {
		expect(textoSms(abono, ctx("es"))).toBe(
			"Rifa1122: recibimos su abono de $ 4.000 en efectivo en Rifa de Navidad (numeros 07, 42): lleva $ 4.000 de $ 20.000; faltan $ 16.000 hasta el 20 dic 18:00. https://rifa1122.test/mis-boletas",
		);
		expect(textoSms(abono, ctx("en"))).toBe(
			"Rifa1122: we received your payment of $ 4.000 in cash in Rifa de Navidad (numbers 07, 42): $ 4.000 of $ 20.000 paid; $ 16.000 left, due Dec 20 18:00. https://rifa1122.test/mis-boletas",
		);
		expect(textoSms(vencido, ctx("es"))).toBe(
			"Rifa1122: vencio el plazo de sus abonos en Rifa de Navidad; numero 07 a la venta de nuevo. Sus $ 4.000 quedan como crédito con el operador. https://rifa1122.test/mis-boletas",
		);
		const en = renderizar(vencido, ctx("en"));
		expect(en.asunto).toBe("Your instalment plan in Rifa de Navidad lapsed");
		expect(en.texto).toContain(
			`What you paid, ${formatCop(400_000)}, stays as your credit with the rifa's operador for your next purchases.`,
		);
		expect(en.whatsapp).toEqual({
			plantilla: "rifa1122_abonos_vencidos",
			parametros: [
				"Rosa",
				"The deadline to pay number 07 of Rifa de Navidad passed before the payment was complete, and it went back on sale.",
			],
		});
		expect(renderizar(abono, ctx("es")).whatsapp.plantilla).toBe("rifa1122_abono");
	});
});
