import { afterEach, describe, expect, it, vi } from "vitest";
import type { JWTPayload } from "jose";
import { sha256Hex } from "../src/crypto/tokens";
import { expectError } from "./support/http";
import {
  appleClaims,
  eventTypes,
  existingUser,
  expectLoggedIn,
  expectNothingWritten,
  jwksHandlers,
  keys,
  mockProviders,
  signToken,
  socialLogin,
  socialTenant,
  stored,
  unsignedToken,
} from "./support/social";

const SUB = appleClaims().sub!;

async function appleBody(claims: JWTPayload = {}, extra: { user_identifier?: string; nonce?: string; profile?: Record<string, string> } = {}) {
  return {
    user_identifier: extra.user_identifier ?? SUB,
    oauth: { identity_token: await signToken(appleClaims(claims)), ...(extra.nonce ? { nonce: extra.nonce } : {}) },
    ...(extra.profile ? { profile: extra.profile } : {}),
  };
}

afterEach(() => vi.restoreAllMocks());

describe("Sign in with Apple (iOS)", () => {
  it("creates the account with the private-relay email and the first-time names, then logs it in", async () => {
    mockProviders(jwksHandlers());
    const tenant = await socialTenant();
    const first = await expectLoggedIn(
      await socialLogin(tenant, "apple-ios?platform=Fynd", await appleBody({}, { profile: { first_name: "Ann", last_name: "Lee" } })),
      tenant,
    );
    expect(first.user_exists).toBe(false);
    expect(first.user.emails).toEqual([{ email: "x7k2p9@privaterelay.appleid.com", verified: true, primary: true, active: true }]);
    expect([first.user.first_name, first.user.last_name]).toEqual(["Ann", "Lee"]);

    // Apple sends no names after the first time; whatever a later request says changes nothing.
    const again = await expectLoggedIn(
      await socialLogin(tenant, "apple-ios", await appleBody({}, { profile: { first_name: "Changed" } })),
      tenant,
    );
    expect(again.user._id).toBe(first.user._id);
    expect(again.user_exists).toBe(true);
    expect(again.user.first_name).toBe("Ann");
    expect(await eventTypes(tenant, first.user._id)).toEqual(["user.registered", "user.logged_in", "user.logged_in"]);
  });

  it("links an existing account through Apple's verified (real) email", async () => {
    mockProviders(jwksHandlers());
    const tenant = await socialTenant();
    const userId = await existingUser(tenant, { email: "ann@example.com", verified: true });
    const body = await expectLoggedIn(
      await socialLogin(tenant, "apple-ios", await appleBody({ email: "Ann@Example.com", is_private_email: "false" })),
      tenant,
    );
    expect(body.user._id).toBe(userId);
    expect(await eventTypes(tenant, userId)).toEqual(["user.social_linked", "user.logged_in"]);
  });

  it("creates an account without email when the user shared none", async () => {
    mockProviders(jwksHandlers());
    const tenant = await socialTenant();
    const body = await expectLoggedIn(await socialLogin(tenant, "apple-ios", await appleBody({ email: undefined, email_verified: undefined })), tenant);
    expect(body.user.emails).toEqual([]);
  });

  it.each([
    ["the raw nonce", (raw: string) => raw],
    ["its SHA-256", (raw: string) => sha256Hex(raw)],
  ])("accepts a token whose nonce claim is %s of the request's nonce", async (_case, claimOf) => {
    mockProviders(jwksHandlers());
    const tenant = await socialTenant();
    const raw = "nonce-from-the-app-123";
    const res = await socialLogin(tenant, "apple-ios", await appleBody({ nonce: await claimOf(raw) }, { nonce: raw }));
    await expectLoggedIn(res, tenant);
  });

  const refusals: [string, () => Promise<unknown>, number, string][] = [
    ["a user_identifier that is not the token's subject", () => appleBody({}, { user_identifier: "001234.someone-else.0001" }), 401, "user_identifier"],
    ["a token for another app", () => appleBody({ aud: "com.other.app" }), 401, "another application"],
    ["a token from another issuer", () => appleBody({ iss: "https://accounts.google.com" }), 401, "expected provider"],
    ["an expired token", () => appleBody({ iat: Math.floor(Date.now() / 1000) - 7200, exp: Math.floor(Date.now() / 1000) - 600 }), 401, "expired"],
    ["a mismatched nonce", () => appleBody({ nonce: "other" }, { nonce: "nonce-from-the-app-123" }), 401, "nonce"],
    ["a missing nonce claim when the request has one", () => appleBody({}, { nonce: "nonce-from-the-app-123" }), 401, "nonce"],
    ["an unverified email", () => appleBody({ email_verified: "false" }), 403, "verified"],
    [
      "a bad signature",
      async () => ({ user_identifier: SUB, oauth: { identity_token: await signToken(appleClaims(), keys.attacker) } }),
      401,
      "signature",
    ],
    ["alg: none", async () => ({ user_identifier: SUB, oauth: { identity_token: unsignedToken(appleClaims()) } }), 401, "algorithm"],
  ];

  it.each(refusals)("refuses %s, writing nothing", async (_case, makeBody, status, phrase) => {
    mockProviders(jwksHandlers());
    const tenant = await socialTenant();
    const res = await socialLogin(tenant, "apple-ios", await makeBody());
    expect((await expectError(res, status)).message).toContain(phrase);
    await expectNothingWritten(res, tenant);
  });

  it("is refused when Apple login is disabled or has no app id", async () => {
    const mock = mockProviders(jwksHandlers());
    const disabled = await socialTenant({ social: { google: true, facebook: true, apple: false, account_kit: false } });
    const res = await socialLogin(disabled, "apple-ios", await appleBody());
    await expectError(res, 403, "SOCIAL_LOGIN_DISABLED");
    await expectNothingWritten(res, disabled);
    const unconfigured = await socialTenant({ social_tokens: { apple: { app_id: "", redirect_uri: "" } } });
    await expectError(await socialLogin(unconfigured, "apple-ios", await appleBody()), 403, "SOCIAL_LOGIN_DISABLED");
    expect(mock.fetched).toEqual([]);
  });

  it("validates the body: user_identifier and identity_token are required", async () => {
    const tenant = await socialTenant();
    const res = await socialLogin(tenant, "apple-ios", { oauth: {} });
    const body = await expectError(res, 400, "VALIDATION_FAILED");
    expect(JSON.stringify(body.info)).toContain("user_identifier");
    expect(JSON.stringify(body.info)).toContain("oauth.identity_token");
    expect(await stored(tenant.applicationId)).toEqual({ users: 0, identities: 0, events: 0, sessions: 0 });
  });
});
