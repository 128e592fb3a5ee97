import { afterEach, describe, expect, it, vi } from "vitest";
import type { JWTPayload } from "jose";
import { expectError } from "./support/http";
import {
  eventTypes,
  existingUser,
  expectLoggedIn,
  expectNothingWritten,
  GOOGLE_ANDROID_ID,
  GOOGLE_IOS_ID,
  GOOGLE_JWKS,
  GOOGLE_TOKENINFO,
  GOOGLE_WEB_ID,
  googleClaims,
  hmacConfusedToken,
  jsonResponse,
  jwksHandlers,
  keys,
  mockProviders,
  signToken,
  socialLogin,
  socialTenant,
  stored,
  unsignedToken,
} from "./support/social";

const idTokenBody = (token: string, profile: Record<string, string> = {}) => ({ is_signed_in: true, oauth2: { access_token: token }, profile });

afterEach(() => vi.restoreAllMocks());

describe("Google login with an ID token", () => {
  it("creates the account from the token's claims, then logs the same account in again", async () => {
    mockProviders(jwksHandlers());
    const tenant = await socialTenant();
    // The profile the client sends is a lie; only the token counts.
    const forged = { id: "someone-else", email: "victim@example.com", first_name: "Mallory" };
    const first = await expectLoggedIn(await socialLogin(tenant, "google-token", idTokenBody(await signToken(googleClaims()), forged)), tenant);
    expect(first.user_exists).toBe(false);
    expect(first.register_token).toBe("");
    expect(first.user.emails).toEqual([{ email: "jane@example.com", verified: true, primary: true, active: true }]);
    expect([first.user.first_name, first.user.last_name]).toEqual(["Jane", "Doe"]);
    expect(first.user.profile_pic_url).toBe("https://lh3.googleusercontent.com/a/jane");

    const again = await expectLoggedIn(await socialLogin(tenant, "google-token", idTokenBody(await signToken(googleClaims()))), tenant);
    expect(again.user_exists).toBe(true);
    expect(again.user._id).toBe(first.user._id);
    expect(await stored(tenant.applicationId)).toMatchObject({ users: 1, identities: 1, sessions: 2 });
    expect(await eventTypes(tenant, first.user._id)).toEqual(["user.registered", "user.logged_in", "user.logged_in"]);
  });

  it.each([
    ["with", {}],
    ["without", { email: undefined, email_verified: undefined }],
  ])("gives concurrent first logins of one Google account (%s email) the same, single new account", async (_case, claims) => {
    mockProviders(jwksHandlers());
    const tenant = await socialTenant();
    const body = idTokenBody(await signToken(googleClaims(claims)));
    const responses = await Promise.all([1, 2, 3].map(() => socialLogin(tenant, "google-token", body)));
    const users = await Promise.all(responses.map((res) => expectLoggedIn(res, tenant)));
    expect(new Set(users.map((u) => u.user._id)).size).toBe(1);
    expect(await stored(tenant.applicationId)).toMatchObject({ users: 1, identities: 1, sessions: 3 });
  });

  it("finds the account by Google subject even after the Google email changed", async () => {
    mockProviders(jwksHandlers());
    const tenant = await socialTenant();
    const first = await expectLoggedIn(await socialLogin(tenant, "google-token", idTokenBody(await signToken(googleClaims()))), tenant);
    const renamed = await signToken(googleClaims({ email: "jane.new@example.com" }));
    const again = await expectLoggedIn(await socialLogin(tenant, "google-token", idTokenBody(renamed)), tenant);
    expect(again.user._id).toBe(first.user._id);
  });

  it("links an existing account whose email is verified, and records the link", async () => {
    mockProviders(jwksHandlers());
    const tenant = await socialTenant();
    const userId = await existingUser(tenant, { email: "jane@example.com", verified: true });
    const body = await expectLoggedIn(await socialLogin(tenant, "google-token", idTokenBody(await signToken(googleClaims()))), tenant);
    expect(body.user_exists).toBe(true);
    expect(body.user._id).toBe(userId);
    // Names of an existing account are not overwritten by the provider's.
    expect(body.user.first_name).toBe("Existing");
    expect(await eventTypes(tenant, userId)).toEqual(["user.social_linked", "user.logged_in"]);
    expect(await stored(tenant.applicationId)).toMatchObject({ users: 1, identities: 1 });
  });

  it("an account that never verified the email is reset for the email's owner, not joined (pre-registration takeover)", async () => {
    mockProviders(jwksHandlers());
    const tenant = await socialTenant();
    const id = await existingUser(tenant, { email: "jane@example.com", verified: false });
    const body = await expectLoggedIn(await socialLogin(tenant, "google-token", idTokenBody(await signToken(googleClaims()))), tenant);
    expect(body.user._id).toBe(id);
    expect(body.user.first_name).toBe("");
    expect(body.user.emails[0]).toMatchObject({ email: "jane@example.com", verified: true });
    expect((await eventTypes(tenant, id)).slice(0, 2)).toEqual(["user.reclaimed", "user.social_linked"]);
  });

  it.each([
    ["google-token", GOOGLE_WEB_ID],
    ["google-android", GOOGLE_ANDROID_ID],
    ["google-ios", GOOGLE_IOS_ID],
  ])("accepts on %s a token for the application's client id %s, sent as oauth2.id_token", async (route, clientId) => {
    mockProviders(jwksHandlers());
    const tenant = await socialTenant();
    const token = await signToken(googleClaims({ aud: clientId, azp: clientId }));
    const res = await socialLogin(tenant, `${route}?platform=Fynd`, { oauth2: { id_token: token, access_token: "ya29.ignored" } });
    expect((await expectLoggedIn(res, tenant)).user_exists).toBe(false);
  });

  const refusals: [string, () => Promise<string>, number, string][] = [
    ["a token for another application", () => signToken(googleClaims({ aud: "other-app.apps.googleusercontent.com" })), 401, "another application"],
    ["a token from another issuer", () => signToken(googleClaims({ iss: "https://evil.example.com" })), 401, "expected provider"],
    ["an expired token", () => signToken(googleClaims({ iat: Math.floor(Date.now() / 1000) - 7200, exp: Math.floor(Date.now() / 1000) - 3600 })), 401, "expired"],
    ["a token without exp", () => signToken(googleClaims({ exp: undefined })), 401, "exp"],
    ["a signature by another key with the provider's kid", () => signToken(googleClaims(), keys.attacker), 401, "signature"],
    ["a key that is not published", () => signToken(googleClaims(), keys.unknown), 401, "unknown key"],
    ["alg: none", async () => unsignedToken(googleClaims()), 401, "algorithm"],
    ["HS256 keyed with the public key", () => hmacConfusedToken(googleClaims()), 401, "algorithm"],
    ["ES256, even by a published key", () => signToken(googleClaims(), keys.ec), 401, "algorithm"],
    ["an unverified email", () => signToken(googleClaims({ email_verified: false })), 403, "verified"],
  ];

  it.each(refusals)("refuses %s, writing nothing", async (_case, makeToken, status, phrase) => {
    mockProviders(jwksHandlers());
    const tenant = await socialTenant();
    const res = await socialLogin(tenant, "google-token", idTokenBody(await makeToken()));
    const body = await expectError(res, status);
    expect(body.message).toContain(phrase);
    await expectNothingWritten(res, tenant);
  });

  it("refuses a tampered payload", async () => {
    mockProviders(jwksHandlers());
    const tenant = await socialTenant();
    const [header, , signature] = (await signToken(googleClaims())).split(".");
    const other = (await signToken(googleClaims({ sub: "someone-else" }))).split(".")[1];
    const res = await socialLogin(tenant, "google-token", idTokenBody(`${header}.${other}.${signature}`));
    await expectError(res, 401, "SOCIAL_TOKEN_INVALID");
    await expectNothingWritten(res, tenant);
  });

  it("creates an account without email when the token has none (no email scope)", async () => {
    mockProviders(jwksHandlers());
    const tenant = await socialTenant();
    const claims: JWTPayload = googleClaims({ email: undefined, email_verified: undefined });
    const body = await expectLoggedIn(await socialLogin(tenant, "google-token", idTokenBody(await signToken(claims))), tenant);
    expect(body.user.emails).toEqual([]);
  });
});

