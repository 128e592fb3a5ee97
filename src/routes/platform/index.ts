import { attributeDefinitionRoutes } from "./attribute-definitions";
import { attributeValueRoutes } from "./attribute-values";
import { platformConfigRoutes } from "./config";
import { userGroupRoutes } from "./user-groups";
import { userJobRoutes } from "./user-jobs";

/** Every platform router; each registers its own routes and OpenAPI docs. */
export const platformRouters = [platformConfigRoutes, attributeDefinitionRoutes, attributeValueRoutes, userGroupRoutes, userJobRoutes];
