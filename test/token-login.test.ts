import { env } from "cloudflare:workers";
import { base64url, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";
import { newId } from "../src/crypto/tokens";
import { sessionCookie } from "./support/accounts";
import { adminFor } from "./support/customers";
import { call, expectError, json } from "./support/http";
import { randomEmail, randomMobile, e164 } from "./support/otp";
import { contactRows, eventTypes, storefrontCall } from "./support/profile";
import { jsonResponse, mockProviders } from "./support/social";
import { createTenant, type Tenant } from "./support/tenants";
import { createUser } from "./support/users";

const LOGIN_TOKEN = "/authentication/v1.0/login/token";

interface Key {
  alg: string;
  kid: string;
  privateKey: CryptoKey;
  publicJwk: Record<string, unknown>;
}

async function key(alg: "RS256" | "ES256" | "EdDSA", kid: string): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair(alg, alg === "EdDSA" ? { crv: "Ed25519" } : {});
  return { alg, kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" } };
}

const keys = {
  rsa: await key("RS256", "store-rsa"),
  ec: await key("ES256", "store-ec"),
  ed: await key("EdDSA", "store-ed"),
  /** Someone else's key, published under the store's kid. */
  attacker: await key("RS256", "store-rsa"),
};

const now = () => Math.floor(Date.now() / 1000);

/** A login token for the tenant: valid for 2 minutes, fresh jti; `undefined` in `claims` removes a claim. */
async function token(tenant: Tenant, claims: JWTPayload, signer: Key = keys.rsa, header: Record<string, unknown> = {}): Promise<string> {
  const payload = Object.fromEntries(
    Object.entries({ aud: tenant.applicationId, iat: now(), exp: now() + 120, jti: newId(), ...claims }).filter(([, v]) => v !== undefined),
  );
  return new SignJWT(payload).setProtectedHeader({ alg: signer.alg, kid: signer.kid, typ: "JWT", ...header }).sign(signer.privateKey);
}

function tokenConfig(overrides: Record<string, unknown> = {}) {
  return { token_login: { enabled: true, public_keys: [keys.rsa.publicJwk, keys.ec.publicJwk, keys.ed.publicJwk], jwks_url: "", issuer: "", ...overrides } };
}

const tokenTenant = (overrides: Record<string, unknown> = {}, config: Record<string, unknown> = {}) =>
  createTenant({ config: { ...tokenConfig(overrides), ...config } });

const loginWith = (tenant: Tenant, jwt: unknown) => storefrontCall(tenant, undefined, "POST", LOGIN_TOKEN, { token: jwt });

async function sessions(userId: string): Promise<number> {
  const { results } = await env.DB.prepare("select count(*) as n from events where user_id = ? and type = 'user.logged_in'").bind(userId).all<{ n: number }>();
  return results[0]!.n;
}

afterEach(() => vi.restoreAllMocks());

describe("loginWithToken", () => {
  it("logs in the user named by sub (our user id) and sets the session cookie", async () => {
    const tenant = await tokenTenant();
    const user = await createUser(tenant, { email: randomEmail() });
    const res = await loginWith(tenant, await token(tenant, { sub: user.user.id }));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { user: { _id: string } }).user._id).toBe(user.user.id);
    const me = await storefrontCall(tenant, sessionCookie(res), "GET", "/authentication/v1.0/session");
    expect(me.status).toBe(200);
    const { results } = await env.DB.prepare("select sub_title from events where user_id = ? and type = 'user.logged_in'").bind(user.user.id).all<{ sub_title: string }>();
    expect(results).toEqual([{ sub_title: "token" }]);
  });

  it("accepts ES256 and EdDSA keys too", async () => {
    const tenant = await tokenTenant();
    const user = await createUser(tenant, { email: randomEmail() });
    expect((await loginWith(tenant, await token(tenant, { sub: user.user.id }, keys.ec))).status).toBe(200);
    expect((await loginWith(tenant, await token(tenant, { sub: user.user.id }, keys.ed))).status).toBe(200);
  });

  it("finds the account by a verified email or phone claim", async () => {
    const tenant = await tokenTenant();
    const email = randomEmail();
    const mobile = randomMobile();
    const byEmail = await createUser(tenant, { email });
    const byPhone = await createUser(tenant, { mobile });
    const first = await loginWith(tenant, await token(tenant, { sub: "store-customer-1", email: email.toUpperCase(), email_verified: true }));
    expect(((await first.json()) as { user: { _id: string } }).user._id).toBe(byEmail.user.id);
    const second = await loginWith(tenant, await token(tenant, { phone: e164(mobile), phone_verified: true }));
    expect(((await second.json()) as { user: { _id: string } }).user._id).toBe(byPhone.user.id);
  });

  it("creates the account for an unknown verified contact when the store allows registration, and not otherwise", async () => {
    const open = await tokenTenant();
    const email = randomEmail();
    const res = await loginWith(open, await token(open, { email, email_verified: true, given_name: "Ravi", family_name: "K" }));
    expect(res.status).toBe(200);
    const { user } = (await res.json()) as { user: { _id: string; first_name: string } };
    expect(user.first_name).toBe("Ravi");
    expect((await contactRows(user._id)).emails).toEqual([{ address: email, primary: 1, verified: 1, active: 1 }]);
    expect(await eventTypes(user._id)).toEqual(["user.registered", "user.logged_in"]);

    const closed = await tokenTenant({}, { register: false });
    await expectError(await loginWith(closed, await token(closed, { email: randomEmail(), email_verified: true })), 403, "REGISTRATION_DISABLED");
    const count = await env.DB.prepare("select count(*) as n from users where application_id = ?").bind(closed.applicationId).first<{ n: number }>();
    expect(count!.n).toBe(0);
  });

  it("refuses contact claims the issuer does not vouch for, and accounts that never verified the contact", async () => {
    const tenant = await tokenTenant();
    const email = randomEmail();
    await createUser(tenant, { email, verified: false });
    await expectError(await loginWith(tenant, await token(tenant, { email: randomEmail() })), 401, "TOKEN_INVALID");
    await expectError(await loginWith(tenant, await token(tenant, { email: randomEmail(), email_verified: "true" })), 401, "TOKEN_INVALID");
    await expectError(await loginWith(tenant, await token(tenant, { phone: "12", phone_verified: true })), 401, "TOKEN_INVALID");
    await expectError(await loginWith(tenant, await token(tenant, { email, email_verified: true })), 409, "ACCOUNT_EXISTS");
  });

  it("refuses expired, wrong-audience, wrong-key, unsigned, HMAC, too-long-lived, future and jti-less tokens", async () => {
    const tenant = await tokenTenant();
    const user = await createUser(tenant, { email: randomEmail() });
    const sub = user.user.id;
    const part = (value: unknown) => base64url.encode(JSON.stringify(value));
    const unsigned = `${part({ alg: "none", typ: "JWT" })}.${part({ sub, aud: tenant.applicationId, iat: now(), exp: now() + 60, jti: newId() })}.`;
    const hmac = await new SignJWT({ sub, aud: tenant.applicationId, iat: now(), exp: now() + 60, jti: newId() })
      .setProtectedHeader({ alg: "HS256", kid: keys.rsa.kid })
      .sign(new TextEncoder().encode(JSON.stringify(keys.rsa.publicJwk)));
    const refused: [string, string][] = [
      ["expired", await token(tenant, { sub, iat: now() - 200, exp: now() - 60 })],
      ["wrong audience", await token(tenant, { sub, aud: newId() })],
      ["audience list without us", await token(tenant, { sub, aud: ["someone-else"] })],
      ["wrong key", await token(tenant, { sub }, keys.attacker)],
      ["alg none", unsigned],
      ["HS256", hmac],
      ["too long-lived", await token(tenant, { sub, exp: now() + 600 })],
      ["issued in the future", await token(tenant, { sub, iat: now() + 120, exp: now() + 200 })],
      ["issued too long ago", await token(tenant, { sub, iat: now() - 400, exp: now() + 60 })],
      ["no jti", await token(tenant, { sub, jti: undefined })],
      ["no exp", await token(tenant, { sub, exp: undefined })],
      ["unknown sub", await token(tenant, { sub: newId() })],
      ["sub of another application", await token(tenant, { sub: (await createUser(await createTenant(), { email: randomEmail() })).user.id })],
      ["not a JWT", "not.a.jwt"],
    ];
    for (const [why, jwt] of refused) {
      const res = await loginWith(tenant, jwt);
      expect(res.status, why).toBe(401);
      await expectError(res, 401, "TOKEN_INVALID");
      expect(res.headers.get("set-cookie"), why).toBeNull();
    }
    expect(await sessions(sub)).toBe(0);
    await expectError(await loginWith(tenant, ""), 400, "VALIDATION_FAILED");
    await expectError(await loginWith(tenant, "x".repeat(9000)), 400, "VALIDATION_FAILED");
  });

  it("a token works once, exactly, even when replayed concurrently", async () => {
    const tenant = await tokenTenant();
    const user = await createUser(tenant, { email: randomEmail() });
    const jwt = await token(tenant, { sub: user.user.id });
    const results = await Promise.all(Array.from({ length: 5 }, () => loginWith(tenant, jwt)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 401, 401, 401, 401]);
    await expectError(await loginWith(tenant, jwt), 401, "TOKEN_INVALID");
    expect(await sessions(user.user.id)).toBe(1);
  });

  it("checks the issuer when one is configured", async () => {
    const tenant = await tokenTenant({ issuer: "https://store.example.com" });
    const user = await createUser(tenant, { email: randomEmail() });
    await expectError(await loginWith(tenant, await token(tenant, { sub: user.user.id })), 401, "TOKEN_INVALID");
    await expectError(await loginWith(tenant, await token(tenant, { sub: user.user.id, iss: "https://evil.example.com" })), 401, "TOKEN_INVALID");
    expect((await loginWith(tenant, await token(tenant, { sub: user.user.id, iss: "https://store.example.com" }))).status).toBe(200);
  });

  it("verifies with the store's JWKS URL; an unreachable key set is a 502", async () => {
    const url = `https://keys-${newId()}.example.com/.well-known/jwks.json`;
    const tenant = await tokenTenant({ public_keys: [], jwks_url: url });
    const user = await createUser(tenant, { email: randomEmail() });
    mockProviders({ [url]: () => jsonResponse({ keys: [keys.rsa.publicJwk] }) });
    expect((await loginWith(tenant, await token(tenant, { sub: user.user.id }))).status).toBe(200);
    await expectError(await loginWith(tenant, await token(tenant, { sub: user.user.id }, keys.attacker)), 401, "TOKEN_INVALID");

    const downUrl = `https://keys-${newId()}.example.com/jwks.json`;
    const down = await tokenTenant({ public_keys: [], jwks_url: downUrl });
    vi.restoreAllMocks();
    mockProviders({ [downUrl]: () => new Response("oops", { status: 503 }) });
    await expectError(await loginWith(down, await token(down, { sub: user.user.id })), 502, "UPSTREAM_FAILED");
  });

  it("is refused when the store has not enabled it, and for unusable accounts", async () => {
    const off = await createTenant();
    await expectError(await loginWith(off, await token(off, { sub: newId() })), 403, "TOKEN_LOGIN_DISABLED");
    const tenant = await tokenTenant();
    const blocked = await createUser(tenant, { email: randomEmail(), blocked: true });
    await expectError(await loginWith(tenant, await token(tenant, { sub: blocked.user.id })), 403, "ACCOUNT_UNAVAILABLE");
  });
});