describe("Google login with an OAuth access token (tokeninfo)", () => {
  const tokeninfo = (info: Record<string, unknown>, status = 200) =>
    mockProviders({
      [GOOGLE_TOKENINFO]: (url) => {
        expect(url.searchParams.get("access_token")).toBe("ya29.a0-access.token");
        return jsonResponse(info, status);
      },
    });
  const body = { oauth2: { access_token: "ya29.a0-access.token", expiry: 1_700_000_000_000 }, profile: { first_name: "Jay", email: "lie@example.com" } };
  const valid = { azp: GOOGLE_ANDROID_ID, aud: GOOGLE_ANDROID_ID, sub: "google-sub-7", email: "jay@example.com", email_verified: "true", expires_in: "3599" };

  it("logs in when Google says the token was issued to one of the application's clients", async () => {
    tokeninfo(valid);
    const tenant = await socialTenant();
    const res = await expectLoggedIn(await socialLogin(tenant, "google-android", body), tenant);
    expect(res.user.emails).toEqual([{ email: "jay@example.com", verified: true, primary: true, active: true }]);
    // Names are not identity: the client's are used for a new account when the provider gave none.
    expect(res.user.first_name).toBe("Jay");
  });

  it.each([
    ["issued to another application's client", { ...valid, azp: "other", aud: "other" }, 200, 401],
    ["unknown to Google", { error_description: "Invalid Value" }, 400, 401],
    ["expired", { ...valid, expires_in: "0" }, 200, 401],
    ["without a subject", { ...valid, sub: undefined }, 200, 401],
    ["for an unverified email", { ...valid, email_verified: "false" }, 200, 403],
  ])("refuses a token %s", async (_case, info, upstreamStatus, status) => {
    tokeninfo(info, upstreamStatus);
    const tenant = await socialTenant();
    const res = await socialLogin(tenant, "google-token", body);
    await expectError(res, status);
    await expectNothingWritten(res, tenant);
  });
});

