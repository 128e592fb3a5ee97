import { decodeProtectedHeader, type JWTPayload } from "jose";
import { z } from "@hono/zod-openapi";
import type { PlatformConfig } from "../../../schemas/platform-config";
import type { GoogleOAuthRequest } from "../../../schemas/social";
import { verifyIdToken } from "./jwt";
import {
  callProvider,
  displayDetails,
  displayName,
  invalidToken,
  providerJson,
  vouchedEmail,
  type ProviderResult,
  type SocialProvider,
} from "./provider";

const LABEL = "Google";
export const GOOGLE_JWKS_URL = "https://www.googleapis.com/oauth2/v3/certs";
export const GOOGLE_TOKENINFO_URL = "https://oauth2.googleapis.com/tokeninfo";
const GOOGLE_ISSUERS = ["accounts.google.com", "https://accounts.google.com"];

/** Web, Android and iOS apps each have their own OAuth client id; a token for any of them is ours. */
function clientIds(config: PlatformConfig): string[] {
  const { app_id, android_app_id, ios_app_id } = config.social_tokens.google;
  return [app_id, android_app_id, ios_app_id].filter((id) => id !== "");
}

/** A compact JWS whose header parses: an ID token. Google access tokens (`ya29.…`) are not. */
function isJwt(token: string): boolean {
  if (token.split(".").length !== 3) return false;
  try {
    decodeProtectedHeader(token);
    return true;
  } catch {
    return false;
  }
}

function pictureUrl(value: unknown): string | undefined {
  return typeof value === "string" && value.startsWith("https://") && value.length <= 2048 ? value : undefined;
}

async function fromIdToken(token: string, audience: string[]): Promise<JWTPayload> {
  return verifyIdToken(token, { label: LABEL, jwksUrl: GOOGLE_JWKS_URL, issuer: GOOGLE_ISSUERS, audience });
}

const TokenInfo = z.object({
  aud: z.string().optional(),
  azp: z.string().optional(),
  sub: z.string().min(1).optional(),
  email: z.string().optional(),
  email_verified: z.union([z.string(), z.boolean()]).optional(),
  expires_in: z.union([z.string(), z.number()]).optional(),
});

/**
 * An OAuth access token proves nothing by itself: Google's tokeninfo says which client it was issued to,
 * and only a token issued to one of this application's clients is accepted (else any site the user
 * once signed in to could replay its token here).
 */
async function fromAccessToken(token: string, audience: string[]): Promise<JWTPayload> {
  // URLSearchParams, not encodeURIComponent: that throws on a lone surrogate, which a client can send.
  const url = new URL(GOOGLE_TOKENINFO_URL);
  url.searchParams.set("access_token", token);
  const response = await callProvider(LABEL, url.href);
  if (!response.ok) throw invalidToken("Google token rejected: Google does not recognise it (invalid, expired or revoked)");
  const info = TokenInfo.safeParse(await providerJson(LABEL, response));
  if (!info.success) throw invalidToken("Google token rejected: Google's description of it is incomplete");
  const { aud, azp, sub, expires_in } = info.data;
  if (!audience.some((id) => id === aud || id === azp)) throw invalidToken("Google token rejected: it was issued for another application");
  if (expires_in !== undefined && !(Number(expires_in) > 0)) throw invalidToken("Google token rejected: it has expired");
  if (!sub) throw invalidToken("Google token rejected: it does not identify a Google account (request the openid scope)");
  return info.data;
}

export const google: SocialProvider<GoogleOAuthRequest> = {
  name: "google",
  label: LABEL,
  configured: (config) => clientIds(config).length > 0,
  async verify(request, config): Promise<ProviderResult> {
    const token = request.oauth2.id_token ?? request.oauth2.access_token ?? "";
    const claims = isJwt(token) ? await fromIdToken(token, clientIds(config)) : await fromAccessToken(token, clientIds(config));
    return {
      identity: { provider: "google", subject: String(claims.sub), ...vouchedEmail(LABEL, claims.email, claims.email_verified) },
      display: displayDetails(
        { firstName: displayName(claims.given_name), lastName: displayName(claims.family_name), pictureUrl: pictureUrl(claims.picture) },
        request.profile,
      ),
    };
  },
};