describe("token_login config", () => {
  it("is validated on update and hidden from the storefront", async () => {
    const tenant = await createTenant();
    const admin = await adminFor(tenant);
    const update = (token_login: Record<string, unknown>) => admin.api("/platform/config", json({ token_login }, { method: "POST" }));
    const exportable = await generateKeyPair("RS256", { extractable: true });
    const privateJwk = { ...(await exportJWK(exportable.privateKey)), kid: "leak" };
    await expectError(await update({ enabled: true, public_keys: [privateJwk] }), 400, "VALIDATION_FAILED");
    await expectError(await update({ enabled: true, public_keys: [{ kty: "oct", k: "c2VjcmV0" }] }), 400, "VALIDATION_FAILED");
    await expectError(await update({ enabled: true }), 400, "VALIDATION_FAILED");
    await expectError(await update({ enabled: true, jwks_url: "http://keys.example.com/jwks.json" }), 400, "VALIDATION_FAILED");
    await expectError(await update({ enabled: true, public_keys: [{ kty: "EC", crv: "P-384", x: "AA", y: "AA" }] }), 400, "VALIDATION_FAILED");

    expect((await update({ enabled: true, public_keys: [keys.ec.publicJwk], issuer: "https://store.example.com" })).status).toBe(200);
    const platform = (await (await admin.api("/platform/config")).json()) as { token_login: { enabled: boolean; public_keys: unknown[] } };
    expect(platform.token_login).toMatchObject({ enabled: true, public_keys: [keys.ec.publicJwk] });
    const storefront = await call("/service/application/user/platform/v1.0/config", { headers: { authorization: tenant.appAuth } });
    expect(await storefront.json()).not.toHaveProperty("token_login");
  });
});
