import type { OpenAPIHono, RouteConfig, RouteHandler } from "@hono/zod-openapi";
import type { Database } from "../db/client";
import type { UserRow } from "../db/schema";
import type { Logger } from "./logger";

export type AuthUser = Pick<UserRow, "id" | "nombre" | "email" | "rol" | "isActive">;

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
