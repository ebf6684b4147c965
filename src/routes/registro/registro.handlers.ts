import { eq } from "drizzle-orm";
import type { Context } from "hono";
import { rifas, tickets } from "../../db/schema";
import { ApiError, conflict, forbidden, notFound, RIFA, t } from "../../lib/errors";
import { offsetOf, pageOf } from "../../lib/pagination";
import type { AppBindings, AppRouteHandler } from "../../lib/types";
import { findRifa, roomFor } from "../../rifa-room/rooms";
import { actaArchivada, actaPdfArchivada } from "../../services/acta-archivo";
import { payloadSinVerificar } from "../../verificacion/firma";
import { esSello } from "../../verificacion/guardas";
import type { acta, actaPdf, prueba, recibo, registro, sello } from "./registro.routes";

const TICKET = t("La boleta", "The ticket");

export const registroHandler: AppRouteHandler<typeof registro> = async (c) => {
	const { id } = c.req.valid("param");
	const page = c.req.valid("query");
	if (!(await findRifa(c.var.db, id))) throw notFound(RIFA);
	const { items, total } = await roomFor(c.env, id).registro(offsetOf(page), page.per_page);
	return c.json(pageOf(items, total, page), 200);
};

export const selloHandler: AppRouteHandler<typeof sello> = async (c) => {
	const { id } = c.req.valid("param");
	if (!(await findRifa(c.var.db, id))) throw notFound(RIFA);
	const s = await roomFor(c.env, id).sello();
	const payload = s ? payloadSinVerificar(s.sello) : undefined;
	if (!s || !esSello(payload)) {
		throw notFound(
			t("El sello de la rifa (aún no se ha sellado)", "The rifa's seal (it is not sealed yet)"),
		);
	}
	return c.json({ ...s, definicion: payload.definicion }, 200);
};

/** The ticket, if the caller owns it or is staff over its rifa (an operador: its own rifas). */
const ticketFor = async (c: Context<AppBindings>, id: string) => {
	const [row] = await c.var.db
		.select({
			id: tickets.id,
			rifaId: tickets.rifaId,
			usuarioId: tickets.usuarioId,
			recibo: tickets.recibo,
			creadoPor: rifas.creadoPor,
		})
		.from(tickets)
		.innerJoin(rifas, eq(rifas.id, tickets.rifaId))
		.where(eq(tickets.id, id));
	if (!row) throw notFound(TICKET);
	const me = c.var.user;
	const allowed =
		me.rol === "admin" ||
		row.usuarioId === me.id ||
		(me.rol === "operador" && row.creadoPor === me.id);
	if (!allowed) {
		throw forbidden(
			t(
				"Solo el dueño de la boleta o el staff de la rifa la ven.",
				"Only the ticket's owner or the rifa's staff can see it.",
			),
		);
	}
	return row;
};

export const reciboHandler: AppRouteHandler<typeof recibo> = async (c) => {
	const { id } = c.req.valid("param");
	const ticket = await ticketFor(c, id);
	const jws = ticket.recibo ?? (await roomFor(c.env, ticket.rifaId).recibo(id));
	if (!jws)
		throw notFound(
			t("El recibo de la boleta (no está vendida)", "The ticket's receipt (it is not sold)"),
		);
	return c.json({ recibo: jws }, 200);
};

/** Public: the ledger is public, so anyone holding a receipt may ask for its proof. */
export const pruebaHandler: AppRouteHandler<typeof prueba> = async (c) => {
	const { id } = c.req.valid("param");
	const [row] = await c.var.db
		.select({ rifaId: tickets.rifaId })
		.from(tickets)
		.where(eq(tickets.id, id));
	if (!row) throw notFound(TICKET);
	const p = await roomFor(c.env, row.rifaId).prueba(id);
	if (!p)
		throw notFound(
			t(
				"La prueba de la boleta (no está vendida, o se vendió fuera del registro sellado)",
				"The ticket's proof (it is not sold, or it was sold outside the sealed ledger)",
			),
		);
	return c.json(p, 200);
};

const noDisponible = (
	outcome: Exclude<Awaited<ReturnType<typeof actaArchivada>>, { outcome: "acta" }>,
): never => {
	switch (outcome.outcome) {
		case "no_existe":
			throw notFound(RIFA);
		case "no_resuelta":
			throw notFound(
				t("El acta de la rifa (aún no se ha liquidado)", "The rifa's acta (it is not settled yet)"),
			);
		case "sin_firma":
			throw new ApiError(
				"SERVICE_UNAVAILABLE",
				t(
					"Los recibos y actas firmados no están configurados.",
					"Signed receipts and actas are not configured.",
				),
			);
		case "sin_sello":
		case "sin_recibos":
			throw conflict(
				t(
					"La rifa se liquidó sin registro sellado o sin recibos de sus ganadores: no tiene acta verificable.",
					"The rifa was settled without a sealed ledger or without its winners' receipts: it has no verifiable acta.",
				),
			);
	}
};

/** The acta never changes for a settlement: clients revalidate with If-None-Match and get a 304. */
const VALIDADO = { "Cache-Control": "public, no-cache" };

const sinCambios = (c: Context<AppBindings>, etag: string) =>
	c.req
		.header("If-None-Match")
		?.split(",")
		.some((v) => v.trim() === etag) ?? false;

export const actaHandler: AppRouteHandler<typeof acta> = async (c) => {
	const { id } = c.req.valid("param");
	const out = await actaArchivada(c.env, c.var.db, id);
	if (out.outcome !== "acta") return noDisponible(out);
	const headers = { ...VALIDADO, ETag: out.etag };
	if (sinCambios(c, out.etag)) return c.body(null, 304, headers) as never;
	return c.json({ acta: out.acta }, 200, headers);
};

export const actaPdfHandler: AppRouteHandler<typeof actaPdf> = async (c) => {
	const { id } = c.req.valid("param");
	const out = await actaPdfArchivada(c.env, c.var.db, id);
	if (out.outcome !== "pdf") return noDisponible(out);
	const headers = { ...VALIDADO, ETag: out.etag };
	if (sinCambios(c, out.etag)) return c.body(null, 304, headers) as never;
	return new Response(out.body, {
		status: 200,
		headers: {
			...headers,
			"Content-Type": "application/pdf",
			"Content-Disposition": `inline; filename="acta-${id}.pdf"`,
		},
	}) as never;
};
