import type { OpenAPIHono, RouteConfig, RouteHandler } from "@hono/zod-openapi";
import type { Database } from "../db/client";
import type { Rol, UserRow } from "../db/schema";
import type { Logger } from "./logger";

/** A user's role as the API sees it: a vendedor is stored as a jugador with a `vendedores` row. */
export type RolEfectivo = Rol | "vendedor";

export type AuthUser = Pick<UserRow, "id" | "nombre" | "email" | "isActive"> & {
	rol: RolEfectivo;
	/** The operador a vendedor sells for; null for everyone else. */
	operadorId: string | null;
};

export interface AppBindings {
	Bindings: Env;
	Variables: {
		requestId: string;
		db: Database;
		/** Bound to the request id: every line a request writes can be found by it. */
		logger: Logger;
		user: AuthUser;
		/** Set by `optionalAuth` when a public route is called with a valid token. */
		viewer?: AuthUser;
	};
}

export type AppOpenAPI = OpenAPIHono<AppBindings>;
export type AppRouteHandler<R extends RouteConfig> = RouteHandler<R, AppBindings>;
