import { afterEach, describe, expect, it, vi } from "vitest";
import { expectError } from "./support/http";
import {
  APPLE_JWKS,
  appleClaims,
  expectLoggedIn,
  expectNothingWritten,
  GOOGLE_ANDROID_ID,
  GOOGLE_IOS_ID,
  GOOGLE_JWKS,
  GOOGLE_TOKENINFO,
  GOOGLE_WEB_ID,
  googleClaims,
  jwks,
  jwksHandlers,
  mockProviders,
  signToken,
  socialLogin,
  socialTenant,
} from "./support/social";

/**
 * The key sets live at module scope for the life of the isolate, so earlier tests may have filled them.
 * Each test first moves the clock (Date only) past anything cached before, which makes its counts exact.
 */
const DAY = 24 * 3600_000;
let clock = Date.now();
function pastEveryCache() {
  clock += 30 * DAY;
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(clock);
}

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const googleLogin = async (aud: string, sub: string) => ({
  oauth2: { access_token: await signToken(googleClaims({ aud, sub, email: `${sub}@example.com` })) },
});

describe("provider key sets", () => {
  it("are fetched once for many logins, across applications and routes", async () => {
    pastEveryCache();
    const mock = mockProviders(jwksHandlers());
    const tenants = [await socialTenant(), await socialTenant()];
    const routes = [
      ["google-token", GOOGLE_WEB_ID],
      ["google-android", GOOGLE_ANDROID_ID],
      ["google-ios", GOOGLE_IOS_ID],
    ] as const;
    for (const tenant of tenants) {
      for (const [route, aud] of routes) {
        await expectLoggedIn(await socialLogin(tenant, route, await googleLogin(aud, `sub-${route}`)), tenant);
      }
      for (const sub of ["apple-1", "apple-2"]) {
        const token = await signToken(appleClaims({ sub, email: `${sub}@privaterelay.appleid.com` }));
        await expectLoggedIn(await socialLogin(tenant, "apple-ios", { user_identifier: sub, oauth: { identity_token: token } }), tenant);
      }
    }
    expect(mock.count(GOOGLE_JWKS)).toBe(1);
    expect(mock.count(APPLE_JWKS)).toBe(1);
  });

  it("are fetched again once the cache has aged out", async () => {
    pastEveryCache();
    const mock = mockProviders(jwksHandlers());
    const tenant = await socialTenant();
    await expectLoggedIn(await socialLogin(tenant, "google-token", await googleLogin(GOOGLE_WEB_ID, "a")), tenant);
    vi.setSystemTime(clock + 11 * 60_000);
    await expectLoggedIn(await socialLogin(tenant, "google-token", await googleLogin(GOOGLE_WEB_ID, "a")), tenant);
    expect(mock.count(GOOGLE_JWKS)).toBe(2);
  });

  it("are kept as long as the provider's Cache-Control max-age says", async () => {
    pastEveryCache();
    const cached = () =>
      new Response(JSON.stringify(jwks()), { headers: { "content-type": "application/json", "cache-control": "public, max-age=3600" } });
    const mock = mockProviders({ ...jwksHandlers(), [GOOGLE_JWKS]: cached });
    const tenant = await socialTenant();
    await expectLoggedIn(await socialLogin(tenant, "google-token", await googleLogin(GOOGLE_WEB_ID, "a")), tenant);
    vi.setSystemTime(clock + 59 * 60_000);
    await expectLoggedIn(await socialLogin(tenant, "google-token", await googleLogin(GOOGLE_WEB_ID, "a")), tenant);
    expect(mock.count(GOOGLE_JWKS)).toBe(1);
    vi.setSystemTime(clock + 61 * 60_000);
    await expectLoggedIn(await socialLogin(tenant, "google-token", await googleLogin(GOOGLE_WEB_ID, "a")), tenant);
    expect(mock.count(GOOGLE_JWKS)).toBe(2);
  });

  it("are refetched, at most every 30 s, when a token names a key not yet seen", async () => {
    pastEveryCache();
    const mock = mockProviders(jwksHandlers());
    const tenant = await socialTenant();
    await expectLoggedIn(await socialLogin(tenant, "google-token", await googleLogin(GOOGLE_WEB_ID, "a")), tenant);
    vi.setSystemTime(clock + 31_000);
    const unknownKid = async () => {
      const token = await signToken(googleClaims({ aud: GOOGLE_WEB_ID, sub: "a", email: "a@example.com" }));
      const [header, payload, signature] = token.split(".");
      const forged = btoa(JSON.stringify({ ...JSON.parse(atob(header!)), kid: "rotated-key" })).replace(/=+$/, "");
      return `${forged}.${payload}.${signature}`;
    };
    for (let i = 0; i < 3; i++) {
      await expectError(await socialLogin(tenant, "google-token", { oauth2: { access_token: await unknownKid() } }), 401);
    }
    expect(mock.count(GOOGLE_JWKS)).toBe(2);
  });
});

describe("provider outage", () => {
  const outages: [string, () => Response | Promise<Response>][] = [
    ["the network fails", () => Promise.reject(new TypeError("Network connection lost"))],
    ["the request times out", () => Promise.reject(new DOMException("The operation was aborted due to timeout", "TimeoutError"))],
    ["the provider answers 503", () => new Response("unavailable", { status: 503 })],
    ["the provider answers garbage", () => new Response("<html>oops</html>", { status: 200 })],
  ];

  it.each(outages)("when %s, Google and Apple logins fail with 502 and nothing is written", async (_case, outage) => {
    pastEveryCache();
    mockProviders({ [GOOGLE_JWKS]: outage, [APPLE_JWKS]: outage });
    const tenant = await socialTenant();
    const google = await socialLogin(tenant, "google-token", await googleLogin(GOOGLE_WEB_ID, "g"));
    await expectError(google, 502, "UPSTREAM_FAILED");
    await expectNothingWritten(google, tenant);
    const token = await signToken(appleClaims());
    const apple = await socialLogin(tenant, "apple-ios", { user_identifier: appleClaims().sub, oauth: { identity_token: token } });
    await expectError(apple, 502, "UPSTREAM_FAILED");
    await expectNothingWritten(apple, tenant);
  });

  it.each(outages)("when %s, Google access-token logins (tokeninfo) fail with 502", async (_case, outage) => {
    mockProviders({ [GOOGLE_TOKENINFO]: outage });
    const tenant = await socialTenant();
    const res = await socialLogin(tenant, "google-token", { oauth2: { access_token: "ya29.a0-token" } });
    await expectError(res, 502, "UPSTREAM_FAILED");
    await expectNothingWritten(res, tenant);
  });

  it("recovers once the provider is back", async () => {
    pastEveryCache();
    mockProviders({ [GOOGLE_JWKS]: () => new Response("down", { status: 500 }) });
    const tenant = await socialTenant();
    const body = await googleLogin(GOOGLE_WEB_ID, "r");
    await expectError(await socialLogin(tenant, "google-token", body), 502);
    vi.restoreAllMocks();
    mockProviders(jwksHandlers());
    await expectLoggedIn(await socialLogin(tenant, "google-token", body), tenant);
  });
});

