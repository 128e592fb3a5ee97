import type { z } from "@hono/zod-openapi";
import { logIn } from "../../http/auth";
import { otpFlowDeps } from "../../wiring/otp";
import type { AppContext } from "../../http/context";
import { createRouter, jsonBody, ok, storefrontRoute, upstreamErrors } from "../../http/openapi";
import { AuthSuccess, GoogleOAuthRequestSchema, OAuthRequestAppleSchema, OAuthRequestSchema, PlatformQuery } from "../../schemas/social";
import { apple } from "../../services/login/social/apple";
import { facebook } from "../../services/login/social/facebook";
import { google } from "../../services/login/social/google";
import type { SocialProvider } from "../../services/login/social/provider";
import { socialSignIn, type SocialDeps } from "../../services/login/social/sign-in";
import { toUserSchema } from "../../services/accounts/users";

// The OTP flows' bag holds every store a social sign-in needs (it may claim a listed email, as an OTP login does).
const socialDeps = (c: AppContext): SocialDeps => otpFlowDeps(c);

/** Every social route: prove the identity, find or create the account, then the same session as any login. */
async function signIn<Request>(c: AppContext, provider: SocialProvider<Request>, request: Request) {
  const { record, userExists } = await socialSignIn(socialDeps(c), c.var.application, provider, request);
  await logIn(c, record, provider.name);
  return c.json({ user: toUserSchema(record), user_exists: userExists, register_token: "" } satisfies z.infer<typeof AuthSuccess>, 200);
}

const responses = { ...ok(AuthSuccess), ...upstreamErrors };

/** The route of one SDK operation: POST under authentication/v1.0/login, ?platform, an OAuth body, AuthSuccess. */
function loginRoute<Path extends string, Body extends z.ZodType>(path: Path, operationId: string, body: Body, summary: string, description: string) {
  return storefrontRoute({
    method: "post",
    path: `/authentication/v1.0/login/${path}` as const,
    operationId,
    tags: ["Storefront: social login"],
    summary,
    description: `${description} Sets the f.session cookie.`,
    request: { query: PlatformQuery, body: jsonBody(body) },
    responses,
  });
}

/** Google's three operations differ only in the client the token comes from. */
const googleRoute = <Path extends string>(path: Path, operationId: string, client: string) =>
  loginRoute(
    path,
    operationId,
    GoogleOAuthRequestSchema,
    `Log in with Google from ${client}`,
    "Accepts a Google ID token (verified against Google's keys; audience: any of the application's Google client ids) " +
      "or an OAuth access token (checked with Google's tokeninfo).",
  );

export const socialRoutes = createRouter()
  .openapi(googleRoute("google-token", "loginWithGoogle", "a web page"), (c) => signIn(c, google, c.req.valid("json")))
  .openapi(googleRoute("google-android", "loginWithGoogleAndroid", "an Android app"), (c) => signIn(c, google, c.req.valid("json")))
  .openapi(googleRoute("google-ios", "loginWithGoogleIOS", "an iOS app"), (c) => signIn(c, google, c.req.valid("json")))
  .openapi(
    loginRoute(
      "facebook-token",
      "loginWithFacebook",
      OAuthRequestSchema,
      "Log in with a Facebook access token",
      "The token is checked with the Graph API's debug_token (valid, issued to this app).",
    ),
    (c) => signIn(c, facebook, c.req.valid("json")),
  )
  .openapi(
    loginRoute(
      "apple-ios",
      "loginWithAppleIOS",
      OAuthRequestAppleSchema,
      "Log in with Sign in with Apple from an iOS app",
      "The identity token is verified against Apple's keys; user_identifier must be its subject.",
    ),
    (c) => signIn(c, apple, c.req.valid("json")),
  );
