import { env } from "cloudflare:workers";
import { base64url, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from "jose";
import { expect, vi } from "vitest";
import { database } from "../../src/db/client";
import { UsersRepo } from "../../src/db/users-repo";
import { validateSession } from "../../src/services/sessions/sessions";
import { newUserRecord } from "../../src/services/accounts/users";
import { call, json } from "./http";
import { createTenant, type Tenant } from "./tenants";

export const GOOGLE_JWKS = "https://www.googleapis.com/oauth2/v3/certs";
export const GOOGLE_TOKENINFO = "https://oauth2.googleapis.com/tokeninfo";
export const APPLE_JWKS = "https://appleid.apple.com/auth/keys";
export const FB_DEBUG = "https://graph.facebook.com/debug_token";
export const FB_ME = "https://graph.facebook.com/me";

export const GOOGLE_WEB_ID = "1111-web.apps.googleusercontent.com";
export const GOOGLE_ANDROID_ID = "1111-android.apps.googleusercontent.com";
export const GOOGLE_IOS_ID = "1111-ios.apps.googleusercontent.com";
export const GOOGLE_SECRET = "google-client-secret-do-not-leak";
export const APPLE_APP_ID = "com.example.shop";
export const FB_APP_ID = "987654321012345";
export const FB_SECRET = "facebook-app-secret-do-not-leak";

export const LOGIN = "/service/application/user/authentication/v1.0/login";

/** Every provider enabled and configured, unless `overrides` say otherwise. */
export function socialConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    social: { google: true, facebook: true, apple: true, account_kit: false },
    social_tokens: {
      google: { app_id: GOOGLE_WEB_ID, app_secret: GOOGLE_SECRET, android_app_id: GOOGLE_ANDROID_ID, ios_app_id: GOOGLE_IOS_ID },
      facebook: { app_id: FB_APP_ID, app_secret: FB_SECRET },
      apple: { app_id: APPLE_APP_ID, redirect_uri: "" },
    },
    ...overrides,
  };
}

export const socialTenant = (overrides: Record<string, unknown> = {}) => createTenant({ config: socialConfig(overrides) });

interface SigningKey {
  kid: string;
  alg: "RS256" | "ES256";
  privateKey: CryptoKey;
  publicJwk: Record<string, unknown>;
}

async function signingKey(alg: "RS256" | "ES256", kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" } };
}

/** The provider's keys (published in the JWKS) and an attacker's key that reuses the provider's RSA `kid`. */
export const keys = {
  rsa: await signingKey("RS256", "provider-rsa-1"),
  ec: await signingKey("ES256", "provider-ec-1"),
  attacker: await signingKey("RS256", "provider-rsa-1"),
  unknown: await signingKey("RS256", "not-published"),
};

export const jwks = () => ({ keys: [keys.rsa.publicJwk, keys.ec.publicJwk] });

const now = () => Math.floor(Date.now() / 1000);

/** A signed JWT; `claims` override the defaults and `undefined` removes a claim. */
export async function signToken(claims: JWTPayload, key: SigningKey = keys.rsa): Promise<string> {
  const payload = Object.fromEntries(Object.entries({ iat: now(), exp: now() + 3600, ...claims }).filter(([, v]) => v !== undefined));
  return new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: "JWT" }).sign(key.privateKey);
}

/** `alg: none`: a token anyone can make. */
export function unsignedToken(claims: JWTPayload): string {
  const part = (value: unknown) => base64url.encode(JSON.stringify(value));
  return `${part({ alg: "none", typ: "JWT", kid: keys.rsa.kid })}.${part({ iat: now(), exp: now() + 3600, ...claims })}.`;
}

/** HS256 keyed with the provider's public key: the classic algorithm-confusion forgery. */
export async function hmacConfusedToken(claims: JWTPayload): Promise<string> {
  const secret = new TextEncoder().encode(JSON.stringify(keys.rsa.publicJwk));
  return new SignJWT({ iat: now(), exp: now() + 3600, ...claims })
    .setProtectedHeader({ alg: "HS256", kid: keys.rsa.kid })
    .sign(secret);
}

export const googleClaims = (overrides: JWTPayload = {}): JWTPayload => ({
  iss: "https://accounts.google.com",
  aud: GOOGLE_WEB_ID,
  azp: GOOGLE_WEB_ID,
  sub: "google-sub-100200300",
  email: "jane@example.com",
  email_verified: true,
  given_name: "Jane",
  family_name: "Doe",
  picture: "https://lh3.googleusercontent.com/a/jane",
  ...overrides,
});

