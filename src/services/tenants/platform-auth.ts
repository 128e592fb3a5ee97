import { SignJWT, jwtVerify, errors as joseErrors } from "jose";
import type { ApplicationsRepo } from "../../db/applications-repo";
import { credentialMatches } from "../../crypto/credentials";
import { newSecret, sha256Hex } from "../../crypto/tokens";
import { ApiError, unauthorized } from "../../errors";
import { platformClientGuard, type OtpGuard } from "../../durable/otp-guard";

/** The platform API client a request was authenticated as. */
export interface PlatformCaller {
  clientId: string;
  companyId: string;
}

const ISSUER = "user-edge";
const AUDIENCE = "user-edge:platform";
const REFRESH_TTL_SECONDS = 30 * 24 * 3600;
const refreshKey = async (token: string) => `platform-refresh:${await sha256Hex(token)}`;

export interface TokenSettings {
  signingKey: string;
  accessTtlSeconds: number;
  refreshStore: KVNamespace;
  /** Decides which of racing exchanges of one refresh token wins (KV get-then-delete cannot). */
  guard: DurableObjectNamespace<OtpGuard>;
}

export interface IssuedTokens {
  access_token: string;
  token_type: "Bearer";
  expires_in: number;
  refresh_token: string;
  scope: string[];
}

const invalidClient = () => new ApiError(401, "INVALID_CLIENT", "Invalid client credentials");
const invalidGrant = () => new ApiError(400, "INVALID_GRANT", "The refresh token is invalid, expired or already used");

/** Checks HTTP Basic client credentials against the company's platform clients. */
export async function authenticateClient(
  repo: ApplicationsRepo,
  companyId: string,
  clientId: string,
  clientSecret: string,
): Promise<PlatformCaller> {
  const client = await repo.findPlatformClient(companyId, clientId);
  // Hash even when the client is unknown so timing does not reveal which client ids exist.
  const matches = await credentialMatches(clientSecret, client?.secretHash ?? "0".repeat(64));
  if (!client || !client.active || !matches) throw invalidClient();
  return { clientId: client.clientId, companyId: client.companyId };
}

/** Issues a short-lived signed access token and a single-use refresh token. */
export async function issueTokens(caller: PlatformCaller, settings: TokenSettings): Promise<IssuedTokens> {
  const accessToken = await new SignJWT({ company_id: caller.companyId })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(caller.clientId)
    .setIssuedAt()
    .setJti(newSecret(12))
    .setExpirationTime(`${settings.accessTtlSeconds}s`)
    .sign(new TextEncoder().encode(settings.signingKey));
  const refreshToken = newSecret();
  await settings.refreshStore.put(await refreshKey(refreshToken), JSON.stringify(caller), {
    expirationTtl: REFRESH_TTL_SECONDS,
  });
  return {
    access_token: accessToken,
    token_type: "Bearer",
    expires_in: settings.accessTtlSeconds,
    refresh_token: refreshToken,
    scope: ["user"],
  };
}

/**
 * Exchanges a refresh token for new tokens. Refresh tokens rotate: each is used once (claimed in the
 * client's guard object, so of many concurrent exchanges exactly one wins), then deleted, and works
 * only for the client it was issued to.
 */
export async function refreshTokens(
  caller: PlatformCaller,
  refreshToken: string,
  settings: TokenSettings,
  now = Date.now(),
): Promise<IssuedTokens> {
  const key = await refreshKey(refreshToken);
  const stored = await settings.refreshStore.get<PlatformCaller>(key, "json");
  if (!stored || stored.clientId !== caller.clientId || stored.companyId !== caller.companyId) throw invalidGrant();
  const guard = platformClientGuard(settings.guard, caller.companyId, caller.clientId);
  if (!(await guard.claim(key, now + REFRESH_TTL_SECONDS * 1000, now))) throw invalidGrant();
  await settings.refreshStore.delete(key);
  return issueTokens(caller, settings);
}

/**
 * Access tokens are checked against their client on every request (one indexed read, beside the
 * application's): a client deactivated (or deleted) stops working at once, not when its token expires.
 * Refresh needs the client's credentials too (authenticateClient), so it stops there as well.
 */
export async function requireActiveClient(repo: ApplicationsRepo, caller: PlatformCaller): Promise<void> {
  const client = await repo.findPlatformClient(caller.companyId, caller.clientId);
  if (!client?.active) throw new ApiError(401, "CLIENT_INACTIVE", "The platform client of this token is deactivated");
}

/** Verifies a platform access token (HS256 only, issuer, audience, expiry). */
export async function verifyAccessToken(token: string, signingKey: string): Promise<PlatformCaller> {
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(signingKey), {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ["HS256"],
    });
    if (typeof payload.sub !== "string" || typeof payload.company_id !== "string") throw unauthorized("Invalid access token");
    return { clientId: payload.sub, companyId: payload.company_id };
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw new ApiError(401, "TOKEN_EXPIRED", "The access token has expired");
    if (error instanceof ApiError) throw error;
    throw unauthorized("Invalid access token");
  }
}
