import { createDb } from "../db/client";
import { t } from "../lib/errors";
import { ClavesConfigError, type Firmante, firmanteRetirado } from "../recibos/claves";
import { definicionSha256 } from "../verificacion/definicion";
import { cerrarRegistro, cierre } from "./cierre";
import { loadRoomConfig, readConfig, writeConfig } from "./config";
import { firmarPendientes } from "./firmas";
import type { CompraPasada, HistoriaPasada } from "./historia.types";
import type { LibroRoom } from "./libro";
import { permutation } from "./numbering";
import { freeAmong, hold, markSoldNumbers, rebuildOrder, takenCount } from "./numeros";
import { mirror } from "./outbox";
import { appendVentas, tamano } from "./registro";
import type { RoomConfig, RoomError } from "./room.types";
import { fail } from "./sales";

export type { CompraPasada, HistoriaPasada };

import { firmarSello, type Sello } from "./sello";

/**
 * A rifa whose sales happened before this deployment existed, brought in as its room would have
 * recorded them: every sale and the seal are signed by a retired key this deployment publishes,
 * dated when they happened, so the verifier checks them like any other. Development only: it is
 * how `npm run dev` shows a rifa drawn on a real past result (seeds/historia.ts).
 */
export type HistoriaImportada =
	| { ok: true; importada: boolean; vendidos: number; sello: Sello }
	| RoomError;

/** What the import needs of its room; the room reloads its definition and flushes after it. */
export type HistoriaRoom = Pick<LibroRoom, "sql" | "env" | "rifaId" | "step">;

const invalida = (es: string, en: string) => fail("VALIDATION_FAILED", t(es, en));

/** The history fits the rifa's calendar, its numbers and the key's window; null when it does. */
const problema = (
	h: HistoriaPasada,
	config: RoomConfig,
	ventana: { desde: string; hasta?: string | undefined },
): RoomError | null => {
	const ventas = h.compras.map((c) => c.vendido_en);
	const ordenadas = ventas.every((v, i) => i === 0 || (ventas[i - 1] as string) <= v);
	if (!ordenadas || ventas.some((v) => v < config.fechaInicio || v >= config.fechaFin)) {
		return invalida(
			`Las compras van en orden, entre ${config.fechaInicio} y ${config.fechaFin}.`,
			`Purchases go in order, between ${config.fechaInicio} and ${config.fechaFin}.`,
		);
	}
	const ultima = ventas.at(-1) ?? config.fechaInicio;
	const sorteo = config.definicion?.fecha_sorteo ?? config.fechaFin;
	if (h.sellado_en < ultima || h.sellado_en < config.fechaFin || h.sellado_en >= sorteo) {
		return invalida(
			`El cierre va después de la última compra y del fin de ventas (${config.fechaFin}), antes del sorteo (${sorteo}).`,
			`The close comes after the last purchase and the end of sales (${config.fechaFin}), before the draw (${sorteo}).`,
		);
	}
	if (
		(ventas[0] ?? h.sellado_en) < ventana.desde ||
		(ventana.hasta && h.sellado_en >= ventana.hasta)
	) {
		return invalida(
			`La clave firmó desde ${ventana.desde} hasta ${ventana.hasta}: la historia no cabe en ese tiempo.`,
			`The key signed from ${ventana.desde} until ${ventana.hasta}: the history does not fit in that time.`,
		);
	}
	const numeros = h.compras.flatMap((c) => c.numeros);
	if (
		new Set(numeros).size !== numeros.length ||
		numeros.some((n) => !Number.isSafeInteger(n) || n < 0 || n >= config.totalBoletas)
	) {
		return invalida(
			`Cada número va una sola vez, de 0 a ${config.totalBoletas - 1}.`,
			`Each number goes once, from 0 to ${config.totalBoletas - 1}.`,
		);
	}
	return null;
};

