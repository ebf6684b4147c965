import { and, asc, count, eq } from "drizzle-orm";
import type { Database } from "../db/client";
import { isForeignKeyViolation } from "../db/errors";
import {
	COMPROBANTE_MAX_BYTES,
	type ComprobanteEstado,
	type ComprobanteRow,
	type ComprobanteTipo,
	comprobantes,
	rifas,
	transacciones,
	users,
} from "../db/schema";
import { extensionOf, sniffFileType } from "../lib/archivos";
import { ApiError, conflict, forbidden, notFound, RIFA, t } from "../lib/errors";
import { offsetOf, type Page, pageOf } from "../lib/pagination";
import { nowIso } from "../lib/time";
import type { AuthUser } from "../lib/types";
import { roomFor } from "../rifa-room/rooms";
import { toHex } from "../verificacion/merkle";
import { puedeVenderEn } from "./vendedores.service";

/**
 * Proofs of transfer (comprobantes): a buyer who paid a `transferencia` purchase by Nequi or bank
 * transfer uploads the screenshot or PDF; the file goes to the private COMPROBANTES bucket, the
 * purchase's hold waits until the review (never past the end of sales), and the rifa's operador
 * checks the transfer in the bank and approves (the room sells the numbers) or rejects (the room
 * releases them). A proof is never the payment. Each file and each bank reference backs one
 * purchase only; D1's unique indexes decide that, even for two uploads at once.
 */

export interface Actor {
	env: Env;
	db: Database;
	me: AuthUser;
	requestId?: string | undefined;
}

export const COMPROBANTE = t("El comprobante", "The proof");
const COMPRA = t("La compra", "The purchase");

/** Upper case, without spaces or dashes of any kind: how a bank reference is compared. */
export const normalizeReferencia = (referencia: string) =>
	referencia
		.normalize("NFKC")
		.toUpperCase()
		.replace(/[\s\p{Pd}]/gu, "");

/** Upper case, without accents, spaces or punctuation: `Banco de Bogotá` is `BANCODEBOGOTA`. */
export const normalizeBanco = (banco: string) =>
	banco
		.normalize("NFKD")
		.replace(/\p{M}/gu, "")
		.toUpperCase()
		.replace(/[^\p{L}\p{N}]/gu, "");

/** The rifa's operador or an admin: those who check a transfer in the bank. Not its vendedores. */
export const canReview = (me: AuthUser, rifa: { creadoPor: string | null }) =>
	me.rol !== "vendedor" && puedeVenderEn(me, rifa);

const canRead = (
	me: AuthUser,
	row: Pick<ComprobanteRow, "usuarioId" | "subidoPor">,
	rifa: { creadoPor: string | null },
) => row.usuarioId === me.id || row.subidoPor === me.id || canReview(me, rifa);

export interface ProofFile {
	bytes: Uint8Array;
	tipo: ComprobanteTipo;
	sha256: string;
}

export const proofTooLarge = () =>
	new ApiError(
		"PAYLOAD_TOO_LARGE",
		t(
			`El comprobante supera el máximo de ${COMPROBANTE_MAX_BYTES / 1024 / 1024} MB.`,
			`The proof exceeds the ${COMPROBANTE_MAX_BYTES / 1024 / 1024} MB limit.`,
		),
	);

const invalidFile = (es: string, en: string) =>
	new ApiError("VALIDATION_FAILED", t(es, en), {
		errors: [{ path: "archivo", message: es }],
	});

/**
 * The file's bytes, its type from its signature and its SHA-256. Its size is checked before its
 * bytes are read: over 5 MB is a 413, like any body over a limit.
 */
export const readProofFile = async (file: File): Promise<ProofFile> => {
	if (file.size > COMPROBANTE_MAX_BYTES) throw proofTooLarge();
	if (file.size === 0) throw invalidFile("El archivo está vacío.", "The file is empty.");
	const bytes = new Uint8Array(await file.arrayBuffer());
	const tipo = sniffFileType(bytes);
	if (!tipo)
		throw invalidFile(
			"El archivo no es una imagen JPEG, PNG o WebP ni un PDF.",
			"The file is not a JPEG, PNG or WebP image nor a PDF.",
		);
	const sha256 = toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)));
	return { bytes, tipo, sha256 };
};

/** Where the file is kept: by rifa and proof, never by buyer. */
const r2KeyOf = (rifaId: string, id: string) => `comprobantes/${rifaId}/${id}`;

