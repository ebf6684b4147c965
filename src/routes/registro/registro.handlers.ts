import { eq } from "drizzle-orm";
import type { Context } from "hono";
import { rifas, tickets } from "../../db/schema";
import { ApiError, conflict, forbidden, notFound, RIFA, t } from "../../lib/errors";
import { offsetOf, pageOf } from "../../lib/pagination";
import type { AppBindings, AppRouteHandler } from "../../lib/types";
import { findRifa, roomFor } from "../../rifa-room/rooms";
import { actaDe } from "../../services/acta.service";
import { actaPdf as renderActaPdf } from "../../services/acta-pdf";
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
	if (!s) {
		throw notFound(
			t("El sello de la rifa (aún no se ha sellado)", "The rifa's seal (it is not sealed yet)"),
		);
	}
	return c.json(s, 200);
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

export const pruebaHandler: AppRouteHandler<typeof prueba> = async (c) => {
	const { id } = c.req.valid("param");
	const ticket = await ticketFor(c, id);
	const p = await roomFor(c.env, ticket.rifaId).prueba(id);
	if (!p)
		throw notFound(
			t("La prueba de la boleta (no está vendida)", "The ticket's proof (it is not sold)"),
		);
	return c.json(p, 200);
};

const actaOr = async (c: Context<AppBindings>, id: string) => {
	const out = await actaDe(c.env, c.var.db, id);
	switch (out.outcome) {
		case "acta":
			return out;
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

export const actaHandler: AppRouteHandler<typeof acta> = async (c) => {
	const { id } = c.req.valid("param");
	const out = await actaOr(c, id);
	return c.json({ acta: out.acta }, 200);
};

export const actaPdfHandler: AppRouteHandler<typeof actaPdf> = async (c) => {
	const { id } = c.req.valid("param");
	const out = await actaOr(c, id);
	const url = new URL("/verificar", c.req.url).toString();
	const pdf = await renderActaPdf(
		{ jws: out.acta, payload: out.payload, nombre: out.rifa.nombre, loteria: out.loteria },
		url,
	);
	return new Response(pdf.slice().buffer, {
		status: 200,
		headers: {
			"Content-Type": "application/pdf",
			"Content-Disposition": `inline; filename="acta-${id}.pdf"`,
		},
	}) as never;
};