/** Every buyer has an account: D1's tickets name them. */
const sinCuenta = async (db: D1Database, compras: CompraPasada[]): Promise<RoomError | null> => {
	const ids = [...new Set(compras.map((c) => c.usuario_id))];
	const { results } = await db
		.prepare("SELECT value AS id FROM json_each(?) WHERE value NOT IN (SELECT id FROM users)")
		.bind(JSON.stringify(ids))
		.all<{ id: string }>();
	const faltan = results.map((r) => r.id);
	return faltan.length
		? invalida(
				`Usuarios que no existen: ${faltan.join(", ")}.`,
				`Unknown users: ${faltan.join(", ")}.`,
			)
		: null;
};

/** The sales, the close and the signatures, in that order; a second call with the history done is a no-op. */
export const importarHistoria = async (
	room: HistoriaRoom,
	h: HistoriaPasada,
): Promise<HistoriaImportada> => {
	const { sql, env } = room;
	if (env.ENVIRONMENT !== "development")
		throw new Error("past histories are imported in development only");
	let clave: { firmante: Firmante; publica: { desde: string; hasta?: string | undefined } };
	try {
		clave = await firmanteRetirado(env, h.clave);
	} catch (err) {
		if (!(err instanceof ClavesConfigError)) throw err;
		return invalida(err.message, err.message);
	}
	const loaded = await loadRoomConfig(createDb(env.DB), room.rifaId());
	if (!loaded?.definicion) return fail("NOT_FOUND", t("Rifa no encontrada.", "Rifa not found."));
	const hecha = cierre(sql);
	const actual = readConfig(sql);
	// Done before (or cut off before its signatures): finished under the same retired key.
	if (hecha && actual && hecha.sellado_en === h.sellado_en && tamano(sql) === hecha.tamano) {
		await firmarPendientes(env, sql, room.rifaId(), clave.firmante);
		const sello = await firmarSello(env, sql, actual, clave.firmante);
		if (sello) return { ok: true, importada: false, vendidos: sello.vendidos, sello };
	}
	if (loaded.estado !== "cerrada" || hecha || takenCount(sql) > 0) {
		return fail(
			"CONFLICT",
			t(
				"Solo se importa la historia de una rifa cerrada cuya sala no ha vendido ni cerrado nada.",
				"Only a closed rifa whose room has sold and closed nothing takes a past history.",
			),
		);
	}
	const config: RoomConfig = {
		...loaded,
		definicionSha256: await definicionSha256(loaded.definicion),
	};
	const malo = problema(h, config, clave.publica) ?? (await sinCuenta(env.DB, h.compras));
	if (malo) return malo;
	const order = await permutation(config.rifaId, config.totalBoletas, config.reglas.asignacion);
	room.step(config, (tx) => {
		writeConfig(sql, config);
		rebuildOrder(sql, order);
		for (const compra of h.compras) {
			const id = crypto.randomUUID();
			const libres = freeAmong(sql, compra.numeros).map((r) => ({
				...r,
				ticket_id: crypto.randomUUID(),
			}));
			hold(sql, id, compra.usuario_id, libres);
			const at = Date.parse(compra.vendido_en);
			sql.exec(
				"INSERT INTO transacciones (id, user_id, amount, provider, status, numeros, expires_at, created_at) VALUES (?, ?, ?, 'sandbox', 'succeeded', ?, NULL, ?)",
				id,
				compra.usuario_id,
				config.precio * libres.length,
				JSON.stringify(libres.map(({ numero, ticket_id }) => ({ numero, ticket_id }))),
				at,
			);
			markSoldNumbers(sql, id);
			mirror(tx, id, { tickets: true, at: compra.vendido_en });
			appendVentas(tx, id, compra.vendido_en);
		}
		cerrarRegistro(sql, h.sellado_en);
	});
	await firmarPendientes(env, sql, config.rifaId, clave.firmante);
	const sello = await firmarSello(env, sql, config, clave.firmante);
	if (!sello) throw new Error("the imported history could not be sealed");
	return { ok: true, importada: true, vendidos: sello.vendidos, sello };
};
