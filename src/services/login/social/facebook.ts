import { z } from "@hono/zod-openapi";
import { hmacSha256, toHex } from "../../../crypto/tokens";
import type { OAuthRequest } from "../../../schemas/social";
import { normalizeEmail } from "../../../schemas/contacts";
import { badGateway } from "../../../errors";
import {
  callProvider,
  displayDetails,
  displayName,
  invalidToken,
  providerJson,
  type ProviderResult,
  type SocialProvider,
} from "./provider";

const LABEL = "Facebook";
export const FACEBOOK_GRAPH_URL = "https://graph.facebook.com";

const id = z.union([z.string(), z.number()]).transform(String);

const DebugToken = z.object({
  data: z.object({ is_valid: z.boolean(), app_id: id.optional(), user_id: id.optional() }),
});

const Me = z.object({
  id,
  email: z.string().optional(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
});

/**
 * Facebook login: a user access token is only an opaque string, so the Graph API's debug_token (asked
 * with this application's own app credentials) must say it is valid AND was issued to this app; a valid
 * token of another app would otherwise log its holder in here.
 *
 * Facebook emails are never treated as verified: the Graph API returns the profile's email without
 * saying whether it was confirmed (the `verified` user field is gone), so it neither links to an
 * existing account nor counts as verified on a new one.
 */
export const facebook: SocialProvider<OAuthRequest> = {
  name: "facebook",
  label: LABEL,
  configured: (config) => config.social_tokens.facebook.app_id !== "" && config.social_tokens.facebook.app_secret !== "",
  async verify(request, config): Promise<ProviderResult> {
    const { app_id: appId, app_secret: appSecret } = config.social_tokens.facebook;
    const token = request.oauth2.access_token;

    const debugUrl = new URL(`${FACEBOOK_GRAPH_URL}/debug_token`);
    debugUrl.searchParams.set("input_token", token);
    debugUrl.searchParams.set("access_token", `${appId}|${appSecret}`);
    const debugResponse = await callProvider(LABEL, debugUrl.href);
    // The verdict on the user's token is in the body; a 4xx here means Facebook refused our app credentials.
    if (!debugResponse.ok) throw badGateway("Facebook refused to check the token with this application's app credentials");
    const debug = DebugToken.safeParse(await providerJson(LABEL, debugResponse));
    if (!debug.success) throw badGateway("Facebook sent an unexpected answer to debug_token; try again");
    const { is_valid, app_id, user_id } = debug.data.data;
    if (!is_valid) throw invalidToken("Facebook token rejected: Facebook says it is invalid or expired");
    if (app_id !== appId) throw invalidToken("Facebook token rejected: it was issued for another application");
    if (!user_id) throw invalidToken("Facebook token rejected: it is not a user access token");

    const meUrl = new URL(`${FACEBOOK_GRAPH_URL}/me`);
    meUrl.searchParams.set("fields", "id,email,first_name,last_name");
    meUrl.searchParams.set("access_token", token);
    // Proves the call comes from the app's server (required when "Require App Secret" is on).
    meUrl.searchParams.set("appsecret_proof", toHex(await hmacSha256(appSecret, token)));
    const meResponse = await callProvider(LABEL, meUrl.href);
    if (!meResponse.ok) throw invalidToken("Facebook token rejected: Facebook did not return the profile for it");
    const me = Me.safeParse(await providerJson(LABEL, meResponse));
    if (!me.success || me.data.id !== user_id) throw invalidToken("Facebook token rejected: the profile does not match the token");

    const email = me.data.email === undefined ? undefined : normalizeEmail(me.data.email);
    return {
      identity: { provider: "facebook", subject: user_id, email, emailVerified: false },
      display: displayDetails({ firstName: displayName(me.data.first_name), lastName: displayName(me.data.last_name) }, request.profile),
    };
  },
};
