import { z } from "@hono/zod-openapi";
import { UserSchema } from "./user";

const TOKEN_MAX = 8192;
const token = () => z.string().min(1).max(TOKEN_MAX);
const name = () => z.string().max(200).optional();

/** What the client says about the user. Display hints for a new account at most; never identity. */
const SocialProfile = z
  .object({
    id: z.string().max(256).optional(),
    email: z.string().max(320).optional(),
    first_name: name(),
    last_name: name(),
    full_name: name(),
    image: z.string().max(2048).optional(),
  })
  .openapi({ description: "Ignored for identity: only the provider's verified answer counts" });

const oauth2 = {
  access_token: token(),
  // The SDK sends a number of seconds or milliseconds; it is informational, so any number is taken.
  expiry: z.number().optional(),
  refresh_token: z.string().max(TOKEN_MAX).optional(),
};

/** loginWithFacebook: `oauth2.access_token` is the user's Facebook access token. */
export const OAuthRequestSchema = z
  .object({
    is_signed_in: z.boolean().optional(),
    oauth2: z.object(oauth2),
    profile: SocialProfile.optional(),
  })
  .openapi("OAuthRequestSchema");
export type OAuthRequest = z.infer<typeof OAuthRequestSchema>;

/**
 * loginWithGoogle / -Android / -IOS: the same body, where the token is a Google ID token (a JWT) in
 * `oauth2.id_token` (extension) or `oauth2.access_token`, or else a Google OAuth access token.
 */
export const GoogleOAuthRequestSchema = z
  .object({
    is_signed_in: z.boolean().optional(),
    oauth2: z
      .object({
        ...oauth2,
        access_token: token().optional(),
        id_token: token()
          .optional()
          .openapi({ description: "Extension: the Google ID token (JWT); preferred over access_token when both are sent" }),
      })
      .refine((o) => o.id_token !== undefined || o.access_token !== undefined, {
        message: "send the Google ID token in id_token or access_token",
        path: ["access_token"],
      }),
    profile: SocialProfile.optional(),
  })
  .openapi("GoogleOAuthRequestSchema");
export type GoogleOAuthRequest = z.infer<typeof GoogleOAuthRequestSchema>;

/** loginWithAppleIOS. */
export const OAuthRequestAppleSchema = z
  .object({
    user_identifier: z.string().min(1).max(256).openapi({ description: "Must equal the identity token's `sub`" }),
    oauth: z.object({
      identity_token: token(),
      nonce: z
        .string()
        .min(1)
        .max(512)
        .optional()
        .openapi({ description: "Extension: the raw nonce of the Apple request; the token's nonce must be it or its SHA-256 (hex)" }),
    }),
    profile: z
      .object({ first_name: name(), last_name: name(), full_name: name() })
      .optional()
      .openapi({ description: "Apple gives names only to the device and only the first time; used for a new account" }),
  })
  .openapi("OAuthRequestAppleSchema");
export type OAuthAppleRequest = z.infer<typeof OAuthRequestAppleSchema>;

export const AuthSuccess = z
  .object({
    user: UserSchema,
    user_exists: z.boolean().openapi({ description: "false when this login created the account" }),
    register_token: z.string().openapi({ description: "Always empty: social sign-up completes in one step" }),
  })
  .openapi("AuthSuccess");

export const PlatformQuery = z.object({
  platform: z.string().max(100).optional().openapi({ description: "Application name (SDK default `Fynd`); informational" }),
});
