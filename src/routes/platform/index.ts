import { platformConfigRoutes } from "./config";

/** Every platform router; each registers its own routes and OpenAPI docs. */
export const platformRouters = [platformConfigRoutes];
