import { sha256Hex } from "../../../crypto/tokens";
import type { OAuthAppleRequest } from "../../../schemas/social";
import { verifyIdToken } from "./jwt";
import { displayDetails, invalidToken, vouchedEmail, type ProviderResult, type SocialProvider } from "./provider";

const LABEL = "Apple";
export const APPLE_JWKS_URL = "https://appleid.apple.com/auth/keys";
const APPLE_ISSUER = "https://appleid.apple.com";

/** Clients pass Apple either the raw nonce or (as Apple recommends) its SHA-256; the token carries what was passed. */
async function nonceMatches(claim: unknown, raw: string): Promise<boolean> {
  return typeof claim === "string" && (claim === raw || claim === (await sha256Hex(raw)));
}

/**
 * Sign in with Apple from an iOS app: the identity token's audience is the app's bundle id (`app_id`).
 * Apple relays mail sent to private-relay addresses (`…@privaterelay.appleid.com`) and marks them
 * verified, so they are treated like any verified email; each is unique to this app and user anyway.
 */
export const apple: SocialProvider<OAuthAppleRequest> = {
  name: "apple",
  label: LABEL,
  configured: (config) => config.social_tokens.apple.app_id !== "",
  async verify(request, config): Promise<ProviderResult> {
    const claims = await verifyIdToken(request.oauth.identity_token, {
      label: LABEL,
      jwksUrl: APPLE_JWKS_URL,
      issuer: APPLE_ISSUER,
      audience: [config.social_tokens.apple.app_id],
    });
    if (claims.sub !== request.user_identifier) {
      throw invalidToken("Apple token rejected: it belongs to a different Apple account than user_identifier");
    }
    if (request.oauth.nonce !== undefined && !(await nonceMatches(claims.nonce, request.oauth.nonce))) {
      throw invalidToken("Apple token rejected: its nonce does not match this sign-in request");
    }
    return {
      identity: { provider: "apple", subject: claims.sub, ...vouchedEmail(LABEL, claims.email, claims.email_verified) },
      display: displayDetails({}, request.profile),
    };
  },
};
