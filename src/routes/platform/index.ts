import { activityRoutes } from "./activity";
import { attributeDefinitionRoutes } from "./attribute-definitions";
import { attributeValueRoutes } from "./attribute-values";
import { platformConfigRoutes } from "./config";
import { customerRoutes } from "./customers";
import { sessionAdminRoutes } from "./sessions";
import { userGroupRoutes } from "./user-groups";
import { userJobRoutes } from "./user-jobs";

/** Every platform router; each registers its own routes and OpenAPI docs. The tuple also types the App (src/app.ts). */
export const platformRouters = [
  platformConfigRoutes,
  customerRoutes,
  sessionAdminRoutes,
  attributeDefinitionRoutes,
  attributeValueRoutes,
  userGroupRoutes,
  userJobRoutes,
  activityRoutes,
] as const;
