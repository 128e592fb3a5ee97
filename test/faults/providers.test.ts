import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { GOOD_PASSWORD, REGISTER, uniqueEmail } from "../support/accounts";
import { countChanges, storageCounts } from "../support/fuzz/invariants";
import { expectError, json } from "../support/http";
import { APP, callWithEnv, PROVIDER_ENV, randomEmail, randomMobile, type MobileSent } from "../support/otp";
import { GOOGLE_WEB_ID, APPLE_APP_ID, appleClaims, googleClaims, signToken, socialTenant } from "../support/social";
import { createTenant, type Tenant } from "../support/tenants";
import { createUser } from "../support/users";

const PROVIDERS = PROVIDER_ENV;

/** How an outside service fails: unreachable, erroring, overloaded, refusing our credentials, or answering nonsense. */
const OUTAGES: { name: string; answer: () => Response }[] = [
  {
    name: "unreachable",
    answer: () => {
      throw new TypeError("network connection lost");
    },
  },
  { name: "HTTP 500", answer: () => new Response("internal error", { status: 500 }) },
  { name: "HTTP 503 with an HTML page", answer: () => new Response("<html>maintenance</html>", { status: 503, headers: { "content-type": "text/html" } }) },
  { name: "HTTP 429", answer: () => Response.json({ message: "rate limited" }, { status: 429 }) },
  { name: "HTTP 401 (our credentials refused)", answer: () => Response.json({ message: "bad key" }, { status: 401 }) },
];

afterEach(() => vi.restoreAllMocks());

/** Every outbound fetch gets `answer`; the requests are recorded. */
function outage(answer: () => Response) {
  return vi.spyOn(globalThis, "fetch").mockImplementation(async () => answer());
}

const withProviders = (tenant: Tenant, path: string, body: unknown) =>
  callWithEnv(PROVIDERS, `${APP}${path}`, json(body, { method: "POST", headers: { authorization: tenant.appAuth } }));

/** OTP hashes and single-use codes the application has in KV. */
async function secretsOf(tenant: Tenant) {
  const [otps, codes] = await Promise.all([
    env.OTP_KV.list({ prefix: `otp:${tenant.applicationId}:` }),
    env.OTP_KV.list({ prefix: `code:${tenant.applicationId}:` }),
  ]);
  return [...otps.keys, ...codes.keys].map((k) => k.name);
}

/** The code in a message the provider was asked to deliver (Resend JSON or Twilio form). */
function codeInRequest(init: RequestInit | undefined): string | undefined {
  const body = String(init?.body ?? "");
  const text = body.startsWith("{") ? (JSON.parse(body) as { text: string }).text : new URLSearchParams(body).get("Body") ?? "";
  return /\b(\d{6})\b/.exec(text)?.[1];
}

interface SendRoute {
  name: string;
  /** Needs an existing account (forgot and reset flows answer alike but send nothing otherwise). */
  account: boolean;
  channel: "email" | "sms";
  send(tenant: Tenant, address: string): Promise<Response>;
  /** For OTP routes: verifies a code sent to `address`, given the send's answer. */
  verify?(tenant: Tenant, address: string, sent: unknown, code: string): Promise<Response>;
}

const sendRoutes: SendRoute[] = [
  {
    name: "sendOTPOnEmail",
    account: false,
    channel: "email",
    send: (t, email) => withProviders(t, "/authentication/v1.0/otp/email/send", { email }),
    verify: (t, email, _sent, otp) => withProviders(t, "/authentication/v1.0/otp/email/verify", { email, otp }),
  },
  {
    name: "sendOTPOnMobile",
    account: false,
    channel: "sms",
    send: (t, mobile) => withProviders(t, "/authentication/v1.0/otp/mobile/send", { mobile, country_code: "91" }),
    verify: (t, _mobile, sent, otp) => withProviders(t, "/authentication/v1.0/otp/mobile/verify", { request_id: (sent as MobileSent).request_id, otp }),
  },
  { name: "loginWithOTP", account: false, channel: "sms", send: (t, mobile) => withProviders(t, "/authentication/v1.0/login/otp", { mobile, country_code: "91" }) },
  { name: "sendForgotOTPOnEmail", account: true, channel: "email", send: (t, email) => withProviders(t, "/authentication/v1.0/otp/forgot/email/send", { email }) },
  { name: "sendForgotOTPOnMobile", account: true, channel: "sms", send: (t, mobile) => withProviders(t, "/authentication/v1.0/otp/forgot/mobile/send", { mobile, country_code: "91" }) },
  { name: "sendResetPasswordEmail", account: true, channel: "email", send: (t, email) => withProviders(t, "/authentication/v1.0/login/password/reset", { email }) },
  { name: "sendResetPasswordMobile", account: true, channel: "sms", send: (t, mobile) => withProviders(t, "/authentication/v1.0/login/password/mobile/reset", { mobile, country_code: "91" }) },
];

/**
 * Email/SMS outages: every send answers 502 UPSTREAM_FAILED, and nothing is left half-done: no OTP or
 * link code stays usable (the code that failed to go out never works, even once the provider is back),
 * nothing is written to D1, no session starts. Once the provider recovers, a new send works end to end.
 */
