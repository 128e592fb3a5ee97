import { createLocalJWKSet, errors, jwtVerify, type JSONWebKeySet, type JWTPayload, type JWTVerifyGetKey } from "jose";
import { badGateway } from "../../../errors";
import { invalidToken } from "./provider";

/** The key set could not be fetched (network, timeout, bad JSON): the issuer's fault, answered 502. */
export class KeySetUnavailable extends Error {}

/** Failures of the key lookup that are the token's fault; anything else is the key set's fetch failing. */
const KEY_LOOKUP_ERRORS = [errors.JWKSNoMatchingKey, errors.JWKSMultipleMatchingKeys, errors.JOSENotSupported];

// Providers say how long their keys may be cached (Google and Apple send Cache-Control max-age of hours).
// Without a usable header we keep 10 minutes; whatever they say, at least 1 minute and at most 1 day.
const DEFAULT_MAX_AGE_MS = 10 * 60_000;
const MIN_MAX_AGE_MS = 60_000;
const MAX_MAX_AGE_MS = 24 * 3600_000;
// An unknown `kid` refetches at most this often, so forged tokens cannot make us hammer the provider.
const REFETCH_COOLDOWN_MS = 30_000;
const FETCH_TIMEOUT_MS = 5_000;

export function cacheLifetimeMs(cacheControl: string | null): number {
  const maxAge = /(?:^|,)\s*max-age\s*=\s*(\d+)/i.exec(cacheControl ?? "")?.[1];
  if (maxAge === undefined || /no-store|no-cache/i.test(cacheControl ?? "")) return DEFAULT_MAX_AGE_MS;
  return Math.min(MAX_MAX_AGE_MS, Math.max(MIN_MAX_AGE_MS, Number(maxAge) * 1000));
}

/**
 * One provider's key set, cached per isolate for as long as the provider's Cache-Control allows,
 * refetched early (with a cooldown) when a token names a key we do not have yet: keys rotate with
 * overlap, so a new `kid` usually means the set changed.
 */
class CachedKeySet {
  private keys: JWTVerifyGetKey | undefined;
  private expiresAt = 0;
  private fetchedAt = 0;
  private inFlight: Promise<void> | undefined;

  constructor(private readonly url: string) {}

  /** The key for a token; failures that are not the token's fault become KeySetUnavailable (answered 502). */
  readonly getKey: JWTVerifyGetKey = async (header, token) => {
    try {
      return await this.lookup(header, token);
    } catch (error) {
      if (error instanceof KeySetUnavailable || KEY_LOOKUP_ERRORS.some((kind) => error instanceof kind)) throw error;
      throw new KeySetUnavailable(String(error));
    }
  };

  private async lookup(...[header, token]: Parameters<JWTVerifyGetKey>) {
    if (!this.keys || Date.now() >= this.expiresAt) await this.refresh();
    try {
      return await this.keys!(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey) || Date.now() - this.fetchedAt < REFETCH_COOLDOWN_MS) throw error;
      await this.refresh();
      return this.keys!(header, token);
    }
  }

  private refresh(): Promise<void> {
    this.inFlight ??= this.fetchKeys().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async fetchKeys(): Promise<void> {
    let res: Response;
    let body: unknown;
    try {
      res = await fetch(this.url, { headers: { accept: "application/json" }, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      body = await res.json();
      this.keys = createLocalJWKSet(body as JSONWebKeySet);
    } catch (error) {
      throw new KeySetUnavailable(`${this.url}: ${String(error)}`);
    }
    this.fetchedAt = Date.now();
    this.expiresAt = this.fetchedAt + cacheLifetimeMs(res.headers.get("cache-control"));
  }
}

/** Module scope: one key set per URL for the life of the isolate, shared by every request. */
const keySets = new Map<string, CachedKeySet>();

export function remoteKeySet(url: string): JWTVerifyGetKey {
  let keySet = keySets.get(url);
  if (!keySet) {
    keySet = new CachedKeySet(url);
    keySets.set(url, keySet);
  }
  return keySet.getKey;
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