describe("Google login: application settings", () => {
  it("is refused when Google login is disabled, without calling Google", async () => {
    const mock = mockProviders(jwksHandlers());
    const tenant = await socialTenant({ social: { google: false, facebook: true, apple: true, account_kit: false } });
    const res = await socialLogin(tenant, "google-token", idTokenBody(await signToken(googleClaims())));
    await expectError(res, 403, "SOCIAL_LOGIN_DISABLED");
    await expectNothingWritten(res, tenant);
    expect(mock.fetched).toEqual([]);
  });

  it("is refused when enabled but no client id is configured", async () => {
    mockProviders(jwksHandlers());
    const tenant = await socialTenant({ social_tokens: {} });
    const res = await socialLogin(tenant, "google-token", idTokenBody(await signToken(googleClaims())));
    await expectError(res, 403, "SOCIAL_LOGIN_DISABLED");
  });

  it("creates no account when registration is off, but still logs in a linked one", async () => {
    mockProviders(jwksHandlers());
    const tenant = await socialTenant({ register: false });
    const res = await socialLogin(tenant, "google-token", idTokenBody(await signToken(googleClaims())));
    await expectError(res, 403, "REGISTRATION_DISABLED");
    await expectNothingWritten(res, tenant);

    const userId = await existingUser(tenant, { email: "jane@example.com", verified: true });
    const linked = await expectLoggedIn(await socialLogin(tenant, "google-token", idTokenBody(await signToken(googleClaims()))), tenant);
    expect(linked.user._id).toBe(userId);
  });

  it("refuses a blocked account, linked or matched by email, and starts no session", async () => {
    mockProviders(jwksHandlers());
    const tenant = await socialTenant();
    await existingUser(tenant, { email: "jane@example.com", verified: true }, { blocked: true });
    const res = await socialLogin(tenant, "google-token", idTokenBody(await signToken(googleClaims())));
    await expectError(res, 403, "ACCOUNT_UNAVAILABLE");
    expect(res.headers.get("set-cookie")).toBeNull();
    expect(await stored(tenant.applicationId)).toEqual({ users: 1, identities: 0, events: 0, sessions: 0 });
  });

  it("validates the body: a token is required", async () => {
    const tenant = await socialTenant();
    const res = await socialLogin(tenant, "google-token", { oauth2: {}, profile: { email: "x@example.com" } });
    const body = await expectError(res, 400, "VALIDATION_FAILED");
    expect(JSON.stringify(body.info)).toContain("oauth2.access_token");
    await expectNothingWritten(res, tenant);
  });
});
