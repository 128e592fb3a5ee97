import { configRoutes } from "./config";
import { socialRoutes } from "./social";

/** Every storefront router; each registers its own routes and OpenAPI docs. */
export const storefrontRouters = [configRoutes, socialRoutes];
