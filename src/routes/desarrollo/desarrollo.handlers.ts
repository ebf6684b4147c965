import { ApiError } from "../../lib/errors";
import type { AppRouteHandler } from "../../lib/types";
import { roomFor } from "../../rifa-room/rooms";
import type { importarHistoria } from "./desarrollo.routes";

export const importarHistoriaHandler: AppRouteHandler<typeof importarHistoria> = async (c) => {
	const { id } = c.req.valid("param");
	const r = await roomFor(c.env, id).importarHistoria(c.req.valid("json"));
	if (!r.ok) throw new ApiError(r.code, r.detail);
	const body = {
		importada: r.importada,
		vendidos: r.vendidos,
		raiz: r.sello.raiz,
		sellado_en: r.sello.sellado_en,
	};
	return c.json(body, r.importada ? 201 : 200);
};