const failureText = (err: unknown): string => {
	const parts: string[] = [];
	for (let cur = err, depth = 0; cur && depth < 5; depth++) {
		parts.push(cur instanceof Error ? cur.message : String(cur));
		cur = cur instanceof Error ? cur.cause : undefined;
	}
	return parts.join(" | ");
};

/** What a failed insert of a proof means for its sender, or null when it is no conflict. */
const insertConflict = (err: unknown): ApiError | null => {
	const text = failureText(err);
	const unique = /UNIQUE constraint failed: ([\w.,\s]+)/i.exec(text)?.[1] ?? "";
	if (unique.includes("sha256"))
		return conflict(
			t(
				"Este archivo ya se presentó como comprobante de otro pago.",
				"This file was already presented as the proof of a payment.",
			),
		);
	if (unique.includes("referencia_normalizada"))
		return conflict(
			t(
				"Esa referencia de ese banco ya se presentó como comprobante de otro pago.",
				"That bank reference was already presented as the proof of a payment.",
			),
		);
	if (unique.includes("transaccion_id"))
		return conflict(
			t("Esta compra ya tiene un comprobante.", "This purchase already has a proof."),
		);
	if (isForeignKeyViolation(err))
		return new ApiError(
			"CONFLICT",
			t(
				"La compra aún se está registrando; intente de nuevo en un momento.",
				"The purchase is still being recorded; try again in a moment.",
			),
			{ headers: { "Retry-After": "2" } },
		);
	return null;
};

const loadRifa = async (db: Database, rifaId: string) => {
	const [rifa] = await db
		.select({ creadoPor: rifas.creadoPor, fechaFin: rifas.fechaFin })
		.from(rifas)
		.where(eq(rifas.id, rifaId));
	if (!rifa) throw notFound(RIFA);
	return rifa;
};

const withDetails = (db: Database) =>
	db
		.select({
			c: comprobantes,
			compradorNombre: users.nombre,
			montoTransaccion: transacciones.amount,
			rifaCreadoPor: rifas.creadoPor,
		})
		.from(comprobantes)
		.innerJoin(users, eq(users.id, comprobantes.usuarioId))
		.innerJoin(transacciones, eq(transacciones.id, comprobantes.transaccionId))
		.innerJoin(rifas, eq(rifas.id, comprobantes.rifaId));

export type Detailed = {
	c: ComprobanteRow;
	compradorNombre: string;
	montoTransaccion: number;
	rifaCreadoPor: string | null;
};

export const toComprobanteDto = ({ c, compradorNombre, montoTransaccion }: Detailed) => ({
	id: c.id,
	rifa_id: c.rifaId,
	transaccion_id: c.transaccionId,
	estado: c.estado,
	motivo: c.motivo,
	referencia: c.referencia,
	banco: c.banco,
	monto: c.monto,
	monto_transaccion: montoTransaccion,
	monto_coincide: c.monto === montoTransaccion,
	comprador: { id: c.usuarioId, nombre: compradorNombre },
	subido_por: c.subidoPor,
	tipo: c.tipo,
	tamano: c.tamano,
	archivo_url: `/api/v1/comprobantes/${c.id}/archivo`,
	revisado_por: c.revisadoPor,
	revisado_en: c.revisadoEn,
	creado_en: c.creadoEn,
});

export const findDetailed = async (db: Database, id: string): Promise<Detailed> => {
	const [row] = await withDetails(db).where(eq(comprobantes.id, id));
	if (!row) throw notFound(COMPROBANTE);
	return row;
};

const readable = async ({ db, me }: Actor, id: string) => {
	const row = await findDetailed(db, id);
	if (!canRead(me, row.c, { creadoPor: row.rifaCreadoPor }))
		throw forbidden(
			t(
				"Solo el comprador, quien lo subió y el operador de la rifa ven este comprobante.",
				"Only the buyer, whoever uploaded it and the rifa's operador can see this proof.",
			),
		);
	return row;
};

export interface ProofUpload {
	archivo: File;
	referencia: string;
	monto: number;
	banco: string;
}

/**
 * Stores a proof for a `transferencia` purchase still waiting for its payment, and holds its numbers
 * until the review (at most until the end of sales). The file is written first and deleted again
 * if the row is refused, so no object outlives a refused upload.
 */
