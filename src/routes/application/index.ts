import { authRoutes } from "./auth";
import { configRoutes } from "./config";
import { passwordRoutes } from "./password";
import { sessionRoutes } from "./session";

/** Every storefront router; each registers its own routes and OpenAPI docs. */
export const storefrontRouters = [configRoutes, authRoutes, passwordRoutes, sessionRoutes];
