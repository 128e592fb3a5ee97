import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from "jose";
import { badGateway } from "../../http/errors";
import { invalidToken } from "./provider";

/**
 * Provider keys rotate rarely and are published ahead of use, so a key set is cached for 10 minutes
 * per isolate; an unknown `kid` refetches at most every 30 s (jose's cooldown), so forged tokens
 * cannot make us hammer the provider.
 */
const JWKS_OPTIONS = { cacheMaxAge: 10 * 60_000, cooldownDuration: 30_000, timeoutDuration: 5_000 } as const;

/** Module scope: one key set per URL for the life of the isolate, shared by every request. */
const keySets = new Map<string, JWTVerifyGetKey>();

/** The key set could not be fetched (network, timeout, bad JSON): the issuer's fault, answered 502. */
export class KeySetUnavailable extends Error {}

/** Failures of the key lookup that are the token's fault; anything else is the key set's fetch failing. */
const KEY_LOOKUP_ERRORS = [errors.JWKSNoMatchingKey, errors.JWKSMultipleMatchingKeys, errors.JOSENotSupported];

export function remoteKeySet(url: string): JWTVerifyGetKey {
  let keySet = keySets.get(url);
  if (!keySet) {
    const remote = createRemoteJWKSet(new URL(url), JWKS_OPTIONS);
    keySet = async (header, token) => {
      try {
        return await remote(header, token);
      } catch (error) {
        if (KEY_LOOKUP_ERRORS.some((kind) => error instanceof kind)) throw error;
        throw new KeySetUnavailable(String(error));
      }
    };
    keySets.set(url, keySet);
  }
  return keySet;
}

export interface IdTokenCheck {
  /** Provider name for messages, e.g. `Google`. */
  label: string;
  jwksUrl: string;
  issuer: string | string[];
  audience: string[];
}

/**
 * Verifies a provider's ID token: RS256 signature by a key from the provider's JWKS (never `none`,
 * never HMAC, never a key the token brings), issuer, audience, expiry. Returns the claims.
 */
export async function verifyIdToken(token: string, check: IdTokenCheck): Promise<JWTPayload> {
  try {
    const { payload } = await jwtVerify(token, remoteKeySet(check.jwksUrl), {
      algorithms: ["RS256"],
      issuer: check.issuer,
      audience: check.audience,
      requiredClaims: ["sub", "exp", "iat"],
      clockTolerance: 60,
    });
    return payload;
  } catch (error) {
    if (error instanceof KeySetUnavailable) {
      throw badGateway(`${check.label}'s signing keys could not be fetched; try again`);
    }
    throw invalidToken(`${check.label} token rejected: ${rejectionReason(error)}`);
  }
}

/** Why jose refused a token, in words for the client. */
export function rejectionReason(error: unknown): string {
  if (error instanceof errors.JWTExpired) return "it has expired";
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "aud") return "it was issued for another application";
    if (error.claim === "iss") return "it was not issued by the expected provider";
    if (error.reason === "missing") return `the "${error.claim}" claim is missing`;
    return `the "${error.claim}" claim is invalid`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return "its signing algorithm is not accepted";
  if (error instanceof errors.JWSSignatureVerificationFailed) return "the signature is invalid";
  if (error instanceof errors.JWKSNoMatchingKey) return "it is signed by an unknown key";
  return "it is not a valid signed token";
}
