import { platformConfigRoutes } from "./config";
import { customerRoutes } from "./customers";
import { sessionAdminRoutes } from "./sessions";

/** Every platform router; each registers its own routes and OpenAPI docs. */
export const platformRouters = [platformConfigRoutes, customerRoutes, sessionAdminRoutes];
