import { afterEach, describe, expect, it, vi } from "vitest";
import { hmacSha256, toHex } from "../src/crypto/tokens";
import { expectError } from "./support/http";
import {
  eventTypes,
  existingUser,
  expectLoggedIn,
  expectNothingWritten,
  FB_APP_ID,
  FB_DEBUG,
  FB_ME,
  FB_SECRET,
  jsonResponse,
  mockProviders,
  socialLogin,
  socialTenant,
  stored,
} from "./support/social";

const TOKEN = "EAAGm0PX4ZCpsBAUserToken";
const FB_USER = "10158000111222333";
const validDebug = { data: { app_id: FB_APP_ID, type: "USER", application: "Shop", is_valid: true, user_id: FB_USER, scopes: ["email"] } };
const validMe = { id: FB_USER, email: "Sam@Example.com", first_name: "Sam", last_name: "Roe" };

/** Graph API double that insists on the app credentials and appsecret_proof a real call carries. */
function graph(debug: unknown = validDebug, me: unknown = validMe, statuses = { debug: 200, me: 200 }) {
  return mockProviders({
    [FB_DEBUG]: (url) => {
      expect(url.searchParams.get("input_token")).toBe(TOKEN);
      expect(url.searchParams.get("access_token")).toBe(`${FB_APP_ID}|${FB_SECRET}`);
      return jsonResponse(debug, statuses.debug);
    },
    [FB_ME]: async (url) => {
      expect(url.searchParams.get("access_token")).toBe(TOKEN);
      expect(url.searchParams.get("appsecret_proof")).toBe(toHex(await hmacSha256(FB_SECRET, TOKEN)));
      expect(url.searchParams.get("fields")).toBe("id,email,first_name,last_name");
      return jsonResponse(me, statuses.me);
    },
  });
}

const body = (profile: Record<string, string> = {}) => ({ is_signed_in: true, oauth2: { access_token: TOKEN, expiry: 5183999 }, profile });

afterEach(() => vi.restoreAllMocks());

describe("Facebook login", () => {
  it("creates the account from the Graph profile (email unverified), then logs it in again", async () => {
    graph();
    const tenant = await socialTenant();
    const forged = { id: "1", email: "victim@example.com", first_name: "Mallory" };
    const first = await expectLoggedIn(await socialLogin(tenant, "facebook-token", body(forged)), tenant);
    expect(first.user_exists).toBe(false);
    expect(first.user.emails).toEqual([{ email: "sam@example.com", verified: false, primary: true, active: true }]);
    expect([first.user.first_name, first.user.last_name]).toEqual(["Sam", "Roe"]);

    const again = await expectLoggedIn(await socialLogin(tenant, "facebook-token?platform=Fynd", body()), tenant);
    expect(again.user._id).toBe(first.user._id);
    expect(again.user_exists).toBe(true);
    expect(await eventTypes(tenant, first.user._id)).toEqual(["user.registered", "user.logged_in", "user.logged_in"]);
  });

  it("never links through the Facebook email, even to a verified account: 409, nothing written", async () => {
    graph();
    const tenant = await socialTenant();
    await existingUser(tenant, { email: "sam@example.com", verified: true });
    const res = await socialLogin(tenant, "facebook-token", body());
    await expectError(res, 409, "ACCOUNT_EXISTS");
    expect(res.headers.get("set-cookie")).toBeNull();
    expect(await stored(tenant.applicationId)).toEqual({ users: 1, identities: 0, events: 0, sessions: 0 });
  });

  it.each([
    ["debug_token says the token is invalid", { data: { ...validDebug.data, is_valid: false } }, validMe, 401, "invalid"],
    ["the token belongs to another app", { data: { ...validDebug.data, app_id: "111111111111111" } }, validMe, 401, "another application"],
    ["the token is an app token (no user)", { data: { ...validDebug.data, user_id: undefined } }, validMe, 401, "user access token"],
    ["the profile is of another user", validDebug, { ...validMe, id: "999" }, 401, "does not match"],
  ])("refuses when %s, writing nothing", async (_case, debug, me, status, phrase) => {
    graph(debug, me);
    const tenant = await socialTenant();
    const res = await socialLogin(tenant, "facebook-token", body());
    expect((await expectError(res, status)).message).toContain(phrase);
    await expectNothingWritten(res, tenant);
  });

  it("refuses when Graph will not return the profile for the token", async () => {
    graph(validDebug, { error: { message: "Error validating access token", code: 190 } }, { debug: 200, me: 400 });
    const tenant = await socialTenant();
    const res = await socialLogin(tenant, "facebook-token", body());
    await expectError(res, 401, "SOCIAL_TOKEN_INVALID");
    await expectNothingWritten(res, tenant);
  });

  it.each([
    ["Facebook rejects the app credentials", () => jsonResponse({ error: { message: "Invalid OAuth access token", code: 190 } }, 400)],
    ["Facebook is down", () => new Response("down", { status: 502 })],
    ["the network fails", () => Promise.reject(new TypeError("Network connection lost"))],
    ["the call times out", () => Promise.reject(new DOMException("timed out", "TimeoutError"))],
  ])("answers 502 when %s", async (_case, outage) => {
    mockProviders({ [FB_DEBUG]: outage });
    const tenant = await socialTenant();
    const res = await socialLogin(tenant, "facebook-token", body());
    await expectError(res, 502, "UPSTREAM_FAILED");
    await expectNothingWritten(res, tenant);
  });

  it("is refused when Facebook login is disabled or has no app secret, without calling Facebook", async () => {
    const mock = graph();
    const disabled = await socialTenant({ social: { google: true, facebook: false, apple: true, account_kit: false } });
    const res = await socialLogin(disabled, "facebook-token", body());
    await expectError(res, 403, "SOCIAL_LOGIN_DISABLED");
    await expectNothingWritten(res, disabled);
    const noSecret = await socialTenant({ social_tokens: { facebook: { app_id: FB_APP_ID, app_secret: "" } } });
    await expectError(await socialLogin(noSecret, "facebook-token", body()), 403, "SOCIAL_LOGIN_DISABLED");
    expect(mock.fetched).toEqual([]);
  });

  it("validates the body: oauth2.access_token is required", async () => {
    const tenant = await socialTenant();
    const res = await socialLogin(tenant, "facebook-token", { oauth2: { expiry: 1 } });
    const err = await expectError(res, 400, "VALIDATION_FAILED");
    expect(JSON.stringify(err.info)).toContain("oauth2.access_token");
  });
});