export const appleClaims = (overrides: JWTPayload = {}): JWTPayload => ({
  iss: "https://appleid.apple.com",
  aud: APPLE_APP_ID,
  sub: "001234.apple-sub.0987",
  email: "x7k2p9@privaterelay.appleid.com",
  email_verified: "true",
  is_private_email: "true",
  ...overrides,
});

type Handler = (url: URL, init?: RequestInit) => Response | Promise<Response>;

/**
 * Replaces the Worker's outbound fetch: each provider URL (origin + path) gets a handler; any other
 * URL fails the test. Returns every URL fetched, in order.
 */
export function mockProviders(handlers: Record<string, Handler>) {
  const fetched: URL[] = [];
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    fetched.push(url);
    const handler = handlers[`${url.origin}${url.pathname}`];
    if (!handler) throw new Error(`unexpected outbound fetch: ${url.href}`);
    return handler(url, init);
  });
  return {
    fetched,
    count: (endpoint: string) => fetched.filter((u) => `${u.origin}${u.pathname}` === endpoint).length,
  };
}

export const jsonResponse = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

/** Google's and Apple's key sets served from our own keys. */
export const jwksHandlers = (): Record<string, Handler> => ({
  [GOOGLE_JWKS]: () => jsonResponse(jwks()),
  [APPLE_JWKS]: () => jsonResponse(jwks()),
});

export function socialLogin(tenant: Tenant, route: string, body: unknown): Promise<Response> {
  return call(`${LOGIN}/${route}`, { method: "POST", ...json(body, { headers: { authorization: tenant.appAuth } }) });
}

export interface AuthSuccessBody {
  user: { _id: string; first_name: string; last_name: string; profile_pic_url: string; emails: { email: string; verified: boolean; primary: boolean }[] };
  user_exists: boolean;
  register_token: string;
}

/** Asserts a successful login: AuthSuccess body, and an f.session cookie that the session registry accepts. */
export async function expectLoggedIn(res: Response, tenant: Tenant): Promise<AuthSuccessBody> {
  const body = (await res.json()) as AuthSuccessBody;
  expect(res.status, JSON.stringify(body)).toBe(200);
  const cookie = res.headers.get("set-cookie") ?? "";
  expect(cookie).toMatch(/^f\.session=[^;]+;/);
  expect(cookie).toMatch(/HttpOnly/i);
  expect(cookie).toMatch(/Secure/i);
  expect(cookie).toMatch(/SameSite=None/i);
  const token = decodeURIComponent(/^f\.session=([^;]+)/.exec(cookie)?.[1] ?? "");
  const session = await validateSession({ registry: env.USER_SESSIONS, records: env.SESSIONS_KV }, tenant.applicationId, token);
  expect(session?.userId).toBe(body.user._id);
  return body;
}

/** What the application has stored: to prove a refused login wrote nothing. */
export async function stored(applicationId: string) {
  const count = async (table: string) =>
    (await env.DB.prepare(`select count(*) as n from ${table} where application_id = ?`).bind(applicationId).first<{ n: number }>())!.n;
  return {
    users: await count("users"),
    identities: await count("user_identities"),
    events: await count("events"),
    sessions: (await env.SESSIONS_KV.list({ prefix: `session:${applicationId}:` })).keys.length,
  };
}

export async function expectNothingWritten(res: Response, tenant: Tenant) {
  expect(res.headers.get("set-cookie")).toBeNull();
  expect(await stored(tenant.applicationId)).toEqual({ users: 0, identities: 0, events: 0, sessions: 0 });
}

/** A user registered some other way (e.g. the password form), with the given email. */
export async function existingUser(tenant: Tenant, email: { email: string; verified: boolean }, extra: { blocked?: boolean } = {}) {
  const repo = new UsersRepo(database(env.DB));
  const record = newUserRecord({ applicationId: tenant.applicationId, firstName: "Existing", email });
  record.user.blocked = extra.blocked ?? false;
  await repo.commit(repo.insertStatements(record));
  return record.id;
}

export async function eventTypes(tenant: Tenant, userId: string): Promise<string[]> {
  const { results } = await env.DB.prepare("select type from events where application_id = ? and user_id = ? order by created_at, rowid")
    .bind(tenant.applicationId, userId)
    .all<{ type: string }>();
  return results.map((r) => r.type);
}
