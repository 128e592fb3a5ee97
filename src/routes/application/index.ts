import { storefrontAttributeRoutes } from "./attributes";
import { authRoutes } from "./auth";
import { configRoutes } from "./config";
import { otpRoutes } from "./otp";
import { passwordRoutes } from "./password";
import { passwordResetRoutes } from "./password-reset";
import { sessionRoutes } from "./session";
import { socialRoutes } from "./social";
import { verifyContactRoutes } from "./verify-contact";
import { accountRoutes } from "./account";
import { contactChangeRoutes } from "./contact-change";
import { profileRoutes } from "./profile";
import { profileContactRoutes } from "./profile-contacts";
import { tokenLoginRoutes } from "./token-login";
import { passkeyRoutes } from "./passkeys";
import { mfaRoutes } from "./mfa";

/** Every storefront router; each registers its own routes and OpenAPI docs. The tuple also types the App (src/app.ts). */
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
  profileRoutes,
  profileContactRoutes,
  contactChangeRoutes,
  accountRoutes,
  tokenLoginRoutes,
  passkeyRoutes,
  mfaRoutes,
] as const;
