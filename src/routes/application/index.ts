import { storefrontAttributeRoutes } from "./attributes";
import { authRoutes } from "./auth";
import { configRoutes } from "./config";
import { otpRoutes } from "./otp";
import { passwordRoutes } from "./password";
import { passwordResetRoutes } from "./password-reset";
import { sessionRoutes } from "./session";
import { socialRoutes } from "./social";
import { verifyContactRoutes } from "./verify-contact";

/** Every storefront router; each registers its own routes and OpenAPI docs. */
export const storefrontRouters = [
  configRoutes,
  authRoutes,
  passwordRoutes,
  sessionRoutes,
  socialRoutes,
  otpRoutes,
  passwordResetRoutes,
  verifyContactRoutes,
  storefrontAttributeRoutes,
];
