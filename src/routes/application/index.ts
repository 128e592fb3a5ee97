import { storefrontAttributeRoutes } from "./attributes";
import { configRoutes } from "./config";

/** Every storefront router; each registers its own routes and OpenAPI docs. */
export const storefrontRouters = [configRoutes, storefrontAttributeRoutes];
