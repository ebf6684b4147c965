import type { EntryPoints } from "../lib/sentry";
import type { RifaRoom } from "./rifa-room";

/** Every handler and RPC method of the room: what each throws is reported (lib/sentry.ts). */
export const ENTRADAS: Record<EntryPoints<RifaRoom>, true> = {
	configure: true,
	beginChange: true,
	endChange: true,
	sync: true,
	purchase: true,
	refundAll: true,
	extenderReserva: true,
	abonos: true,
	importarHistoria: true,
	paymentSucceeded: true,
	paymentFailed: true,
	availability: true,
	transaccion: true,
	soldTickets: true,
	announce: true,
	committedCount: true,
	sellada: true,
	sorteoFijado: true,
	registro: true,
	recibo: true,
	prueba: true,
	sello: true,
	flush: true,
	pendingOutbox: true,
	alarm: true,
	fetch: true,
	webSocketMessage: true,
	webSocketClose: true,
};
