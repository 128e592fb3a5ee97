import { platformConfigRoutes } from "./config";
import { customerRoutes } from "./customers";
import { sessionAdminRoutes } from "./sessions";

/** Every platform router; each registers its own routes and OpenAPI docs. The tuple also types the App (src/app.ts). */
export const platformRouters = [platformConfigRoutes, customerRoutes, sessionAdminRoutes] as const;
