import type { OpenAPIHono, RouteConfig, RouteHandler } from "@hono/zod-openapi";
import type { Database } from "../db/client";
import type { UserRow } from "../db/schema";

export type AuthUser = Pick<UserRow, "id" | "nombre" | "email" | "rol" | "isActive">;

export interface AppBindings {
	Bindings: Env;
	Variables: {
		requestId: string;
		db: Database;
		user: AuthUser;
		/** Set by `optionalAuth` when a public route is called with a valid token. */
		viewer?: AuthUser;
	};
}

export type AppOpenAPI = OpenAPIHono<AppBindings>;
export type AppRouteHandler<R extends RouteConfig> = RouteHandler<R, AppBindings>;
