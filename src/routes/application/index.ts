import { configRoutes } from "./config";
import { otpRoutes } from "./otp";
import { passwordResetRoutes } from "./password-reset";
import { socialRoutes } from "./social";
import { verifyContactRoutes } from "./verify-contact";

/** Every storefront router; each registers its own routes and OpenAPI docs. */
export const storefrontRouters = [configRoutes, socialRoutes, otpRoutes, passwordResetRoutes, verifyContactRoutes];