describe("email and SMS provider outages", () => {
  for (const route of sendRoutes) {
    it(`${route.name}: 502 for every kind of outage, nothing usable left, and recovery works`, async () => {
      const tenant = await createTenant({ config: { otp: { resend_timer: 0 } } });
      for (const { name, answer } of OUTAGES) {
        const address = route.channel === "email" ? randomEmail() : randomMobile();
        if (route.account) await createUser(tenant, route.channel === "email" ? { email: address } : { mobile: address });
        const spy = outage(answer);
        const before = await storageCounts();
        const res = await route.send(tenant, address);
        await expectError(res, 502, "UPSTREAM_FAILED");
        expect(res.headers.getSetCookie(), name).toEqual([]);
        expect(spy, name).toHaveBeenCalled();
        expect(await secretsOf(tenant), name).toEqual([]);
        expect(countChanges(before, await storageCounts()), name).toEqual({});
        const failedCode = codeInRequest(spy.mock.calls[0]?.[1]);
        spy.mockRestore();

        if (!route.verify) continue;
        // Back up: the code that never went out does not work; a fresh one does.
        const ok = vi.spyOn(globalThis, "fetch").mockImplementation(async () => Response.json({ id: "msg_1", sid: "SM1" }));
        const resent = await route.send(tenant, address);
        expect(resent.status, name).toBe(200);
        const sent = await resent.json();
        const freshCode = codeInRequest(ok.mock.calls[0]?.[1])!;
        if (failedCode && failedCode !== freshCode) expect((await route.verify(tenant, address, sent, failedCode)).status, name).toBe(400);
        expect((await route.verify(tenant, address, sent, freshCode)).status, name).toBe(200);
        ok.mockRestore();
      }
    });
  }
});

interface SocialRoute {
  name: string;
  /** The login request; `fresh` makes its subject and email unique. */
  login(tenant: Tenant, fresh: string): Promise<Response>;
}

const postSocial = (tenant: Tenant, route: string, body: unknown) =>
  callWithEnv({}, `${APP}/authentication/v1.0/login/${route}`, json(body, { method: "POST", headers: { authorization: tenant.appAuth } }));

const socialRoutes: SocialRoute[] = [
  {
    name: "Google ID token (JWKS)",
    login: async (t, fresh) => postSocial(t, "google-token", { oauth2: { id_token: await signToken(googleClaims({ sub: fresh, email: `${fresh}@example.com`, aud: GOOGLE_WEB_ID })) } }),
  },
  { name: "Google access token (tokeninfo)", login: (t, fresh) => postSocial(t, "google-android", { oauth2: { access_token: `ya29.${fresh}` } }) },
  {
    name: "Apple identity token (JWKS)",
    login: async (t, fresh) => postSocial(t, "apple-ios", { user_identifier: fresh, oauth: { identity_token: await signToken(appleClaims({ sub: fresh, aud: APPLE_APP_ID })) } }),
  },
  { name: "Facebook (debug_token)", login: (t, fresh) => postSocial(t, "facebook-token", { oauth2: { access_token: `EAA${fresh}` } }) },
];

/**
 * Social providers and their key sets unreachable or failing: the login answers 502 (never 401, which
 * would call a good token bad, and never 200), and no user, identity, event or session comes of it.
 */
describe("social provider and JWKS outages", () => {
  for (const route of socialRoutes) {
    it(`${route.name}: 502 and nothing written, for every kind of outage`, async () => {
      const tenant = await socialTenant();
      for (const { name, answer } of [...OUTAGES.filter((o) => o.name !== "HTTP 429" && !o.name.includes("401")), { name: "200 with a body that is not JSON", answer: () => new Response("<html>oops</html>", { status: 200 }) }]) {
        const spy = outage(answer);
        const before = await storageCounts();
        const res = await route.login(tenant, `outage-${crypto.randomUUID()}`);
        await expectError(res, 502, "UPSTREAM_FAILED");
        expect(spy, name).toHaveBeenCalled();
        expect(res.headers.getSetCookie(), name).toEqual([]);
        expect(countChanges(before, await storageCounts()), name).toEqual({});
        spy.mockRestore();
      }
    });
  }
});

/**
 * The breach API (k-anonymity range query, when the application turns breach_check on) down: sign-up is not blocked by someone else's outage, and
 * the checks that need no network (the common-password list in D1, the policy) still apply.
 */
describe("breach API outage", () => {
  for (const { name, answer } of OUTAGES) {
    it(`${name}: registration still works, and a common password is still refused`, async () => {
      const tenant = await createTenant({ config: { password_settings: { breach_check: true } } });
      const spy = outage(answer);
      const res = await callWithEnv({}, REGISTER, json({ first_name: "Ana", email: uniqueEmail(), password: GOOD_PASSWORD }, { method: "POST", headers: { authorization: tenant.appAuth } }));
      expect(res.status, await res.clone().text()).toBe(200);
      expect(spy).toHaveBeenCalled();
      const before = await storageCounts();
      const common = await callWithEnv({}, REGISTER, json({ first_name: "Ana", email: uniqueEmail(), password: "password123" }, { method: "POST", headers: { authorization: tenant.appAuth } }));
      expect(common.status).toBe(400);
      expect(countChanges(before, await storageCounts())).toEqual({});
    });
  }
});