export const uploadComprobante = async (
	actor: Actor,
	rifaId: string,
	transaccionId: string,
	input: ProofUpload,
) => {
	const { env, db, me } = actor;
	const rifa = await loadRifa(db, rifaId);
	const file = await readProofFile(input.archivo);
	const room = roomFor(env, rifaId);
	const tx = await room.transaccion(transaccionId);
	if (!tx) throw notFound(COMPRA);
	if (tx.userId !== me.id && !puedeVenderEn(me, rifa))
		throw forbidden(
			t(
				"Solo el comprador o el staff de la rifa suben el comprobante de una compra.",
				"Only the buyer or the rifa's staff can upload a purchase's proof.",
			),
		);
	if (tx.provider !== "transferencia")
		throw conflict(
			t(
				"Solo una compra pagada por transferencia lleva comprobante.",
				"Only a purchase paid by transfer takes a proof.",
			),
		);
	if (tx.status !== "pending") throw noLongerWaiting();

	const id = crypto.randomUUID();
	const key = r2KeyOf(rifaId, id);
	await env.COMPROBANTES.put(key, file.bytes, {
		httpMetadata: { contentType: file.tipo },
		sha256: file.sha256,
	});
	const now = nowIso();
	try {
		await db.insert(comprobantes).values({
			id,
			transaccionId,
			rifaId,
			usuarioId: tx.userId,
			subidoPor: me.id,
			r2Key: key,
			sha256: file.sha256,
			tipo: file.tipo,
			tamano: file.bytes.byteLength,
			referencia: input.referencia,
			referenciaNormalizada: normalizeReferencia(input.referencia),
			monto: input.monto,
			banco: input.banco,
			bancoNormalizado: normalizeBanco(input.banco),
			creadoEn: now,
			actualizadoEn: now,
		});
	} catch (err) {
		await env.COMPROBANTES.delete(key);
		throw insertConflict(err) ?? err;
	}
	const expiresAt = await room.extenderReserva(transaccionId, Date.parse(rifa.fechaFin));
	if (expiresAt === null) {
		// The hold ran out (or sales ended) while the file was stored: as if it came a moment later.
		await db.delete(comprobantes).where(eq(comprobantes.id, id));
		await env.COMPROBANTES.delete(key);
		throw noLongerWaiting();
	}
	return { ...toComprobanteDto(await findDetailed(db, id)), expires_at: expiresAt };
};

const noLongerWaiting = () =>
	conflict(
		t(
			"La compra ya no espera su pago (vendida, vencida o rechazada): no admite comprobante.",
			"The purchase no longer waits for its payment (sold, expired or rejected): it takes no proof.",
		),
	);

export const getComprobante = async (actor: Actor, id: string) =>
	toComprobanteDto(await readable(actor, id));

/** The stored file, for its readers only. */
export const comprobanteFile = async (actor: Actor, id: string) => {
	const { c } = await readable(actor, id);
	const object = await actor.env.COMPROBANTES.get(c.r2Key);
	if (!object) throw notFound(t("El archivo del comprobante", "The proof's file"));
	return {
		body: object.body,
		size: object.size,
		tipo: c.tipo,
		nombre: `comprobante-${c.id}.${extensionOf(c.tipo)}`,
	};
};

export const listComprobantes = async (
	{ db, me }: Actor,
	filters: { estado?: ComprobanteEstado | undefined; rifa_id?: string | undefined },
	page: Page,
) => {
	if (me.rol !== "admin" && me.rol !== "operador")
		throw forbidden(
			t(
				"La cola de comprobantes es del operador de la rifa y de los admins.",
				"The proof queue belongs to the rifa's operador and admins.",
			),
		);
	if (filters.rifa_id) {
		const rifa = await loadRifa(db, filters.rifa_id);
		if (!canReview(me, rifa))
			throw forbidden(
				t(
					"Un operador solo ve los comprobantes de sus propias rifas.",
					"An operador can only see the proofs of its own rifas.",
				),
			);
	}
	const where = and(
		filters.estado ? eq(comprobantes.estado, filters.estado) : undefined,
		filters.rifa_id ? eq(comprobantes.rifaId, filters.rifa_id) : undefined,
		me.rol === "operador" ? eq(rifas.creadoPor, me.id) : undefined,
	);
	const [rows, [total]] = await db.batch([
		withDetails(db)
			.where(where)
			.orderBy(asc(comprobantes.creadoEn), asc(comprobantes.id))
			.limit(page.per_page)
			.offset(offsetOf(page)),
		db
			.select({ n: count() })
			.from(comprobantes)
			.innerJoin(rifas, eq(rifas.id, comprobantes.rifaId))
			.where(where),
	]);
	return pageOf(rows.map(toComprobanteDto), total?.n ?? 0, page);
};
