import type { Availability, RoomEvent } from "./room.types";

const DEFAULT_MAX_SOCKETS = 5_000;
const DEFAULT_MAX_SOCKETS_PER_CLIENT = 20;

/**
 * Accepts a live-updates socket (hibernation), sending the current snapshot first. Refused with
 * 429 past the rifa's cap or the cap for one client address (`X-Cliente`, set by the Worker).
 */
export const acceptSocket = (
	ctx: DurableObjectState,
	env: Env,
	request: Request,
	availability: Availability,
): Response => {
	const client = request.headers.get("X-Cliente");
	const tag = client ? `cliente:${client}` : null;
	const maxTotal = Number(env.WS_MAX_POR_RIFA) || DEFAULT_MAX_SOCKETS;
	const maxClient = Number(env.WS_MAX_POR_CLIENTE) || DEFAULT_MAX_SOCKETS_PER_CLIENT;
	if (
		ctx.getWebSockets().length >= maxTotal ||
		(tag && ctx.getWebSockets(tag).length >= maxClient)
	) {
		return new Response("Too many sockets", { status: 429 });
	}
	const { 0: socket, 1: server } = new WebSocketPair();
	ctx.acceptWebSocket(server, tag ? [tag] : []);
	server.send(JSON.stringify({ type: "snapshot", availability } satisfies RoomEvent));
	return new Response(null, { status: 101, webSocket: socket });
};

export const broadcast = (ctx: DurableObjectState, event: RoomEvent): void => {
	const data = JSON.stringify(event);
	for (const ws of ctx.getWebSockets()) {
		try {
			ws.send(data);
		} catch {
			// A socket closing while we send is not our failure; it will get its close event.
		}
	}
};

/** Answers a client's close; 1005, 1006 and 1015 report how a socket ended and may not be sent. */
export const closeSocket = (ws: WebSocket, code: number): void => {
	const echo = code >= 1000 && code < 5000 && ![1004, 1005, 1006, 1015].includes(code);
	try {
		ws.close(echo ? code : 1000, "closing");
	} catch {
		// Already closed on our side.
	}
};
